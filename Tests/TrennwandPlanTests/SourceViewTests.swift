import Foundation
import TrennwandEngine
import TrennwandPlan
import TrennwandRecords
import XCTest

/// The source views (`DuckDBSourceView`, the bench's like-for-like DuckDB rows) against the reader:
/// `trennwand-bench rawsql` on raw CSV inputs and `trennwand export` + `sql --dialect duckdb` on
/// the same inputs, both run on DuckDB (Tests/oracles/source_view_duckdb.py): every record and
/// reference table row for row (all columns but `tw_line`, `tw_column`, `tw_offset`, which the
/// views leave NULL), every rule's result rows, and the rejected rows per file and reason. Then the
/// views' result rows against the in-process scan of the same inputs, occurrence by occurrence.
final class SourceViewTests: XCTestCase {
    static let now = "2025-12-31T12:00:00+01:00"
    static var benchBinary: String { TestPaths.projectRoot.appendingPathComponent(".build/debug/trennwand-bench").path }

    // MARK: - Time zones

    /// The step table gives the reader's offsets: the autumn overlap's earlier instant, the spring
    /// gap read with the offset before it, the pack's local time of the result; also across zones.
    func testZoneStepsGiveTheReadersConversion() throws {
        for (source, target) in [("Europe/Berlin", "Europe/Berlin"), ("America/New_York", "Europe/Berlin"), ("UTC", "Europe/Berlin")] {
            let steps = try XCTUnwrap(ZoneSteps(source: source, target: target))
            let toUTC = try XCTUnwrap(ZoneConverter(identifier: source)), toLocal = try XCTUnwrap(ZoneConverter(identifier: target))
            var checked = 0
            for year in [1916, 1945, 1947, 1980, 1996, 2025, 2026, 2098] {
                let start = Int64(CivilTime.daysFromCivil(year: year, month: 1, day: 1)) * 86_400
                var l = start
                while l < start + 366 * 86_400 {
                    let utc = toUTC.utc(fromLocal: l)
                    let o = try XCTUnwrap(steps.offsets(l))
                    XCTAssertEqual(l - o.f, utc, "\(source) \(year): UTC of local \(l)")
                    XCTAssertEqual(utc + o.h, toLocal.local(fromUTC: utc), "\(source)→\(target) \(year): local of \(utc)")
                    checked += 1
                    l += 1800
                }
            }
            XCTAssertGreaterThan(checked, 100_000)
        }
        let berlin = try XCTUnwrap(ZoneSteps(source: "Europe/Berlin", target: "Europe/Berlin"))
        func local(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ min: Int) -> Int64 {
            Int64(CivilTime.daysFromCivil(year: y, month: m, day: d)) * 86_400 + Int64(h * 3600 + min * 60)
        }
        // 26.10.2025 02:30 happens twice: the earlier (summer-time) instant, 00:30 UTC.
        XCTAssertEqual(try XCTUnwrap(berlin.offsets(local(2025, 10, 26, 2, 30))).f, 7200)
        // 30.03.2025 02:30 does not exist: read with the winter offset (01:30 UTC), shown as 03:30.
        let gap = try XCTUnwrap(berlin.offsets(local(2025, 3, 30, 2, 30)))
        XCTAssertEqual(gap.f, 3600)
        XCTAssertEqual(local(2025, 3, 30, 2, 30) - gap.f + gap.h, local(2025, 3, 30, 3, 30))
        XCTAssertNil(berlin.offsets(local(1899, 6, 1, 12, 0)), "outside the table: DuckDB's ICU")
    }

    // MARK: - Views against the export

