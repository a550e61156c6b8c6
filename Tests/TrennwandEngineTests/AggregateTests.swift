import TrennwandRecords
import XCTest

@testable import TrennwandEngine

private let actorSlot = RecordSchema.access.slot("actor")!
private let subjectSlot = RecordSchema.access.slot("subject")!
private let timeSlot = RecordSchema.access.slot("time")!
private let offerSlot = RecordSchema.access.slot("offer")!
private let traegerSlot = RecordSchema.access.slot("traeger")!

private func access(_ index: Int, time: Int64, actor: String, subject: String? = nil, offer: String? = nil,
                    traeger: String? = nil) -> Record {
    var r = Record(kind: .access, locator: Locator(file: "log.csv", line: index + 1, byteOffset: 0, index: index))
    r[timeSlot] = .time(time)
    r[actorSlot] = .string(ByteString(actor))
    if let subject { r[subjectSlot] = .string(ByteString(subject)) }
    if let offer { r[offerSlot] = .string(ByteString(offer)) }
    if let traeger { r[traegerSlot] = .string(ByteString(traeger)) }
    return r
}

private let byActor: AggregateKey = { $0[actorSlot].stringValue }
private let bySubject: AggregateKey = { $0[subjectSlot].stringValue }
private let byTime: @Sendable (Record) -> Int64? = { $0[timeSlot].timeValue }

/// 2025-03-04T07:00:00Z, an hour boundary.
private let hour0: Int64 = 1_741_071_600

private func bulkSpec(_ window: AggregateSpec.Window, threshold: Double, lateness: Int64? = nil) -> AggregateSpec {
    AggregateSpec(groupBy: [byActor], time: byTime, window: window, measure: .distinct(bySubject),
                  threshold: threshold, maxSamples: 3, allowedLateness: lateness)
}

final class AggregateBulkReadingTests: XCTestCase {
    func testThresholdExactAtBoundaryAndDuplicatesDoNotCount() throws {
        let e = try AggregateEvaluator(spec: bulkSpec(.tumbling(seconds: 3600), threshold: 5))
        var i = 0
        // a: exactly 5 distinct subjects (plus duplicates) → fires.
        for s in ["p1", "p2", "p3", "p4", "p5", "p1", "p5"] {
            e.add(access(i, time: hour0 + Int64(i), actor: "a", subject: s)); i += 1
        }
        // b: 4 distinct subjects read many times → does not fire.
        for _ in 0..<5 { for s in ["p1", "p2", "p3", "p4"] { e.add(access(i, time: hour0 + Int64(i), actor: "b", subject: s)); i += 1 } }
        let hits = e.finish()
        XCTAssertEqual(hits.count, 1)
        let h = try XCTUnwrap(hits.first)
        XCTAssertEqual(h.groupKey, ["a"])
        XCTAssertEqual(h.value, 5)
        XCTAssertEqual(h.count, 7)
        XCTAssertEqual(h.windowStart, hour0)
        XCTAssertEqual(h.windowEnd, hour0 + 3600)
        XCTAssertEqual(h.samples.map(\.index), [0, 1, 2])
        XCTAssertEqual(e.counters.counted, 27)
    }

    func testTumblingWindowBoundaries() throws {
        let e = try AggregateEvaluator(spec: bulkSpec(.tumbling(seconds: 3600), threshold: 3))
        // Two subjects in the last second of hour 0, two in the first second of hour 1: no window has 3.
        e.add(access(0, time: hour0 + 3598, actor: "a", subject: "p1"))
        e.add(access(1, time: hour0 + 3599, actor: "a", subject: "p2"))
        e.add(access(2, time: hour0 + 3600, actor: "a", subject: "p3"))
        e.add(access(3, time: hour0 + 3601, actor: "a", subject: "p4"))
        XCTAssertEqual(e.finish(), [])

        // Third subject at the window's last second fires hour 0.
        let f = try AggregateEvaluator(spec: bulkSpec(.tumbling(seconds: 3600), threshold: 3))
        for (i, t) in [Int64(0), 1800, 3599].enumerated() { f.add(access(i, time: hour0 + t, actor: "a", subject: "p\(i)")) }
        f.add(access(9, time: hour0 + 3600, actor: "a", subject: "p9"))
        let hits = f.finish()
        XCTAssertEqual(hits.map(\.windowStart), [hour0])
    }

