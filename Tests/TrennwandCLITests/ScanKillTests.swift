import Foundation
import XCTest

/// A `trennwand scan --state` child killed with SIGKILL at several points leaves a consistent
/// store, and the next run reaches the same findings as an uninterrupted scan.
final class ScanKillTests: XCTestCase {
    func sqlite(_ db: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", db, sql]
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let h = try FileHandle(forWritingTo: out)
        p.standardOutput = h
        try p.run()
        p.waitUntilExit()
        try h.close()
        return try String(contentsOf: out, encoding: .utf8)
    }

    func scanArgs(_ state: String) -> [String] {
        ["scan", "--config", "Samples/audit.yaml", "--state", state, "--format", "text=/dev/null",
         "--format", "html=/dev/null", "--format", "sarif=/dev/null"]
    }

    /// Content of the store that does not depend on how many runs it took.
    func content(_ db: String) throws -> String {
        try sqlite(db, "SELECT fingerprint, rule_id, source_path, occurrences FROM finding ORDER BY fingerprint;")
    }

    func testKilledScansLeaveConsistentStoreAndFinishTheWork() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") else { throw XCTSkip("sqlite3 CLI missing") }
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = dir.appendingPathComponent("reference.sqlite").path
        let clock = Date()
        XCTAssertTrue([0, 1].contains(try CLI.run(scanArgs(reference)).status))
        let duration = Date().timeIntervalSince(clock)
        let expected = try content(reference)
        XCTAssertFalse(expected.isEmpty)
        var killedWithStore = 0

        // Kill points as fractions of an uninterrupted run: start-up, evaluation, commits, finish.
        for (i, fraction) in [0.2, 0.55, 0.75, 0.85, 0.92, 0.97].enumerated() {
            let delay = duration * fraction
            let state = dir.appendingPathComponent("killed-\(i).sqlite").path
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CLI.binary)
            child.arguments = scanArgs(state)
            child.currentDirectoryURL = TestPaths.projectRoot
            var env = ProcessInfo.processInfo.environment
            env["TRENNWAND_KEY"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            child.environment = env
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            Thread.sleep(forTimeInterval: delay)
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            if FileManager.default.fileExists(atPath: state) {
                killedWithStore += 1
                XCTAssertEqual(try sqlite(state, "PRAGMA integrity_check;").trimmingCharacters(in: .whitespacesAndNewlines), "ok")
                // A file is recorded at most once per run, never half.
                XCTAssertEqual(try sqlite(state, "SELECT count(*) FROM (SELECT run_id, path FROM input_file GROUP BY run_id, path HAVING count(*) > 1);")
                    .trimmingCharacters(in: .whitespacesAndNewlines), "0")
            }
            // The next run finishes the work: same findings as the uninterrupted scan.
            let rerun = try CLI.run(scanArgs(state))
            XCTAssertTrue([0, 1].contains(rerun.status), rerun.stderr)
            XCTAssertEqual(try content(state), expected, "after a kill at \(Int(delay * 1000)) ms")
            XCTAssertEqual(try sqlite(state, "PRAGMA integrity_check;").trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        }
        // At least some kills must have hit a scan that had opened its store.
        XCTAssertGreaterThan(killedWithStore, 0)
    }
}
