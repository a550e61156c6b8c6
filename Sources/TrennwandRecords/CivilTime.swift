import Foundation

/// Calendar arithmetic on the proleptic Gregorian calendar without Foundation on the hot path.
public enum CivilTime {
    /// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
    @inline(__always)
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        default: return 0
        }
    }

    /// ISO 8601 in UTC with seconds, e.g. `2025-03-04T07:15:00Z`.
    public static func iso8601(_ epochSeconds: Int64) -> String {
        let days = Int(floorDiv(epochSeconds, 86_400))
        let secs = Int(epochSeconds - Int64(days) * 86_400)
        let (y, m, d) = civilFromDays(days)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = y >= 0 && y < 10_000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
        return "\(year)-\(two(m))-\(two(d))T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }

    @inline(__always)
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

/// A time zone that converts local wall-clock times of exports to UTC and back.
///
/// Offsets are looked up through Foundation once per local hour and cached, so converting a
/// timestamp is a dictionary hit in the common case — and no lookup at all when it falls in one
/// of the two hours converted last, as nearly every row of a time-ordered log does (the
/// dictionary's hashing was 2 % of the batch reader); two, because records often carry two times
/// of different hours (an XML note's date and its retention date alternated, and with one
/// remembered hour every conversion went to the dictionary: 0.4 % of an XML scan).
/// Instances are per thread (not shared).
public final class ZoneConverter {
    public let identifier: String
    private let zone: TimeZone
    private var offsetByLocalHour: [Int64: Int64] = [:]
    private var offsetByUTCHour: [Int64: Int64] = [:]
    private var lastLocalHour = Int64.min, lastLocalOffset: Int64 = 0
    private var otherLocalHour = Int64.min, otherLocalOffset: Int64 = 0
    private var lastUTCHour = Int64.min, lastUTCOffset: Int64 = 0

    /// nil when the identifier is unknown to the system's time-zone database.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// UTC epoch seconds for a local wall-clock time given as "epoch seconds as if it were UTC".
    /// In the autumn overlap the earlier (summer-time) instant is chosen; in the spring gap the
    /// time is read with the offset valid before the gap.
    public func utc(fromLocal local: Int64) -> Int64 {
        let hour = CivilTime.floorDiv(local, 3600)
        if hour == lastLocalHour { return local.subtractingReportingOverflow(lastLocalOffset).overflow ? local : local - lastLocalOffset }
        if hour == otherLocalHour {
            swap(&lastLocalHour, &otherLocalHour)
            swap(&lastLocalOffset, &otherLocalOffset)
            return local.subtractingReportingOverflow(lastLocalOffset).overflow ? local : local - lastLocalOffset
        }
        (otherLocalHour, otherLocalOffset) = (lastLocalHour, lastLocalOffset)
        if let off = offsetByLocalHour[hour] {
            (lastLocalHour, lastLocalOffset) = (hour, off)
            return local.subtractingReportingOverflow(off).overflow ? local : local - off
        }
        // Try the offset valid shortly before; confirm it maps back to the same local time.
        let guess1 = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local &- 7200))))
        let candidate = local &- guess1
        let off1 = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(candidate))))
        let off = off1 == guess1 ? guess1 : Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local &- off1))))
        offsetByLocalHour[hour] = off
        (lastLocalHour, lastLocalOffset) = (hour, off)
        return local.subtractingReportingOverflow(off).overflow ? local : local - off
    }

    /// Local wall-clock time ("epoch seconds as if it were UTC") for a UTC instant.
    public func local(fromUTC utc: Int64) -> Int64 {
        let hour = CivilTime.floorDiv(utc, 3600)
        if hour == lastUTCHour { return utc.addingReportingOverflow(lastUTCOffset).overflow ? utc : utc + lastUTCOffset }
        if let off = offsetByUTCHour[hour] {
            (lastUTCHour, lastUTCOffset) = (hour, off)
            return utc.addingReportingOverflow(off).overflow ? utc : utc + off
        }
        let off = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(hour * 3600))))
        offsetByUTCHour[hour] = off
        (lastUTCHour, lastUTCOffset) = (hour, off)
        // Timestamps at the edge of Int64 (only reachable through arithmetic) stay where they are.
        return utc.addingReportingOverflow(off).overflow ? utc : utc + off
    }
}

extension CivilTime {
    /// A parsed ISO 8601 date or date-time: the wall-clock time as "epoch seconds as if UTC",
    /// and the UTC offset in seconds when the text carried one (`Z`, `+01:00`, `+0100`).
    public struct ParsedISO: Sendable, Hashable {
        public var local: Int64
        public var offset: Int64?
        public var dateOnly: Bool

        /// UTC epoch seconds: with the text's own offset, else through `zone`.
        public func utc(zone: ZoneConverter) -> Int64 {
            if let offset { return local - offset }
            return zone.utc(fromLocal: local)
        }
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH[:]MM]` (a space may replace `T`).
    /// Returns nil for anything else, including impossible dates like 2025-02-30.
    public static func parseISO8601(_ bytes: some Collection<UInt8>) -> ParsedISO? {
        let b = Array(bytes)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect(0x2D), let mo = digits(2), expect(0x2D), let d = digits(2) else { return nil }
        guard mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(year: y, month: mo) else { return nil }
        let day = Int64(daysFromCivil(year: y, month: mo, day: d)) * 86_400
        if i == b.count { return ParsedISO(local: day, offset: nil, dateOnly: true) }
        guard b[i] == 0x54 || b[i] == 0x20 else { return nil }
        i += 1
        guard let h = digits(2), expect(0x3A), let mi = digits(2), h < 24, mi < 60 else { return nil }
        var s = 0
        if i < b.count && b[i] == 0x3A {
            i += 1
            guard let sv = digits(2), sv < 61 else { return nil }
            s = min(sv, 59)
            if i < b.count && (b[i] == 0x2E || b[i] == 0x2C) {
                i += 1
                let start = i
                while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                if i == start { return nil }
            }
        }
        let local = day + Int64(h * 3600 + mi * 60 + s)
        if i == b.count { return ParsedISO(local: local, offset: nil, dateOnly: false) }
        if b[i] == 0x5A && i + 1 == b.count { return ParsedISO(local: local, offset: 0, dateOnly: false) }
        guard b[i] == 0x2B || b[i] == 0x2D else { return nil }
        let sign: Int64 = b[i] == 0x2D ? -1 : 1
        i += 1
        guard let oh = digits(2) else { return nil }
        _ = expect(0x3A)
        guard let om = digits(2), i == b.count, oh < 24, om < 60 else { return nil }
        return ParsedISO(local: local, offset: sign * Int64(oh * 3600 + om * 60), dateOnly: false)
    }
}