    func testSlidingWindowSpansHourBoundary() throws {
        let e = try AggregateEvaluator(spec: bulkSpec(.sliding(seconds: 3600), threshold: 4))
        for (i, t) in [Int64(3000), 3500, 3700, 4000].enumerated() {
            e.add(access(i, time: hour0 + t, actor: "a", subject: "p\(i)"))
        }
        // Exactly one window length apart is outside: (t − 3600, t].
        e.add(access(10, time: hour0 + 7600, actor: "a", subject: "p10"))
        let hits = e.finish()
        XCTAssertEqual(hits.count, 1)
        XCTAssertEqual(hits.first?.value, 4)
        XCTAssertEqual(hits.first?.windowStart, hour0 + 3000)
        XCTAssertEqual(hits.first?.windowEnd, hour0 + 4000)
        XCTAssertEqual(hits.first?.samples.count, 3)

        // Boundary of the sliding window: a record exactly w after the first no longer sees it.
        let f = try AggregateEvaluator(spec: bulkSpec(.sliding(seconds: 3600), threshold: 2))
        f.add(access(0, time: hour0, actor: "a", subject: "p0"))
        f.add(access(1, time: hour0 + 3600, actor: "a", subject: "p1"))
        XCTAssertEqual(f.finish(), [])
        let g = try AggregateEvaluator(spec: bulkSpec(.sliding(seconds: 3600), threshold: 2))
        g.add(access(0, time: hour0, actor: "a", subject: "p0"))
        g.add(access(1, time: hour0 + 3599, actor: "a", subject: "p1"))
        XCTAssertEqual(g.finish().count, 1)
    }

    func testOutOfOrderArrivalTumbling() throws {
        let e = try AggregateEvaluator(spec: bulkSpec(.tumbling(seconds: 3600), threshold: 3))
        // Hour 0 gets two records, then hour 1 starts, then a straggler for hour 0 arrives: still counted.
        e.add(access(0, time: hour0 + 10, actor: "a", subject: "p1"))
        e.add(access(1, time: hour0 + 20, actor: "a", subject: "p2"))
        e.add(access(2, time: hour0 + 3700, actor: "a", subject: "p3"))
        e.add(access(3, time: hour0 + 30, actor: "a", subject: "p4"))
        // Watermark moves two windows on: hour 0 closes; a later straggler for hour 0 is late.
        e.add(access(4, time: hour0 + 7300, actor: "b", subject: "p1"))
        e.add(access(5, time: hour0 + 40, actor: "a", subject: "p5"))
        let hits = e.finish()
        XCTAssertEqual(hits.map(\.windowStart), [hour0])
        XCTAssertEqual(hits.first?.value, 3)
        XCTAssertEqual(e.counters.late, 1)
        XCTAssertEqual(e.lateSamples.map(\.index), [5])
        XCTAssertEqual(e.counters.counted, 5)
    }

    func testOutOfOrderArrivalSliding() throws {
        let e = try AggregateEvaluator(spec: bulkSpec(.sliding(seconds: 3600), threshold: 3))
        e.add(access(0, time: hour0 + 1000, actor: "a", subject: "p1"))
        e.add(access(1, time: hour0 + 3000, actor: "a", subject: "p2"))
        e.add(access(2, time: hour0 + 500, actor: "a", subject: "p3"))  // behind, inside the window
        e.add(access(3, time: hour0 - 1000, actor: "a", subject: "p4"))  // before the window: late
        let hits = e.finish()
        XCTAssertEqual(hits.count, 1)
        XCTAssertEqual(hits.first?.windowStart, hour0 + 500)
        XCTAssertEqual(e.counters.late, 1)
    }

    func testMemoryBoundedByKeys() throws {
        for window in [AggregateSpec.Window.tumbling(seconds: 3600), .sliding(seconds: 3600), .whole] {
            let e = try AggregateEvaluator(spec: bulkSpec(window, threshold: 1_000_000))
            var r = access(0, time: hour0, actor: "a", subject: "s")
            let actors = (0..<100).map { Value.string(ByteString("actor\($0)")) }
            let subjects = (0..<20).map { Value.string(ByteString("subject\($0)")) }
            var maxState = 0
            for i in 0..<1_000_000 {
                r[timeSlot] = .time(hour0 + Int64(i / 10))  // 10 records per second, ~28 hours
                r[actorSlot] = actors[i % 100]
                r[subjectSlot] = subjects[(i / 100) % 20]
                e.add(r)
                if i % 50_000 == 0 { maxState = max(maxState, e.stateSize) }
            }
            maxState = max(maxState, e.stateSize)
            // Tumbling/whole: 100 keys × (bucket + ≤ 20 distinct values + ≤ 3 samples) × a few open
            // windows. Sliding: per key also one count entry per second with records in the window
            // (here one record every 10 s → 360) — bounded by the window, not by the records.
            let perKey = if case .sliding = window { 360 + 2 * 20 + 16 + 20 + 3 + 1 } else { 3 * (1 + 20 + 3) + 1 }
            XCTAssertLessThanOrEqual(maxState, 100 * perKey, "\(window)")
            XCTAssertEqual(e.finish(), [])
            XCTAssertEqual(e.counters.counted, 1_000_000)
        }
    }

