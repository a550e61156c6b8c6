import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// The exact evaluation of aggregate rules whose windows missed records in pass 1 (records older
/// than a window already evaluated: exports of one period given one after the other, or an export
/// not sorted by time). Paid only when needed: pass 1 stays a single stream with memory bounded
/// by keys; only for the rules R with late records a second pass re-reads the evaluated inputs of
/// the kinds R aggregates over (whole files, the same profiles, so locators are the real
/// file:line), routes the values R reads into compact feeds (`AggregateFeed`), orders every entry
/// by record time (ties: input order) and replays them into a fresh evaluator of R. R's findings of
/// pass 1 are replaced by these.
///
/// Memory: the feeds, ~190 bytes per routed record (measured, see docs/performance-notes.md), at
/// most `reorderLimit` entries; beyond that the re-evaluation is dropped and pass 1's result stands
/// with a warning (`aggregate.reorder-limit`).
extension ScanScheduler {
    /// 1,000,000 routed records: ~190 MB of feed at most.
    package static let defaultReorderLimit = 1_000_000

    enum ExactAggregates {
        /// R's findings in time order, each with the file order of the record that closed its
        /// window (`endOrder` for windows closed at the end), and R's records still late (none).
        case exact([(finding: Finding, fileOrder: Int)], stillLate: [AggregateLateRecords])
        /// More than `reorderLimit` records would have to be held.
        case limitExceeded
        /// An input read differently than in pass 1 (changed or unreadable): pass 1 stands.
        case failed
    }

    /// Pass 2 for the rules of `late` (see the type comment). `firstInputOrder` is the file order
    /// of the first evaluated input (reference batches come before, from 0), `accounts` pass 1's.
    func exactAggregates(_ late: [AggregateLateRecords], plan: InputPlan, reference: ReferenceTables,
                         vocabulary: Set<String>, firstInputOrder: Int, endOrder: Int,
                         accounts: [InputAccount]) -> ExactAggregates {
        // Each rule routes every record that passed its filter: its own count is a lower bound.
        if late.contains(where: { $0.records > reorderLimit }) { return .limitExceeded }
        let rules = Set(late.map(\.ruleID))
        let (pack, errors) = CompiledRulePack.compile(ruleSet, policy: policy, reference: reference, only: rules, now: now,
                                                      vocabulary: vocabulary)
        // The scan's own engine choice (`UnitEngine`), aggregate rows routed one by one: the
        // replay orders them by time, which pre-aggregated buckets cannot be.
        guard errors.isEmpty, let evaluator = try? RuleEvaluator(pack: pack, pseudonymizer: pseudonymizer, reveal: reveal),
              let unitEngine = try? UnitEngine.make(evaluator, reference: reference, now: now, choice: engine, preAggregate: false)
        else { return .failed }
        let kinds = Set(pack.aggregates.map(\.file.target.kind))
        var feeds: [AggregateFeed] = [], orders: [Int] = []
        var total = 0
        var exceeded = false
        // Record rules of the pack (only R) never fire here: R are aggregates; gap findings of
        // their filters were reported in pass 1.
        let ignore: (Finding, Bool) -> Void = { _, _ in }
        // Reference tables (in memory) first, as in pass 1.
        for (i, rows) in plan.referenceBatches.enumerated() where rows.contains(where: { kinds.contains($0.kind) }) {
            var feed = AggregateFeed()
            for record in rows { unitEngine.evaluate(record, feed: &feed, emit: ignore) }
            unitEngine.flush(feed: &feed, emit: ignore)
            total += feed.count
            feeds.append(feed)
            orders.append(i)
        }
        if total > reorderLimit { return .limitExceeded }
        let pass1 = Dictionary(accounts.map { ($0.file, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, (input, profile)) in plan.evaluated.enumerated() where kinds.contains(profile.kind) {
            var feed = AggregateFeed()
            let account = unitEngine.readWhole(path: input.path, profile: profile, catalog: catalog, feed: &feed, proceed: { feed in
                guard total + feed.count <= reorderLimit else {
                    exceeded = true
                    feed = AggregateFeed()
                    return false
                }
                return true
            }, emit: ignore)
            if exceeded { return .limitExceeded }
            // The same records as in pass 1, or the result would not be comparable.
            guard let before = pass1[input.path], before.read == account.read,
                  (before.fileError == nil) == (account.fileError == nil) else { return .failed }
            total += feed.count
            feeds.append(feed)
            orders.append(firstInputOrder + i)
        }
        var findings: [(finding: Finding, fileOrder: Int)] = []
        evaluator.replayInTimeOrder(feeds) { f, feed in findings.append((f, orders[feed])) }
        evaluator.finish { findings.append(($0, endOrder)) }
        return .exact(findings, stillLate: evaluator.lateRecords)
    }
}
