import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TrennwandFindings
import TrennwandRecords
@testable import TrennwandState
import XCTest

final class StateStoreTests: XCTestCase {
    func testMigrationsOnEmptyFile() throws {
        let path = Fixture.tempStorePath()
        XCTAssertThrowsError(try StateStore(path: path, readOnly: true)) { error in
            guard case StateError.notFound = error else { return XCTFail("\(error)") }
        }
        let store = try StateStore(path: path)
        XCTAssertEqual(try store.appliedMigrations(), ["v1-runs-files-findings", "v2-finding-payload", "v3-review-workspace", "v4-reidentification", "v5-finding-rule-index", "v6-review-lookups"])
        XCTAssertEqual(try store.integrityProblems(), [])
        let mode = try store.db.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        let fk = try store.db.read { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") }
        XCTAssertEqual(fk, 1)
        // Re-opening migrates nothing and keeps the schema; read-only opening works now.
        let again = try StateStore(path: path)
        XCTAssertEqual(try again.appliedMigrations(), ["v1-runs-files-findings", "v2-finding-payload", "v3-review-workspace", "v4-reidentification", "v5-finding-rule-index", "v6-review-lookups"])
        XCTAssertEqual(try StateStore(path: path, readOnly: true).history(), [])
    }

    func testPlanSkipsUnchangedRescansModified() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let a = PlannedFile(path: "/d/a.csv", size: 10, hash: "ha")
        let b = PlannedFile(path: "/d/b.csv", size: 20, hash: "hb")
        let first = try store.plan(files: [a, b], rulePackHash: "rp1", referenceHash: "ref1")
        XCTAssertEqual(first.map(\.action), [.scan(.new), .scan(.new)])
        let run = try store.beginRun(Fixture.start())
        for f in [a, b] {
            try store.commitFile(runID: run.id, file: f, account: Fixture.account(f.path), findings: [])
        }
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        // Unchanged inputs: every file skipped, naming the run that scanned it.
        let again = try store.plan(files: [(path: a.path, size: a.size, hash: a.hash), (path: b.path, size: b.size, hash: b.hash)],
                                   rulePackHash: "rp1", referenceHash: "ref1")
        for d in again {
            guard case let .skip(prior) = d.action else { return XCTFail("\(d)") }
            XCTAssertEqual(prior.runID, run.id)
            XCTAssertEqual(prior.path, d.file.path)
        }
        // Modified file at the same path: re-scanned; the other still skipped.
        let b2 = PlannedFile(path: b.path, size: 21, hash: "hb2")
        let modified = try store.plan(files: [a, b2], rulePackHash: "rp1", referenceHash: "ref1")
        XCTAssertFalse(modified[0].shouldScan)
        XCTAssertEqual(modified[1].action, .scan(.changed))
        // Moved file (same content, new path): skipped.
        let moved = try store.plan(files: [PlannedFile(path: "/archive/a.csv", size: 10, hash: "ha")], rulePackHash: "rp1", referenceHash: "ref1")
        XCTAssertFalse(moved[0].shouldScan)
        // Changed rule pack or reference tables: everything re-evaluated; --full forces all.
        XCTAssertEqual(try store.plan(files: [a, b], rulePackHash: "rp2", referenceHash: "ref1").map(\.action),
                       [.scan(.rulesChanged), .scan(.rulesChanged)])
        XCTAssertEqual(try store.plan(files: [a, b], rulePackHash: "rp1", referenceHash: "ref2").map(\.action),
                       [.scan(.rulesChanged), .scan(.rulesChanged)])
        XCTAssertEqual(try store.plan(files: [a, b], rulePackHash: "rp1", referenceHash: "ref1", full: true).map(\.action),
                       [.scan(.full), .scan(.full)])
    }

