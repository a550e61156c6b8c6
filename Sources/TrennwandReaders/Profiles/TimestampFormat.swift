import Foundation
import TrennwandRecords

/// A timestamp format of an export: `iso8601` or a pattern of the tokens `yyyy MM dd HH mm ss`
/// with literal separators. Parsing works on bytes; no `String` per value.
///
/// Two-letter tokens accept one or two digits (`1.3.2025` reads like `01.03.2025`); `yyyy` takes
/// exactly four. A space in the pattern matches one or more spaces. The whole value must match.
public enum TimestampFormat: Sendable, Hashable, CustomStringConvertible {
    case iso8601
    case pattern([Token], text: String)

    /// One element of a pattern.
    public enum Token: Sendable, Hashable {
        case year, month, day, hour, minute, second
        case literal(UInt8)
    }

    /// A parsed wall-clock value.
    struct Parsed {
        /// Local time as "epoch seconds as if it were UTC" (or the instant itself when `offset` is set).
        var local: Int64
        /// Whether the value had a time of day.
        var hasTime: Bool
        /// Explicit UTC offset in seconds (ISO 8601 `Z` or `+02:00`).
        var offset: Int64?
    }

    /// Compiles a format text; nil when it contains no date or time token or an unknown letter.
    public static func compile(_ text: String) -> TimestampFormat? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased() == "iso8601" || t.lowercased() == "iso 8601" { return .iso8601 }
        let bytes = Array(t.utf8)
        var tokens: [Token] = []
        var i = 0
        var seen = Set<String>()
        while i < bytes.count {
            let b = bytes[i]
            var run = 1
            while i + run < bytes.count && bytes[i + run] == b { run += 1 }
            let token: Token?
            switch (b, run) {
            case (UInt8(ascii: "y"), 4): token = .year
            case (UInt8(ascii: "M"), 1), (UInt8(ascii: "M"), 2): token = .month
            case (UInt8(ascii: "d"), 1), (UInt8(ascii: "d"), 2): token = .day
            case (UInt8(ascii: "H"), 1), (UInt8(ascii: "H"), 2): token = .hour
            case (UInt8(ascii: "m"), 1), (UInt8(ascii: "m"), 2): token = .minute
            case (UInt8(ascii: "s"), 1), (UInt8(ascii: "s"), 2): token = .second
            default: token = nil
            }
            if let token {
                if !seen.insert("\(token)").inserted { return nil }
                tokens.append(token)
                i += run
            } else {
                if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) { return nil }
                tokens.append(.literal(b))
                i += 1
            }
        }
        guard seen.contains("year") || seen.contains("hour") else { return nil }
        if seen.contains("year") && !(seen.contains("month") && seen.contains("day")) { return nil }
        if seen.contains("minute") && !seen.contains("hour") { return nil }
        return .pattern(tokens, text: t)
    }

    public var description: String {
        switch self {
        case .iso8601: return "iso8601"
        case .pattern(_, let text): return text
        }
    }

    /// Whether the format carries a calendar date (not only a time of day).
    var hasDate: Bool {
        switch self {
        case .iso8601: return true
        case .pattern(let tokens, _): return tokens.contains(.year)
        }
    }

    /// Parses a trimmed value. For time-only patterns `local` is seconds since midnight.
    func parse(_ v: UnsafeRawBufferPointer) -> Parsed? {
        switch self {
        case .iso8601: return Self.parseISO(v)
        case .pattern(let tokens, _): return Self.parsePattern(tokens, v)
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Reads between `min` and `max` digits at `i`.
    private static func digits(_ v: UnsafeRawBufferPointer, _ i: inout Int, min: Int, max: Int) -> Int? {
        var n = 0, count = 0
        while count < max && i < v.count && isDigit(v[i]) {
            n = n * 10 + Int(v[i] - 0x30)
            i += 1
            count += 1
        }
        return count >= min ? n : nil
    }

    /// The local time of the fields, nil for an invalid date or time (`TimestampLayout` uses it too).
    static func assemble(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard month >= 1, month <= 12, day >= 1, day <= CivilTime.daysInMonth(year: year, month: month),
              hour >= 0, hour <= 23, minute >= 0, minute <= 59, second >= 0, second <= 59 else { return nil }
        let days = Int64(CivilTime.daysFromCivil(year: year, month: month, day: day))
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func parsePattern(_ tokens: [Token], _ v: UnsafeRawBufferPointer) -> Parsed? {
        var i = 0
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0
        var hasDate = false, hasTime = false
        for token in tokens {
            switch token {
            case .year:
                guard let n = digits(v, &i, min: 4, max: 4) else { return nil }
                year = n
                hasDate = true
            case .month:
                guard let n = digits(v, &i, min: 1, max: 2) else { return nil }
                month = n
            case .day:
                guard let n = digits(v, &i, min: 1, max: 2) else { return nil }
                day = n
            case .hour:
                guard let n = digits(v, &i, min: 1, max: 2) else { return nil }
                hour = n
                hasTime = true
            case .minute:
                guard let n = digits(v, &i, min: 1, max: 2) else { return nil }
                minute = n
            case .second:
                guard let n = digits(v, &i, min: 1, max: 2) else { return nil }
                second = n
            case .literal(let b):
                guard i < v.count, v[i] == b else { return nil }
                i += 1
                if b == 0x20 { while i < v.count && v[i] == 0x20 { i += 1 } }
            }
        }
        guard i == v.count else { return nil }
        if !hasDate {
            guard hour <= 23, minute <= 59, second <= 59 else { return nil }
            return Parsed(local: Int64(hour * 3600 + minute * 60 + second), hasTime: true, offset: nil)
        }
        guard let local = assemble(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else { return nil }
        return Parsed(local: local, hasTime: hasTime, offset: nil)
    }

    /// `yyyy-MM-dd`, optionally `T` or space, `HH:mm[:ss[.fraction]]`, optionally `Z` or `±HH[:]MM` / `±HH`.
    private static func parseISO(_ v: UnsafeRawBufferPointer) -> Parsed? {
        var i = 0
        guard let year = digits(v, &i, min: 4, max: 4), i < v.count, v[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let month = digits(v, &i, min: 2, max: 2), i < v.count, v[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let day = digits(v, &i, min: 2, max: 2) else { return nil }
        if i == v.count {
            guard let local = assemble(year: year, month: month, day: day, hour: 0, minute: 0, second: 0) else { return nil }
            return Parsed(local: local, hasTime: false, offset: nil)
        }
        guard v[i] == UInt8(ascii: "T") || v[i] == UInt8(ascii: "t") || v[i] == 0x20 else { return nil }
        i += 1
        guard let hour = digits(v, &i, min: 2, max: 2), i < v.count, v[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let minute = digits(v, &i, min: 2, max: 2) else { return nil }
        var second = 0
        if i < v.count && v[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = digits(v, &i, min: 2, max: 2) else { return nil }
            second = s
            if i < v.count && (v[i] == UInt8(ascii: ".") || v[i] == UInt8(ascii: ",")) {
                i += 1
                guard digits(v, &i, min: 1, max: 9) != nil else { return nil }
            }
        }
        var offset: Int64?
        if i < v.count {
            let sign = v[i]
            if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
                offset = 0
                i += 1
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                i += 1
                guard let oh = digits(v, &i, min: 2, max: 2) else { return nil }
                var om = 0
                if i < v.count && v[i] == UInt8(ascii: ":") { i += 1 }
                if i < v.count {
                    guard let m = digits(v, &i, min: 2, max: 2) else { return nil }
                    om = m
                }
                guard oh <= 18, om <= 59 else { return nil }
                let o = Int64(oh * 3600 + om * 60)
                offset = sign == UInt8(ascii: "-") ? -o : o
            } else {
                return nil
            }
        }
        guard i == v.count,
              let local = assemble(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else { return nil }
        return Parsed(local: local, hasTime: true, offset: offset)
    }
}
