import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TrennwandOutputs
import XCTest

/// The trend chart escapes labels as the HTML report does (it is embedded there).
final class TrendSVGEscapingTests: XCTestCase {
    func testTitleControlCharactersBecomeReplacementCharacters() throws {
        let chart = TrendChart(periods: ["2025-03"], keys: ["TW105"], totals: ["TW105": 0], values: ["TW105": [0]],
                               defaultTitle: "trend rule per month")
        let svg = trendSVG(chart, title: "a\u{01}b\u{7F}c 'q' \"d\" <e>")
        XCTAssertTrue(svg.contains("a\u{FFFD}b\u{FFFD}c &#39;q&#39; &quot;d&quot; &lt;e&gt;"), svg)
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
    }
}
