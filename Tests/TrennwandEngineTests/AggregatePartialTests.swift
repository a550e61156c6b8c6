import TrennwandRecords
import XCTest

@testable import TrennwandEngine

/// `AggregatePartial` merged unit by unit must give exactly what adding the same records one by
/// one gives: hits (with samples), counters and late samples, for every measure and window a
/// partial holds, on random streams cut into random units (out-of-order times, missing keys,
/// missing times, repeated values, windows closing inside and across units).
final class AggregatePartialTests: XCTestCase {
    private struct Row {
        var group: ByteString?
        var time: Int64?
        var value: ByteString?
        var isNumerator: Bool
        var index: Int
    }

    private func rows(seed: UInt64, count: Int, spread: Int64, disorder: Int64) -> [Row] {
        var r = TestRNG(state: seed)
        let base: Int64 = 1_748_815_200
        var t = base
        return (0..<count).map { i in
            t += Int64(r.below(Int(spread)))
            let jitter = disorder > 0 ? Int64(r.below(Int(disorder))) : 0
            return Row(group: r.below(40) == 0 ? nil : ByteString("G\(r.below(4))"),
                       time: r.below(50) == 0 ? nil : t - jitter,
                       value: r.below(30) == 0 ? nil : ByteString("V\(r.below(seed % 2 == 0 ? 12 : 60))"),
                       isNumerator: r.below(3) == 0, index: i)
        }
    }

    private func spec(window: AggregateSpec.Window, measure: AggregateSpec.Measure, threshold: Double, lateness: Int64? = nil)
        -> AggregateSpec {
        AggregateSpec(groupBy: [{ _ in nil }], window: window, measure: measure, threshold: threshold, minCount: 1,
                      maxSamples: 3, allowedLateness: lateness)
    }

    private func key(_ g: ByteString?) -> AggregateGroupKey? {
        guard let g else { return nil }
        var k = AggregateGroupKey()
        k.append(g)
        return k
    }

    /// Hits, counters and late samples of the records added one by one, and merged in units cut at `cuts`.
    private func compare(_ spec: AggregateSpec, _ rows: [Row], cuts: [Int], label: String, file: StaticString = #filePath,
                         line: UInt = #line) throws {
        let oneByOne = try AggregateEvaluator(spec: spec)
        var expected: [AggregateHit] = []
        for row in rows {
            oneByOne.add(group: key(row.group), time: row.time, value: row.value, isNumerator: row.isNumerator,
                         locator: Locator(file: "log.csv", line: row.index + 1, byteOffset: Int64(row.index * 10), index: row.index))
            expected += oneByOne.takeHits()
        }
        expected += oneByOne.finish()

        let merged = try AggregateEvaluator(spec: spec)
        var got: [AggregateHit] = []
        var start = 0
        for end in cuts + [rows.count] where end > start {
            // Locators local to the unit, made global by the merge's offsets (as chunks are).
            let p = AggregatePartial(for: merged)
            func locator(_ index: Int) -> CompactLocator {
                CompactLocator(file: p.fileIndex("log.csv"), recordID: -1, line: index - start + 1, column: nil,
                               byteOffset: Int64(index * 10), index: index - start)
            }
            // Every way in, mixed in one unit, in "batches" of a few records: a key of one value and
            // the value alone are one group; records added by row leave gap run ends pending until
            // the batch is settled.
            var batchStart = start
            while batchStart < end {
                let batchEnd = min(end, batchStart + 1 + (batchStart * 7 + cuts.count) % 23)
                let way = (batchStart / 5 + cuts.count) % 3
                for row in rows[batchStart..<batchEnd] {
                    switch way {
                    case 0:
                        p.add(group: key(row.group), time: row.time, value: row.value, isNumerator: row.isNumerator) { locator(row.index) }
                    case 1:
                        p.add(singleKey: row.group, time: row.time, value: row.value, isNumerator: row.isNumerator) { locator(row.index) }
                    default:
                        p.add(singleKey: row.group, time: row.time, value: row.value, isNumerator: row.isNumerator,
                              row: row.index - batchStart) { locator(batchStart + $0) }
                    }
                }
                p.settle { locator(batchStart + $0) }
                batchStart = batchEnd
            }
            merged.merge(p, lineOffset: start, indexOffset: start)
            got += merged.takeHits()
            start = end
        }
        got += merged.finish()
        XCTAssertEqual(got, expected, "hits: \(label)", file: file, line: line)
        XCTAssertEqual(merged.counters, oneByOne.counters, "counters: \(label)", file: file, line: line)
        XCTAssertEqual(merged.lateSamples, oneByOne.lateSamples, "late samples: \(label)", file: file, line: line)
    }

    private func cuts(seed: UInt64, count: Int, units: Int) -> [Int] {
        var r = TestRNG(state: seed ^ 0xA5A5)
        return (0..<units).map { _ in r.below(count + 1) }.sorted()
    }

