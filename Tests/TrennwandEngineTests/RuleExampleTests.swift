import Foundation
@testable import TrennwandEngine
import TrennwandFindings
import TrennwandRecords
import Testing

/// Every example of every shipped rule file as a test case of its own (`TW105/match/2`), like
/// SwiftLint's generated rule tests: a failing example is reported at its rule file and line,
/// `Rules/zugriff/TW105-export-an-traeger.yaml:LINE`, so the YAML is what a reader opens.
@Suite struct RuleExampleTests {
    /// One example of one rule: its rule, whether it must fire, its number within `match:` or
    /// `no_match:` (from 1) and where it is written.
    struct Example: Sendable, CustomTestStringConvertible {
        let ruleID: String
        let shouldMatch: Bool
        let number: Int
        let position: SourcePosition

        var testDescription: String { "\(ruleID)/\(shouldMatch ? "match" : "no_match")/\(number)" }
        /// The rule file relative to the project, as a reader finds it in the repository.
        var file: String { RulePack.relative(position.file) }
    }

    /// The shipped rule pack, loaded once for discovery and for every case.
    enum RulePack {
        static let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        static let policy = Result { try PolicyData.load(rulesDirectory: TestPaths.rules.path) }
        static let pseudonymizer = Pseudonymizer(key: PseudonymKey(bytes: Array("trennwand-rules-test-key".utf8), origin: "rules test"))

        static let examples: [Example] = set.rules.flatMap { rule in
            var counts = [true: 0, false: 0]
            return rule.examples.map { e in
                counts[e.shouldMatch, default: 0] += 1
                return Example(ruleID: rule.id, shouldMatch: e.shouldMatch, number: counts[e.shouldMatch] ?? 0, position: e.position)
            }
        }

        static func relative(_ path: String) -> String {
            let root = TestPaths.projectRoot.path + "/"
            return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
        }

        static func location(_ p: SourcePosition) -> SourceLocation {
            let file = relative(p.file)
            return SourceLocation(fileID: file, filePath: p.file, line: max(p.line, 1), column: max(p.column, 1))
        }
    }

    @Test("rule example", arguments: RulePack.examples)
    func example(_ example: Example) throws {
        let policy = try RulePack.policy.get()
        let rule = try #require(RulePack.set.rules.first { $0.id == example.ruleID })
        let written = try #require(rule.examples.first { $0.position == example.position })
        // The rule with only this example, so the outcome is this example's alone.
        var single = rule
        single.examples = [written]
        let outcomes = RuleChecks.test(RuleSet(rules: [single], errors: [], hash: RulePack.set.hash), policy: policy,
                                       pseudonymizer: RulePack.pseudonymizer)
        let outcome = try #require(outcomes.count == 1 ? outcomes.first : nil, "\(outcomes.count) outcomes for one example")
        let at = "\(example.file):\(example.position.line)"
        if let e = outcome.error {
            let why = "\(RulePack.relative(e.position.file)):\(e.position.line): \(e.message.text(.en)) [\(e.code)]"
            Issue.record("\(at): \(example.testDescription) cannot be evaluated: \(why)", sourceLocation: RulePack.location(e.position))
        } else if outcome.matched != example.shouldMatch {
            let what = example.shouldMatch ? "match example does not fire" : "no_match example fires"
            Issue.record("\(at): \(example.testDescription): \(what)", sourceLocation: RulePack.location(example.position))
        }
    }

    /// The pack loads without errors and has examples at all (else the cases above are none and
    /// nothing would fail); every rule has at least one example of each kind.
    @Test func rulePackLoadsWithExamplesOfBothKinds() throws {
        for e in RulePack.set.errors {
            Issue.record("\(RulePack.relative(e.position.file)):\(e.position.line): \(e.message.text(.en)) [\(e.code)]",
                         sourceLocation: RulePack.location(e.position))
        }
        _ = try RulePack.policy.get()
        #expect(RulePack.set.rules.count >= 30, "rules found in \(TestPaths.rules.path)")
        for rule in RulePack.set.rules {
            let kinds = Set(rule.examples.map(\.shouldMatch))
            #expect(kinds == [true, false], "\(rule.id) needs match and no_match examples",
                    sourceLocation: RulePack.location(rule.position))
        }
        #expect(RulePack.examples.count == RulePack.set.rules.reduce(0) { $0 + $1.examples.count })
    }
}