    func testFailedFileIsScannedAgainAndResolvesNothing() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let a = PlannedFile(path: "/d/a.csv", size: 10, hash: "ha")
        var run = try store.beginRun(Fixture.start(1_000))
        try store.commitFile(runID: run.id, file: a, account: Fixture.account(a.path), findings: [Fixture.finding("F1")])
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        // Same content fails to read with --full: recorded, but F1 is not resolved by an incomplete read.
        run = try store.beginRun(Fixture.start(2_000, full: true))
        try store.commitFile(runID: run.id, file: a, account: Fixture.account(a.path, error: true), findings: [])
        try store.finishRun(runID: run.id, exitCode: 3, filesSkipped: 0)
        XCTAssertEqual(try store.findings().map(\.status), [.new])
        let a2 = PlannedFile(path: a.path, size: 11, hash: "ha2")
        run = try store.beginRun(Fixture.start(3_000))
        try store.commitFile(runID: run.id, file: a2, account: Fixture.account(a.path, error: true), findings: [])
        try store.finishRun(runID: run.id, exitCode: 3, filesSkipped: 0)
        XCTAssertEqual(try store.plan(files: [a2], rulePackHash: "rp1", referenceHash: "ref1").map(\.action), [.scan(.failedBefore)])
        XCTAssertEqual(try store.history().first?.filesFailed, 1)
    }

    func testLifecycleResolvedAndReopened() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let v1 = PlannedFile(path: "/d/a.csv", size: 10, hash: "h1")
        var run = try store.beginRun(Fixture.start(1_000))
        var commit = try store.commitFile(runID: run.id, file: v1, account: Fixture.account(v1.path),
                                          findings: [Fixture.finding("F1"), Fixture.finding("F2"), Fixture.finding("F2")])
        XCTAssertEqual(commit.statuses, ["F1": .new, "F2": .new])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)
        XCTAssertEqual(try store.findings().first { $0.fingerprint == "F2" }?.occurrences, 2)

        // F2 removed from the data: resolved; F1 seen again: open.
        let v2 = PlannedFile(path: v1.path, size: 9, hash: "h2")
        run = try store.beginRun(Fixture.start(2_000))
        commit = try store.commitFile(runID: run.id, file: v2, account: Fixture.account(v1.path), findings: [Fixture.finding("F1")])
        XCTAssertEqual(commit.statuses, ["F1": .open])
        XCTAssertEqual(commit.resolved, ["F2"])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)
        var byFP = Dictionary(uniqueKeysWithValues: try store.findings().map { ($0.fingerprint, $0) })
        XCTAssertEqual(byFP["F1"]?.status, .open)
        XCTAssertEqual(byFP["F2"]?.status, .resolved)
        XCTAssertEqual(byFP["F2"]?.resolvedRun, run.id)

        // F2 comes back: reopened. F3 is waived.
        let v3 = PlannedFile(path: v1.path, size: 12, hash: "h3")
        run = try store.beginRun(Fixture.start(3_000))
        commit = try store.commitFile(runID: run.id, file: v3, account: Fixture.account(v1.path),
                                      findings: [Fixture.finding("F1"), Fixture.finding("F2"), Fixture.finding("F3")], waived: ["F3"])
        XCTAssertEqual(commit.statuses, ["F1": .open, "F2": .reopened, "F3": .waived])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)
        byFP = Dictionary(uniqueKeysWithValues: try store.findings().map { ($0.fingerprint, $0) })
        XCTAssertEqual(byFP["F2"]?.status, .reopened)
        XCTAssertNil(byFP["F2"]?.resolvedRun)
        XCTAssertEqual(byFP["F2"]?.firstRun, 1)
        XCTAssertEqual(byFP["F2"]?.seenCount, 2)
        XCTAssertEqual(byFP["F3"]?.status, .waived)
        XCTAssertEqual(byFP["F1"]?.evidence, "subject[kundennummer]=123D••••••")

        let history = try store.history()
        XCTAssertEqual(history.map(\.id), [3, 2, 1])
        XCTAssertEqual(history.map(\.new), [0, 0, 2])
        XCTAssertEqual(history.map(\.resolved), [0, 1, 0])
        XCTAssertEqual(history.map(\.open), [1, 1, 0])
        XCTAssertEqual(history.map(\.reopened), [1, 0, 0])
        XCTAssertEqual(history.map(\.waived), [1, 0, 0])
        XCTAssertEqual(history[0].bySeverity, ["high": 3])
        XCTAssertEqual(history[0].exitCode, 1)
        XCTAssertEqual(history[0].status, .finished)
    }

    func testFindingInTwoFilesResolvedOnlyWhenGoneFromBoth() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let a = PlannedFile(path: "/d/a.csv", size: 1, hash: "a1"), b = PlannedFile(path: "/d/b.csv", size: 1, hash: "b1")
        var run = try store.beginRun(Fixture.start(1_000))
        try store.commitFile(runID: run.id, file: a, account: Fixture.account(a.path), findings: [Fixture.finding("F")])
        let second = try store.commitFile(runID: run.id, file: b, account: Fixture.account(b.path), findings: [Fixture.finding("F")])
        XCTAssertEqual(second.statuses, ["F": .new])
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        XCTAssertEqual(try store.findings().first?.occurrences, 2)
        run = try store.beginRun(Fixture.start(2_000))
        let ca = try store.commitFile(runID: run.id, file: PlannedFile(path: a.path, size: 1, hash: "a2"), account: Fixture.account(a.path), findings: [])
        XCTAssertEqual(ca.resolved, [])
        XCTAssertEqual(try store.findings().first?.status, .new)
        let cb = try store.commitFile(runID: run.id, file: PlannedFile(path: b.path, size: 1, hash: "b2"), account: Fixture.account(b.path), findings: [])
        XCTAssertEqual(cb.resolved, ["F"])
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
    }

    func testInterruptedRunIsMarkedByNextRun() throws {
        let path = Fixture.tempStorePath()
        var store: StateStore? = try StateStore(path: path)
        let dead = try store!.beginRun(Fixture.start(1_000))
        try store!.commitFile(runID: dead.id, file: PlannedFile(path: "/a", size: 1, hash: "x"), account: Fixture.account("/a"), findings: [])
        store = nil // the process "dies": the kernel drops the flock
        let next = try StateStore(path: path)
        let run = try next.beginRun(Fixture.start(2_000))
        XCTAssertEqual(run.interrupted, [dead.id])
        XCTAssertThrowsError(try next.commitFile(runID: dead.id, file: PlannedFile(path: "/b", size: 1, hash: "y"),
                                                 account: Fixture.account("/b"), findings: []))
        try next.commitFile(runID: run.id, file: PlannedFile(path: "/b", size: 1, hash: "y"), account: Fixture.account("/b"), findings: [])
        XCTAssertThrowsError(try next.commitFile(runID: run.id, file: PlannedFile(path: "/b", size: 1, hash: "y"),
                                                 account: Fixture.account("/b"), findings: [])) { error in
            guard case StateError.duplicateFile = error else { return XCTFail("\(error)") }
        }
        try next.finishRun(runID: run.id, exitCode: 0, filesSkipped: 1)
        let history = try next.history()
        XCTAssertEqual(history.map(\.status), [.finished, .interrupted])
        XCTAssertEqual(history[1].filesScanned, 1)
        XCTAssertNil(history[1].finished)
    }

    func testSecondConcurrentWriterFailsClearlyThenWaits() throws {
        let path = Fixture.tempStorePath()
        let first = try StateStore(path: path)
        let run = try first.beginRun(Fixture.start())
        let second = try StateStore(path: path, lockTimeout: 0.3)
        let t0 = Date()
        XCTAssertThrowsError(try second.beginRun(Fixture.start())) { error in
            guard case let StateError.locked(lockFile, holder, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(lockFile, path + ".lock")
            XCTAssertTrue(holder.contains("pid=\(getpid())"), holder)
            XCTAssertTrue((error as? StateError)?.message.de.contains("anderer Prüflauf") ?? false)
        }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(t0), 0.3)
        // Readers are never blocked by the run (WAL).
        XCTAssertEqual(try StateStore(path: path, readOnly: true).history().first?.status, .running)
        // A waiting writer gets the lock as soon as the first run finishes.
        let waiter = try StateStore(path: path, lockTimeout: 10)
        nonisolated(unsafe) let holder = first
        let done = expectation(description: "finished")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            try? holder.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
            done.fulfill()
        }
        let t1 = Date()
        let next = try waiter.beginRun(Fixture.start())
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(t1), 0.2)
        wait(for: [done], timeout: 5)
        XCTAssertEqual(next.interrupted, [])
        try waiter.finishRun(runID: next.id, exitCode: 0, filesSkipped: 0)
        XCTAssertEqual(try waiter.history().map(\.status), [.finished, .finished])
    }

    func testRetentionPurge() throws {
        // 2025-08-31 minus 6 months: 2025-02-28 (day clamped), same time of day.
        let now = Int64(CivilTime.daysFromCivil(year: 2025, month: 8, day: 31)) * 86_400 + 3_600
        XCTAssertEqual(CivilTime.iso8601(StateStore.retentionCutoff(now: now)), "2025-02-28T01:00:00Z")
        XCTAssertEqual(CivilTime.iso8601(StateStore.retentionCutoff(now: now, months: 12)), "2024-08-31T01:00:00Z")
        let store = try StateStore(path: Fixture.tempStorePath())
        let old = now - 200 * 86_400, recent = now - 10 * 86_400
        let a = PlannedFile(path: "/d/a.csv", size: 1, hash: "a")
        var run = try store.beginRun(Fixture.start(old))
        try store.commitFile(runID: run.id, file: a, account: Fixture.account(a.path), findings: [Fixture.finding("OLD")])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)
        run = try store.beginRun(Fixture.start(recent))
        let b = PlannedFile(path: "/d/b.csv", size: 1, hash: "b")
        try store.commitFile(runID: run.id, file: b, account: Fixture.account(b.path), findings: [Fixture.finding("NEW")])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 1)
        run = try store.beginRun(Fixture.start(now))
        let purged = try store.purge(olderThan: StateStore.retentionCutoff(now: now))
        XCTAssertEqual(purged, PurgeResult(runs: 1, findings: 1, filesDetached: 1))
        XCTAssertEqual(try store.findings().map(\.fingerprint), ["NEW"])
        XCTAssertEqual(try store.history().map(\.id), [run.id, 2])
        // The ledger survives: the unchanged old export is still not audited again.
        let decision = try store.plan(files: [a], rulePackHash: "rp1", referenceHash: "ref1")
        XCTAssertEqual(decision.first?.action, .skip(PriorScan(runID: nil, path: a.path, scannedAt: old)))
        XCTAssertEqual(try store.purge(olderThan: StateStore.retentionCutoff(now: now)), PurgeResult(runs: 0, findings: 0, filesDetached: 0))
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 2)
        XCTAssertEqual(try store.integrityProblems(), [])
    }

    func testTrendPerMonthAndRates() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let march = Int64(CivilTime.daysFromCivil(year: 2025, month: 3, day: 10)) * 86_400
        let april = Int64(CivilTime.daysFromCivil(year: 2025, month: 4, day: 7)) * 86_400
        var run = try store.beginRun(Fixture.start(march))
        try store.commitFile(runID: run.id, file: PlannedFile(path: "/a", size: 1, hash: "a"), account: Fixture.account("/a", records: 2000),
                             findings: [Fixture.finding("1", rule: "TW105"), Fixture.finding("2", rule: "TW105"),
                                        Fixture.finding("3", rule: "<b>&x", severity: .low, norms: ["Art. 9 DSGVO"])],
                             accessRecords: 2000)
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)
        run = try store.beginRun(Fixture.start(april))
        try store.commitFile(runID: run.id, file: PlannedFile(path: "/b", size: 1, hash: "b"), account: Fixture.account("/b", records: 500),
                             findings: [Fixture.finding("1", rule: "TW105"), Fixture.finding("4", rule: "TW105")], accessRecords: 500)
        // A re-scan of the same content elsewhere does not add to the denominator.
        try store.commitFile(runID: run.id, file: PlannedFile(path: "/copy-of-a", size: 1, hash: "a"),
                             account: Fixture.account("/copy-of-a", records: 2000), findings: [], accessRecords: 2000)
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)

        let byRule = try store.trend(by: .month, per: .rule)
        XCTAssertEqual(byRule.periods, ["2025-03", "2025-04"])
        XCTAssertEqual(byRule.accessesByPeriod, ["2025-03": 2000, "2025-04": 500])
        XCTAssertEqual(byRule.rows, [
            TrendRow(period: "2025-03", key: "<b>&x", count: 1, accesses: 2000, ratePer1000: 0.5),
            TrendRow(period: "2025-03", key: "TW105", count: 2, accesses: 2000, ratePer1000: 1.0),
            TrendRow(period: "2025-04", key: "TW105", count: 1, accesses: 500, ratePer1000: 2.0),
        ])
        let bySeverity = try store.trend(by: .week, per: .severity)
        XCTAssertEqual(bySeverity.periods, ["2025-W11", "2025-W15"])
        XCTAssertEqual(bySeverity.keys, ["high", "low"])
        let byNorm = try store.trend(by: .month, per: .norm)
        XCTAssertEqual(byNorm.count(period: "2025-03", key: "§ 35 Abs. 1 SGB I"), 2)
        XCTAssertEqual(byNorm.count(period: "2025-03", key: "Art. 9 DSGVO"), 1)
        // The chart of this trend is drawn by the HTML output: TrennwandScanTests.TrendChartTests.
    }

    func testISOWeekLabels() {
        func t(_ y: Int, _ m: Int, _ d: Int) -> Int64 { Int64(CivilTime.daysFromCivil(year: y, month: m, day: d)) * 86_400 }
        XCTAssertEqual(TrendPeriod.week.label(t(2021, 1, 3)), "2020-W53")
        XCTAssertEqual(TrendPeriod.week.label(t(2021, 1, 4)), "2021-W01")
        XCTAssertEqual(TrendPeriod.week.label(t(2024, 12, 30)), "2025-W01")
        XCTAssertEqual(TrendPeriod.month.label(t(2024, 12, 30)), "2024-12")
    }

    func testStreamingFileHash() throws {
        let path = Fixture.tempStorePath("blob")
        var data = Data()
        for i in 0..<(3 << 20 + 17) { data.append(UInt8(truncatingIfNeeded: i &* 31)) }
        try data.write(to: URL(fileURLWithPath: path))
        var whole = ContentHash()
        whole.update(data)
        let streamed = try ContentHash.file(atPath: path)
        XCTAssertEqual(streamed.size, Int64(data.count))
        XCTAssertEqual(streamed.hash, whole.hex())
        XCTAssertThrowsError(try ContentHash.file(atPath: path + ".missing"))
        XCTAssertEqual(ContentHash.combine(["b", "a"]), ContentHash.combine(["a", "b"]))
    }
}