    func testDeterministicOrder() throws {
        func run(_ order: [Int]) throws -> [AggregateHit] {
            let e = try AggregateEvaluator(spec: bulkSpec(.tumbling(seconds: 3600), threshold: 2))
            var records: [Record] = []
            for (n, actor) in ["z", "a", "m"].enumerated() {
                for h in 0..<2 {
                    for s in 0..<2 {
                        records.append(access(records.count, time: hour0 + Int64(h * 3600 + n * 10 + s), actor: actor,
                                              subject: "p\(s)"))
                    }
                }
            }
            for i in order { e.add(records[i]) }
            return e.finish()
        }
        let forward = try run(Array(0..<12))
        XCTAssertEqual(forward.map { "\($0.groupKey[0])@\($0.windowStart! - hour0)" },
                       ["a@0", "m@0", "z@0", "a@3600", "m@3600", "z@3600"])
        XCTAssertEqual(try run(Array((0..<12).reversed())).map(\.groupKey), forward.map(\.groupKey))
        XCTAssertEqual(try run([5, 0, 11, 3, 8, 1, 6, 2, 10, 4, 9, 7]).map(\.windowStart), forward.map(\.windowStart))
    }

    func testFilterAndMissingKeysAreCounted() throws {
        var spec = bulkSpec(.whole, threshold: 1)
        spec.filter = { $0[actorSlot].stringValue != "system" }
        let e = try AggregateEvaluator(spec: spec)
        e.add(access(0, time: hour0, actor: "system", subject: "p"))
        e.add(access(1, time: hour0, actor: "a"))
        e.add(access(2, time: hour0, actor: "a", subject: "p"))
        XCTAssertEqual(e.finish().count, 1)
        XCTAssertEqual(e.counters, AggregateCounters(counted: 1, filteredOut: 1, missingKey: 1, missingTime: 0, late: 0))
    }

    func testCountMeasureTumblingAndSliding() throws {
        let actor = try XCTUnwrap(AggregateSpec.field("actor", of: .access))
        for window in [AggregateSpec.Window.tumbling(seconds: 60), .sliding(seconds: 60)] {
            let e = try AggregateEvaluator(spec: AggregateSpec(groupBy: [actor], time: byTime, window: window,
                                                               measure: .count, threshold: 4, maxSamples: 2))
            // Same second twice (coalesced), one out of order, then a gap.
            for (i, t) in [Int64(0), 10, 10, 5, 30, 200].enumerated() { e.add(access(i, time: hour0 + t, actor: "a")) }
            let hits = e.finish()
            XCTAssertEqual(hits.count, 1, "\(window)")
            XCTAssertEqual(hits.first?.value, 5, "\(window)")
            XCTAssertEqual(hits.first?.samples.map(\.index), [0, 1], "\(window)")
            XCTAssertEqual(e.counters.counted, 6)
        }
    }

    func testInvalidSpecsThrow() {
        XCTAssertThrowsError(try AggregateEvaluator(spec: bulkSpec(.tumbling(seconds: 0), threshold: 1)))
        XCTAssertThrowsError(try AggregateEvaluator(spec: AggregateSpec(
            groupBy: [byActor], window: .sliding(seconds: 60),
            measure: .ratio(numerator: { _ in true }, baseline: .allGroups), threshold: 0.1)))
        XCTAssertThrowsError(try AggregateEvaluator(spec: AggregateSpec(groupBy: [], window: .whole, measure: .count,
                                                                       threshold: 1)))
    }
}

final class AggregateNeutralityTests: XCTestCase {
    /// Referral share to the own Träger: `offer` names the provider here (`T1:…`).
    private func spec(baseline: AggregateSpec.Baseline = .allGroups, minCount: Int) -> AggregateSpec {
        AggregateSpec(
            groupBy: [byActor], time: byTime, window: .whole,
            measure: .ratio(numerator: { r in
                guard let offer = r[offerSlot].stringValue?.string, let own = r[traegerSlot].stringValue?.string else { return false }
                return offer.hasPrefix(own + ":")
            }, baseline: baseline),
            threshold: 0.20, minCount: minCount, maxSamples: 2)
    }

