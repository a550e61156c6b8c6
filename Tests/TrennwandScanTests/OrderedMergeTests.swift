import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords
import XCTest
@testable import TrennwandScan

/// Units finish in any order on any worker; the merge takes them in unit order and the collector
/// reports by file, then record, then rule.
final class OrderedMergeTests: XCTestCase {
    /// N units completed out of order by several threads (with delays that invert the order) come
    /// out of the queue in unit order, and their findings in file/record order.
    func testUnitsCompletedOutOfOrderMergeInFileAndRecordOrder() throws {
        let samples = try SamplesFixture()
        let profile = try XCTUnwrap(samples.catalog.profiles.first)
        let n = 12
        let units = (0..<n).map { ScanUnit.whole(input: $0, fileOrder: $0, path: "f\($0).csv", profile: profile) }
        let queue = UnitQueue(units: units, window: n)
        var claimed: [(Int, ScanUnit)] = []
        while let c = queue.claim() { claimed.append(c) }
        XCTAssertEqual(claimed.map(\.0), Array(0..<n))
        // Complete from four threads, last unit first: each thread sleeps less for later units.
        let group = DispatchGroup()
        for worker in 0..<4 {
            DispatchQueue.global().async(group: group) {
                for k in stride(from: n - 1 - worker, through: 0, by: -4) {
                    usleep(UInt32(200 + (n - k) * 300))
                    var r = UnitResult()
                    // Inside a unit, findings arrive in reverse record order too.
                    for index in [5, 1, 3] { r.findings.append((finding("TW10\(k % 3)", file: "f\(k).csv", index: index), false)) }
                    queue.complete(k, r)
                }
            }
        }
        let evaluator = try emptyEvaluator(samples)
        var merger = OrderedMerger(evaluator: evaluator)
        var collector = FindingCollector(keepInMemory: 1_000)
        for k in 0..<n {
            guard case .result(let r) = queue.takeOrClaim(k) else { return XCTFail("unit \(k): claimed although all units were") }
            XCTAssertEqual(Set(r.findings.map(\.finding.locator.file)), ["f\(k).csv"], "unit \(k) got another unit's result")
            merger.merge(r, fileOrder: k, lineOffset: 0, indexOffset: 0, into: &collector)
        }
        group.wait()
        let out = collector.sorted()
        XCTAssertEqual(out.count, n * 3)
        let order = out.map { "\($0.locator.file)#\($0.locator.index)" }
        let expected = (0..<n).flatMap { k in [1, 3, 5].map { "f\(k).csv#\($0)" } }
        XCTAssertEqual(order, expected)
    }

    /// The merging thread evaluates units while it waits, never more than the window ahead of the
    /// merge, and takes a result as soon as it is there.
    func testMergingThreadClaimsWithinTheWindow() throws {
        let samples = try SamplesFixture()
        let profile = try XCTUnwrap(samples.catalog.profiles.first)
        let units = (0..<5).map { ScanUnit.whole(input: $0, fileOrder: $0, path: "f\($0).csv", profile: profile) }
        let queue = UnitQueue(units: units, window: 2)
        guard case .unit(0, _) = queue.takeOrClaim(0) else { return XCTFail("unit 0 not handed out") }
        guard case .unit(1, _) = queue.takeOrClaim(0) else { return XCTFail("unit 1 not handed out") }
        // The window is full: the call waits until unit 0's result arrives, and takes it.
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            usleep(50_000)
            var r = UnitResult()
            r.findings = [(finding("TW101", file: "f0.csv", index: 0), false)]
            queue.complete(0, r)
            done.signal()
        }
        guard case .result(let r0) = queue.takeOrClaim(0) else { return XCTFail("claimed beyond the window") }
        XCTAssertEqual(r0.findings.map(\.finding.locator.file), ["f0.csv"])
        done.wait()
        // One merged: room for unit 2; then results come in order whoever evaluated them.
        guard case .unit(2, _) = queue.takeOrClaim(1) else { return XCTFail("unit 2 not handed out") }
        queue.complete(2, UnitResult())
        queue.complete(1, UnitResult())
        guard case .result = queue.takeOrClaim(1) else { return XCTFail("unit 1's result not taken") }
        guard case .result = queue.takeOrClaim(2) else { return XCTFail("unit 2's result not taken") }
        guard case .unit(3, _) = queue.takeOrClaim(3) else { return XCTFail("unit 3 not handed out") }
    }

    /// Chunk-local positions become global; a gap finding reported by two workers is kept once,
    /// at its first place in input order.
    func testMergeMakesLocatorsGlobalAndKeepsGapFindingsOnce() throws {
        let samples = try SamplesFixture()
        var merger = OrderedMerger(evaluator: try emptyEvaluator(samples))
        var collector = FindingCollector(keepInMemory: 1_000)
        let gapFP = String(repeating: "ab", count: 16)
        var first = UnitResult()
        first.findings = [(finding("TW101", index: 0, line: 2), false),
                          (finding("TW402", file: "", index: 0, fingerprint: gapFP, findingClass: .gap), true)]
        var second = UnitResult()
        second.findings = [(finding("TW101", index: 1, line: 3), false),
                           (finding("TW402", file: "", index: 0, fingerprint: gapFP, findingClass: .gap), true)]
        merger.merge(first, fileOrder: 0, lineOffset: 0, indexOffset: 0, into: &collector)
        merger.merge(second, fileOrder: 0, lineOffset: 100, indexOffset: 50, into: &collector)
        let out = collector.sorted()
        XCTAssertEqual(out.filter { $0.findingClass == .gap }.count, 1)
        XCTAssertEqual(out.first { $0.fingerprint == gapFP }?.occurrences, 1)
        let moved = try XCTUnwrap(out.first { $0.locator.index == 51 })
        XCTAssertEqual(moved.locator.line, 103)
    }

    /// The same fingerprint twice is one finding with two occurrences, at its first place.
    func testCollectorCollapsesByFingerprint() {
        var collector = FindingCollector(keepInMemory: 1_000)
        collector.add(finding("TW101", index: 7, fingerprint: String(repeating: "0", count: 32)), fileOrder: 1)
        collector.add(finding("TW101", index: 2), fileOrder: 1)
        collector.add(finding("TW101", index: 9, fingerprint: String(repeating: "0", count: 32)), fileOrder: 0)
        let out = collector.sorted()
        XCTAssertEqual(out.map(\.locator.index), [2, 7])
        XCTAssertEqual(out.map(\.occurrences), [1, 2])
    }

    private func emptyEvaluator(_ s: SamplesFixture) throws -> RuleEvaluator {
        let (pack, errors) = CompiledRulePack.compile(s.ruleSet, policy: s.policy, reference: ReferenceTables([:]), only: [],
                                                      now: 0, vocabulary: s.catalog.vocabulary)
        XCTAssertTrue(errors.isEmpty)
        return try RuleEvaluator(pack: pack, pseudonymizer: Pseudonymizer(key: s.key))
    }
}
