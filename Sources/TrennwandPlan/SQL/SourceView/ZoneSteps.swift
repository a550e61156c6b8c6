import Foundation
import TrennwandRecords

/// The time-zone arithmetic of a source view as a step table: for a local wall-clock time `L`
/// (seconds as if UTC) of a profile's time zone, the offset `f` with `UTC = L - f` and the offset
/// `h` with `__local = UTC + h` in the pack's time zone — exactly what the reader
/// (`ZoneConverter.utc(fromLocal:)`) and the export (`ZoneConverter.local(fromUTC:)`) compute,
/// including the reader's choices in the autumn overlap (the earlier, summer-time instant) and the
/// spring gap (the offset before the gap).
///
/// Why a table and not DuckDB's own `timezone()`: ICU picks the later instant in the overlap, its
/// time-zone data can differ from the system's, and each call costs about 150 ns — twice per row.
/// Both offsets are step functions of `L` that change only near the zone's transitions, so the
/// view looks them up in a small table keyed by `L`'s bucket (`bucketSeconds`, about 48 days): one
/// hash-join probe and a `CASE` over the bucket's few change points per row.
///
/// Range: 1900-01-01 to 2100-01-01 local time; outside it the view falls back to ICU (documented
/// in docs/performance-notes.md). Exact for zones whose offsets change on a quarter hour, as all
/// European zones do (the reader's per-hour offset cache assumes as much).
package struct ZoneSteps: Sendable {
    package static let bucketSeconds: Int64 = 1 << 22
    /// 1900-01-01T00:00:00 and 2100-01-01T00:00:00 as local seconds.
    package static let rangeStart: Int64 = -2_208_988_800
    package static let rangeEnd: Int64 = 4_102_444_800

    /// One change point inside a bucket: from `local` on, the offsets are `f` and `h`.
    package struct Change: Sendable, Hashable {
        package var local: Int64
        package var f: Int64
        package var h: Int64
    }

    /// Per bucket (index 0 starts at `rangeStart`): the offsets at its start and its change points.
    package let buckets: [(f: Int64, h: Int64, changes: [Change])]
    /// The most change points of any bucket (the number of `l`/`f`/`h` column triples).
    package let maxChanges: Int

    /// nil when either identifier is unknown to the system's time-zone database.
    package init?(source: String, target: String) {
        guard let sourceZone = TimeZone(identifier: source), let targetZone = TimeZone(identifier: target),
              let toUTC = ZoneConverter(identifier: source), let toLocal = ZoneConverter(identifier: target) else { return nil }
        func offsets(_ local: Int64) -> (f: Int64, h: Int64) {
            let utc = toUTC.utc(fromLocal: local)
            return (local - utc, toLocal.local(fromUTC: utc) - utc)
        }
        func gmt(_ zone: TimeZone, _ t: Int64) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))) }

        // Days (UTC) on which either zone's offset changes; around each, the offsets are sampled
        // every quarter hour of local time, two days either side (the widest offsets are 14 h).
        let day: Int64 = 86_400
        var windows: [ClosedRange<Int64>] = []
        var t = Self.rangeStart - 2 * day
        var previous = (gmt(sourceZone, t), gmt(targetZone, t))
        while t < Self.rangeEnd + 2 * day {
            let next = t + day
            let now = (gmt(sourceZone, next), gmt(targetZone, next))
            if now != previous {
                let w = (t - 2 * day)...(next + 2 * day)
                if let last = windows.last, last.upperBound >= w.lowerBound {
                    windows[windows.count - 1] = last.lowerBound...w.upperBound
                } else {
                    windows.append(w)
                }
            }
            previous = now
            t = next
        }

        var changes: [Change] = []
        let start = offsets(Self.rangeStart)
        var current = start
        for w in windows {
            var l = w.lowerBound - w.lowerBound % 900
            while l <= w.upperBound {
                let o = offsets(l)
                if o != current {
                    changes.append(Change(local: l, f: o.f, h: o.h))
                    current = o
                }
                l += 900
            }
        }

        var out: [(f: Int64, h: Int64, changes: [Change])] = []
        var index = 0
        var state = start
        var bucketStart = Self.rangeStart
        var most = 0
        while bucketStart < Self.rangeEnd {
            let bucketEnd = bucketStart + Self.bucketSeconds
            while index < changes.count && changes[index].local <= bucketStart {
                state = (changes[index].f, changes[index].h)
                index += 1
            }
            var inside: [Change] = []
            var k = index
            while k < changes.count && changes[k].local < bucketEnd {
                inside.append(changes[k])
                k += 1
            }
            most = max(most, inside.count)
            out.append((state.f, state.h, inside))
            bucketStart = bucketEnd
        }
        buckets = out
        maxChanges = most
    }

    /// The index of the bucket holding `local`, or nil outside the range.
    package static func bucket(_ local: Int64) -> Int? {
        guard local >= rangeStart && local < rangeEnd else { return nil }
        return Int((local - rangeStart) / bucketSeconds)
    }

    /// The offsets the table gives for `local` (for the unit test against `ZoneConverter`).
    package func offsets(_ local: Int64) -> (f: Int64, h: Int64)? {
        guard let b = Self.bucket(local) else { return nil }
        var o = (buckets[b].f, buckets[b].h)
        for c in buckets[b].changes where local >= c.local { o = (c.f, c.h) }
        return o
    }
}
