import Foundation
import XCTest

/// `trennwand export` and `trennwand sql` as users meet them: hostile file names, the layout and
/// manifests, rejected records, exit codes and our own messages. The engines' results are compared
/// in TrennwandPlanTests/ExportSQLEndToEndTests.
final class ExportSQLCLITests: XCTestCase {
    /// A file name with a line break (and a quote) used to reach psql's `\copy` line and crash the
    /// plan export on a precondition. Export names its files by a safe stem and a hash, keeps the
    /// real name in the manifest and in `tw_file`, and `sql --dialect postgres` writes loadable lines.
    func testFileNameWithLineBreakIsExportedUnderASafeNameAndLoadsInPsql() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let hostile = "Zugriffe'\nneu; DROP TABLE access.csv"
        try FileManager.default.copyItem(at: TestPaths.samples.appendingPathComponent("Jobcenter-Zugriffe.csv"),
                                         to: dir.appendingPathComponent(hostile))
        let export = try CLI.run(["export", "--out", "exp", hostile], cwd: dir)
        XCTAssertEqual(export.status, 0, export.stderr)
        // Rejected records are reported with the (neutralised) name and counted, as by scan.
        XCTAssertTrue(export.stderr.contains("2 von 48 Datensätzen abgewiesen"), export.stderr)
        XCTAssertTrue(export.stderr.contains("Zugriffe'␊neu"), export.stderr)
        XCTAssertFalse(export.stderr.contains("Zugriffe'\nneu"), "a name must not break a log line: \(export.stderr)")

