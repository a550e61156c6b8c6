import TrennwandEngine
import TrennwandFindings
import TrennwandRecords

extension BatchRuleRunner {
    /// `rules test` on the scan's engine: an example's records in one column batch through a
    /// runner of the rule alone, aggregate rows pre-aggregated and replayed into the evaluator as
    /// a scan merges them, windows closed at the end. `RuleChecks.recordEngine` is the oracle the
    /// tests compare it with (`RuleExampleEngineTests`).
    package static let exampleEngine: RuleChecks.ExampleEngine = { records, evaluator, reference, now in
        let runner = try BatchRuleRunner(evaluator: evaluator, reference: reference, now: now)
        var findings: [Finding] = []
        var feed = AggregateFeed()
        if let kind = records.first?.kind {
            let batch = RecordBatch(kind: kind, file: records[0].locator.file, capacity: max(records.count, 1))
            for r in records { batch.append(r, symbols: runner.environment.symbols) }
            runner.evaluate(batch, feed: &feed) { f, _ in findings.append(f) }
        }
        evaluator.replay(feed) { findings.append($0) }
        evaluator.finish { findings.append($0) }
        return findings
    }
}
