import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TrennwandOutputs
@testable import TrennwandState
import XCTest
@testable import TrennwandScan

/// A trend of the state database drawn by the HTML output: the series carry the state's values.
final class TrendChartTests: XCTestCase {
    let trend = Trend(by: .month, per: .rule, periods: ["2025-03", "2025-04"], keys: ["<b>&x", "TW105"],
                      accessesByPeriod: ["2025-03": 2000, "2025-04": 500],
                      rows: [TrendRow(period: "2025-03", key: "<b>&x", count: 1, accesses: 2000, ratePer1000: 0.5),
                             TrendRow(period: "2025-03", key: "TW105", count: 2, accesses: 2000, ratePer1000: 1.0),
                             TrendRow(period: "2025-04", key: "TW105", count: 1, accesses: 500, ratePer1000: 2.0)])

    func testSeriesFollowTheMetric() {
        let counts = TrendChart(trend, metric: .count)
        XCTAssertEqual(counts.values["TW105"], [2, 1])
        XCTAssertEqual(counts.values["<b>&x"], [1, 0])
        XCTAssertEqual(counts.totals, ["TW105": 3, "<b>&x": 1])
        XCTAssertEqual(counts.defaultTitle, "trend rule per month")
        XCTAssertEqual(TrendChart(trend, metric: .rate).values["TW105"], [1.0, 2.0])
    }

    func testSVGIsEscapedAndWellFormed() throws {
        let svg = trendSVG(TrendChart(trend, metric: .rate), title: "Feststellungen je 1.000 Zugriffe <Test>")
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.hasSuffix("</svg>"))
        XCTAssertTrue(svg.contains("&lt;b&gt;&amp;x"))
        XCTAssertFalse(svg.contains("<b>"))
        XCTAssertFalse(svg.contains("href"))
        XCTAssertTrue(svg.contains("<polyline"))
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
    }
}