        let exp = dir.appendingPathComponent("exp")
        let written = try FileManager.default.subpathsOfDirectory(atPath: exp.path)
        XCTAssertFalse(written.isEmpty)
        for path in written {
            XCTAssertNil(path.rangeOfCharacter(from: CharacterSet(charactersIn: "\n\r'; ")), "unsafe name \(path.debugDescription)")
        }
        let manifests = written.filter { $0.hasPrefix("manifests/") && $0.hasSuffix(".json") && !$0.hasSuffix("policy.json") }
        XCTAssertEqual(manifests.count, 1, "\(written)")
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: exp.appendingPathComponent(manifests[0]))) as? [String: Any])
        let input = try XCTUnwrap(manifest["input"] as? [String: Any])
        XCTAssertEqual(input["path"] as? String, hostile)
        XCTAssertEqual(input["read"] as? Int, 48)
        XCTAssertEqual(input["normalised"] as? Int, 46)
        XCTAssertEqual(input["rejected"] as? Int, 2)
        XCTAssertEqual(manifest["schema_version"] as? Int, 1)
        XCTAssertNotNil(manifest["rule_pack"] as? String)
        let files = try XCTUnwrap(manifest["files"] as? [[String: Any]])
        XCTAssertEqual(files.compactMap { $0["rows"] as? Int }.reduce(0, +), 46, "every normalised record in one row")
        let first = try XCTUnwrap(files.first?["path"] as? String)
        XCTAssertTrue(first.hasPrefix("records/access/2025-"), first)
        let row = try XCTUnwrap(String(contentsOf: exp.appendingPathComponent(first), encoding: .utf8).split(separator: "\n").first)
        XCTAssertTrue(row.contains(#""tw_file":"Zugriffe'\nneu; DROP TABLE access.csv""#), String(row))

        let sql = try CLI.run(["sql", "--dialect", "postgres", "--out", "exp"], cwd: dir)
        XCTAssertEqual(sql.status, 0, sql.stderr)
        let load = try String(contentsOf: exp.appendingPathComponent("sql/postgres/load.sql"), encoding: .utf8)
        let copies = load.split(separator: "\n").filter { $0.hasPrefix("\\copy") }
        XCTAssertEqual(copies.count, files.count + 5, "one \\copy per record file and per policy file")
        for line in copies { XCTAssertTrue(line.contains("FROM 'records/") || line.contains("FROM 'policy/"), String(line)) }
        let runAll = try String(contentsOf: exp.appendingPathComponent("sql/postgres/run-all.sql"), encoding: .utf8)
        XCTAssertTrue(runAll.contains("\\o 'results/postgres/TW101.jsonl'"), String(runAll.prefix(300)))
        XCTAssertTrue(FileManager.default.fileExists(atPath: exp.appendingPathComponent("sql/postgres/rules/TW101.sql").path))
    }

    func testExportErrorsHaveOurMessagesAndExitCodes() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sample = TestPaths.samples.appendingPathComponent("Jobcenter-Zugriffe.csv").path

        let noOut = try CLI.run(["export", sample], cwd: dir)
        XCTAssertEqual(noOut.status, 2)
        XCTAssertTrue(noOut.stderr.contains("--out VERZEICHNIS angeben"), noOut.stderr)

        // --strict: rejected records exit 3 (as scan --strict); the export itself is complete.
        let strict = try CLI.run(["export", "--strict", "--out", "exp", sample, "--lang", "en"], cwd: dir)
        XCTAssertEqual(strict.status, 3, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("2 of 48 records rejected"), strict.stderr)

        // An output directory below a regular file cannot be created: an I/O error, exit 3.
        try Data("x".utf8).write(to: dir.appendingPathComponent("plain"))
        let blocked = try CLI.run(["export", "--out", "plain/exp", sample], cwd: dir)
        XCTAssertEqual(blocked.status, 3, blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("kann nicht geschrieben werden"), blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("[export.write]"), blocked.stderr)

        let missing = try CLI.run(["export", "--out", "exp2", "fehlt.csv"], cwd: dir)
        XCTAssertEqual(missing.status, 3, missing.stderr)
    }

    func testSQLRefusesUnknownDialectsAndMissingOrForeignExports() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Spark is a dialect now: without an export it fails like the others (exit 3), not as usage.
        let spark = try CLI.run(["sql", "--dialect", "spark", "--out", "exp"], cwd: dir)
        XCTAssertEqual(spark.status, 3, spark.stderr)
        XCTAssertTrue(spark.stderr.contains("kein Export gefunden"), spark.stderr)
        let unknown = try CLI.run(["sql", "--dialect", "oracle", "--out", "exp", "--lang", "en"], cwd: dir)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("unknown dialect 'oracle'"), unknown.stderr)
        let noDialect = try CLI.run(["sql", "--out", "exp"], cwd: dir)
        XCTAssertEqual(noDialect.status, 2)

        let none = try CLI.run(["sql", "--dialect", "duckdb", "--out", "exp"], cwd: dir)
        XCTAssertEqual(none.status, 3)
        XCTAssertTrue(none.stderr.contains("kein Export gefunden"), none.stderr)

        // An export made with another rule pack is refused (detector columns and policy tables
        // come from the pack): exit 2, the manifest named.
        let rules = dir.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        let rule = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: rules.path).first { $0.contains("TW101") && $0.hasSuffix(".yaml") })
        let handle = try FileHandle(forWritingTo: rules.appendingPathComponent(rule))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("# changed for the test\n".utf8))
        try handle.close()
        let sample = TestPaths.samples.appendingPathComponent("Traeger-Zugriffe.csv").path
        let export = try CLI.run(["export", "--rules", rules.path, "--out", "exp", sample], cwd: dir)
        XCTAssertEqual(export.status, 0, export.stderr)
        let sameRules = try CLI.run(["sql", "--rules", rules.path, "--dialect", "duckdb", "--out", "exp", "--rule", "TW101"], cwd: dir)
        XCTAssertEqual(sameRules.status, 0, sameRules.stderr)
        let rulesFiles = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("exp/sql/duckdb/rules").path)
        XCTAssertEqual(rulesFiles, ["TW101.sql"])
        let foreign = try CLI.run(["sql", "--dialect", "duckdb", "--out", "exp"], cwd: dir)
        XCTAssertEqual(foreign.status, 2, foreign.stderr)
        XCTAssertTrue(foreign.stderr.contains("Regelpaket"), foreign.stderr)
        XCTAssertTrue(foreign.stderr.contains("[export.mismatch]"), foreign.stderr)
    }
}
