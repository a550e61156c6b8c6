import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState
import XCTest
@testable import TrennwandScan

/// The verdict: errors before findings; only open, new violations at or above the threshold count.
final class ScanVerdictTests: XCTestCase {
    let high = finding("TW101", index: 0, severity: .high)
    let low = finding("TW102", index: 1, severity: .low)

    func decide(findings: [Finding], failOn: Severity? = .high, waived: [WaiverInfo?]? = nil, refused: Bool = false,
                inputs: [InputAccount] = [InputAccount(file: "a.csv")], strict: Bool = false,
                baseline: BaselineComparison? = nil, stateGate: Bool? = nil) -> ScanVerdict.Reason {
        ScanVerdict.decide(waiverFileRefused: refused, inputs: inputs, strict: strict, failOn: failOn, findings: FindingList(findings),
                           waived: waived ?? findings.map { _ in nil }, baseline: baseline, stateGate: stateGate)
    }

    /// With `--state` the verdict looks at the whole report set (`StoreReport`), as run 2 would.
    func decideState(_ entries: [(Finding, FindingLifecycle)], failOn: Severity? = .high, waivers: [Waiver] = [],
                     baseline: Baseline? = nil, runID: Int64 = 2) -> ScanVerdict.Reason {
        let report = StoreReport(runID: runID, waivers: WaiverSet(path: "w.yaml", waivers: waivers), now: 1_800_000_000,
                                 scannedWaivers: [:], baseline: baseline, failOn: failOn)
        for (f, l) in entries { _ = report.context(f, l) }
        return decide(findings: [], failOn: failOn, stateGate: report.gating)
    }

    func lifecycle(_ status: FindingStatus, lastRun: Int64 = 2) -> FindingLifecycle {
        FindingLifecycle(status: status, firstSeen: 1_700_000_000, firstRun: 1, lastSeen: 1_700_000_000, lastRun: lastRun,
                         resolvedRun: status == .resolved ? 2 : nil)
    }

    func testThresholdWaiversBaselineAndLifecycle() {
        XCTAssertEqual(decide(findings: [high, low]), .findings)
        XCTAssertEqual(decide(findings: [low]), .ok)
        XCTAssertEqual(decide(findings: [low], failOn: .low), .findings)
        XCTAssertEqual(decide(findings: [high], failOn: nil), .ok)
        XCTAssertEqual(decide(findings: [finding("TW402", index: 0, findingClass: .gap)]), .ok)
        let waiver = WaiverInfo(reason: "Vertretung", approver: "Max Mustermann", created: 0, expires: nil)
        XCTAssertEqual(decide(findings: [high], waived: [waiver]), .ok)
        let known = Baseline(path: "b.sarif", format: .sarif, entries: [.init(fingerprint: high.fingerprint, ruleID: "TW101")])
        XCTAssertEqual(decide(findings: [high], baseline: known.compare(findings: [high])), .ok)
        let other = Baseline(path: "b.sarif", format: .sarif, entries: [])
        XCTAssertEqual(decide(findings: [high], baseline: other.compare(findings: [high])), .findings)
    }

    /// With a state store every open violation at or above the threshold fails the run — also one
    /// still open in a file this run skipped as unchanged (lastRun 1); resolved and waived ones do not.
    func testStateGateCoversEveryOpenFinding() {
        XCTAssertEqual(decideState([(high, lifecycle(.open))]), .findings)
        XCTAssertEqual(decideState([(high, lifecycle(.open, lastRun: 1))]), .findings, "still open in a skipped file")
        XCTAssertEqual(decideState([(high, lifecycle(.new))]), .findings)
        XCTAssertEqual(decideState([(high, lifecycle(.reopened))]), .findings)
        XCTAssertEqual(decideState([(high, lifecycle(.resolved))]), .ok)
        XCTAssertEqual(decideState([(low, lifecycle(.open)), (high, lifecycle(.resolved))]), .ok)
        XCTAssertEqual(decideState([(finding("TW402", index: 0, findingClass: .gap), lifecycle(.open))]), .ok)
        XCTAssertEqual(decideState([(high, lifecycle(.open))], failOn: nil), .ok)
        // Stored as waived, but no waiver covers it any more: open again.
        XCTAssertEqual(decideState([(high, lifecycle(.waived, lastRun: 1))]), .findings)
        // A skipped file's finding is matched against the waiver set.
        let waiver = Waiver(rule: "TW101", fingerprint: high.fingerprint, reason: "Vertretung", approver: "Max Mustermann",
                            created: 1_700_000_000, expires: 1_900_000_000, position: SourcePosition(file: "w.yaml", line: 1, column: 1))
        XCTAssertEqual(decideState([(high, lifecycle(.open, lastRun: 1))], waivers: [waiver]), .ok)
        var expired = waiver
        expired.expires = 1_750_000_000
        XCTAssertEqual(decideState([(high, lifecycle(.open, lastRun: 1))], waivers: [expired]), .findings)
        // With a baseline only findings new against it count.
        let known = Baseline(path: "b.sarif", format: .sarif, entries: [.init(fingerprint: high.fingerprint, ruleID: "TW101")])
        XCTAssertEqual(decideState([(high, lifecycle(.open, lastRun: 1))], baseline: known), .ok)
        let empty = Baseline(path: "b.sarif", format: .sarif, entries: [])
        XCTAssertEqual(decideState([(high, lifecycle(.open, lastRun: 1))], baseline: empty), .findings)
    }

