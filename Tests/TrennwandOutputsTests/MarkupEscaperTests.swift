import Foundation
import TrennwandFindings
@testable import TrennwandOutputs
import XCTest

/// HTML and JUnit escape through one markup escaper: control characters are handled one way,
/// the contexts differ only in quotes and whitespace.
final class MarkupEscaperTests: XCTestCase {
    func testControlCharactersAreHandledAlikeInEveryContext() {
        let hostile = "a\u{01}b\u{1B}[31mc\u{7F}d\u{FFFE}e\u{FFFF}f\u{0}g"
        let expected = "a\u{FFFD}b\u{FFFD}[31mc\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}g"
        XCTAssertEqual(HTMLReportAssets.escape(hostile), expected)
        XCTAssertEqual(XML.escape(hostile), expected)
        XCTAssertEqual(XML.escape(hostile, attribute: true), expected)
    }

    func testContextsDifferOnlyInQuotesAndWhitespace() {
        let s = "<a href=\"x\">'&'</a>\t\n\r"
        XCTAssertEqual(MarkupEscaper.escape(s, .html), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\t\n\r")
        XCTAssertEqual(XML.escape(s), "&lt;a href=\"x\"&gt;'&amp;'&lt;/a&gt;\t\n\r")
        XCTAssertEqual(XML.escape(s, attribute: true), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;&#9;&#10;&#13;")
        XCTAssertEqual(HTMLReportAssets.escape("Grüße – 😀"), "Grüße – 😀")
    }
}
