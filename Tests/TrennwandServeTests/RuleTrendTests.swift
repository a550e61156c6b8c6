import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import TrennwandFindings
import TrennwandRecords
@testable import TrennwandServe
import TrennwandState
import XCTest

/// The findings list filtered to one rule charts that rule's findings by Berlin month of first detection.
final class RuleTrendTests: XCTestCase {
    /// Moves the first detection of one rule's findings into known months: one on 15.03.2025,
    /// one on 01.04.2025 00:30 Berlin (still 31 March in UTC), the rest on 02.06.2025, none in May.
    func placeDetections(_ harness: Harness) throws -> (rule: String, rest: Int) {
        let byRule = Dictionary(grouping: try harness.state.findings(), by: \.ruleID)
        let (rule, findings) = try XCTUnwrap(byRule.filter { $0.value.count >= 3 }.min { $0.key < $1.key })
        let fps = findings.map(\.fingerprint).sorted()
        let march = BerlinTime.startOfDay(year: 2025, month: 3, day: 15) + 12 * 3600
        let april = BerlinTime.startOfDay(year: 2025, month: 4, day: 1) + 30 * 60
        let june = BerlinTime.startOfDay(year: 2025, month: 6, day: 2) + 9 * 3600
        let queue = try DatabaseQueue(path: harness.path)
        try queue.write { db in
            try db.execute(sql: "UPDATE finding SET first_seen = ? WHERE rule_id = ?", arguments: [june, rule])
            try db.execute(sql: "UPDATE finding SET first_seen = ? WHERE fingerprint = ?", arguments: [march, fps[0]])
            try db.execute(sql: "UPDATE finding SET first_seen = ? WHERE fingerprint = ?", arguments: [april, fps[1]])
        }
        return (rule, fps.count - 2)
    }

    func testMonthsCountTheRuleByBerlinMonthIncludingEmptyOnes() async throws {
        let harness = try Harness()
        let (rule, rest) = try placeDetections(harness)
        let trend = try await harness.state.review.detectionTrend(rule: rule.lowercased())
        XCTAssertEqual(trend.months.map { "\($0.year)-\($0.month):\($0.count)" }, ["2025-3:1", "2025-4:1", "2025-5:0", "2025-6:\(rest)"])
        XCTAssertEqual(trend.earlier, 0)
        XCTAssertEqual(trend.total, rest + 2)
        let lastTwo = try await harness.state.review.detectionTrend(rule: rule, limit: 2)
        XCTAssertEqual(lastTwo.months.map(\.count), [0, rest])
        XCTAssertEqual(lastTwo.earlier, 2)
    }

