import TrennwandRecords
import XCTest

@testable import TrennwandEngine

private let systemSlot = RecordSchema.access.slot("system")!
private let timeSlot = RecordSchema.access.slot("time")!

private func entry(_ index: Int, _ time: Int64, system: String = "VerBIS") -> Record {
    var r = Record(kind: .access, locator: Locator(file: "log.csv", line: index + 1, byteOffset: 0, index: index))
    r[timeSlot] = .time(time)
    r[systemSlot] = .string(ByteString(system))
    return r
}

/// Monday 2025-06-02 00:00 Europe/Berlin (CEST) in UTC.
private let monday: Int64 = 1_748_815_200
private let hour: Int64 = 3600, day: Int64 = 86_400

private func gapSpec(_ calendar: AggregateSpec.GapCalendar, threshold: Int64, minCount: Int = 0) -> AggregateSpec {
    AggregateSpec(groupBy: [{ $0[systemSlot].stringValue }], window: .whole, measure: .gap(calendar: calendar),
                  threshold: Double(threshold), minCount: minCount)
}

final class AggregateGapTests: XCTestCase {
    func testWeekdaySecondsSkipWeekends() {
        let local = monday + 2 * hour  // 2025-06-02 00:00 local as "epoch as if UTC"
        // Friday 17:00 → Tuesday 08:00 is 7 h + 24 h + 8 h of weekday time.
        let fri = local + 4 * day + 17 * hour, tue = local + 8 * day + 8 * hour
        XCTAssertEqual(AggregateEvaluator.weekdaySeconds(upTo: tue) - AggregateEvaluator.weekdaySeconds(upTo: fri), 39 * hour)
        // Saturday to Sunday: nothing.
        XCTAssertEqual(AggregateEvaluator.weekdaySeconds(upTo: local + 6 * day) - AggregateEvaluator.weekdaySeconds(upTo: local + 5 * day), 0)
        // A full week: five days.
        XCTAssertEqual(AggregateEvaluator.weekdaySeconds(upTo: local + 7 * day) - AggregateEvaluator.weekdaySeconds(upTo: local), 5 * day)
    }

    func testGapAtThresholdFiresOneBelowDoesNot() throws {
        let e = try AggregateEvaluator(spec: gapSpec(.continuous, threshold: 3 * day))
        e.add(entry(0, monday))
        e.add(entry(1, monday + 3 * day))            // exactly the threshold: fires
        e.add(entry(2, monday + 6 * day - 1))        // one second below: no
        let hits = e.finish()
        XCTAssertEqual(hits.count, 1)
        let h = try XCTUnwrap(hits.first)
        XCTAssertEqual(h.groupKey, ["VerBIS"])
        XCTAssertEqual(h.windowStart, monday)
        XCTAssertEqual(h.windowEnd, monday + 3 * day)
        XCTAssertEqual(h.value, Double(3 * day))
        XCTAssertEqual(h.count, 3)
        XCTAssertEqual(h.samples.map(\.index), [0, 1])
    }

    func testWeekdayCalendarIgnoresWeekendAndEaster() throws {
        let e = try AggregateEvaluator(spec: gapSpec(.weekdays(timeZone: "Europe/Berlin"), threshold: 72 * hour))
        // Friday 16:00 → Monday 08:00 (16 h weekday time), Thursday 17:00 → Tuesday 07:30 (62.5 h): no hits.
        e.add(entry(0, monday + 4 * day + 16 * hour - 2 * hour, system: "A"))
        e.add(entry(1, monday + 7 * day + 8 * hour - 2 * hour, system: "A"))
        e.add(entry(2, monday + 3 * day + 17 * hour - 2 * hour, system: "B"))
        e.add(entry(3, monday + 8 * day + 7 * hour + 1800 - 2 * hour, system: "B"))
        XCTAssertEqual(e.finish(), [])
        // Thursday 16:00 → Wednesday 08:00: 8 + 24 + 24 + 24 + 8 = 88 h.
        let f = try AggregateEvaluator(spec: gapSpec(.weekdays(timeZone: "Europe/Berlin"), threshold: 72 * hour))
        f.add(entry(0, monday + 3 * day + 14 * hour))
        f.add(entry(1, monday + 9 * day + 6 * hour))
        XCTAssertEqual(f.finish().map(\.value), [Double(88 * hour)])
    }

    func testOutOfOrderRecordsSplitAndBridgeGaps() throws {
        // The same times in any order give the same hits.
        let times: [Int64] = [0, 1, 2, 10, 11, 30, 31, 5, 8, 20, 25].map { $0 * day }
        var results: [[AggregateHit]] = []
        for order in [times, times.reversed(), times.sorted(), [25, 0, 31, 10, 2, 20, 1, 8, 30, 11, 5].map { $0 * day }] {
            let e = try AggregateEvaluator(spec: gapSpec(.continuous, threshold: 4 * day))
            for (i, t) in order.enumerated() { e.add(entry(i, monday + t)) }
            let hits = e.finish()
            results.append(hits.map { AggregateHit(groupKey: $0.groupKey, windowStart: $0.windowStart, windowEnd: $0.windowEnd,
                                                   value: $0.value, count: $0.count) })
        }
        // Sorted: 0 1 2 5 8 10 11 20 25 30 31 → gaps ≥ 4 d: 11→20 (9 d), 20→25 (5 d), 25→30 (5 d).
        XCTAssertEqual(results[0].map { ($0.windowEnd! - $0.windowStart!) / day }, [9, 5, 5])
        for r in results.dropFirst() { XCTAssertEqual(r, results[0]) }
    }

    func testMinCountAndMissingTime() throws {
        let e = try AggregateEvaluator(spec: gapSpec(.continuous, threshold: day, minCount: 3))
        e.add(entry(0, monday, system: "rare"))
        e.add(entry(1, monday + 10 * day, system: "rare"))
        var noTime = Record(kind: .access, locator: Locator(file: "log.csv", line: 9, byteOffset: 0, index: 9))
        noTime[systemSlot] = .string(ByteString("rare"))
        e.add(noTime)
        XCTAssertEqual(e.finish(), [])
        XCTAssertEqual(e.counters.counted, 2)
        XCTAssertEqual(e.counters.missingTime, 1)
    }

    func testStateIsBoundedByGapsNotRecords() throws {
        let e = try AggregateEvaluator(spec: gapSpec(.continuous, threshold: day))
        // 200,000 records one minute apart over ~139 days with a gap every 20 days: state stays tiny.
        var t = monday
        for i in 0..<200_000 {
            t += 60
            if i % 28_800 == 0 { t += 2 * day }
            e.add(entry(i, t))
        }
        XCTAssertLessThan(e.stateSize, 20)
        XCTAssertEqual(e.finish().count, 6)
    }

    func testGapNeedsWholeRun() {
        XCTAssertThrowsError(try AggregateEvaluator(spec: AggregateSpec(
            groupBy: [{ $0[systemSlot].stringValue }], window: .tumbling(seconds: 3600), measure: .gap(calendar: .continuous),
            threshold: 3600)))
    }
}
