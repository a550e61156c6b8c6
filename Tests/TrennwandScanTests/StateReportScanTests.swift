import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState
import XCTest
@testable import TrennwandScan

/// With `--state` the reports of a run cover the store's report set (issue #14): a second run over
/// unchanged files skips them all and still reports every finding the first run left open.
final class StateReportScanTests: XCTestCase {
    func fingerprints(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["fingerprint"] as? String
        }
    }

    func testSecondRunOverUnchangedFilesReportsEveryOpenFindingOfTheFirst() throws {
        let samples = try SamplesFixture()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-state-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("s.sqlite").path
        func run(_ n: Int) -> (ScanVerdict, [ScanDiagnostic], String) {
            var request = samples.request(threads: 2)
            request.state = StateOptions(path: store, full: false, retentionMonths: 1_200)
            let jsonl = dir.appendingPathComponent("run\(n).jsonl").path
            request.targets = [OutputTarget(.jsonl, .file(jsonl))]
            request.failOn = .high
            var diagnostics: [ScanDiagnostic] = []
            let verdict = Scan.run(request) { diagnostics.append($0) }
            return (verdict, diagnostics, jsonl)
        }
        let (first, _, jsonl1) = run(1)
        XCTAssertEqual(first.reason, .findings)
        let result1 = try XCTUnwrap(first.result)
        XCTAssertGreaterThan(result1.findings.count, 100)
        let (second, diagnostics, jsonl2) = run(2)
        let result2 = try XCTUnwrap(second.result)
        XCTAssertFalse(result2.skipped.isEmpty)
        XCTAssertEqual(diagnostics.filter { $0.code == "state.skipped" }.count, result2.skipped.count)
        // Run 2 read (almost) nothing, yet its report holds every finding run 1 left open.
        XCTAssertLessThan(result2.findings.count, result1.findings.count)
        let reported1 = try fingerprints(jsonl1), reported2 = try fingerprints(jsonl2)
        XCTAssertEqual(Set(reported1), Set(result1.findings.map(\.fingerprint)))
        XCTAssertEqual(reported2.count, reported1.count)
        XCTAssertEqual(Set(reported2), Set(reported1))
        // Still open high findings in skipped files fail the scheduled run.
        XCTAssertEqual(second.reason, .findings)

        // The store agrees, in report order, with lifecycles: nothing resolved, nothing new in run 2.
        let state = try StateStore(path: store, mustExist: true)
        let runs = try state.history()
        let set = try state.reportFindingList(ReportSelection(runID: runs[0].id))
        XCTAssertEqual(set.map(\.finding.fingerprint), reported2)
        XCTAssertFalse(set.contains { $0.lifecycle.status == .resolved })
        XCTAssertTrue(set.allSatisfy { $0.lifecycle.firstRun == runs[1].id })
        let ranks = set.map { Severity.allCases.count - Severity.allCases.firstIndex(of: $0.finding.severity)! }
        XCTAssertEqual(ranks, ranks.sorted(), "critical first")
        // The stored findings are whole: same evidence and occurrences as run 1's.
        let byFingerprint = Dictionary(Array(result1.findings).map { ($0.fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
        for (f, _) in set {
            let original = try XCTUnwrap(byFingerprint[f.fingerprint])
            XCTAssertEqual(f.evidence, original.evidence)
            XCTAssertEqual(f.occurrenceList, original.occurrenceList)
            XCTAssertEqual(f.locator, original.locator)
        }
    }

    /// A store that holds no finished run renders nothing: `report.no-run`, a configuration matter.
    func testReportFromAStoreWithoutARunIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-state-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.sqlite").path
        _ = try StateStore(path: path)
        let out = dir.appendingPathComponent("r.jsonl").path
        var diagnostics: [ScanDiagnostic] = []
        let reason = StoreReport.render(StoreReportRequest(statePath: path, targets: [OutputTarget(.jsonl, .file(out))], rules: [],
                                                           toolVersion: "test", now: 0)) { diagnostics.append($0) }
        XCTAssertEqual(reason, .stateConfiguration)
        XCTAssertEqual(diagnostics.map(\.code), ["report.no-run"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// The data the outputs get in the acceptance scenario: over a copy of the Samples (with their
    /// waiver file), run 2 skips every file and shows every finding open (the waived one waived);
    /// run 3, after the planted flow FL-12 was deleted, shows that finding resolved by run 3.
    func testContextsOfScheduledRunsOverACopyOfTheSamples() throws {
        let samples = try SamplesFixture()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-state-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("Samples")
        try FileManager.default.copyItem(at: Repo.samples, to: copy)
        let config = try AuditConfig.load(path: copy.appendingPathComponent("audit.yaml").path)
        let store = dir.appendingPathComponent("s.sqlite").path
        typealias Entry = (fingerprint: String, context: FindingContext)
        func status(_ e: [Entry], _ s: FindingStatus) -> [String] { e.filter { $0.context.lifecycle?.status == s }.map(\.fingerprint) }
        func run() throws -> [Entry] {
            var request = samples.request(threads: 1)
            request.inputs = config.inputs
            request.waivers = config.waivers
            request.now = config.now!
            request.state = StateOptions(path: store, full: false, retentionMonths: 1_200)
            request.failOn = .high
            let verdict = Scan.run(request) { _ in }
            XCTAssertEqual(verdict.reason, .findings)
            let state = try StateStore(path: store, mustExist: true)
            let runID = try XCTUnwrap(state.history().first?.id)
            let set = try WaiverSet.load(path: config.waivers!)
            let contexts = StoreReport(runID: runID, waivers: set, now: config.now!, scannedWaivers: nil, baseline: nil, failOn: .high)
            return try state.reportFindingList(ReportSelection(runID: runID)).map { ($0.finding.fingerprint, contexts.context($0.finding, $0.lifecycle)) }
        }
        let first = try run()
        XCTAssertEqual(status(first, .waived).count, 1)
        XCTAssertEqual(status(first, .new).count, first.count - 1)
        let second = try run()
        XCTAssertEqual(Set(second.map(\.fingerprint)), Set(first.map(\.fingerprint)))
        XCTAssertEqual(status(second, .open).count, second.count - 1)
        XCTAssertEqual(status(second, .waived), status(first, .waived))
        XCTAssertTrue(second.allSatisfy { $0.context.lifecycle?.firstRun == 1 })

        let flows = copy.appendingPathComponent("Plattform-Datenfluesse.csv")
        let text = try String(contentsOf: flows, encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("FL-12;") }
        try kept.joined(separator: "\n").write(to: flows, atomically: true, encoding: .utf8)
        let third = try run()
        XCTAssertEqual(Set(third.map(\.fingerprint)), Set(first.map(\.fingerprint)))
        let resolved = third.filter { $0.context.lifecycle?.status == .resolved }
        XCTAssertEqual(resolved.count, 1)
        XCTAssertEqual(resolved.first?.context.lifecycle?.resolvedRun, 3)
        XCTAssertEqual(status(third, .open).count, third.count - 2)
    }
}
