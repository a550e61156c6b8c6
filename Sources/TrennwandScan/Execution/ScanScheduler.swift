import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// The scan: profiles chosen, reference tables read, rules compiled, inputs evaluated on one or
/// several threads with the same findings in the same order.
///
/// One scheduler; how many workers it runs decides the rest:
/// - one worker, no `chunkBytes` (the sequential scan): the merging thread itself is the worker —
///   one evaluator, files read whole, in order, findings straight into the collector.
/// - otherwise the evaluated inputs become *units* (`ScanUnit`): every CSV, JSON Lines or XML file
///   is cut into chunks of about `chunkBytes` (the last file's last ones shorter with the default
///   size, a guided tail: `ChunkSchedule`) at record boundaries (`Ingest.chunkSource`; the
///   boundaries are candidates — CSV: after a line end, XML: a line starting with the record's start
///   tag, read with the record's ancestors replayed in front — which the parser verifies). A file
///   that cannot be cut (compressed, an XML file with a DOCTYPE or not in UTF-8, an XML file of one
///   chunk) is one unit whose parsing runs on its own thread (`RecordPipe`), pipelined with rule
///   evaluation in batches. `threads` workers take units in input order (`UnitQueue`) — `threads - 1`
///   threads and the merging thread, which evaluates units while the next result is not there — each with
///   its own engine (`UnitEngine`: a `BatchRuleRunner` over its own `RuleEvaluator`, so its own
///   symbol table, lookup memos and Vectorscan scratch); with one worker and chunks, units run inline.
/// - Results are merged by the calling thread strictly in unit order (`OrderedMerger`), each
///   chunked file through a `ChunkChain`: a chunk stands only if it started where the previous one
///   really ended, from the same parser context (XML: the open ancestors); otherwise it is read
///   again from there. An XML chunk that ends in an error (libxml2's messages cite lines in the
///   chunk's own numbering) or chunks with too many distinct names have the rest of their file read
///   sequentially from its start, skipping the records merged: records, rejections and errors are
///   exactly one sequential read's. Chunk-local line numbers and indices are made global, findings
///   go through the same `FindingCollector` in the same order as a sequential run, gap findings
///   (reported once per evaluator) are kept once, first by input order.
/// - Aggregate rules need every record of their kind in input order (tumbling windows with a
///   watermark, gaps, whole-run ratios): workers evaluate the per-record parts (filter, ratio
///   numerator) and pre-aggregate the unit's records per group and window (`AggregatePartial`, in
///   the unit's `AggregateFeed`); the merging thread merges the partials in input order into one
///   evaluator, with exactly the sequential state (lateness decided per bucket against the
///   watermark before the unit). Its work is per bucket, not per record. The record engine, and
///   rules a partial cannot hold (sliding windows), route the values one by one instead.
/// - Aggregate findings go into the collector as they come. Rules that left records late
///   (input not sorted by time) are evaluated again, exactly, in a second pass over their inputs in
///   time order (`exactAggregates`), and their findings of this pass replaced (dropped from the
///   collector); beyond
///   `reorderLimit` routed records this pass's result stands (`ScanResult.reorderLimit`).
/// - Memory: at most `threads + 2` units are read ahead of the merge; a unit holds its findings
///   and its feed (a few values per record, never whole records), so peak memory depends on
///   `chunkBytes` and `threads`, not on the input size (apart from findings and aggregate state).
///
/// Every call into the readers (`Ingest`, chunk sources, format sniffing) is in `UnitReader`.
package struct ScanScheduler {
    let catalog: ProfileCatalog
    let ruleSet: RuleSet
    let policy: PolicyData
    let pseudonymizer: Pseudonymizer
    let onlyRules: Set<String>?
    let now: Int64
    /// Worker threads (≥ 1).
    package var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Chunk size (CSV, JSON Lines, XML); nil: 2 MiB (XML 8 MiB, the last file with a guided tail)
    /// when `threads > 1`, whole files (the sequential scan) when 1.
    package var chunkBytes: Int?
    /// Called with each input's path when its evaluation starts (in input order).
    package var progress: ((String) -> Void)?
    /// Raw evidence instead of masks (`scan --reveal`, local review only).
    package var reveal = false
    /// Distinct findings the collector keeps in memory before it spills (nil: its default).
    package var keepInMemory: Int?
    /// Occurrences (records merged into a finding) kept in memory before they spill (nil: the collector's default).
    package var othersInMemory: Int?
    /// Called once the inputs are classified (evaluated inputs, reference inputs); returns the
    /// evaluated paths to skip (incremental scans: unchanged content, same rule pack and reference).
    package var planSkips: (([String], [String]) throws -> Set<String>)?
    /// Most feed entries (records routed to aggregate rules) the exact re-evaluation of rules with
    /// late records may hold; beyond it pass 1's result stands (`ScanResult.reorderLimit`).
    package var reorderLimit = ScanScheduler.defaultReorderLimit
    /// The engine evaluating the rules (`ScanEngine`; `TRENNWAND_ENGINE` sets the default).
    package var engine = ScanEngine.fromEnvironment

    package init(catalog: ProfileCatalog, ruleSet: RuleSet, policy: PolicyData, pseudonymizer: Pseudonymizer,
                 onlyRules: Set<String>?, now: Int64, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                 chunkBytes: Int? = nil) {
        self.catalog = catalog
        self.ruleSet = ruleSet
        self.policy = policy
        self.pseudonymizer = pseudonymizer
        self.onlyRules = onlyRules
        self.now = now
        self.threads = max(1, threads)
        self.chunkBytes = chunkBytes
    }

    /// 2 MiB: the merge works per unit and bucket, and every unit remakes its buckets, so larger
    /// units cost less CPU; 4 MiB was no faster and peaked at 100 MB (`threads + 2` units are in
    /// flight at a time). 1 GB bench corpus, 2 threads, 4 rounds (2026-12-07): 1 MiB 2.35 s, user
    /// 4.28 s, 87 MB; 2 MiB 2.27 s, user 4.15 s, 89 MB (one thread: 4.10 s, user 3.96 s); the
    /// 256 MB XML export 1.06 → 1.03 s. (At 1 MiB before the aggregate partials: as fast as 4 MiB.)
    static let defaultChunkBytes = 2 << 20

    /// 8 MiB for XML: a unit of XML costs more to start than one of CSV (a libxml2 push parser with
    /// its name dictionary, the record's ancestors replayed, a chunk boundary verified), while a
    /// unit in flight holds its results, not its bytes (read in blocks), and an XML unit's results
    /// are small: the peak RSS did not change with the unit size. Two threads,
    /// alternating runs (issue 20, thirteenth stop): the 256 MB export 2 MiB median 0.997 s, min
    /// 0.948, user 1.78 s → 8 MiB 0.934, 0.923, user 1.73 s (16 MiB no faster: 0.931, 0.914),
    /// peak RSS 74 MB for both; the 1 GB export 4.89 → 3.68 s, 79 → 78 MB.
    static let defaultXMLChunkBytes = 8 << 20

    /// The chunk size of a file of `format` when the scan was given none.
    static func defaultChunkBytes(for format: SourceFormat) -> Int {
        format == .xml ? defaultXMLChunkBytes : defaultChunkBytes
    }

    /// The sequential scan: the merging thread is the one worker and evaluates directly.
    var isSequential: Bool { threads == 1 && chunkBytes == nil }

    package func run(_ inputs: [ScanInput]) throws -> ScanResult {
        let clock = Date()
        let started = Int64(clock.timeIntervalSince1970)
        // Planning: profiles chosen, reference tables read (rules are compiled against them).
        var plan = try InputPlan.make(inputs, catalog: catalog, progress: progress)
        var accounts = plan.accounts
        // Indexed documentation inputs count as reference data: a changed entry can change the
        // findings of an unchanged access log.
        let skipped = try planSkips?(plan.evaluated.map(\.0.path), plan.referenceInputs + plan.indexedInputs) ?? []
        let skippedPaths = plan.evaluated.map(\.0.path).filter { skipped.contains($0) }
        plan.evaluated.removeAll { skipped.contains($0.0.path) }
        let evaluatedInputs = plan.evaluated
        var lookupTables = plan.tables
        if !plan.documentationIndex.isEmpty { lookupTables[.documentation] = plan.documentationIndex }
        let reference = ReferenceTables(lookupTables)
        let vocabulary = catalog.vocabulary
        let (pack, errors) = CompiledRulePack.compile(ruleSet, policy: policy, reference: reference, only: onlyRules, now: now,
                                                      vocabulary: vocabulary)
        if let first = errors.first { throw first }
        let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: pseudonymizer, reveal: reveal)
        let mainEngine = try UnitEngine.make(evaluator, reference: reference, now: now, choice: engine)
        var collected = FindingCollector(keepInMemory: keepInMemory, othersInMemory: othersInMemory)
        var merger = OrderedMerger(evaluator: evaluator)
        let units = makeUnits(evaluatedInputs, firstFileOrder: plan.referenceBatches.count)
        // Every worker compiles its own copy of the rule pack (milliseconds): closures shared by
        // several cores would have their reference counts bounce between the cores' caches on
        // every call (measured: swift_retain 6 % → 12 % of a worker's time with a shared pack).
        let workerPack: @Sendable () -> CompiledRulePack? = { [ruleSet, policy, onlyRules, now] in
            let (p, errors) = CompiledRulePack.compile(ruleSet, policy: policy, reference: reference, only: onlyRules, now: now,
                                                       vocabulary: vocabulary)
            return errors.isEmpty ? p : nil
        }
        let workerChoice: ScanEngine = mainEngine.runner == nil ? .records : .batches
        let workerEngine: @Sendable (RuleEvaluator) -> UnitEngine? = { [now] evaluator in
            try? UnitEngine.make(evaluator, reference: reference, now: now, choice: workerChoice)
        }
        // The workers start before this thread evaluates the reference tables: they compile
        // their packs meanwhile instead of after it (a worker joined the merging thread 5–9 ms
        // after it began on the first unit of a 256 MB XML export). Not before this thread's own
        // compile: two compiles side by side contend for the one malloc arena and both got slower
        // (docs/executor.md).
        let workers = startWorkers(units, pack: pack, workerPack: workerPack, workerEngine: workerEngine)
        var order = 0
        // Reference tables are evaluated too (rules over staff or agreements), before the inputs.
        for rows in plan.referenceBatches {
            let fileOrder = order
            order += 1
            var feed = AggregateFeed()
            for record in rows {
                mainEngine.evaluate(record, feed: &feed) { f, gap in merger.add(f, isGap: gap, fileOrder: fileOrder, into: &collected) }
            }
            mainEngine.flush(feed: &feed) { f, gap in merger.add(f, isGap: gap, fileOrder: fileOrder, into: &collected) }
            evaluator.replay(feed) { collected.add($0, fileOrder: fileOrder) }
        }
        order += evaluatedInputs.count
        accounts += runUnits(units, inputCount: evaluatedInputs.count, workers: workers, mainEngine: mainEngine,
                             merger: &merger, collected: &collected)
        evaluator.finish { collected.add($0, fileOrder: order) }
        // Aggregate rules that left records uncounted are evaluated again, exactly, in time order.
        var lateRecords = evaluator.lateRecords
        var replaced: Set<String> = []
        var exact: [(finding: Finding, fileOrder: Int)] = []
        var limitExceeded: Int?
        if !lateRecords.isEmpty {
            switch exactAggregates(lateRecords, plan: plan, reference: reference, vocabulary: vocabulary,
                                   firstInputOrder: order - evaluatedInputs.count, endOrder: order, accounts: accounts) {
            case .exact(let findings, let stillLate):
                replaced = Set(lateRecords.map(\.ruleID))
                exact = findings
                lateRecords = stillLate
            case .limitExceeded:
                limitExceeded = reorderLimit
            case .failed:
                break
            }
        }
        collected.removeAll(ofRules: replaced)
        for (f, fileOrder) in exact { collected.add(f, fileOrder: fileOrder) }
        var result = ScanResult(
            findings: collected.sorted(), inputs: accounts, referenceRows: plan.tables.mapValues(\.count),
            descriptors: pack.descriptors, rulePackHash: ruleSet.hash, skipped: skippedPaths, kinds: plan.kinds, started: started,
            finished: Int64(Date().timeIntervalSince1970), elapsed: Date().timeIntervalSince(clock))
        result.lateRecords = lateRecords
        result.reorderLimit = limitExceeded
        result.chunks = merger.chunks
        result.engine = mainEngine.runner == nil ? .records : .batches
        BackgroundRelease.drop([consume plan, consume lookupTables, consume reference, consume pack, consume evaluator,
                                consume mainEngine, consume merger, consume collected, consume workerPack, consume workerEngine])
        return result
    }

    /// The units of the evaluated inputs: files that can be cut in chunks (unless sequential), others whole.
    private func makeUnits(_ evaluated: [(ScanInput, SourceProfile)], firstFileOrder: Int) -> [ScanUnit] {
        var units: [ScanUnit] = []
        for (i, (input, profile)) in evaluated.enumerated() {
            let fileOrder = firstFileOrder + i
            let size = chunkBytes ?? Self.defaultChunkBytes(for: profile.format)
            // The last file's chunks end the scan: with the default size their tail is guided
            // (`ChunkSchedule`) so the workers finish together. An explicit size is kept as given.
            let guided = chunkBytes == nil && i == evaluated.count - 1
            let schedule = ChunkSchedule(chunkBytes: size, tailWorkers: guided ? threads : 0)
            if !isSequential, let chunks = UnitReader.chunks(input.path, profile: profile, schedule: schedule) {
                for (k, c) in chunks.starts.enumerated() {
                    let end = k + 1 < chunks.starts.count ? chunks.starts[k + 1] : Int64.max
                    units.append(.chunk(input: i, fileOrder: fileOrder, source: chunks.source, profile: profile, start: c, end: end,
                                        first: k == 0, last: k + 1 == chunks.starts.count))
                }
            } else {
                units.append(.whole(input: i, fileOrder: fileOrder, path: input.path, profile: profile))
            }
        }
        return units
    }

    /// The queue the worker threads take units from, and the pool of aggregate feeds they share.
    struct Workers {
        let queue: UnitQueue
        let feeds: FeedPool
    }

    /// Starts `threads - 1` worker threads on `units` (none for one thread): each compiles its
    /// own pack and engine, then takes units until none is left. The merging thread is the last
    /// worker (`runUnits`).
    private func startWorkers(_ units: [ScanUnit], pack: CompiledRulePack, workerPack: @escaping @Sendable () -> CompiledRulePack?,
                              workerEngine: @escaping @Sendable (RuleEvaluator) -> UnitEngine?) -> Workers? {
        guard threads > 1 else { return nil }
        let workers = Workers(queue: UnitQueue(units: units, window: threads + 2), feeds: FeedPool(limit: threads + 4))
        let catalog = self.catalog, pseudonymizer = self.pseudonymizer, reveal = self.reveal
        // `threads - 1` worker threads: the merging thread is the last worker. It merges the
        // next result as soon as it is there and evaluates units while it waits
        // (`UnitQueue.takeOrClaim`), so `--threads N` keeps N threads busy, not N + 1 (an
        // operator's CPU quota means what it says; wall time on 2 cores unchanged, docs/executor.md).
        for _ in 0..<(threads - 1) {
            let t = Thread {
                CompiledCondition.declareCompileStack()
                guard let evaluator = try? RuleEvaluator(pack: workerPack() ?? pack, pseudonymizer: pseudonymizer, reveal: reveal),
                      let engine = workerEngine(evaluator) else { return }
                var normalisers: [String: ProfileNormaliser] = [:]
                while let (k, unit) = workers.queue.claim() {
                    let r = unit.process(engine: engine, catalog: catalog, normalisers: &normalisers, pipelined: true,
                                         feed: workers.feeds.take())
                    workers.queue.complete(k, r)
                }
            }
            // Enough stack to compile the worker's rule pack in place (only touched pages are committed).
            t.stackSize = CompiledCondition.compileStackSize
            t.start()
        }
        return workers
    }

    /// Runs the units on the workers and this thread (inline when there are no workers) and
    /// merges them in order.
    private func runUnits(_ units: [ScanUnit], inputCount: Int, workers: Workers?, mainEngine: UnitEngine,
                          merger: inout OrderedMerger, collected: inout FindingCollector) -> [InputAccount] {
        var accounts = [InputAccount?](repeating: nil, count: inputCount)
        var fileState: FileMergeState?
        var normalisers: [String: ProfileNormaliser] = [:]
        let catalog = self.catalog
        let pipelined = threads > 1
        let feeds = workers?.feeds ?? FeedPool(limit: threads + 4)
        for (k, unit) in units.enumerated() {
            if isSequential, case .whole(let input, let fileOrder, let path, let profile) = unit {
                // The one worker is this thread: read the file whole, findings straight into the collector.
                progress?(path)
                accounts[input] = mainEngine.readWholeSequentially(path: path, profile: profile, catalog: catalog) {
                    merger.add($0, fileOrder: fileOrder, into: &collected)
                }
                continue
            }
            /// Unit `k`'s result; units claimed meanwhile are evaluated on this thread.
            func takeEvaluatingWhileWaiting(_ queue: UnitQueue) -> UnitResult {
                while true {
                    switch queue.takeOrClaim(k) {
                    case .result(let r):
                        return r
                    case .unit(let c, let claimed):
                        queue.complete(c, claimed.process(engine: mainEngine, catalog: catalog, normalisers: &normalisers,
                                                          pipelined: pipelined, feed: feeds.take()))
                    }
                }
            }
            let result: UnitResult
            if let workers {
                result = takeEvaluatingWhileWaiting(workers.queue)
            } else {
                result = unit.process(engine: mainEngine, catalog: catalog, normalisers: &normalisers, pipelined: false,
                                      feed: feeds.take())
            }
            switch unit {
            case .whole(let input, let fileOrder, let path, _):
                progress?(path)
                merger.merge(result, fileOrder: fileOrder, lineOffset: 0, indexOffset: 0, into: &collected)
                feeds.give(result.feed)
                accounts[input] = result.account
            case .chunk(let input, let fileOrder, let source, let profile, let start, let end, let first, let last):
                if first {
                    progress?(source.path)
                    fileState = FileMergeState(account: InputAccount(file: source.path, profile: profile.id), chain: ChunkChain(source: source))
                }
                guard var state = fileState else { continue }
                if !state.chain.finished {
                    var r = result
                    var verdict = state.chain.verdict(start: start, outcome: r.chunk!)
                    if case .reread(let trueStart, let context) = verdict {
                        // The candidate was no record boundary, or the guessed parser context was
                        // wrong: parse this chunk again from the true boundary.
                        r = unit.process(start: trueStart, context: context, engine: mainEngine, catalog: catalog,
                                         normalisers: &normalisers, pipelined: false)
                        merger.chunks.reread += 1
                        verdict = state.chain.verdict(start: trueStart, outcome: r.chunk!, reread: true)
                    }
                    let offsets: (lineOffset: Int, indexOffset: Int)
                    if case .sequentialRest(let skipping) = verdict {
                        // The rest of the file exactly as one sequential read gives it (an XML error).
                        r = unit.process(start: 0, skipping: skipping, end: .max, engine: mainEngine, catalog: catalog,
                                         normalisers: &normalisers, pipelined: false)
                        merger.chunks.sequentialRests += 1
                        state.chain.endWithSequentialRest()
                        state.account.bytes = r.chunk!.bytesRead
                        offsets = (0, 0)
                    } else {
                        offsets = state.chain.absorb(r.chunk!)
                    }
                    merger.chunks.merged += 1
                    HeapTrim.afterMerging(unit: merger.chunks.merged)
                    merger.merge(r, fileOrder: fileOrder, lineOffset: offsets.lineOffset, indexOffset: offsets.indexOffset, into: &collected)
                    // Only the merged result's feed: a chunk read again leaves the first feed unmerged
                    // and unreferenced (dropped), and a feed must never be in the pool twice.
                    feeds.give(r.feed)
                    state.absorb(r.chunk!, lineOffset: offsets.lineOffset, indexOffset: offsets.indexOffset)
                    ReadProgress.sink?(ReadProgress(path: source.path, bytes: min(end, source.fileSize), size: source.fileSize,
                                                    records: state.account.read))
                }
                if last {
                    if state.account.fileError == nil { state.account.bytes = source.fileSize }
                    accounts[input] = state.account
                    fileState = nil
                } else {
                    fileState = state
                }
            }
        }
        return accounts.compactMap { $0 }
    }
}