    /// The Samples' CSV inputs (all kinds but documentation, which is XML) plus a crafted access
    /// log with what the reader handles specially.
    func testSourceViewsGiveTheExportsRowsOnTheSamples() throws {
        let root = try Self.scratch("samples")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Samples"), to: root.appendingPathComponent("Samples"))
        try Self.craftedAccessLog().write(to: root.appendingPathComponent("Samples/Jobcenter-Zugriffe-Sonderfaelle.csv"))
        let inputs = ["Samples/Jobcenter-Zugriffe.csv", "Samples/Jobcenter-Zugriffe-Sammelabrufe.csv", "Samples/Jobcenter-Zugriffe-Sonderfaelle.csv",
                      "Samples/Jobcenter-Zuweisungen.csv", "Samples/Traeger-Zugriffe.csv", "Samples/Plattform-Datenfluesse.csv", "Samples/Stammdaten"]
        let summary = try compareWithExport(root, inputs: inputs)
        let tables = try XCTUnwrap(summary["tables"] as? [String: Int])
        for kind in ["access", "flow", "staff", "secondments", "agreements", "consents", "participants", "offers"] {
            XCTAssertGreaterThan(tables[kind] ?? 0, 0, "\(kind) rows compared")
        }
        let rejected = try XCTUnwrap(summary["rejected"] as? [String: Int])
        let crafted = "Samples/Jobcenter-Zugriffe-Sonderfaelle.csv"
        XCTAssertEqual(rejected["\(crafted) csv.ragged-row"], 2, "\(rejected)")
        XCTAssertEqual(rejected["\(crafted) profile.invalid-timestamp"], 3, "\(rejected)")
        XCTAssertEqual(rejected["\(crafted) profile.unmapped-value"], 1, "\(rejected)")
        XCTAssertEqual(rejected["\(crafted) profile.missing-value"], 1, "\(rejected)")
        XCTAssertEqual(rejected["Samples/Jobcenter-Zugriffe.csv csv.ragged-row"], 1, "\(rejected)")
        try compareWithScan(root, inputs: inputs)
    }

