import TrennwandRecords
import XCTest
@testable import TrennwandEngine

/// The lexer's operators, read by their bytes: every one, next to each other, and the `=` typo.
final class ExprLexerTests: XCTestCase {
    private func tokens(_ text: String) throws -> [ExprToken.Kind] {
        try ExprLexer(source: ConditionSource(text: text, origin: SourcePosition(file: "t.yaml", line: 1, column: 1))).tokens().map(\.kind)
    }

    func testEveryOperatorWithoutSpaces() throws {
        let ops = try tokens("a==b!=c<=d>=e->f(g)[h],i.j<k>l+m-n").compactMap { if case .op(let o) = $0 { return o } else { return nil } }
        XCTAssertEqual(ops, ["==", "!=", "<=", ">=", "->", "(", ")", "[", "]", ",", ".", "<", ">", "+", "-"])
        XCTAssertEqual(try tokens("x<-1"), [.identifier("x"), .op("<"), .op("-"), .number(1), .end])
        XCTAssertEqual(try tokens("30d>=7d"), [.duration(2_592_000, "30d"), .op(">="), .duration(604_800, "7d"), .end])
    }

    func testSingleEqualsAndStrayCharactersAreSyntaxErrors() {
        for text in ["a = b", "a ! b", "a ; b", "a ä b", "a * b"] {
            XCTAssertThrowsError(try tokens(text), text)
        }
        XCTAssertThrowsError(try tokens("a = b")) { error in
            XCTAssertTrue("\(error)".contains("=="), "\(error)")
        }
    }
}
