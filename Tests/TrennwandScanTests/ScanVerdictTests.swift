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
                baseline: BaselineComparison? = nil, lifecycle: [String: FindingStatus]? = nil) -> ScanVerdict.Reason {
        ScanVerdict.decide(waiverFileRefused: refused, inputs: inputs, strict: strict, failOn: failOn, findings: FindingList(findings),
                           waived: waived ?? findings.map { _ in nil }, baseline: baseline, lifecycle: lifecycle)
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
        XCTAssertEqual(decide(findings: [high], lifecycle: [high.fingerprint: .open]), .ok)
        XCTAssertEqual(decide(findings: [high], lifecycle: [high.fingerprint: .reopened]), .findings)
        XCTAssertEqual(decide(findings: [high], lifecycle: [:]), .findings)
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
