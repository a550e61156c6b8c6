import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandFindings
import TrennwandPlan
import TrennwandRecords
import XCTest

/// The batch executor against the closure evaluator on every example of every rule whose plan it
/// can compile so far (issue 20, docs/executor.md): the example's records in one column batch, the
/// compiled filter over it; the rule fires when a row is true. A mismatch names the rule, the
/// example and both verdicts. Rules it cannot compile yet are listed, and the list may only shrink.
final class BatchExecutorParityTests: XCTestCase {
    /// Rules whose filter the batch executor refuses today, with the node it stops at; a rule that
    /// starts compiling must leave this list (the test says so), one that stops compiling fails.
    static let notYet: Set<String> = ["TW401", "TW402", "TW902"]

    func testRuleExamplesGiveTheClosureEvaluatorsVerdictInBatches() throws {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let zone = try XCTUnwrap(ZoneConverter(identifier: policy.timeZone))
        let now = Int64(Date().timeIntervalSince1970)
        let planner = RulePlanner(policy: policy, now: now)
        let pseudonymizer = Pseudonymizer(key: PseudonymKey(bytes: Array("trennwand-batch-key".utf8), origin: "batch test"))
        var compiled: [String] = [], refused: [String: String] = [:], examples = 0
        for rule in set.rules {
            let plan = try planner.plan(rule)
            do {
                _ = try BatchConditionCompiler.filter(of: plan, policy: policy, reference: .empty)
            } catch let e as BatchCompileError {
                refused[rule.id] = e.node
                continue
            }
            compiled.append(rule.id)
            let outcomes = RuleChecks.test(set, policy: policy, pseudonymizer: pseudonymizer, only: [rule.id], now: now)
            for (n, (example, outcome)) in zip(rule.examples, outcomes).enumerated() {
                // The example's reference rows are the run's reference tables, as `rules test` has them.
                var tables: [RecordKind: [Record]] = [:]
                for (kind, rows) in example.reference {
                    tables[kind] = try rows.enumerated().map { try ExampleRecords.record($1, kind: kind, zone: zone, index: $0 + 1) }
                }
                let filter = BatchFilter(try BatchConditionCompiler.filter(of: plan, policy: policy, reference: ReferenceTables(tables)))
                let symbols = SymbolTable(seed: SymbolTable.schemaSeed())
                let batch = RecordBatch(kind: rule.target.kind, file: "example", capacity: max(example.records.count, 1))
                for (i, node) in example.records.enumerated() {
                    batch.append(try ExampleRecords.record(node, kind: rule.target.kind, zone: zone, index: i + 1), symbols: symbols)
                }
                let fired = !filter.firing(batch, BatchEnvironment(symbols: symbols, zone: zone, detectors: policy.detectors)).isEmpty
                XCTAssertNotNil(outcome.matched, "\(rule.id) example \(n + 1): the closure evaluator gave no verdict")
                XCTAssertEqual(fired, outcome.matched, "\(rule.id) example \(n + 1) (\(example.shouldMatch ? "match" : "no_match") at \(example.position)): closure evaluator \(String(describing: outcome.matched)), batch executor \(fired)")
                examples += 1
            }
        }
        XCTAssertEqual(Set(refused.keys), Self.notYet,
                       "rules the batch executor refuses: \(refused.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))")
        XCTAssertEqual(compiled.count + Self.notYet.count, set.rules.count, "rules compiled: \(compiled)")
        XCTAssertGreaterThan(examples, 2 * compiled.count - 1, "every compiled rule has match and no_match examples")
    }
}
