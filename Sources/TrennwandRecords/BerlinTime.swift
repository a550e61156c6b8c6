import Foundation

/// Times as people in a German authority read them: Europe/Berlin, `31.01.2025 13:45`.
///
/// Every output a person reads (HTML report, text summary, `waive list`) uses this; machine
/// formats (SARIF, JSON Lines, CSV) keep ISO 8601 UTC. Uses the system's time-zone database
/// (tzdata); without it (no Europe/Berlin) the time is shown in UTC with the suffix ` UTC`.
public enum BerlinTime {
    public static let zoneIdentifier = "Europe/Berlin"

    /// `31.01.2025 13:45` (local Berlin time; summer time applied).
    public static func dateTime(_ epochSeconds: Int64) -> String {
        let (local, suffix) = localSeconds(epochSeconds)
        let (date, minutes) = split(local)
        let h = minutes / 60, m = minutes % 60
        return date + " " + two(h) + ":" + two(m) + suffix
    }

    /// `31.01.2025` (the Berlin calendar day of the instant).
    public static func date(_ epochSeconds: Int64) -> String {
        let (local, suffix) = localSeconds(epochSeconds)
        return split(local).date + suffix
    }

    /// UTC epoch seconds of 00:00 Berlin time on a calendar day.
    public static func startOfDay(year: Int, month: Int, day: Int) -> Int64 {
        let local = Int64(CivilTime.daysFromCivil(year: year, month: month, day: day)) * 86_400
        guard let zone = ZoneConverter(identifier: zoneIdentifier) else { return local }
        return zone.utc(fromLocal: local)
    }

    /// Parses `31.01.2027` or `2027-01-31` into (year, month, day); nil when it is no valid calendar date.
    public static func parseDay(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let parts: [Substring]
        let y: Int?, mo: Int?, d: Int?
        if t.contains(".") {
            parts = t.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].count == 4, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count) else { return nil }
            (d, mo, y) = (Int(parts[0]), Int(parts[1]), Int(parts[2]))
        } else {
            parts = t.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return nil }
            (y, mo, d) = (Int(parts[0]), Int(parts[1]), Int(parts[2]))
        }
        guard let y, let mo, let d, (1...12).contains(mo), d >= 1, d <= CivilTime.daysInMonth(year: y, month: mo) else { return nil }
        return (y, mo, d)
    }

    private static func localSeconds(_ utc: Int64) -> (Int64, String) {
        guard let zone = ZoneConverter(identifier: zoneIdentifier) else { return (utc, " UTC") }
        return (zone.local(fromUTC: utc), "")
    }

    private static func split(_ local: Int64) -> (date: String, minutes: Int) {
        let days = Int(CivilTime.floorDiv(local, 86_400))
        let (y, m, d) = CivilTime.civilFromDays(days)
        let minutes = Int((local - Int64(days) * 86_400) / 60)
        return (two(d) + "." + two(m) + "." + String(y), minutes)
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
