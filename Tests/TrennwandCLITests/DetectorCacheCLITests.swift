import Foundation
import XCTest

/// `trennwand scan` keeps the compiled detector databases in its cache directory and finds the
/// same with a fresh cache, a filled one and none (`TRENNWAND_CACHE_DIR=off`).
final class DetectorCacheCLITests: XCTestCase {
    func testScanFillsAndUsesTheCacheWithTheSameFindings() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("cache").path
        let args = ["scan", "Samples/Traeger-Dokumentation.xml", "Samples/Jobcenter-Zugriffe.csv", "Samples/Stammdaten",
                    "--now", "2025-12-31T12:00:00+01:00", "--format", "jsonl=-"]
        func findings(_ r: CLIRun) -> [Substring] {
            r.stdout.split(separator: "\n").filter { !$0.contains("\"type\":\"summary\"") }
        }
        let none = try CLI.run(args, env: ["TRENNWAND_CACHE_DIR": "off"])
        XCTAssertLessThan(none.status, 2, none.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cache))
        let fresh = try CLI.run(args, env: ["TRENNWAND_CACHE_DIR": cache])
        let stored = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".db") }
        XCTAssertEqual(stored.count, 3)
        // A rewrite is a new file renamed over the old one: another inode. (A use refreshes the
        // modification time, so that is no sign.)
        func inodes() throws -> [Int?] {
            try stored.map { try FileManager.default.attributesOfItem(atPath: cache + "/" + $0)[.systemFileNumber] as? Int }
        }
        let before = try inodes()
        let filled = try CLI.run(args, env: ["TRENNWAND_CACHE_DIR": cache])
        XCTAssertEqual(try inodes(), before, "a filled cache is read, not written again")
        XCTAssertFalse(findings(none).isEmpty)
        XCTAssertEqual(findings(fresh), findings(none))
        XCTAssertEqual(findings(filled), findings(none))
        XCTAssertEqual([fresh.status, filled.status], [none.status, none.status])
    }
}
