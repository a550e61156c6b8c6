import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TrennwandFindings
@testable import TrennwandState
import XCTest

/// The trend chart escapes labels as the HTML report does (it is embedded there).
final class TrendSVGEscapingTests: XCTestCase {
    func testTitleControlCharactersBecomeReplacementCharacters() throws {
        let trend = Trend(by: .month, per: .rule, periods: ["2025-03"], keys: ["TW105"], accessesByPeriod: [:], rows: [])
        let svg = trendSVG(trend, title: "a\u{01}b\u{7F}c 'q' \"d\" <e>")
        XCTAssertTrue(svg.contains("a\u{FFFD}b\u{FFFD}c &#39;q&#39; &quot;d&quot; &lt;e&gt;"), svg)
        XCTAssertNoThrow(try XMLDocument(xmlString: svg))
    }
}
