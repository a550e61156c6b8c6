import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandPlan
import TrennwandRecords
import TrennwandYAML
import XCTest

/// Parity of the in-process engine and the DuckDB rendering of the plans on every rule example
/// (match and no_match): the in-process verdict comes from `RuleChecks.test` (what `rules test`
/// runs), the SQL verdict from the rule's query on an in-memory DuckDB (Tests/oracles/plan_duckdb.py,
/// `make pydeps` installs the pinned duckdb; no network at test time) over tables filled from
/// exported JSON Lines files. A rule fires on DuckDB when its query returns a row.
final class DuckDBParityTests: XCTestCase {
    /// Rules whose examples must all give the same verdict in both executors. The others are listed
    /// in docs/scale-out.md; a rule that reaches parity must be added here (the test says so).
    static let covered: Set<String> = [
        "TW101", "TW102", "TW103", "TW104", "TW105", "TW106", "TW107", "TW108", "TW109", "TW110", "TW111",
        "TW201", "TW202", "TW203", "TW204", "TW205", "TW206", "TW207", "TW208",
        "TW301", "TW302", "TW303", "TW304", "TW305",
        "TW401", "TW402",
        "TW901", "TW902", "TW903", "TW904", "TW905", "TW906",
    ]

    struct Case {
        let id: String
        let rule: String
        let position: SourcePosition
        let shouldMatch: Bool
        let inProcess: Bool?
        let setup: [String]
        let query: String
    }

    func testRuleExamplesGiveTheSameVerdictInProcessAndOnDuckDB() throws {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        XCTAssertTrue(set.errors.isEmpty, "\(set.errors)")
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let zone = try XCTUnwrap(ZoneConverter(identifier: policy.timeZone))
        let now = Int64(Date().timeIntervalSince1970)
        let planner = RulePlanner(policy: policy, now: now)
        let renderer = PlanSQLRenderer(DuckDBSyntax())
        let pseudonymizer = Pseudonymizer(key: PseudonymKey(bytes: Array("trennwand-parity-key".utf8), origin: "parity test"))
        let encoder = try XCTUnwrap(RecordRowEncoder(policy: policy))

        // TW_PLAN_PARITY_DIR=<dir> keeps the manifest and the exported files there (to rerun a case
        // with `python3 Tests/oracles/plan_duckdb.py <dir>/manifest.json ID`).
        let keep = ProcessInfo.processInfo.environment["TW_PLAN_PARITY_DIR"]
        let dir = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tw-plan-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }

        // Policy tables are the same for every case: written once.
        var policyFiles: [(ExportTable, URL)] = []
        for (table, rows) in [(ExportSchema.separationMatrix, PolicyRows.matrix(policy)), (ExportSchema.taxonomy, PolicyRows.taxonomy(policy)),
                              (ExportSchema.namedLists, PolicyRows.namedLists(policy))] {
            policyFiles.append((table, try write(rows.map { ExportRows.line(table, $0) }, to: dir.appendingPathComponent("\(table.name).jsonl"))))
        }

