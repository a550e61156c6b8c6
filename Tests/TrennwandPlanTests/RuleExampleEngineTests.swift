import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandFindings
import TrennwandRecords
import XCTest

/// `rules test` runs the examples on the scan's engine (`BatchRuleRunner.exampleEngine`): every
/// example of every built-in rule, aggregates included, gives the closure evaluator's verdict
/// (`RuleChecks.recordEngine`, the oracle), and every example passes.
final class RuleExampleEngineTests: XCTestCase {
    func testEveryExampleGivesTheRecordEnginesVerdictOnTheBatchExecutor() throws {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let pseudonymizer = Pseudonymizer(key: PseudonymKey(bytes: Array("trennwand-example-key".utf8), origin: "example test"))
        let now = Int64(Date().timeIntervalSince1970)
        let records = RuleChecks.test(set, policy: policy, pseudonymizer: pseudonymizer, now: now, engine: RuleChecks.recordEngine)
        let batches = RuleChecks.test(set, policy: policy, pseudonymizer: pseudonymizer, now: now, engine: BatchRuleRunner.exampleEngine)
        XCTAssertEqual(records.count, batches.count)
        XCTAssertGreaterThan(batches.count, 2 * set.rules.count - 1, "match and no_match examples of every rule")
        for (r, b) in zip(records, batches) {
            XCTAssertEqual(b.ruleID, r.ruleID)
            XCTAssertNil(b.error, "\(b.ruleID) at \(b.position): \(String(describing: b.error))")
            XCTAssertEqual(b.matched, r.matched, "\(b.ruleID) example at \(b.position): records \(String(describing: r.matched)), batches \(String(describing: b.matched))")
            XCTAssertTrue(b.passed, "\(b.ruleID) example at \(b.position)")
        }
        let aggregates = Set(set.rules.filter { if case .aggregate = $0.body { true } else { false } }.map(\.id))
        XCTAssertFalse(aggregates.isEmpty)
        XCTAssertTrue(batches.contains { aggregates.contains($0.ruleID) && $0.shouldMatch && $0.matched == true },
                      "an aggregate example fires through the feed replay")
    }

    /// An example whose rule fires only through its aggregate window: without replaying the feed
    /// the batch engine would miss it (the assertion above would fail for TW401/TW402/TW902).
    func testTheBatchEngineMissesAggregatesWithoutTheReplay() throws {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let pseudonymizer = Pseudonymizer(key: PseudonymKey(bytes: Array("trennwand-example-key".utf8), origin: "example test"))
        let noReplay: RuleChecks.ExampleEngine = { records, evaluator, reference, now in
            let runner = try BatchRuleRunner(evaluator: evaluator, reference: reference, now: now)
            var findings: [Finding] = []
            var feed = AggregateFeed()
            let batch = RecordBatch(kind: records[0].kind, file: "example", capacity: records.count)
            for r in records { batch.append(r, symbols: runner.environment.symbols) }
            runner.evaluate(batch, feed: &feed) { f, _ in findings.append(f) }
            return findings
        }
        let outcomes = RuleChecks.test(set, policy: policy, pseudonymizer: pseudonymizer, only: ["TW402"], engine: noReplay)
        XCTAssertTrue(outcomes.contains { $0.shouldMatch && $0.matched == false }, "the control engine misses TW402's match")
    }
}
