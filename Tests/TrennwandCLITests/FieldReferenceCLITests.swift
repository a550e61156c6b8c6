import Foundation
import TrennwandRecords
import XCTest

/// docs/fields.md is generated and checked by `rules doc`; `profiles check` grades profiles with
/// the same field analysis.
final class FieldReferenceCLITests: XCTestCase {
    static let profilesDir = TestPaths.projectRoot.appendingPathComponent("Rules/profiles")

    // MARK: - docs/fields.md

    /// A copy of docs/ passes the check; the same copy with fields.md edited fails it, naming the file.
    func testStaleFieldReferenceFailsCheck() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let docs = dir.appendingPathComponent("docs")
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("docs"), to: docs)
        let fresh = try CLI.run(["rules", "doc", "--check", "--output", docs.path])
        XCTAssertEqual(fresh.status, 0, fresh.stderr)
        let fields = docs.appendingPathComponent("fields.md")
        let text = try String(contentsOf: fields, encoding: .utf8)
        try text.replacingOccurrences(of: "| `actor_role` |", with: "| `actor_rolle` |").write(to: fields, atomically: true, encoding: .utf8)
        let stale = try CLI.run(["rules", "doc", "--check", "--output", docs.path, "--lang", "en"])
        XCTAssertEqual(stale.status, 1, stale.stdout)
        XCTAssertTrue(stale.stderr.contains("fields.md"), stale.stderr)
        XCTAssertFalse(stale.stderr.contains("rules.md"), stale.stderr)
    }

    /// Every field of every record kind of the schema has a row in its kind's section, with its
    /// type and every allowed symbol; TW208's role list is a field it cannot decide without.
    func testFieldReferenceListsEverySchemaField() throws {
        let text = try String(contentsOf: TestPaths.projectRoot.appendingPathComponent("docs/fields.md"), encoding: .utf8)
        var sections: [String: [String]] = [:]
        var current = ""
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("## ") { current = String(line.dropFirst(3).prefix { $0 != " " }) } else { sections[current, default: []].append(line) }
        }
        for kind in RecordKind.allCases {
            let lines = try XCTUnwrap(sections[kind.rawValue], "no section for \(kind.rawValue)")
            for field in kind.schema.fields {
                let row = try XCTUnwrap(lines.first { $0.hasPrefix("| `\(field.name)` |") }, "\(kind.rawValue).\(field.name)")
                let cells = row.components(separatedBy: " | ")
                XCTAssertEqual(cells[1], field.type.name, row)
                XCTAssertEqual(cells[2], field.required ? "required" : "optional", row)
                if case .symbol(let symbols) = field.type {
                    for symbol in symbols { XCTAssertTrue(cells[3].contains("`\(symbol)`"), "\(symbol): \(row)") }
                }
            }
        }
        let access = try XCTUnwrap(sections["access"])
        let row = try XCTUnwrap(access.first { $0.hasPrefix("| `actor_role` |") })
        let cells = row.components(separatedBy: " | ")
        XCTAssertTrue(cells[5].contains("TW208"), row)
        XCTAssertFalse(cells[6].contains("TW208"), row)
    }

    // MARK: - profiles check

    func check(_ args: [String]) throws -> (CLIRun, [String: Any]) {
        let r = try CLI.run(["profiles", "check"] + args + ["--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return (r, try XCTUnwrap(object, r.stdout))
    }

    func rule(_ id: String, in object: [String: Any]) throws -> [String: Any] {
        let rules = try XCTUnwrap(object["rules"] as? [[String: Any]])
        return try XCTUnwrap(rules.first { $0["rule"] as? String == id }, id)
    }

    /// Every shipped profile parses and grades: each evaluated profile feeds at least one rule
    /// fully, every grade is one of the three, and rules of other kinds are marked as such.
    func testShippedProfilesGrade() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.profilesDir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 10)
        let needs = try fieldsPerRule()
        var seen: [String] = []
        for name in names {
            let id = String(name.dropLast(5))
            let (_, o) = try check([id])
            XCTAssertEqual(o["profile"] as? String, id)
            let rules = try XCTUnwrap(o["rules"] as? [[String: Any]])
            XCTAssertFalse(rules.isEmpty)
            for r in rules {
                XCTAssertTrue(["full", "partial", "none"].contains(r["grade"] as? String ?? ""), "\(id): \(r)")
                if r["grade"] as? String == "none", r["relation"] as? String != "other_kind" {
                    XCTAssertFalse((r["blocking"] as? [String] ?? []).isEmpty, "\(id): \(r)")
                }
            }
            let related = rules.filter { $0["relation"] as? String != "other_kind" }
            let kind = o["kind"] as? String ?? ""
            if ["access", "documentation", "flow"].contains(kind) {
                // Documentation records are also a lookup table (access logs naming an entry): a
                // documentation profile feeds those access rules as reference data.
                let own = related.filter { $0["relation"] as? String == "record" }
                XCTAssertTrue(own.contains { $0["grade"] as? String == "full" }, "\(id) feeds no rule fully")
                XCTAssertTrue(related.allSatisfy { $0["relation"] as? String == "record"
                        || (kind == "documentation" && $0["relation"] as? String == "reference") }, id)
                try crossCheck(id, kind: kind, own, needs: needs)
                seen.append(contentsOf: own.compactMap { $0["grade"] as? String })
            }
        }
        XCTAssertEqual(Set(seen), ["full", "partial", "none"], "shipped record profiles show every grade")
        let (_, traeger) = try check(["traeger-zugriffe"])
        XCTAssertEqual(try rule("TW208", in: traeger)["grade"] as? String, "full")
        XCTAssertEqual(try rule("TW208", in: traeger)["relation"] as? String, "record")
        XCTAssertEqual(try rule("TW301", in: traeger)["relation"] as? String, "other_kind")
        // The documentation export resolves the entries an access log names (TW208, TW107).
        let (_, documentation) = try check(["traeger-dokumentation"])
        XCTAssertEqual(try rule("TW208", in: documentation)["relation"] as? String, "reference")
        XCTAssertEqual(try rule("TW107", in: documentation)["relation"] as? String, "reference")
        // The participants table is looked up by TW208: that profile feeds it as reference data.
        let (_, participants) = try check(["stammdaten-teilnehmende"])
        XCTAssertEqual(try rule("TW208", in: participants)["relation"] as? String, "reference")
        XCTAssertEqual(try rule("TW208", in: participants)["grade"] as? String, "full")
    }

    /// The fields a profile file maps: the keys under `fields:` (two-space indent).
    func mappedFields(_ id: String) throws -> Set<String> {
        let text = try String(contentsOf: Self.profilesDir.appendingPathComponent(id + ".yaml"), encoding: .utf8)
        var inFields = false
        var out: Set<String> = []
        for line in text.components(separatedBy: "\n") {
            if !line.hasPrefix(" ") && !line.isEmpty { inFields = line.hasPrefix("fields:") }
            if inFields, line.hasPrefix("  "), !line.hasPrefix("   "), let colon = line.firstIndex(of: ":") {
                out.insert(String(line.dropFirst(2)[..<colon]))
            }
        }
        return out
    }

    /// docs/fields.md, *Fields per rule*: rule → (needed, also read) fields as written there.
    func fieldsPerRule() throws -> [String: (needed: Set<String>, also: Set<String>)] {
        let text = try String(contentsOf: TestPaths.projectRoot.appendingPathComponent("docs/fields.md"), encoding: .utf8)
        let table = try XCTUnwrap(text.components(separatedBy: "## Fields per rule").last)
        var out: [String: (needed: Set<String>, also: Set<String>)] = [:]
        func names(_ cell: String) -> Set<String> {
            Set(cell.components(separatedBy: ", ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "` "))}.filter { $0 != "–" && !$0.isEmpty })
        }
        for line in table.components(separatedBy: "\n") where line.hasPrefix("| [TW") {
            let cells = line.components(separatedBy: " | ")
            let id = String(cells[0].dropFirst(3).prefix { $0 != "]" })
            out[id] = (names(cells[2]), names(cells[3].replacingOccurrences(of: " |", with: "")))
        }
        XCTAssertGreaterThanOrEqual(out.count, 30)
        return out
    }

    /// The grade of each record rule agrees with the profile file's own mappings and the field
    /// reference: a needed field of the record kind that the profile does not map makes the rule
    /// `none` and is named as blocking; a rule whose record fields are all mapped is never held
    /// back by one of them; an unmapped field that is only read otherwise keeps it from `full`.
    func crossCheck(_ id: String, kind: String, _ rules: [[String: Any]], needs: [String: (needed: Set<String>, also: Set<String>)]) throws {
        let mapped = try mappedFields(id)
        XCTAssertGreaterThanOrEqual(mapped.count, 3, "\(id): \(mapped)")
        for r in rules {
            let rule = try XCTUnwrap(r["rule"] as? String)
            let (needed, also) = try XCTUnwrap(needs[rule], rule)
            let ownNeeded = needed.filter { !$0.contains(".") }, ownAlso = also.filter { !$0.contains(".") }
            let grade = r["grade"] as? String
            let blocking = Set(r["blocking"] as? [String] ?? [])
            let unmappedNeeded = ownNeeded.subtracting(mapped)
            if !unmappedNeeded.isEmpty {
                XCTAssertEqual(grade, "none", "\(id) \(rule): \(unmappedNeeded) not mapped")
                XCTAssertTrue(unmappedNeeded.isSubset(of: blocking), "\(id) \(rule): blocking \(blocking), unmapped \(unmappedNeeded)")
            } else {
                XCTAssertTrue(blocking.allSatisfy { $0.contains(".") }, "\(id) \(rule): blocking \(blocking) although mapped")
                if !ownAlso.isSubset(of: mapped) { XCTAssertNotEqual(grade, "full", "\(id) \(rule)") }
            }
        }
    }

    /// A copy of traeger-zugriffe without one mapping, given by path.
    func fixture(without line: String, in dir: URL) throws -> String {
        let text = try String(contentsOf: Self.profilesDir.appendingPathComponent("traeger-zugriffe.yaml"), encoding: .utf8)
        XCTAssertTrue(text.contains("\n" + line + "\n"), line)
        let path = dir.appendingPathComponent("ohne.yaml").path
        try text.replacingOccurrences(of: "\n" + line + "\n", with: "\n")
            .replacingOccurrences(of: "id: traeger-zugriffe", with: "id: traeger-zugriffe-ohne")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Without `actor_role` TW208 cannot fire (`not (actor_role in …)` of a missing role is
    /// unknown): graded not at all, naming the field. Without `purpose` (evidence only) it is
    /// graded partly, naming that field.
    func testMissingFieldsAreNamed() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let noRole = try fixture(without: "  actor_role: Rolle", in: dir)
        let (_, o) = try check([noRole])
        XCTAssertEqual(o["profile"] as? String, "traeger-zugriffe-ohne")
        let tw208 = try rule("TW208", in: o)
        XCTAssertEqual(tw208["grade"] as? String, "none")
        XCTAssertEqual(tw208["blocking"] as? [String], ["actor_role"])
        let missing = try XCTUnwrap(tw208["missing"] as? [[String: Any]])
        XCTAssertEqual(missing.first?["effect"] as? String, "undecided")

        let text = try CLI.run(["profiles", "check", noRole])
        XCTAssertEqual(text.status, 0, text.stderr)
        let line = try XCTUnwrap(text.stdout.components(separatedBy: "\n").firstIndex { $0.contains("TW208") })
        let lines = text.stdout.components(separatedBy: "\n")
        XCTAssertTrue(lines[line].contains("gar nicht"), text.stdout)
        XCTAssertTrue(lines[line + 1].contains("fehlt: actor_role"), text.stdout)
        let english = try CLI.run(["profiles", "check", noRole, "--lang", "en"])
        XCTAssertTrue(english.stdout.contains("not at all"), english.stdout)
        XCTAssertTrue(english.stdout.contains("missing: actor_role (undecidable without it)"), english.stdout)

        try FileManager.default.removeItem(atPath: noRole)
        let noPurpose = try fixture(without: "  purpose: Zweck", in: dir)
        let (_, p) = try check([noPurpose])
        let partly = try rule("TW208", in: p)
        XCTAssertEqual(partly["grade"] as? String, "partial")
        XCTAssertEqual((partly["missing"] as? [[String: Any]])?.compactMap { $0["field"] as? String }, ["purpose"])
    }

    /// A broken profile and an unknown id: our own message and exit 2.
    func testBrokenProfileExitsTwo() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kaputt.yaml").path
        try "id: kaputt\ntitle: {de: K, en: B}\nkind: access\nformat: csv\ndetect: {header: [A]}\nfields:\n  time: {colum: A}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["profiles", "check", path])
        XCTAssertEqual(r.status, 2, r.stdout)
        XCTAssertTrue(r.stderr.contains("Konfigurationsfehler") && r.stderr.contains("kaputt.yaml:7"), r.stderr)
        XCTAssertEqual(r.stdout, "")
        let unknown = try CLI.run(["profiles", "check", "gibt-es-nicht", "--lang", "en"])
        XCTAssertEqual(unknown.status, 2, unknown.stdout)
        XCTAssertTrue(unknown.stderr.contains("configuration error"), unknown.stderr)
        let absent = try CLI.run(["profiles", "check", dir.appendingPathComponent("fehlt.yaml").path])
        XCTAssertEqual(absent.status, 2, absent.stdout)
        XCTAssertFalse(absent.stderr.isEmpty)
    }
}
