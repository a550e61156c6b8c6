import Foundation
import XCTest
@testable import TrennwandEngine
import TrennwandRecords

/// The function table of docs/rule-language.md is written from the `Builtins/` files: this test
/// fails when they differ, and rewrites it with `TW_UPDATE_DOCS=1`.
final class BuiltinReferenceTests: XCTestCase {
    static let doc = TestPaths.projectRoot.appendingPathComponent("docs/rule-language.md")

    /// `text` with the lines between `<!-- builtins:NAME …-->` and `<!-- /builtins:NAME -->` replaced.
    static func replacing(_ name: String, in text: String, with body: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("<!-- builtins:\(name) ") }),
              let end = lines.firstIndex(where: { $0 == "<!-- /builtins:\(name) -->" }), start < end else { return nil }
        var bodyLines = body.components(separatedBy: "\n")
        if bodyLines.last == "" { bodyLines.removeLast() }
        lines.replaceSubrange((start + 1)..<end, with: bodyLines)
        return lines.joined(separator: "\n")
    }

    func testRuleLanguageReferenceListsEveryBuiltin() throws {
        let current = try String(contentsOf: BuiltinReferenceTests.doc, encoding: .utf8)
        let expected = try XCTUnwrap(BuiltinReferenceTests.replacing("functions", in: current, with: BuiltinReference.markdown()),
                                     "builtins:functions markers missing in docs/rule-language.md")
        if ProcessInfo.processInfo.environment["TW_UPDATE_DOCS"] == "1" {
            try expected.write(to: BuiltinReferenceTests.doc, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(current, expected, "docs/rule-language.md is stale: run TW_UPDATE_DOCS=1 swift test --filter BuiltinReferenceTests")
    }

    /// Every example of the function table compiles on some record kind, so the reference shows
    /// working conditions (a wrong example fails here, not in a reader's rule file).
    func testReferenceExamplesCompile() throws {
        let kinds: [RecordKind] = [.access, .documentation, .flow]
        for family in Builtin.families {
            for row in family.reference.functions {
                let examples = row.example.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
                XCTAssertFalse(examples.isEmpty, row.signature)
                for example in examples {
                    // A value-returning example (`direction(a, b)`) is tested inside `present(…)`.
                    let compiles = kinds.contains { kind in
                        [example, "present(\(example))"].contains { (try? Fixture.compile($0, kind)) != nil }
                    }
                    XCTAssertTrue(compiles, "reference example does not compile: \(example)")
                }
            }
        }
    }

    /// Every function of the language has a documentation row naming it, and the enum's names are
    /// the ones the checker accepts.
    func testEveryBuiltinIsDocumentedAndKnown() throws {
        let functions = BuiltinReference.markdown()
        for function in Builtin.allCases {
            XCTAssertTrue(functions.contains("`\(function.rawValue)("), "\(function.rawValue) has no reference row")
        }
        XCTAssertThrowsError(try Fixture.compile("no_such_function(actor)")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "expr.unknown-function")
        }
    }
}
