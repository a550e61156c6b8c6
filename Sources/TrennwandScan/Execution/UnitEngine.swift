import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Which engine evaluates the rules of a scan.
package enum ScanEngine: String, Sendable, CaseIterable {
    /// Column batches through the batch executor (`BatchRuleRunner`): the scan's engine. Every
    /// rule the checker accepts plans for it (`RulePlanner.Target.inProcess`); a rule it still
    /// refused would be an error (`engine.batches-refused`), never a silent switch of engines.
    case batches
    /// One record at a time through the closure evaluator (`RuleEvaluator`): the test oracle the
    /// parity tests compare with, and a comparison when in doubt (`TRENNWAND_ENGINE=records`).
    case records

    /// `TRENNWAND_ENGINE=records|batches` (parity tests, measurements); default `batches`.
    package static var fromEnvironment: ScanEngine {
        ProcessInfo.processInfo.environment["TRENNWAND_ENGINE"].flatMap(ScanEngine.init(rawValue:)) ?? .batches
    }

    /// How `rules test` evaluates an example on this engine.
    package var exampleEngine: RuleChecks.ExampleEngine {
        switch self {
        case .batches: BatchRuleRunner.exampleEngine
        case .records: RuleChecks.recordEngine
        }
    }
}

/// One worker's engine: the rule evaluator, and the batch executor over it when the scan runs on
/// batches. Every place the scan evaluates records (units, the sequential read, reference rows,
/// the exact aggregate pass) goes through here, so the choice of engine is made in one place.
final class UnitEngine {
    let evaluator: RuleEvaluator
    let runner: BatchRuleRunner?
    /// Records that arrive one by one (reference rows, pipelined whole-file reads) gathered into a batch.
    private var pending: RecordBatch?

    init(evaluator: RuleEvaluator, runner: BatchRuleRunner?) {
        self.evaluator = evaluator
        self.runner = runner
    }

    /// The engine for `evaluator` as `choice` asks: nil runner for the record engine. A rule the
    /// batch executor refuses is a `ConfigError` `engine.batches-refused` naming the rule's file
    /// (none of the checker's constructs is refused since the planner's in-process target; the
    /// error is there so that a gap in it can never change which engine decides the findings).
    /// `preAggregate` false: aggregate rows are routed one by one (the exact aggregate pass).
    static func make(_ evaluator: RuleEvaluator, reference: ReferenceTables, now: Int64,
                     choice: ScanEngine, preAggregate: Bool = true) throws -> UnitEngine {
        if choice == .records { return UnitEngine(evaluator: evaluator, runner: nil) }
        do {
            return UnitEngine(evaluator: evaluator,
                              runner: try BatchRuleRunner(evaluator: evaluator, reference: reference, now: now, preAggregate: preAggregate))
        } catch let e as BatchCompileError {
            let files = RecordKind.allCases.flatMap { evaluator.recordRules(of: $0).map(\.file) } + evaluator.pack.aggregates.map(\.file)
            let position = files.first { $0.id == e.rule }?.position ?? SourcePosition(file: "TRENNWAND_ENGINE", line: 0, column: 0)
            throw ConfigError(position, code: "engine.batches-refused",
                              de: "Regel \(e.rule): „\(e.node)“ kann der Auswerter nicht auswerten – bitte melden; TRENNWAND_ENGINE=records prüft mit dem satzweisen Vergleichsauswerter",
                              en: "rule \(e.rule): '\(e.node)' cannot be evaluated by the engine – please report it; TRENNWAND_ENGINE=records scans with the record-at-a-time reference engine")
        }
    }

    /// One record: evaluated at once (record engine) or gathered into the pending batch, which is
    /// evaluated when full, when records of another file or kind arrive, or at `flush`.
    func evaluate(_ record: Record, feed: inout AggregateFeed, emit: (Finding, Bool) -> Void) {
        guard let runner else {
            evaluator.evaluate(record, routingAggregatesTo: &feed, emit: emit)
            return
        }
        if let b = pending, b.kind != record.kind || b.file != record.locator.file {
            flush(feed: &feed, emit: emit)
            pending = nil
        }
        let b = pending ?? RecordBatch(kind: record.kind, file: record.locator.file)
        pending = b
        b.append(record, symbols: runner.environment.symbols)
        if b.isFull { flush(feed: &feed, emit: emit) }
    }

