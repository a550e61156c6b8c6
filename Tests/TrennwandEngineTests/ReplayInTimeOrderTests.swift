import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest

@testable import TrennwandEngine

/// `RuleEvaluator.replayInTimeOrder`: routed records of an unsorted input, replayed by record time,
/// give the findings of the sorted input — none late, ties in input order, the closing feed named.
final class ReplayInTimeOrderTests: XCTestCase {
    let key = PseudonymKey(bytes: Array("0123456789abcdef-key-A".utf8), origin: "test")

    func evaluator() throws -> RuleEvaluator {
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let (pack, errors) = CompiledRulePack.compile(set, policy: policy, reference: .empty, only: ["TW402"], now: 1_767_000_000)
        XCTAssertEqual(errors.count, 0)
        XCTAssertEqual(pack.aggregates.map(\.descriptor.id), ["TW402"])
        return try RuleEvaluator(pack: pack, pseudonymizer: Pseudonymizer(key: key))
    }

    /// 2025-07-15 18:00 UTC.
    let evening: Int64 = 1_752_602_400

    func access(_ time: Int64?, subject: Int, line: Int, file: String = "a.csv") -> Record {
        var r = Record(kind: .access, locator: Locator(file: file, line: line, byteOffset: Int64(line * 100), index: line - 1))
        if let time { r["time"] = .time(time) }
        r["actor"] = .string("JC-M-0091")
        r["action"] = .string("read")
        r["subject"] = .string(ByteString("962D\(String(format: "%06d", subject))"))
        return r
    }

    /// Bulk read of 40 subjects within 52 minutes; the first two share a second (ties), the
    /// next day's record comes first (everything else is late in one pass), one record has no time.
    func unsorted() -> (a: [Record], b: [Record]) {
        let nextDay = access(evening + 15 * 3600, subject: 999, line: 2)
        let tieA = access(evening, subject: 400, line: 3)
        let noTime = access(nil, subject: 998, line: 4, file: "b.csv")
        let tieB = access(evening, subject: 401, line: 2, file: "b.csv")
        let rest = (2..<40).map { access(evening + Int64($0) * 80, subject: 400 + $0, line: 3 + $0, file: "b.csv") }
        return ([nextDay, tieA], [tieB, noTime] + rest.reversed())
    }

    func testUnsortedFeedsReplayedByTimeGiveTheSortedFindings() throws {
        let (a, b) = unsorted()
        // One pass in input order: the window of the bulk read is gone before its records come.
        let streaming = try evaluator()
        var missed: [Finding] = []
        for r in a + b { streaming.evaluate(r) { missed.append($0) } }
        streaming.finish { missed.append($0) }
        XCTAssertEqual(missed.count, 0)
        XCTAssertEqual(streaming.lateRecords.first?.count, 40)
        XCTAssertEqual(streaming.lateRecords.first?.records, 42, "40 late, 1 counted, 1 without time: what a feed holds")

        // Sorted by time (stable), one pass: the reference.
        let sortedRecords = (a + b).filter { $0["time"].timeValue != nil }
            .enumerated().sorted { ($0.element["time"].timeValue!, $0.offset) < ($1.element["time"].timeValue!, $1.offset) }.map(\.element)
        let reference = try evaluator()
        var expected: [Finding] = []
        for r in sortedRecords { reference.evaluate(r) { expected.append($0) } }
        reference.finish { expected.append($0) }
        XCTAssertEqual(expected.count, 1)

        let exact = try evaluator()
        var feeds = [AggregateFeed(), AggregateFeed()]
        for r in a { exact.evaluate(r, routingAggregatesTo: &feeds[0]) { _, _ in XCTFail("no record rules") } }
        for r in b { exact.evaluate(r, routingAggregatesTo: &feeds[1]) { _, _ in XCTFail("no record rules") } }
        XCTAssertEqual(feeds.map(\.count), [2, 40])
        var found: [(Finding, Int)] = []
        exact.replayInTimeOrder(feeds) { found.append(($0, $1)) }
        exact.finish { found.append(($0, -1)) }
        XCTAssertTrue(exact.lateRecords.isEmpty, "\(exact.lateRecords)")
        XCTAssertEqual(found.count, 1)
        let (f, feed) = try XCTUnwrap(found.first)
        // The window closes when the next day's record (feed 0) arrives, last in time order.
        XCTAssertEqual(feed, 0)
        XCTAssertEqual(f.fingerprint, expected[0].fingerprint)
        XCTAssertEqual(f.detail, expected[0].detail)
        XCTAssertEqual(f.evidence.map(\.value), expected[0].evidence.map(\.value))
        XCTAssertEqual(f.detail?.en.hasPrefix("value 40 "), true, f.detail?.en ?? "")
        // Two records of the same second: the one of the earlier feed first (input order).
        XCTAssertEqual(f.locator.file, "a.csv")
        XCTAssertEqual(f.locator.line, 3)
    }
}