        var cases: [Case] = []
        for rule in set.rules {
            let plan = try planner.plan(rule)
            let outcomes = RuleChecks.test(set, policy: policy, pseudonymizer: pseudonymizer, only: [rule.id], now: now)
            XCTAssertEqual(outcomes.count, rule.examples.count, rule.id)
            for (n, (example, outcome)) in zip(rule.examples, outcomes).enumerated() {
                let id = "\(rule.id)#\(n + 1)"
                let caseDir = dir.appendingPathComponent(id)
                try FileManager.default.createDirectory(at: caseDir, withIntermediateDirectories: true)
                var rows: [RecordKind: [[UInt8]]] = [:]
                var secondments: [Record] = []
                for (kind, nodes) in example.reference {
                    for (i, node) in nodes.enumerated() {
                        let r = try ExampleRecords.record(node, kind: kind, zone: zone, index: i + 1)
                        if kind == .secondments { secondments.append(r) }
                        rows[kind, default: []].append(encoder.line(r, rowNumber: i + 1))
                    }
                }
                // The rule's own records; a rule on a reference kind (TW903–TW905) scans them as its table.
                XCTAssertNil(example.reference[rule.target.kind], "\(id): records and reference rows of one table")
                for (i, node) in example.records.enumerated() {
                    let r = try ExampleRecords.record(node, kind: rule.target.kind, zone: zone, index: i + 1)
                    if r.kind == RecordKind.secondments { secondments.append(r) }
                    rows[rule.target.kind, default: []].append(encoder.line(r, rowNumber: i + 1))
                }
                let schedules = PolicyRows.schedules(PolicyRows.scheduleTexts(plans: [plan], secondments: secondments))
                var setup = renderer.ddl()
                for (table, file) in policyFiles { setup += renderer.syntax.load(table, files: [file.path]) }
                for (table, lines) in [(ExportSchema.schedules, schedules.schedules), (ExportSchema.scheduleIntervals, schedules.intervals)]
                where !lines.isEmpty {
                    let file = try write(lines.map { ExportRows.line(table, $0) }, to: caseDir.appendingPathComponent("\(table.name).jsonl"))
                    setup += renderer.syntax.load(table, files: [file.path])
                }
                for (kind, lines) in rows.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    let file = try write(lines, to: caseDir.appendingPathComponent("\(kind.rawValue).jsonl"))
                    setup += renderer.syntax.load(ExportSchema.table(kind), files: [file.path])
                }
                cases.append(Case(id: id, rule: rule.id, position: example.position, shouldMatch: example.shouldMatch,
                                  inProcess: outcome.matched, setup: setup, query: renderer.query(plan)))
            }
        }
        XCTAssertGreaterThanOrEqual(cases.count, 2 * set.rules.count, "every rule has match and no_match examples")

        let results = try runInDuckDB(cases, dir: dir)
        var agreeing: [String: Bool] = [:]
        var report: [String] = []
        for c in cases {
            let result = results[c.id]
            let sqlVerdict: Bool? = result?.error == nil ? result.map { !$0.rows.isEmpty } : nil
            let same = c.inProcess != nil && sqlVerdict == c.inProcess
            agreeing[c.rule] = (agreeing[c.rule] ?? true) && same
            if !same {
                let what = "\(c.id) (\(c.shouldMatch ? "match" : "no_match") example at \(c.position)): in-process "
                    + "\(c.inProcess.map(String.init(describing:)) ?? "error"), DuckDB "
                    + (result?.error.map { "error: \($0)" } ?? sqlVerdict.map(String.init(describing:)) ?? "no result")
                    + (result.map { " rows \($0.rows)" } ?? "")
                if Self.covered.contains(c.rule) { XCTFail(what) } else { report.append(what) }
            }
            // Both must also agree with the example itself, else the comparison proves little.
            XCTAssertEqual(c.inProcess, c.shouldMatch, "\(c.id): the in-process engine fails the example")
        }
        let covered = agreeing.filter(\.value).keys.sorted()
        print("DuckDB parity: \(covered.count) of \(set.rules.count) rules, \(cases.count) examples: \(covered.joined(separator: " "))")
        for line in report { print("not covered: " + line) }
        for rule in set.rules.map(\.id) where !Self.covered.contains(rule) && agreeing[rule] == true {
            XCTFail("\(rule) now agrees on every example: add it to DuckDBParityTests.covered and docs/scale-out.md")
        }
        XCTAssertGreaterThanOrEqual(Self.covered.count, 1)
    }

    private func write(_ lines: [[UInt8]], to url: URL) throws -> URL {
        try Data(lines.joined()).write(to: url)
        return url
    }

    struct Result: Decodable {
        let id: String
        let rows: [[JSONValue]]
        let error: String?

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            rows = try c.decodeIfPresent([[JSONValue]].self, forKey: .rows) ?? []
            error = try c.decodeIfPresent(String.self, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case id, rows, error }
    }

    /// A cell of a result row, kept for the mismatch message only.
    struct JSONValue: Decodable, CustomStringConvertible {
        let description: String
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { description = "null" } else if let s = try? c.decode(String.self) { description = s }
            else if let d = try? c.decode(Double.self) { description = String(d) } else if let b = try? c.decode(Bool.self) { description = String(b) }
            else { description = "?" }
        }
    }

    /// Runs every case through Tests/oracles/plan_duckdb.py (one Python process, a fresh database
    /// per case).
    private func runInDuckDB(_ cases: [Case], dir: URL) throws -> [String: Result] {
        let manifest = dir.appendingPathComponent("manifest.json")
        let objects = cases.map { ["id": $0.id, "setup": $0.setup, "query": $0.query] as [String: Any] }
        try JSONSerialization.data(withJSONObject: objects).write(to: manifest)
        let out = dir.appendingPathComponent("out.jsonl"), err = dir.appendingPathComponent("err.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", TestPaths.projectRoot.appendingPathComponent("Tests/oracles/plan_duckdb.py").path, manifest.path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        let errors = try String(contentsOf: err, encoding: .utf8)
        XCTAssertEqual(p.terminationStatus, 0, errors)
        var results: [String: Result] = [:]
        for line in try Data(contentsOf: out).split(separator: 0x0A) {
            let r = try JSONDecoder().decode(Result.self, from: Data(line))
            results[r.id] = r
        }
        return results
    }
}
