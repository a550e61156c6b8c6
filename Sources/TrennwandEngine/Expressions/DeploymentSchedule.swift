/// A weekly deployment schedule such as `Mo-Fr 08:00-16:30` or `Mo,Mi 08:00-12:00; Di 13:00-17:00`.
///
/// Grammar: groups separated by `;`, each `days ranges` where days are `Mo Di Mi Do Fr Sa So`
/// (English `Tu We Th Su` too) as a comma list or `A-B` span, and ranges are `HH:MM-HH:MM` separated
/// by commas. A range whose end lies before its start runs over midnight into the next day.
/// Ranges include their start minute and exclude their end minute.
public struct DeploymentSchedule: Sendable, Hashable {
    /// Per ISO weekday (index 0 = Monday) the allowed minute ranges `[start, end)` of the day.
    public private(set) var ranges: [[Range<Int>]] = Array(repeating: [], count: 7)

    /// A parse problem with its byte offset in the schedule text.
    public struct ParseError: Error, Sendable {
        public var offset: Int
        public var de: String
        public var en: String
    }

    static let dayNames: [String: Int] = [
        "mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6,
        "tu": 1, "we": 2, "th": 3, "su": 6,
    ]

    public init(parsing text: String) throws {
        let b = Array(text.utf8)
        var i = 0
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 } }
        func fail(_ de: String, _ en: String) -> ParseError { ParseError(offset: min(i, b.count), de: de, en: en) }
        func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func day() throws -> Int {
            let s = i
            while i < b.count, isLetter(b[i]) { i += 1 }
            let name = String(decoding: b[s..<i], as: UTF8.self).lowercased()
            guard let d = DeploymentSchedule.dayNames[name] else {
                i = s
                throw fail("unbekannter Wochentag „\(name)“ (Mo, Di, Mi, Do, Fr, Sa, So)", "unknown weekday '\(name)' (Mo, Di, Mi, Do, Fr, Sa, So)")
            }
            return d
        }
        func clock() throws -> Int {
            let s = i
            var h = 0, m = 0, digits = 0
            while i < b.count, isDigit(b[i]), digits < 2 { h = h * 10 + Int(b[i] - 0x30); i += 1; digits += 1 }
            guard digits > 0, i < b.count, b[i] == UInt8(ascii: ":") else {
                i = s
                throw fail("Uhrzeit HH:MM erwartet", "time HH:MM expected")
            }
            i += 1
            digits = 0
            while i < b.count, isDigit(b[i]), digits < 2 { m = m * 10 + Int(b[i] - 0x30); i += 1; digits += 1 }
            guard digits == 2, m < 60, h < 24 || (h == 24 && m == 0) else {
                i = s
                throw fail("ungültige Uhrzeit", "invalid time")
            }
            return h * 60 + m
        }
        skipSpace()
        guard i < b.count else { throw fail("Einsatzplan ist leer", "schedule is empty") }
        while i < b.count {
            skipSpace()
            var days: [Int] = []
            repeat {
                skipSpace()
                let first = try day()
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "-"), i + 1 < b.count, !isDigit(b[i + 1]) {
                    i += 1
                    skipSpace()
                    let last = try day()
                    var d = first
                    while true {
                        days.append(d)
                        if d == last { break }
                        d = (d + 1) % 7
                    }
                } else {
                    days.append(first)
                }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ",") else { break }
                let save = i
                i += 1
                skipSpace()
                if i < b.count, isDigit(b[i]) { i = save; break }
            } while true
            repeat {
                skipSpace()
                let start = try clock()
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "-") else { throw fail("„-“ zwischen Beginn und Ende erwartet", "'-' between start and end expected") }
                i += 1
                skipSpace()
                let end = try clock()
                for d in days {
                    if end > start {
                        ranges[d].append(start..<end)
                    } else if end < start {
                        ranges[d].append(start..<1440)
                        ranges[(d + 1) % 7].append(0..<end)
                    }
                }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ",") else { break }
                i += 1
            } while true
            skipSpace()
            if i < b.count {
                guard b[i] == UInt8(ascii: ";") else { throw fail("„;“ zwischen Gruppen erwartet", "';' between groups expected") }
                i += 1
                skipSpace()
            }
        }
    }

    /// Whether a local wall-clock time ("epoch seconds as if UTC") lies within the schedule.
    public func contains(local: Int64) -> Bool {
        let days = ExprCivil.floorDiv(local, 86_400)
        let weekday = Int(ExprCivil.floorMod(days + 3, 7))  // 1970-01-01 was a Thursday (index 3)
        let minute = Int((local - days * 86_400) / 60)
        for r in ranges[weekday] where r.contains(minute) { return true }
        return false
    }
}

enum ExprCivil {
    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    @inline(__always)
    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}