    func testMergedPartialsEqualRecordsAddedOneByOne() throws {
        let hour: Int64 = 3600
        let specs: [(String, AggregateSpec)] = [
            ("tumbling count", spec(window: .tumbling(seconds: hour), measure: .count, threshold: 5)),
            ("tumbling count, no lateness", spec(window: .tumbling(seconds: hour), measure: .count, threshold: 3, lateness: 0)),
            ("tumbling distinct", spec(window: .tumbling(seconds: hour), measure: .distinct { _ in nil }, threshold: 4)),
            ("tumbling distinct, offset", spec(window: .tumbling(seconds: hour, offset: 900), measure: .distinct { _ in nil }, threshold: 3,
                                               lateness: 600)),
            ("tumbling ratio", spec(window: .tumbling(seconds: 2 * hour), measure: .ratio(numerator: { _ in false }, baseline: .otherGroups),
                                    threshold: 0.1)),
            ("whole count", spec(window: .whole, measure: .count, threshold: 10)),
            ("whole distinct", spec(window: .whole, measure: .distinct { _ in nil }, threshold: 6)),
            ("whole ratio", spec(window: .whole, measure: .ratio(numerator: { _ in false }, baseline: .allGroups), threshold: 0.05)),
            ("gap continuous", spec(window: .whole, measure: .gap(calendar: .continuous), threshold: Double(3 * hour))),
            ("gap weekdays", spec(window: .whole, measure: .gap(calendar: .weekdays(timeZone: "Europe/Berlin")), threshold: Double(20 * hour))),
        ]
        for (name, spec) in specs {
            for seed in UInt64(1)...12 {
                // In order, slightly out of order, and badly out of order (records late against earlier units).
                for (spread, disorder) in [(Int64(900), Int64(0)), (900, 1800), (2400, 4 * hour), (7200, 30 * hour)] {
                    let rows = rows(seed: seed, count: 400, spread: spread, disorder: disorder)
                    for units in [0, 1, 3, 17, 120] {
                        try compare(spec, rows, cuts: cuts(seed: seed &+ UInt64(units), count: rows.count, units: units),
                                    label: "\(name) seed \(seed) spread \(spread) disorder \(disorder) units \(units)")
                    }
                }
            }
        }
    }

    /// Equal times in two units: the run ends, window samples and late samples keep the earlier
    /// unit's records (what adding one by one keeps), for gaps and for windows.
    func testTiesAcrossUnitsKeepTheEarlierRecord() throws {
        let t0: Int64 = 1_748_815_200, hour: Int64 = 3600
        let g: ByteString = "VerBIS"
        let times = [t0, t0 + 10 * hour, t0, t0 + 10 * hour, t0 + 5 * hour, t0 + 10 * hour, t0]
        let rows = times.enumerated().map { Row(group: g, time: $0.element, value: ByteString("V\($0.offset % 2)"), isNumerator: true,
                                                index: $0.offset) }
        for cuts in [[2], [2, 4], [1, 3, 5], [3, 6]] {
            try compare(spec(window: .whole, measure: .gap(calendar: .continuous), threshold: Double(3 * hour)), rows, cuts: cuts,
                        label: "gap, cuts \(cuts)")
            try compare(spec(window: .tumbling(seconds: hour), measure: .count, threshold: 1, lateness: 0), rows, cuts: cuts,
                        label: "tumbling, cuts \(cuts)")
            try compare(spec(window: .whole, measure: .distinct { _ in nil }, threshold: 1), rows, cuts: cuts, label: "distinct, cuts \(cuts)")
        }
    }

    /// A first unit whose records all lack a time (or a key) leaves the watermark unset; the
    /// units after it merge as usual (the merge must not compute a close below `Int64.min`).
    func testUnitsWithoutTimesBeforeAnyTime() throws {
        let t0: Int64 = 1_748_815_200
        var rows = (0..<4).map { Row(group: "G", time: nil, value: "V", isNumerator: false, index: $0) }
        rows.append(Row(group: nil, time: t0, value: "V", isNumerator: false, index: 4))
        rows += (5..<12).map { Row(group: "G", time: t0 + Int64($0) * 600, value: ByteString("V\($0)"), isNumerator: true, index: $0) }
        for cuts in [[4], [2, 5], [5, 8]] {
            try compare(spec(window: .tumbling(seconds: 3600), measure: .count, threshold: 2), rows, cuts: cuts, label: "count, cuts \(cuts)")
            try compare(spec(window: .tumbling(seconds: 3600), measure: .distinct { _ in nil }, threshold: 2), rows, cuts: cuts,
                        label: "distinct, cuts \(cuts)")
        }
    }

    func testSlidingWindowsAreNotPreAggregated() throws {
        let e = try AggregateEvaluator(spec: spec(window: .sliding(seconds: 3600), measure: .count, threshold: 3))
        XCTAssertFalse(AggregatePartial.supports(e))
    }
}
