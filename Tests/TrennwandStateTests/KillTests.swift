import Foundation
import GRDB
import TrennwandFindings
@testable import TrennwandState
import XCTest

/// The child side of the kill test, not a test of its own: `StateKillTests` starts the test
/// binary with this one case and `TRENNWAND_STATE_KILL_STORE` set, and the child scans version 2
/// of the kill data set into that store until it is SIGKILLed. Discovered in a normal run it is
/// reported as skipped, never as passed (the test binary can only run code that is a test case).
final class StateKillChild: XCTestCase {
    func testChildWorker() throws {
        let env = ProcessInfo.processInfo.environment
        guard let path = env["TRENNWAND_STATE_KILL_STORE"] else {
            throw XCTSkip("child process of StateKillTests; runs only when that test starts it")
        }
        let started = Int64(env["TRENNWAND_STATE_KILL_STARTED"] ?? "") ?? 2_000
        let store = try StateStore(path: path)
        try KillDataset.scan(store: store, version: 2, started: started) {
            FileHandle.standardOutput.write(Data("\nREADY\n".utf8))
        }
    }
}

/// SIGKILL during per-file commits: after every kill the store is intact and holds whole files
/// only; finishing the remaining files reaches the state of an uninterrupted run.
final class StateKillTests: XCTestCase {
    func testKillDuringCommitLeavesWholeFilesAndResumes() throws {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let n = KillDataset.count

        let referencePath = Fixture.tempStorePath("reference")
        do {
            let reference = try StateStore(path: referencePath)
            try KillDataset.scan(store: reference, version: 1, started: 1_000)
            try KillDataset.scan(store: reference, version: 2, started: 2_000)
        }
        let path = Fixture.tempStorePath("killed")
        do { try KillDataset.scan(store: try StateStore(path: path), version: 1, started: 1_000) }

        var committed: [Int] = []
        var killedBySignal = 0
        for (attempt, delayMS) in [10, 50, 200].enumerated() {
            let child = Process()
            child.executableURL = exe
            child.arguments = ["TrennwandStateTests.StateKillChild/testChildWorker"]
            var env = ProcessInfo.processInfo.environment
            env["TRENNWAND_STATE_KILL_STORE"] = path
            env["TRENNWAND_STATE_KILL_STARTED"] = String(2_000 + attempt)
            child.environment = env
            let out = Pipe()
            child.standardOutput = out
            child.standardError = FileHandle.nullDevice
            try child.run()
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("READY") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen.append(chunk)
            }
            XCTAssertTrue(String(decoding: seen, as: UTF8.self).contains("READY"), "child never began its run")
            usleep(useconds_t(delayMS * 1000))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            if child.terminationReason == .uncaughtSignal { killedBySignal += 1 }
            committed.append(try verifyWholeFiles(path: path))
        }
        print("kill test: v2 files committed after kills at 10/50/200 ms: \(committed) of \(n); killed by signal: \(killedBySignal)")
        XCTAssertGreaterThan(killedBySignal, 0)
        XCTAssertTrue(committed.contains { $0 > 0 && $0 < n }, "no kill landed in the middle of the run: \(committed)")
        XCTAssertEqual(committed, committed.sorted(), "progress is never lost")

        // Finish the remaining work in a new run.
        let store = try StateStore(path: path)
        try KillDataset.scan(store: store, version: 2, started: 3_000)
        XCTAssertEqual(try verifyWholeFiles(path: path), n)
        let history = try store.history()
        XCTAssertEqual(history.first?.status, .finished)
        XCTAssertEqual(history.first?.filesScanned, n - (committed.last ?? 0))
        XCTAssertEqual(history.filter { $0.status == .interrupted }.count, killedBySignal)

        // Same findings with the same lifecycle as the uninterrupted run.
        let reference = try StateStore(path: referencePath, readOnly: true)
        func comparable(_ f: StoredFinding) -> String {
            "\(f.fingerprint) \(f.status) \(f.ruleID) \(f.severity) \(f.findingClass) \(f.norms) \(f.sourcePath) " +
                "occ=\(f.occurrences) seen=\(f.seenCount) \(f.evidence)"
        }
        let expected = try reference.findings().map(comparable)
        let actual = try store.findings().map(comparable)
        XCTAssertEqual(actual.count, n * (KillDataset.perFile + 2))
        XCTAssertEqual(actual, expected)
        let counts = Dictionary(grouping: try store.findings(), by: \.status).mapValues(\.count)
        XCTAssertEqual(counts, [.resolved: 2 * n, .open: (KillDataset.perFile - 2) * n, .new: 2 * n])
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    /// Checks the store after a kill and returns how many version-2 files it holds.
    private func verifyWholeFiles(path: String) throws -> Int {
        let store = try StateStore(path: path)
        XCTAssertEqual(try store.integrityProblems(), [])
        return try store.db.read { db in
            let v2Paths = try String.fetchAll(db, sql: "SELECT path FROM input_file WHERE content_hash LIKE 'hash-v2-%'")
            XCTAssertEqual(v2Paths.count, Set(v2Paths).count, "a file recorded twice")
            let done = Set(v2Paths)
            var present: [String: Set<String>] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT fingerprint, path FROM finding_file") {
                present[row["path"], default: []].insert(row["fingerprint"])
            }
            var statuses: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT fingerprint, status FROM finding") {
                statuses[row["fingerprint"]] = row["status"]
            }
            for i in 0..<KillDataset.count {
                let p = KillDataset.file(i, version: 1).path
                let version = done.contains(p) ? 2 : 1
                let keys = KillDataset.findingKeys(version: version)
                XCTAssertEqual(present[p] ?? [], Set(keys.map { "fp-\(i)-\($0)" }), "file \(i) is not whole")
                for k in 0..<(KillDataset.perFile + 2) {
                    let want: String?
                    if version == 1 { want = k < KillDataset.perFile ? "new" : nil }
                    else { want = k < 2 ? "resolved" : (k < KillDataset.perFile ? "open" : "new") }
                    XCTAssertEqual(statuses["fp-\(i)-\(k)"], want, "fp-\(i)-\(k)")
                }
            }
            // Run counters were updated in the same transactions as the files.
            for row in try Row.fetchAll(db, sql: """
                SELECT r.id, r.files_scanned AS counted, (SELECT COUNT(*) FROM input_file f WHERE f.run_id = r.id) AS actual
                FROM run r
                """) {
                XCTAssertEqual(row["counted"] as Int, row["actual"] as Int, "run \(row["id"] as Int64)")
            }
            return done.count
        }
    }
}
