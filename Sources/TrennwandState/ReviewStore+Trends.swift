import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// One rule's findings by month of first detection (Berlin calendar months, as the workspace
/// shows every time): the per-rule trend of the findings list and the runs page.
package struct DetectionTrend: Sendable, Hashable {
    package struct Month: Sendable, Hashable {
        package var year: Int
        package var month: Int
        package var count: Int

        package init(year: Int, month: Int, count: Int) {
            self.year = year
            self.month = month
            self.count = count
        }
    }

    /// Consecutive months (months without any detection included).
    package var months: [Month]
    /// Findings detected before the first month shown.
    package var earlier: Int

    package var total: Int { months.reduce(earlier) { $0 + $1.count } }
}

/// A rule among the most frequent of the runs page, with its trend over the shared months.
package struct RuleTrend: Sendable, Hashable {
    package var ruleID: String
    /// From the newest stored payload of the rule; nil when none is stored.
    package var title: Localized?
    package var trend: DetectionTrend
}

/// The runs page's counts are range counts on the index `finding(rule_id, first_seen)` (migration
/// v5): no finding row and no payload is read, except one payload per rule for its title.
extension ReviewStore {
    /// Findings of `rule` (every status) by Berlin month of first detection, from its first to
    /// its last month with a detection, at most the last `limit` months. Read from the list
    /// view's snapshot (`FindingIndex`), as the list it is drawn above: a rule page asked by
    /// many browsers costs one pass per store change, not one range count per month and request.
    package func detectionTrend(rule: String, limit: Int = 24) async throws -> DetectionTrend {
        try await listCache.detectionTrend(try await findingIndex(), rule: rule, limit: limit)
    }

    /// The `rules` rules with the most findings first detected in the last `months` Berlin months
    /// up to the newest detection in the store, each with its months (same months for all).
    package func topRuleTrends(rules: Int = 5, months: Int = 12) async throws -> [RuleTrend] {
        try await read { db in
            guard let hi = try Int64.fetchOne(db, sql: "SELECT MAX(first_seen) FROM finding") else { return [] }
            let last = Self.monthIndex(hi)
            let window = (last - max(months, 1) + 1)...last
            let top = try Row.fetchAll(db, sql: """
                SELECT rule_id, COUNT(*) AS n FROM finding WHERE first_seen >= ? GROUP BY rule_id ORDER BY n DESC, rule_id LIMIT ?
                """, arguments: [Self.monthStart(window.lowerBound), rules])
            return try top.map { row in
                let rule: String = row["rule_id"]
                let title = try Row.fetchOne(db, sql: """
                    SELECT json_extract(payload, '$.title.de') AS de, json_extract(payload, '$.title.en') AS en
                    FROM finding WHERE rule_id = ? AND payload IS NOT NULL LIMIT 1
                    """, arguments: [rule]).flatMap { r -> Localized? in
                    guard let de = r["de"] as String?, let en = r["en"] as String? else { return nil }
                    return Localized(de: de, en: en)
                }
                return RuleTrend(ruleID: rule, title: title, trend: try Self.trend(db, rule: rule, months: window))
            }
        }
    }

    /// The counts of `rule` in the months `window` (as `monthIndex`) and before it.
    static func trend(_ db: Database, rule: String, months window: ClosedRange<Int>) throws -> DetectionTrend {
        let count = "SELECT COUNT(*) FROM finding WHERE rule_id = ? AND first_seen >= ? AND first_seen < ?"
        var months: [DetectionTrend.Month] = []
        for i in window {
            let n = try Int.fetchOne(db, sql: count, arguments: [rule, monthStart(i), monthStart(i + 1)]) ?? 0
            months.append(DetectionTrend.Month(year: i / 12, month: i % 12 + 1, count: n))
        }
        let earlier = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM finding WHERE rule_id = ? AND first_seen < ?",
                                       arguments: [rule, monthStart(window.lowerBound)]) ?? 0
        return DetectionTrend(months: months, earlier: earlier)
    }

    /// The Berlin month of an instant as a running index, year × 12 + (month − 1).
    static func monthIndex(_ t: Int64) -> Int {
        let d = BerlinTime.parseDay(String(BerlinTime.date(t).prefix(10))) ?? (1970, 1, 1)
        return d.year * 12 + d.month - 1
    }

    /// 00:00 Berlin time on the first day of a month index.
    static func monthStart(_ i: Int) -> Int64 { BerlinTime.startOfDay(year: i / 12, month: i % 12 + 1, day: 1) }
}
