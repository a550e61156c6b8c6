import Foundation
import TrennwandPlan
import XCTest

/// Parity of the in-process engine and the Spark SQL rendering of the plans on every rule example
/// (match and no_match), in Spark local mode: all examples in one Spark session
/// (Tests/oracles/plan_spark.py; the JVM starts once), each example's setup replacing every table
/// (temporary views over the exported JSON Lines files), then the rule's query. A rule fires on
/// Spark when its query returns a row. A mismatch names the rule, the example and both verdicts.
final class SparkParityTests: XCTestCase {
    /// Rules whose examples must all give the same verdict in-process and on Spark (as in
    /// DuckDBParityTests; a rule that reaches parity must be added here, the test says so).
    static let covered: Set<String> = [
        "TW101", "TW102", "TW103", "TW104", "TW105", "TW106", "TW107", "TW108", "TW109", "TW110", "TW111",
        "TW201", "TW202", "TW203", "TW204", "TW205", "TW206", "TW207", "TW208",
        "TW301", "TW302", "TW303", "TW304", "TW305",
        "TW401", "TW402",
        "TW901", "TW902", "TW903", "TW904", "TW905", "TW906",
    ]

    func testRuleExamplesGiveTheSameVerdictInProcessAndOnSpark() throws {
        try SparkTestEnvironment.check()
        // TW_PLAN_PARITY_DIR=<dir> keeps the manifest and the exported files there (to rerun a case
        // with `python3 Tests/oracles/plan_spark.py <dir>/manifest.json ID`).
        let keep = ProcessInfo.processInfo.environment["TW_PLAN_PARITY_DIR"]
        let dir = keep.map { URL(fileURLWithPath: $0).appendingPathComponent("spark-parity") }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tw-spark-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }

        let syntax = SparkSyntax()
        let (rules, cases) = try ParityCases.build(PlanSQLRenderer(syntax), dir: dir)
        let manifest = dir.appendingPathComponent("manifest.json")
        let objects = cases.map { ["id": $0.id, "setup": syntax.scriptPreamble + $0.setup, "query": $0.query] as [String: Any] }
        try JSONSerialization.data(withJSONObject: objects).write(to: manifest)
        let out = dir.appendingPathComponent("out.jsonl"), err = dir.appendingPathComponent("err.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let started = Date()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", TestPaths.projectRoot.appendingPathComponent("Tests/oracles/plan_spark.py").path, manifest.path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        let errors = try String(contentsOf: err, encoding: .utf8)
        XCTAssertEqual(p.terminationStatus, 0, errors)
        var results: [String: EngineVerdict] = [:]
        for line in try Data(contentsOf: out).split(separator: 0x0A) {
            let r = try JSONDecoder().decode(DuckDBParityTests.Result.self, from: Data(line))
            results[r.id] = EngineVerdict(rows: r.rows.map { "\($0)" }, error: r.error)
        }
        print("Spark parity: \(cases.count) examples in \(String(format: "%.1f", Date().timeIntervalSince(started))) s (one session, JVM start included)")
        ParityCases.compare(cases, results, engine: "Spark", rules: rules, covered: Self.covered, testName: "SparkParityTests")
    }
}
