import Foundation
import XCTest

/// `rules lint` enforces the norm catalogue (issue #15): every failure is shown on a copy of the
/// shipped rule pack with one defect, named at its file:line:column with its code.
final class NormCatalogueCLITests: XCTestCase {
    /// A copy of `Rules/` in a temporary directory; `edit(path, old, new)` changes one file.
    private struct Pack {
        let root: URL
        var rules: URL { root.appendingPathComponent("Rules") }

        init() throws {
            root = try CLI.temporaryDirectory()
            try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        }

        func text(_ path: String) throws -> String {
            try String(contentsOf: rules.appendingPathComponent(path), encoding: .utf8)
        }

        func edit(_ path: String, _ old: String, _ new: String) throws {
            let t = try text(path)
            XCTAssertTrue(t.contains(old), "\(path) does not contain \(old)")
            try t.replacingOccurrences(of: old, with: new).write(to: rules.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }

        /// 1-based line and column of the first occurrence of `needle` in `path`.
        func position(_ path: String, _ needle: String) throws -> String {
            let t = try text(path)
            guard let r = t.range(of: needle) else { return "?" }
            let before = t[..<r.lowerBound]
            let line = before.filter { $0 == "\n" }.count + 1
            let column = before.distance(from: before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex,
                                         to: before.endIndex) + 1
            return "\(path):\(line):\(column):"
        }

        func lint(_ lang: String = "de") throws -> (status: Int32, stderr: String) {
            let r = try CLI.run(["rules", "lint", "--rules", rules.path, "--lang", lang])
            return (r.status, r.stderr)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    func testShippedPackCitesOnlyCatalogueNorms() throws {
        let r = try CLI.run(["rules", "lint"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("norm."), r.stderr)
    }

    func testKeyMissingFromCatalogue() throws {
        let pack = try Pack()
        defer { pack.remove() }
        let file = "zugriff/TW105-export-an-traeger.yaml"
        try pack.edit(file, "norms: [sgb1-35-1,", "norms: [sgb10-67z-1, sgb1-35-1,")
        let r = try pack.lint("en")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(try pack.position(file, "sgb10-67z-1")), r.stderr)
        XCTAssertTrue(r.stderr.contains("norm 'sgb10-67z-1' is not in the norm catalogue"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[norm.unknown-key]"), r.stderr)
        // A scan refuses the pack too: an unknown key is a load error, not only a lint finding.
        let de = try pack.lint()
        XCTAssertTrue(de.stderr.contains("steht nicht im Normenkatalog"), de.stderr)
    }

    func testInlineCitationMissingFromCatalogue() throws {
        let pack = try Pack()
        defer { pack.remove() }
        let file = "zugriff/TW105-export-an-traeger.yaml"
        try pack.edit(file, "norms: [sgb1-35-1,", "norms: [{citation: \"§ 99 SGB X\", title: Erfunden, as_of: 2021-08-20}, sgb1-35-1,")
        let r = try pack.lint("en")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(try pack.position(file, "{citation: \"§ 99 SGB X\"")), r.stderr)
        XCTAssertTrue(r.stderr.contains("citation '§ 99 SGB X' is not in the norm catalogue"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[norm.not-in-catalogue]"), r.stderr)
    }

    /// TW205 checks the Träger's documentation; § 76 SGB X binds only the Jobcenter. Without its
    /// `norm_notes` reason lint fails at the key in `norms:`.
    func testJobcenterNormOnTraegerRecordsNeedsAReason() throws {
        let pack = try Pack()
        defer { pack.remove() }
        let file = "dokumentation/TW205-gutachten-aerztlicher-dienst.yaml"
        try pack.edit(file, "  sgb10-76-1: &gutachten\n", "  sgb10-99-1: &gutachten\n")
        let en = try pack.lint("en")
        XCTAssertEqual(en.status, 2, en.stderr)
        XCTAssertTrue(en.stderr.contains(try pack.position(file, "sgb10-76-1")), en.stderr)
        XCTAssertTrue(en.stderr.contains("TW205: § 76 Abs. 1 SGB X (sgb10-76-1) binds only the Jobcenter"), en.stderr)
        XCTAssertTrue(en.stderr.contains("[norm.jobcenter-only]"), en.stderr)
        // The stray note names a norm the rule does not cite.
        XCTAssertTrue(en.stderr.contains("norm_notes names 'sgb10-99-1', which norms does not cite [norm.note-uncited]"), en.stderr)
        let de = try pack.lint()
        XCTAssertTrue(de.stderr.contains("bindet nur das Jobcenter, die Regel prüft aber Datensätze des Trägers"), de.stderr)
    }

    /// Träger-side is decided by the record kind and the condition: TW106 reads the Jobcenter's
    /// systems and cites § 67d SGB X without a reason; tested on the Träger's systems it needs one.
    func testConditionOnTraegerSystemsMakesARuleTraegerSide() throws {
        let pack = try Pack()
        defer { pack.remove() }
        let file = "zugriff/TW106-traeger-personal-in-jobcenter-verfahren.yaml"
        XCTAssertFalse(try pack.lint().stderr.contains("norm.jobcenter-only"))
        try pack.edit(file, "system_owner == \"jobcenter\"", "system_owner == \"traeger\"")
        let r = try pack.lint("en")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("TW106: § 67d Abs. 1 SGB X (sgb10-67d-1) binds only the Jobcenter"), r.stderr)
    }

    func testCatalogueEntryWithoutSource() throws {
        let pack = try Pack()
        defer { pack.remove() }
        let entry = try pack.text("norms.yaml")
        let source = entry.components(separatedBy: "\n").first { $0.hasPrefix("    source: https://www.buzer.de/gesetz/3690/") }!
        try pack.edit("norms.yaml", source + "\n", "")
        let r = try pack.lint("en")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(try pack.position("norms.yaml", "sgb1-35-1:")), r.stderr)
        XCTAssertTrue(r.stderr.contains("sgb1-35-1: source missing"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[norm.no-source]"), r.stderr)
    }

    func testCatalogueEntryWithoutDate() throws {
        let pack = try Pack()
        defer { pack.remove() }
        try pack.edit("norms.yaml", "    last_amended: '2011-01-01'\n", "")
        let r = try pack.lint("en")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains(try pack.position("norms.yaml", "sgb2-51a:")), r.stderr)
        XCTAssertTrue(r.stderr.contains("sgb2-51a: date of last amendment missing [norm.no-date]") ||
                      r.stderr.contains("sgb2-51a: date of last amendment missing"), r.stderr)
    }

    /// `unknown` is allowed only with a note saying what could not be checked.
    func testUnknownDateNeedsANote() throws {
        let pack = try Pack()
        defer { pack.remove() }
        let text = try pack.text("norms.yaml")
        let lines = text.components(separatedBy: "\n")
        let start = lines.firstIndex(of: "  sgb2-44h-1:")!
        let noteLine = lines[start...].firstIndex { $0.hasPrefix("    last_amended_note:") }!
        var end = noteLine + 1
        while lines[end].hasPrefix("      ") { end += 1 }
        let kept = Array(lines[..<noteLine]) + Array(lines[end...])
        try kept.joined(separator: "\n").write(to: pack.rules.appendingPathComponent("norms.yaml"), atomically: true, encoding: .utf8)
        let r = try pack.lint("en")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("sgb2-44h-1: last_amended: unknown only with a last_amended_note"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[norm.unknown-date-note]"), r.stderr)
    }

    func testKeysWithoutCatalogueFileFail() throws {
        let pack = try Pack()
        defer { pack.remove() }
        try FileManager.default.removeItem(at: pack.rules.appendingPathComponent("norms.yaml"))
        let r = try pack.lint("en")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("is cited by key but the rules directory has no norms.yaml [norm.no-catalogue]"), r.stderr)
    }

    func testNormsDocIsGroupedByLawWithState() throws {
        let doc = try String(contentsOf: TestPaths.projectRoot.appendingPathComponent("docs/norms.md"), encoding: .utf8)
        for law in ["## DSGVO", "## BDSG", "## SGB I", "## SGB II", "## SGB X", "## BPersVG", "## BetrVG"] {
            XCTAssertTrue(doc.contains("\n" + law + "\n"), law)
        }
        XCTAssertTrue(doc.contains("### § 67c Abs. 4 SGB X"))
        XCTAssertTrue(doc.contains("- Bindet: den Träger"))
        XCTAssertTrue(doc.contains("- Wortlaut geprüft: nein"))
    }
}