    /// Evaluates the records `evaluate(_:feed:emit:)` gathered and not evaluated yet.
    func flush(feed: inout AggregateFeed, emit: (Finding, Bool) -> Void) {
        guard let runner, let b = pending, !b.isEmpty else { return }
        runner.evaluate(b, feed: &feed, emit: emit)
        b.reset()
    }

    /// Reads and evaluates a file whole. `proceed` is asked after every record or batch; once it
    /// says no, the rest of the file is read (and counted) but not evaluated (the exact aggregate
    /// pass beyond its limit).
    func readWhole(path: String, profile: SourceProfile, catalog: ProfileCatalog, feed: inout AggregateFeed,
                   proceed: (inout AggregateFeed) -> Bool = { _ in true }, emit: (Finding, Bool) -> Void) -> InputAccount {
        var stopped = false
        guard let runner else {
            return UnitReader.readWhole(path: path, profile: profile, catalog: catalog) { record in
                if stopped { return }
                evaluator.evaluate(record, routingAggregatesTo: &feed, emit: emit)
                stopped = !proceed(&feed)
            }
        }
        return UnitReader.readWholeBatches(path: path, profile: profile, catalog: catalog, symbols: runner.environment.symbols) { batch in
            if stopped { return }
            runner.evaluate(batch, feed: &feed, emit: emit)
            stopped = !proceed(&feed)
        }
    }

    /// The sequential scan's read of a file: findings (record rules, gaps, aggregate hits) straight
    /// to `emit`; on batches the aggregate feed (partials) is merged every `mergeEvery` batches and
    /// at the end, so memory does not grow with the file. Why not after every batch: a 2,048-row
    /// batch spans minutes of log, so most hourly windows straddled two merges and were merged
    /// value by value; 32 batches span hours, as a chunk of a parallel scan does, and most
    /// windows are evaluated straight from the partial (docs/executor.md).
    func readWholeSequentially(path: String, profile: SourceProfile, catalog: ProfileCatalog, emit: (Finding) -> Void) -> InputAccount {
        guard let runner else {
            return UnitReader.readWhole(path: path, profile: profile, catalog: catalog) { record in
                evaluator.evaluate(record, emit: emit)
            }
        }
        var feed = AggregateFeed()
        var batches = 0
        let account = UnitReader.readWholeBatches(path: path, profile: profile, catalog: catalog,
                                                  symbols: runner.environment.symbols) { batch in
            runner.evaluate(batch, feed: &feed) { f, _ in emit(f) }
            batches += 1
            if batches >= Self.mergeEvery, !feed.isEmpty {
                evaluator.replay(feed, emit: emit)
                feed.removeAll()
                batches = 0
            }
        }
        if !feed.isEmpty { evaluator.replay(feed, emit: emit) }
        return account
    }

    /// Batches between two merges of the sequential scan's aggregate feed (65,536 rows).
    static let mergeEvery = 32

    /// Reads and evaluates one chunk of a file.
    func readChunk(_ source: any ChunkSource, profile: SourceProfile, start: Int64, end: Int64, context: ChunkContext?, skipping: Int,
                   normalisers: inout [String: ProfileNormaliser], feed: inout AggregateFeed,
                   emit: (Finding, Bool) -> Void) -> ChunkOutcome {
        guard let runner else {
            return UnitReader.readChunk(source, profile: profile, start: start, end: end, context: context, skipping: skipping,
                                        normalisers: &normalisers) { record in
                evaluator.evaluate(record, routingAggregatesTo: &feed, emit: emit)
            }
        }
        return UnitReader.readChunkBatches(source, profile: profile, start: start, end: end, context: context, skipping: skipping,
                                           normalisers: &normalisers, symbols: runner.environment.symbols) { batch in
            runner.evaluate(batch, feed: &feed, emit: emit)
        }
    }
}