    /// The contexts: lifecycle adjusted by today's waivers, baseline states and counts over the set.
    func testStoreReportContexts() {
        let report = StoreReport(runID: 2, waivers: nil, now: 1_800_000_000, scannedWaivers: [:],
                                 baseline: Baseline(path: "b", format: .sarif, entries: [.init(fingerprint: high.fingerprint, ruleID: "TW101"),
                                                                                          .init(fingerprint: "f" + String(repeating: "0", count: 31), ruleID: "TW9")]),
                                 failOn: .high)
        let a = report.context(high, lifecycle(.waived, lastRun: 1))
        XCTAssertEqual(a.lifecycle?.status, .open)
        XCTAssertEqual(a.baseline, .unchanged)
        let b = report.context(low, lifecycle(.new))
        XCTAssertEqual(b.baseline, .new)
        XCTAssertEqual(b.lifecycle?.status, .new)
        // New in run 1, its file skipped by run 2: still open.
        XCTAssertEqual(report.context(finding("TW104", index: 4), lifecycle(.new, lastRun: 1)).lifecycle?.status, .open)
        XCTAssertEqual(report.context(finding("TW105", index: 5), lifecycle(.reopened, lastRun: 1)).lifecycle?.status, .open)
        let c = report.context(finding("TW103", index: 3), lifecycle(.resolved))
        XCTAssertNil(c.baseline)
        // The TW9 entry was never shown: the outputs write it as `absent`.
        XCTAssertEqual(report.baselineCounts, BaselineCounts(new: 3, unchanged: 1, gone: 1,
                                                             absent: [.init(fingerprint: "f" + String(repeating: "0", count: 31), ruleID: "TW9")]))
    }

    func testErrorsComeBeforeFindings() {
        var broken = InputAccount(file: "b.csv")
        broken.fileError = Rejection(locator: Locator(file: "b.csv", line: 0, byteOffset: 0, index: 0),
                                     reason: RejectReason(code: "input.unreadable", de: "x", en: "x"))
        var rejecting = InputAccount(file: "c.csv")
        rejecting.reject(Rejection(locator: Locator(file: "c.csv", line: 2, byteOffset: 10, index: 0),
                                   reason: RejectReason(code: "record.field", de: "x", en: "x")))
        XCTAssertEqual(decide(findings: [high], inputs: [broken]), .input)
        XCTAssertEqual(decide(findings: [], failOn: nil, inputs: [broken]), .input)
        XCTAssertEqual(decide(findings: [high], inputs: [rejecting]), .findings)
        XCTAssertEqual(decide(findings: [high], inputs: [rejecting], strict: true), .input)
        XCTAssertEqual(decide(findings: [high], refused: true, inputs: [broken]), .configuration)
    }

    func testStateErrorsSplitIntoConfigurationAndIO() {
        XCTAssertEqual(ScanVerdict.stateReason(StateError.locked(lockFile: "s.lock", holder: "pid 1", waited: 0)), .stateConfiguration)
        XCTAssertEqual(ScanVerdict.stateReason(StateError.schema(path: "s", detail: "v9")), .stateConfiguration)
        XCTAssertEqual(ScanVerdict.stateReason(StateError.io(path: "s", detail: Localized(de: "voll", en: "full"))), .stateIO)
    }
}
