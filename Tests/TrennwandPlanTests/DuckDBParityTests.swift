import Foundation
import TrennwandPlan
import XCTest

/// Parity of the in-process engine and the DuckDB rendering of the plans on every rule example
/// (match and no_match): the in-process verdict comes from `RuleChecks.test` (the record engine;
/// `rules test` runs the batch executor, held to it by `RuleExampleEngineTests`), the SQL verdict from the rule's query on an in-memory DuckDB (Tests/oracles/plan_duckdb.py,
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

    func testRuleExamplesGiveTheSameVerdictInProcessAndOnDuckDB() throws {
        // TW_PLAN_PARITY_DIR=<dir> keeps the manifest and the exported files there (to rerun a case
        // with `python3 Tests/oracles/plan_duckdb.py <dir>/manifest.json ID`).
        let keep = ProcessInfo.processInfo.environment["TW_PLAN_PARITY_DIR"]
        let dir = keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tw-plan-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }

        let (rules, cases) = try ParityCases.build(PlanSQLRenderer(DuckDBSyntax()), dir: dir)
        let results = try runInDuckDB(cases, dir: dir)
        ParityCases.compare(cases, results, engine: "DuckDB", rules: rules, covered: Self.covered, testName: "DuckDBParityTests")
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
    private func runInDuckDB(_ cases: [ParityCase], dir: URL) throws -> [String: EngineVerdict] {
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
        var results: [String: EngineVerdict] = [:]
        for line in try Data(contentsOf: out).split(separator: 0x0A) {
            let r = try JSONDecoder().decode(Result.self, from: Data(line))
            results[r.id] = EngineVerdict(rows: r.rows.map { "\($0)" }, error: r.error)
        }
        return results
    }
}