    private func feed(_ e: AggregateEvaluator, actor: String, own: Int, other: Int, start: inout Int) {
        for k in 0..<(own + other) {
            e.add(access(start, time: hour0 + Int64(start), actor: actor, offer: k < own ? "T1:kurs" : "T2:kurs",
                         traeger: "T1"))
            start += 1
        }
    }

    func testFiresAboveBaselineWithMinCount() throws {
        let e = try AggregateEvaluator(spec: spec(minCount: 10))
        var i = 0
        feed(e, actor: "berater1", own: 9, other: 1, start: &i)   // 90 %, n = 10 → fires
        feed(e, actor: "berater2", own: 3, other: 17, start: &i)  // 15 %
        feed(e, actor: "berater3", own: 3, other: 17, start: &i)  // 15 %
        feed(e, actor: "berater4", own: 5, other: 4, start: &i)   // 56 %, but n = 9 < minCount
        // Baseline: 20 / 59 ≈ 33.9 %.
        let hits = e.finish()
        XCTAssertEqual(hits.map(\.groupKey), [["berater1"]])
        let h = try XCTUnwrap(hits.first)
        XCTAssertEqual(h.value, 0.9, accuracy: 1e-12)
        XCTAssertEqual(h.baseline ?? 0, 20.0 / 59.0, accuracy: 1e-12)
        XCTAssertEqual(h.numerator, 9)
        XCTAssertEqual(h.count, 10)
        XCTAssertEqual(h.samples.map(\.index), [0, 1])
        XCTAssertEqual(h.windowStart, hour0)
        XCTAssertEqual(h.windowEnd, hour0 + 9)
    }

    func testExactlyBaselinePlusThresholdFires() throws {
        // Baseline over all: (6 + 4) / (10 + 40) = 20 %; a: 60 % ≥ 20 % + 20 pp → fires; b: 10 % no.
        let e = try AggregateEvaluator(spec: spec(minCount: 10))
        var i = 0
        feed(e, actor: "a", own: 6, other: 4, start: &i)
        feed(e, actor: "b", own: 4, other: 36, start: &i)
        XCTAssertEqual(e.finish().map(\.groupKey), [["a"]])
        // Exactly at the threshold: a 40 % against a 20 % baseline (a: 4/10, b: 6/40 → 10/50).
        let f = try AggregateEvaluator(spec: spec(minCount: 10))
        i = 0
        feed(f, actor: "a", own: 4, other: 6, start: &i)
        feed(f, actor: "b", own: 6, other: 34, start: &i)
        XCTAssertEqual(f.finish().map(\.groupKey), [["a"]])
        // Just below (39 %): does not fire.
        let g = try AggregateEvaluator(spec: spec(minCount: 10))
        i = 0
        feed(g, actor: "a", own: 39, other: 61, start: &i)
        feed(g, actor: "b", own: 61, other: 339, start: &i)
        XCTAssertEqual(g.finish(), [])
    }

    func testLeaveOneOutBaseline() throws {
        // One dominant counselor lifts the all-groups baseline; leave-one-out still catches them.
        for (baseline, expected) in [(AggregateSpec.Baseline.allGroups, 0), (.otherGroups, 1)] {
            let e = try AggregateEvaluator(spec: spec(baseline: baseline, minCount: 10))
            var i = 0
            feed(e, actor: "dominant", own: 70, other: 30, start: &i)  // 70 %
            feed(e, actor: "b", own: 2, other: 18, start: &i)          // 10 %
            // all: 72/120 = 60 % → 70 % < 80 %; others: 2/20 = 10 % → 70 % ≥ 30 %.
            XCTAssertEqual(e.finish().count, expected, "\(baseline)")
        }
    }

    func testTumblingRatioUsesPerWindowBaseline() throws {
        var s = spec(minCount: 2)
        s.window = .tumbling(seconds: 86_400)
        let e = try AggregateEvaluator(spec: s)
        // Day 1: a refers 2/2 own, b 0/2 → baseline 50 %, a 100 % fires. Day 2: both 1/2.
        let day: Int64 = 86_400
        let rows: [(Int64, String, String)] = [
            (0, "a", "T1:x"), (1, "a", "T1:y"), (2, "b", "T2:x"), (3, "b", "T2:y"),
            (day, "a", "T1:x"), (day + 1, "a", "T2:y"), (day + 2, "b", "T1:x"), (day + 3, "b", "T2:y"),
        ]
        for (n, row) in rows.enumerated() {
            e.add(access(n, time: hour0 + row.0, actor: row.1, offer: row.2, traeger: "T1"))
        }
        let hits = e.finish()
        XCTAssertEqual(hits.map(\.groupKey), [["a"]])
        XCTAssertEqual(hits.first?.baseline, 0.5)
    }
}
