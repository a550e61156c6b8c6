import Foundation
import XCTest
@testable import TrennwandEngine
import TrennwandRecords

/// `rules lint` warns about conditions that do not depend on the record.
final class ConstantConditionTests: XCTestCase {
    func testLiteralsAndFoldedConditionsAreConstant() throws {
        let cases: [(String, Bool)] = [
            ("true", true), ("false", false), ("not false", true), ("1 == 1", true), ("1 > 2", false),
            ("\"a\" != \"a\"", false), ("actor_org == \"jobcenter\" or true", true),
            ("actor_org == \"jobcenter\" and false", false), ("(1 == 1) and not (2 < 1)", true),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try Fixture.compile(text).checked.constantTruth, expected, text)
        }
    }

    func testRecordDependentConditionsAreNotConstant() throws {
        for text in ["actor_org == \"jobcenter\"", "actor_org == \"jobcenter\" or false",
                     "actor_org == \"jobcenter\" and true", "not (actor_org == \"jobcenter\")"] {
            XCTAssertNil(try Fixture.compile(text).checked.constantTruth, text)
        }
    }

    /// The shipped pack has none; a rule whose condition folds to `true` gets one warning at the
    /// condition's position, and it is a warning, not a lint problem.
    func testWarningNamesTheRuleAndPosition() throws {
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        XCTAssertEqual(RuleChecks.warnings(RuleSet.load(rulesDirectory: TestPaths.rules.path), policy: policy), [])

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-const-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: TestPaths.rules, to: dir)
        let file = dir.appendingPathComponent("zugriff/TW101-taetigkeit-ohne-vereinbarung.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "condition: |\n"))
        let end = try XCTUnwrap(text.range(of: "evidence:", range: start.upperBound..<text.endIndex))
        try (text[..<start.lowerBound] + "condition: actor_org == \"jobcenter\" or 1 == 1\n" + text[end.lowerBound...])
            .write(to: file, atomically: true, encoding: .utf8)
        let line = text[..<start.lowerBound].filter { $0 == "\n" }.count + 1

        let set = RuleSet.load(rulesDirectory: dir.path)
        let warnings = RuleChecks.warnings(set, policy: try PolicyData.load(rulesDirectory: dir.path))
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertEqual(warnings.first?.code, "rule.constant-condition")
        XCTAssertEqual(warnings.first?.position, SourcePosition(file: file.path, line: line, column: 12))
        XCTAssertTrue(warnings.first?.message.en.hasPrefix("TW101: condition is always true") ?? false, "\(warnings)")
        XCTAssertFalse(RuleChecks.lint(set, policy: policy).contains { $0.code == "rule.constant-condition" })
    }
}