    /// A generated corpus slice (`trennwand-bench generate`, every access and reference profile of
    /// the bench, planted violations of every rule that reads them).
    func testSourceViewsGiveTheExportsRowsOnAGeneratedCorpus() throws {
        let root = try Self.scratch("corpus")
        defer { try? FileManager.default.removeItem(at: root) }
        let gen = try ExportSQLEndToEndTests.tool([Self.benchBinary, "generate", "--out", "corpus", "--mb", "3", "--seed", "20"], cwd: root,
                                                  executable: "/usr/bin/env")
        XCTAssertEqual(gen.status, 0, gen.stderr)
        let csv = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("corpus").path).filter { $0.hasSuffix(".csv") }.sorted()
        let inputs = csv.map { "corpus/\($0)" } + ["corpus/Stammdaten"]
        let summary = try compareWithExport(root, inputs: inputs)
        XCTAssertGreaterThan((summary["tables"] as? [String: Int])?["access"] ?? 0, 10_000)
        XCTAssertGreaterThan(summary["result_rows"] as? Int ?? 0, 20)
        try compareWithScan(root, inputs: inputs)
    }

    /// Windows-1252 bytes 0x80–0x9F (€, „, “ …) are refused by DuckDB's `latin-1` (its `encodings`
    /// extension is a download): the run stops with DuckDB's error instead of reading other text.
    func testWindows1252BytesDuckDBCannotDecodeStopTheRun() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.benchBinary) else {
            throw XCTSkip("trennwand-bench not built (swift build --build-tests builds it)")
        }
        let root = try Self.scratch("cp1252")
        defer { try? FileManager.default.removeItem(at: root) }
        let log = "03.02.2025 08:15:00;JC-M-0042;JC;Integrationsfachkraft;VerBIS;Lesen;;962D000101;Vermittlung;JC-PC-0815;JC-Netz;;;;Kosten 5 €, „Zitat“;"
        try Self.craftedAccessLog(extraRow: log).write(to: root.appendingPathComponent("Jobcenter-Zugriffe.csv"))
        let tool = ExportSQLEndToEndTests.tool
        let raw = try tool([Self.benchBinary, "rawsql", "--out", "raw", "--now", Self.now, "--rules", TestPaths.rules.path, "Jobcenter-Zugriffe.csv"],
                           root, "/usr/bin/env")
        XCTAssertEqual(raw.status, 0, raw.stderr)
        let run = try tool(["python3", "-c", "import duckdb\nduckdb.connect().execute(open('sql/duckdb-raw/run-all.sql').read())\n"],
                           root.appendingPathComponent("raw"), "/usr/bin/env")
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("latin-1"), run.stderr)
    }

    /// rawsql, export and sql on `inputs` in `root`, then the oracle; returns its summary.
    private func compareWithExport(_ root: URL, inputs: [String]) throws -> [String: Any] {
        guard FileManager.default.isExecutableFile(atPath: Self.benchBinary) else {
            throw XCTSkip("trennwand-bench not built (swift build --build-tests builds it)")
        }
        let tool = ExportSQLEndToEndTests.tool
        let raw = try tool([Self.benchBinary, "rawsql", "--out", "raw", "--now", Self.now, "--rules", TestPaths.rules.path] + inputs, root, "/usr/bin/env")
        XCTAssertEqual(raw.status, 0, raw.stderr)
        XCTAssertTrue(raw.stdout.hasPrefix("32 rules"), raw.stdout)
        let export = try tool(["export", "--out", "exp"] + inputs, root, nil)
        XCTAssertEqual(export.status, 0, export.stderr)
        let sql = try tool(["sql", "--dialect", "duckdb", "--out", "exp", "--now", Self.now], root, nil)
        XCTAssertEqual(sql.status, 0, sql.stderr)
        let oracle = try tool(["python3", TestPaths.projectRoot.appendingPathComponent("Tests/oracles/source_view_duckdb.py").path, "raw", "exp"], root,
                              "/usr/bin/env")
        XCTAssertEqual(oracle.status, 0, "source views differ from the export:\n\(oracle.stderr)")
        print("source views vs export: \(oracle.stdout)")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(oracle.stdout.utf8)) as? [String: Any])
    }

    /// The views' result rows against `trennwand scan` of the same inputs: per rule, every
    /// occurrence (file and line; aggregate rules also the window start). The rows hold the record
    /// index; its line comes from the export's row of that record.
    private func compareWithScan(_ root: URL, inputs: [String]) throws {
        let scan = try ExportSQLEndToEndTests.tool(["scan", "--now", Self.now, "--format", "jsonl=scan.jsonl", "--format", "text=/dev/null"] + inputs,
                                                   cwd: root)
        XCTAssertTrue(scan.status == 0 || scan.status == 1, scan.stderr)
        var lines: [String: Int] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent("exp").path)
        while let rel = enumerator?.nextObject() as? String {
            guard rel.hasSuffix(".jsonl"), rel.hasPrefix("records/") || rel.hasPrefix("reference/") else { continue }
            for line in try Data(contentsOf: root.appendingPathComponent("exp/\(rel)")).split(separator: 0x0A) {
                let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
                guard let file = o["tw_file"] as? String, let index = o["tw_index"] as? Int, let l = o["tw_line"] as? Int else { continue }
                lines["\(rel.split(separator: "/")[1])|\(file)|\(index)"] = l
            }
        }
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let (plans, errors) = RulePlanner(policy: policy, now: 0).plan(set)
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        let aggregate = Set(plans.filter { if case .aggregate = $0.body { return true } else { return false } }.map(\.ruleID))

        var inProcess: [String: [String: Int]] = [:]
        for line in try Data(contentsOf: root.appendingPathComponent("scan.jsonl")).split(separator: 0x0A) {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            guard o["type"] as? String == "finding", let rule = o["rule_id"] as? String else { continue }
            let window = aggregate.contains(rule) ? "window from \(o["time"] as? String ?? "none") at " : ""
            for occurrence in o["occurrences"] as? [[String: Any]] ?? [] {
                inProcess[rule, default: [:]]["\(window)\(occurrence["file"] as? String ?? "?"):\(occurrence["line"] as? Int ?? 0)", default: 0] += 1
            }
        }
        var onViews: [String: [String: Int]] = [:]
        for plan in plans {
            let data = try Data(contentsOf: root.appendingPathComponent("raw/" + ExportLayout.resultFile(dialect: SourceViewScripts.dialect, rule: plan.ruleID)))
            for line in data.split(separator: 0x0A) {
                let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
                XCTAssertNil(o["tw_line"] as? Int, "the views leave tw_line NULL")
                let file = o["tw_file"] as? String ?? "?", index = o["tw_index"] as? Int ?? 0
                var key = "\(file):\(lines["\(plan.kind.rawValue)|\(file)|\(index)"] ?? 0)"
                if aggregate.contains(plan.ruleID) {
                    key = "window from \(CivilTime.iso8601(try XCTUnwrap((o["tw_window_start"] as? NSNumber)?.int64Value))) at " + key
                }
                onViews[plan.ruleID, default: [:]][key, default: 0] += 1
            }
        }
        var occurrences = 0
        for plan in plans {
            let a = inProcess[plan.ruleID] ?? [:], b = onViews[plan.ruleID] ?? [:]
            occurrences += a.values.reduce(0, +)
            for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
                XCTFail("\(plan.ruleID), \(key): in-process \(a[key] ?? 0) finding(s), source views \(b[key] ?? 0) row(s)")
            }
        }
        XCTAssertGreaterThan(occurrences, 10)
        print("source views vs scan: \(plans.count) rules, \(occurrences) occurrences, \(Set(inProcess.keys).count) rules firing")
    }

    /// An access log in the Jobcenter layout (Windows-1252, `;`, CRLF, no `Angebot` column) with what
    /// the reader treats specially: a blank line before the header and between records, values in
    /// other case (`LESEN`, `TRÄGER-NETZ`), padded and quoted values, Latin-1 characters, one-digit
    /// dates, the autumn overlap and the spring gap, dates outside the step table (0999, 1899, 2150),
    /// and rows the reader rejects: a two-digit year, a tab
    /// where the format has a space, 31 February, an unknown action, an empty user account, a short
    /// and a long row.
    static func craftedAccessLog(extraRow: String? = nil) throws -> Data {
        let header = "Zeitpunkt;Benutzerkennung;Organisation;Rolle;Verfahren;Aktion;Entscheidungsart;Kunden-Nr.;Datenkategorie;Arbeitsplatz;Netz;Übertragungsweg;Empfänger;Empfänger-Organisation;Zweck;Träger"
        func row(_ time: String, actor: String = "JC-M-0042", org: String = "JC", action: String = "Lesen", category: String = "Vermittlung",
                 network: String = "JC-Netz", channel: String = "", purpose: String = "Beratung", traeger: String = "") -> String {
            "\(time);\(actor);\(org);Integrationsfachkraft;VerBIS;\(action);;962D000101;\(category);JC-PC-0815;\(network);\(channel);;;\(purpose);\(traeger)"
        }
        let rows = [
            row("03.02.2025 08:12:05"),
            row("03.02.2025 08:13:00", org: "jc", action: "LESEN", network: "TRÄGER-NETZ", traeger: "Bildungswerk Nord"),
            row("  03.02.2025 08:14:00  ", actor: "  JC-M-0043 ", action: " Export ", channel: "E-Mail", purpose: "\"Zweck; mit \"\"Anführung\"\"\""),
            row("03.02.2025 08:15:00", category: "Neu", purpose: "Größe ½ für Zoë, 5 °C"),
            "",
            row("3.2.2025 8:5:3"),
            row("26.10.2025 02:30:00"),
            row("30.03.2025 02:30:00"),
            row("30.03.2025 03:30:00"),
            row("15.06.1899 12:00:00"),
            row("15.07.2150 12:00:00", action: "Bescheid"),
            row("01.01.0999 12:00:00"),
            row("03.02.2025  08:16:00", action: "Drucken"),
            row("03.02.25 08:17:00"),
            row("03.02.2025\t08:18:00"),
            row("31.02.2025 08:19:00"),
            row("03.02.2025 08:20:00", action: "Hüpfen"),
            row("03.02.2025 08:21:00", actor: "   "),
            "03.02.2025 08:22:00;JC-M-0042;JC",
            row("03.02.2025 08:23:00") + ";zu viel",
            row("04.02.2025 09:00:00", org: "Träger", action: "Ändern", category: "Gesundheit", network: "Extern", channel: "USB-Stick", traeger: "Bildungswerk Nord"),
        ]
        let text = "\r\n" + header + "\r\n" + (rows + (extraRow.map { [$0] } ?? [])).joined(separator: "\r\n") + "\r\n"
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0..<0x80, 0xA0...0xFF: bytes.append(UInt8(scalar.value))
            case 0x20AC: bytes.append(0x80)
            case 0x201E: bytes.append(0x84)
            case 0x201C: bytes.append(0x93)
            default: XCTFail("not in Windows-1252: \(scalar)")
            }
        }
        return Data(bytes)
    }

    static func scratch(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tw-source-view-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }
}