    func testRuleFilteredListShowsTheChartWithItsNumbers() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let (rule, rest) = try placeDetections(harness)
        try await harness.application().test(.router) { client in
            let reader = try await client.login("reader")
            let page = String(buffer: try await client.get("/findings?rule=\(rule)", cookie: reader.cookie).body)
            XCTAssertTrue(page.contains("<figure class=\"trend\" id=\"rule-trend\"><figcaption>\(rule): Feststellungen nach Monat der ersten Erkennung, März 2025 bis Juni 2025 (\(rest + 2) insgesamt"), page)
            XCTAssertTrue(page.contains("role=\"img\" aria-label=\"\(rule): Feststellungen nach Monat"))
            for (month, n) in [("März 2025", 1), ("April 2025", 1), ("Mai 2025", 0), ("Juni 2025", rest)] {
                XCTAssertTrue(page.contains("<tr><td>\(month)</td><td class=\"n\">\(n)</td></tr>"), month)
                XCTAssertTrue(page.contains("<title>\(month): \(n)</title>"), month)
            }
            XCTAssertFalse(page.contains("<script") || page.contains("http://") || page.contains("https://"))
            let english = String(buffer: try await client.get("/findings?rule=\(rule)&lang=en", cookie: reader.cookie).body)
            XCTAssertTrue(english.contains("<tr><td>March 2025</td><td class=\"n\">1</td></tr>"))
            XCTAssertTrue(english.contains("findings by month of first detection, March 2025 to June 2025"))
            // The unfiltered list has no per-rule chart.
            let all = String(buffer: try await client.get("/findings", cookie: reader.cookie).body)
            XCTAssertFalse(all.contains("rule-trend"))
        }
    }

    func testARuleWithoutFindingsShowsNoChartAndNoError() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let rules = Set(try harness.state.findings().map(\.ruleID))
        let absent = try XCTUnwrap((900...999).map { "TW\($0)" }.first { !rules.contains($0) })
        let trend = try await harness.state.review.detectionTrend(rule: absent)
        XCTAssertEqual(trend.months, [])
        XCTAssertEqual(DetectionChart.figure(rule: absent, trend, .de), "")
        try await harness.application().test(.router) { client in
            let reader = try await client.login("reader")
            let response = try await client.get("/findings?rule=\(absent)", cookie: reader.cookie)
            XCTAssertEqual(response.status, .ok)
            let page = String(buffer: response.body)
            XCTAssertFalse(page.contains("rule-trend"))
            XCTAssertTrue(page.contains("0 Feststellungen in 0 Regeln"))
        }
    }

    /// The chart must not read finding rows (their payloads) per request: each month is a range
    /// count on the covering index of migration v5.
    func testMonthCountsUseTheCoveringIndex() throws {
        let harness = try Harness()
        let queue = try DatabaseQueue(path: harness.path)
        let plans = try queue.read { db in
            try [
                ("SELECT COUNT(*) FROM finding WHERE rule_id = ? AND first_seen >= ? AND first_seen < ?", ["TW101", 0, 1]),
            ].map { (sql: String, args: [any DatabaseValueConvertible]) in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(args))
                    .map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        for plan in plans { XCTAssertTrue(plan.contains("COVERING INDEX finding_rule_first_seen"), plan) }
        // The runs page's top rules: one pass over the same index, not over the rows.
        let top = try queue.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT rule_id, COUNT(*) AS n FROM finding WHERE first_seen >= ? GROUP BY rule_id ORDER BY n DESC, rule_id LIMIT ?
                """, arguments: [0, 5]).map { $0["detail"] as String }.joined(separator: "; ")
        }
        XCTAssertTrue(top.contains("COVERING INDEX finding_rule_first_seen"), top)
    }

    func testRunsPageChartsTheMostFrequentRulesOverTheSameMonths() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let (rule, rest) = try placeDetections(harness)
        let all = try await harness.state.review.topRuleTrends(rules: 100, months: 36)
        let stored = try harness.state.findings()
        let newest = try XCTUnwrap(stored.map(\.firstSeen).max())
        for r in all {
            XCTAssertEqual(r.trend.months.count, 36)
            let last = try XCTUnwrap(r.trend.months.last)
            XCTAssertEqual(String(format: "%02d.%d", last.month, last.year), String(BerlinTime.date(newest).dropFirst(3).prefix(7)))
        }
        // The window's rules, ordered by their findings in it; every finding of the window counted once.
        let first = try XCTUnwrap(all.first?.trend.months.first)
        let since = BerlinTime.startOfDay(year: first.year, month: first.month, day: 1)
        let inWindow = Dictionary(grouping: stored.filter { $0.firstSeen >= since }, by: \.ruleID).mapValues(\.count)
        XCTAssertEqual(Set(all.map(\.ruleID)), Set(inWindow.keys))
        let sums = all.map { $0.trend.months.reduce(0) { $0 + $1.count } }
        XCTAssertEqual(sums, all.map { inWindow[$0.ruleID] ?? 0 })
        XCTAssertEqual(sums, sums.sorted(by: >))
        let placed = try XCTUnwrap(all.first { $0.ruleID == rule })
        let byMonth = Dictionary(uniqueKeysWithValues: placed.trend.months.map { ("\($0.year)-\($0.month)", $0.count) })
        XCTAssertEqual([byMonth["2025-3"], byMonth["2025-4"], byMonth["2025-5"], byMonth["2025-6"]], [1, 1, 0, rest])

        // The page's default: five rules, twelve months (the scan's month only holds the sample's other rules).
        let top = try await harness.state.review.topRuleTrends()
        XCTAssertEqual(top.count, min(5, all.count))
        XCTAssertTrue(top.allSatisfy { $0.trend.months.count == 12 })
        try await harness.application().test(.router) { client in
            let reader = try await client.login("reader")
            let page = String(buffer: try await client.get("/runs", cookie: reader.cookie).body)
            XCTAssertTrue(page.contains("<section class=\"card\" id=\"rule-trends\"><h2>Häufigste Regeln nach Monat der ersten Erkennung</h2>"))
            for r in top {
                let numbers = r.trend.months.map { "\(DetectionChart.monthLabel($0, .de)) \($0.count)" }.joined(separator: ", ")
                XCTAssertTrue(page.contains("aria-label=\"\(r.ruleID): \(numbers)\""), r.ruleID)
                XCTAssertTrue(page.contains("href=\"/findings?rule=\(r.ruleID)\""))
            }
        }
    }

    func testMonthLabelsAndAxisSteps() {
        let m = DetectionTrend.Month(year: 2025, month: 3, count: 7)
        XCTAssertEqual(DetectionChart.monthLabel(m, .de), "März 2025")
        XCTAssertEqual(DetectionChart.monthLabel(m, .en), "March 2025")
        XCTAssertEqual(DetectionChart.shortMonth(m, .de), "Mär")
        XCTAssertEqual([0, 4, 5, 8, 9, 21, 80, 81].map(DetectionChart.niceCeiling), [4, 4, 8, 8, 20, 40, 80, 200])
    }
}
