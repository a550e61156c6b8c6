import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// The scan: profiles chosen, reference tables read, rules compiled, inputs evaluated on one or
/// several threads with the same findings in the same order.
///
/// - `threads: 1` (and no `chunkBytes`): the sequential scan — one evaluator, files read whole, in order.
/// - otherwise the evaluated inputs become *units*: every CSV or JSON Lines file is cut into
///   chunks of about `chunkBytes` at record boundaries (`Ingest.chunkSource`; CSV candidates are
///   verified by the parser, a wrong guess is re-parsed), every other file (XML) is one unit whose
///   parsing runs on its own thread, pipelined with rule evaluation in batches. `threads` workers
///   take units in input order, each with its own `RuleEvaluator` (and so its own `EvalContext`s
///   and Vectorscan scratch).
/// - Results are merged by the calling thread strictly in unit order: chunk-local line numbers and
///   indices are made global, findings go through the same `FindingCollector` in the same order as
///   a sequential run, gap findings (reported once per evaluator) are kept once, first by input
///   order.
/// - Aggregate rules need every record of their kind in input order (tumbling windows with a
///   watermark, gaps, whole-run ratios): workers evaluate the per-record parts (filter, ratio
///   numerator) and route only the values the aggregates read into an `AggregateFeed`; the merging
///   thread replays the feeds in input order into one evaluator. Aggregate state is exactly the
///   sequential one; the merge thread's work is one dictionary update per routed record.
/// - Memory: at most `threads + 2` units are read ahead of the merge; a unit holds its findings
///   and its feed (a few values per record, never whole records), so peak memory depends on
///   `chunkBytes` and `threads`, not on the input size (apart from findings and aggregate state).
struct ParallelScan {
    let catalog: ProfileCatalog
    let ruleSet: RuleSet
    let policy: PolicyData
    let pseudonymizer: Pseudonymizer
    let onlyRules: Set<String>?
    let now: Int64
    /// Worker threads (≥ 1).
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// CSV chunk size; nil: 1 MiB when `threads > 1`, whole files (the sequential scan) when 1.
    var chunkBytes: Int?
    var progress: ((String) -> Void)?
    /// Raw evidence instead of masks (`scan --reveal`, local review only).
    var reveal = false
    /// Called once the inputs are classified (evaluated inputs, reference inputs); returns the
    /// evaluated paths to skip (incremental scans: unchanged content, same rule pack and reference).
    var planSkips: (([String], [String]) throws -> Set<String>)?

    init(catalog: ProfileCatalog, ruleSet: RuleSet, policy: PolicyData, pseudonymizer: Pseudonymizer,
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

    /// 1 MiB: as fast as 4 MiB on the 1 GB bench corpus (12.5 s either way, 2 threads) with a
    /// lower peak (72 MB instead of 98 MB RSS): `threads + 2` units are in flight at a time.
    static let defaultChunkBytes = 1 << 20

    func run(_ inputs: [ScanInput]) throws -> ScanResult {
        let clock = Date()
        let started = Int64(clock.timeIntervalSince1970)
        var accounts: [InputAccount] = []
        var evaluatedInputs: [(ScanInput, SourceProfile)] = []
        var tables: [RecordKind: [Record]] = [:]
        var referenceBatches: [[Record]] = []
        var referenceInputs: [String] = []
        var kinds: [String: RecordKind] = [:]
        // Pass 1: choose profiles; read reference tables (rules are compiled against them).
        for input in inputs {
            let profile: SourceProfile
            do {
                if let id = input.profile { profile = try catalog.require(id: id) } else { profile = try catalog.detect(file: input.path) }
            } catch let e as InputError {
                var a = InputAccount(file: input.path)
                a.fileError = e.rejection
                accounts.append(a)
                continue
            } catch let e as ConfigError {
                var a = InputAccount(file: input.path)
                a.fileError = Rejection(locator: Locator(file: input.path, line: 0, byteOffset: 0, index: 0),
                                        reason: RejectReason(code: e.code, de: e.text(.de), en: e.text(.en)))
                accounts.append(a)
                continue
            }
            kinds[input.path] = profile.kind
            if profile.kind.isEvaluated {
                evaluatedInputs.append((input, profile))
            } else {
                progress?(input.path)
                var rows: [Record] = []
                let result = Ingest.run(file: input.path, profile: profile, catalog: catalog) { rows.append($0) }
                tables[profile.kind, default: []] += rows
                referenceBatches.append(rows)
                referenceInputs.append(input.path)
                accounts.append(result.account)
            }
        }
        let skipped = try planSkips?(evaluatedInputs.map(\.0.path), referenceInputs) ?? []
        let skippedPaths = evaluatedInputs.map(\.0.path).filter { skipped.contains($0) }
        evaluatedInputs.removeAll { skipped.contains($0.0.path) }
        let reference = ReferenceTables(tables)
        let vocabulary = catalog.vocabulary
        let (pack, errors) = CompiledRulePack.compile(ruleSet, policy: policy, reference: reference, only: onlyRules, now: now,
                                                      vocabulary: vocabulary)
        if let first = errors.first { throw first }
        let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: pseudonymizer, reveal: reveal)
        var collected = FindingCollector()
        var order = 0

        if threads == 1 && chunkBytes == nil {
            // The sequential scan, step for step.
            for rows in referenceBatches {
                let fileOrder = order
                order += 1
                for record in rows { evaluator.evaluate(record) { collected.add($0, fileOrder: fileOrder) } }
            }
            for (input, profile) in evaluatedInputs {
                progress?(input.path)
                let fileOrder = order
                order += 1
                let result = Ingest.run(file: input.path, profile: profile, catalog: catalog) { record in
                    evaluator.evaluate(record) { collected.add($0, fileOrder: fileOrder) }
                }
                accounts.append(result.account)
            }
        } else {
            var merger = Merger(evaluator: evaluator)
            for rows in referenceBatches {
                let fileOrder = order
                order += 1
                var feed = AggregateFeed()
                for record in rows {
                    evaluator.evaluate(record, routingAggregatesTo: &feed) { f, gap in
                        merger.add(f, isGap: gap, fileOrder: fileOrder, into: &collected)
                    }
                }
                evaluator.replay(feed) { collected.add($0, fileOrder: fileOrder) }
            }
            let units = makeUnits(evaluatedInputs, firstFileOrder: order)
            order += evaluatedInputs.count
            // Every worker compiles its own copy of the rule pack (milliseconds): closures shared by
            // several cores would have their reference counts bounce between the cores' caches on
            // every call (measured: swift_retain 6 % → 12 % of a worker's time with a shared pack).
            let workerPack: @Sendable () -> CompiledRulePack? = { [ruleSet, policy, onlyRules, now] in
                let (p, errors) = CompiledRulePack.compile(ruleSet, policy: policy, reference: reference, only: onlyRules, now: now,
                                                           vocabulary: vocabulary)
                return errors.isEmpty ? p : nil
            }
            accounts += runUnits(units, inputCount: evaluatedInputs.count, pack: pack, workerPack: workerPack, merger: &merger,
                                 collected: &collected)
        }
        evaluator.finish { collected.add($0, fileOrder: order) }
        return ScanResult(
            findings: collected.sorted(), inputs: accounts, referenceRows: tables.mapValues(\.count),
            descriptors: pack.descriptors, rulePackHash: ruleSet.hash, skipped: skippedPaths, kinds: kinds, started: started,
            finished: Int64(Date().timeIntervalSince1970), elapsed: Date().timeIntervalSince(clock))
    }

    // MARK: - Units

    /// One piece of work: a chunk of a file or a whole file.
    enum Unit: Sendable {
        case chunk(input: Int, fileOrder: Int, source: any ChunkSource, profile: SourceProfile, start: Int64, end: Int64,
                   first: Bool, last: Bool)
        case whole(input: Int, fileOrder: Int, path: String, profile: SourceProfile)

        var input: Int {
            switch self {
            case .chunk(let i, _, _, _, _, _, _, _), .whole(let i, _, _, _): return i
            }
        }
    }

    /// What a worker produced for one unit.
    struct UnitResult: Sendable {
        var findings: [(finding: Finding, isGap: Bool)] = []
        var feed = AggregateFeed()
        /// Whole files: the file's account. Chunks: the chunk's outcome.
        var account: InputAccount?
        var chunk: ChunkOutcome?
    }

    private func makeUnits(_ evaluated: [(ScanInput, SourceProfile)], firstFileOrder: Int) -> [Unit] {
        let size = chunkBytes ?? Self.defaultChunkBytes
        var units: [Unit] = []
        for (i, (input, profile)) in evaluated.enumerated() {
            let fileOrder = firstFileOrder + i
            if let source = Ingest.chunkSource(path: input.path, profile: profile),
               let starts = try? source.boundaries(chunkBytes: size) {
                for (k, s) in starts.enumerated() {
                    let end = k + 1 < starts.count ? starts[k + 1] : Int64.max
                    units.append(.chunk(input: i, fileOrder: fileOrder, source: source, profile: profile, start: s, end: end,
                                        first: k == 0, last: k + 1 == starts.count))
                }
            } else {
                units.append(.whole(input: i, fileOrder: fileOrder, path: input.path, profile: profile))
            }
        }
        return units
    }

    /// Evaluates one unit with `evaluator` (a worker's own, or the merger's for re-parses).
    static func process(_ unit: Unit, start overrideStart: Int64? = nil, evaluator: RuleEvaluator, catalog: ProfileCatalog,
                        normalisers: inout [String: ProfileNormaliser], pipelined: Bool) -> UnitResult {
        var r = UnitResult()
        switch unit {
        case .chunk(_, _, let source, let profile, let start, let end, _, _):
            let normaliser: ProfileNormaliser
            if let n = normalisers[source.path] {
                normaliser = n
            } else {
                // chunkSource checked that this does not throw.
                normaliser = try! source.normaliser(profile: profile)
                normalisers = [source.path: normaliser]
            }
            var findings = r.findings, feed = r.feed
            r.chunk = Ingest.runChunk(source, normaliser: normaliser, start: overrideStart ?? start, end: end) { record in
                evaluator.evaluate(record, routingAggregatesTo: &feed) { findings.append(($0, $1)) }
            }
            r.findings = findings
            r.feed = feed
        case .whole(_, _, let path, let profile):
            var findings = r.findings, feed = r.feed
            if pipelined {
                r.account = RecordPipe.run(path: path, profile: profile, catalog: catalog) { record in
                    evaluator.evaluate(record, routingAggregatesTo: &feed) { findings.append(($0, $1)) }
                }
            } else {
                r.account = Ingest.run(file: path, profile: profile, catalog: catalog) { record in
                    evaluator.evaluate(record, routingAggregatesTo: &feed) { findings.append(($0, $1)) }
                }.account
            }
            r.findings = findings
            r.feed = feed
        }
        return r
    }

    /// Runs the units on `threads` workers (inline when 1) and merges them in order.
    private func runUnits(_ units: [Unit], inputCount: Int, pack: CompiledRulePack,
                          workerPack: @escaping @Sendable () -> CompiledRulePack?, merger: inout Merger,
                          collected: inout FindingCollector) -> [InputAccount] {
        var accounts = [InputAccount?](repeating: nil, count: inputCount)
        var fileState: FileMergeState?
        var normalisers: [String: ProfileNormaliser] = [:]
        let queue = UnitQueue(units: units, window: threads + 2)
        let catalog = self.catalog, pseudonymizer = self.pseudonymizer, reveal = self.reveal
        let pipelined = threads > 1
        var workers: [Thread] = []
        if threads > 1 {
            for _ in 0..<threads {
                let t = Thread {
                    guard let evaluator = try? RuleEvaluator(pack: workerPack() ?? pack, pseudonymizer: pseudonymizer, reveal: reveal) else { return }
                    var normalisers: [String: ProfileNormaliser] = [:]
                    while let (k, unit) = queue.claim() {
                        let r = ParallelScan.process(unit, evaluator: evaluator, catalog: catalog, normalisers: &normalisers,
                                                     pipelined: pipelined)
                        queue.complete(k, r)
                    }
                }
                t.stackSize = 1 << 20
                workers.append(t)
                t.start()
            }
        }
        for (k, unit) in units.enumerated() {
            let result: UnitResult
            if threads > 1 {
                result = queue.take(k)
            } else {
                result = Self.process(unit, evaluator: merger.evaluator, catalog: catalog, normalisers: &normalisers,
                                      pipelined: false)
            }
            switch unit {
            case .whole(let input, let fileOrder, let path, _):
                progress?(path)
                merger.merge(result, fileOrder: fileOrder, lineOffset: 0, indexOffset: 0, into: &collected)
                accounts[input] = result.account
            case .chunk(let input, let fileOrder, let source, let profile, let start, _, let first, let last):
                if first {
                    progress?(source.path)
                    let account = InputAccount(file: source.path, profile: profile.id)
                    fileState = FileMergeState(account: account, expectedStart: source.dataStart, line: source.firstLine)
                }
                guard var state = fileState else { continue }
                if !state.stopped {
                    var r = result
                    if start != state.expectedStart {
                        // The candidate was no record boundary: parse this chunk again from the true one.
                        r = Self.process(unit, start: state.expectedStart, evaluator: merger.evaluator, catalog: catalog,
                                         normalisers: &normalisers, pipelined: false)
                        merger.reparsedChunks += 1
                    }
                    let outcome = r.chunk!
                    merger.merge(r, fileOrder: fileOrder, lineOffset: state.line - 1, indexOffset: state.index, into: &collected)
                    state.absorb(outcome, lineOffset: state.line - 1, indexOffset: state.index)
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

/// Per chunked file while its chunks are merged: the running account and where the next chunk starts.
private struct FileMergeState {
    var account: InputAccount
    var expectedStart: Int64
    /// Global line number of the next chunk's first line, and records before it.
    var line: Int
    var index = 0
    var stopped = false

    init(account: InputAccount, expectedStart: Int64, line: Int) {
        self.account = account
        self.expectedStart = expectedStart
        self.line = line
    }

    mutating func absorb(_ outcome: ChunkOutcome, lineOffset: Int, indexOffset: Int) {
        let a = outcome.account
        account.read += a.read
        account.normalised += a.normalised
        account.rejected += a.rejected
        for (code, n) in a.rejectedByReason { account.rejectedByReason[code, default: 0] += n }
        for var rejection in a.rejections where account.rejections.count < InputAccount.detailLimit {
            rejection.locator.line += lineOffset
            rejection.locator.index += indexOffset
            account.rejections.append(rejection)
        }
        if var error = a.fileError {
            if error.locator.line > 0 { error.locator.line += lineOffset }
            account.fileError = error
            stopped = true
        }
        expectedStart = outcome.end
        line += outcome.lineBreaks
        index += outcome.records
    }
}

/// Merges unit results in order: locators made global, gap findings kept once, aggregate feeds
/// replayed into the one evaluator that owns the aggregate state.
struct Merger {
    let evaluator: RuleEvaluator
    private var gapFingerprints: Set<String> = []
    var reparsedChunks = 0

    init(evaluator: RuleEvaluator) { self.evaluator = evaluator }

    mutating func add(_ f: Finding, isGap: Bool, fileOrder: Int, into collected: inout FindingCollector) {
        if isGap && !gapFingerprints.insert(f.fingerprint).inserted { return }
        collected.add(f, fileOrder: fileOrder)
    }

    mutating func merge(_ r: ParallelScan.UnitResult, fileOrder: Int, lineOffset: Int, indexOffset: Int,
                        into collected: inout FindingCollector) {
        for (f, gap) in r.findings {
            var f = f
            f.locator.line += lineOffset
            f.locator.index += indexOffset
            add(f, isGap: gap, fileOrder: fileOrder, into: &collected)
        }
        if !r.feed.isEmpty {
            evaluator.replay(r.feed, lineOffset: lineOffset, indexOffset: indexOffset) { collected.add($0, fileOrder: fileOrder) }
        }
    }
}

/// Units handed to workers in order, at most `window` ahead of the merge; results taken in order.
final class UnitQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let units: [ParallelScan.Unit]
    private let window: Int
    private var next = 0
    private var merged = 0
    private var results: [Int: ParallelScan.UnitResult] = [:]

    init(units: [ParallelScan.Unit], window: Int) {
        self.units = units
        self.window = window
    }

    func claim() -> (Int, ParallelScan.Unit)? {
        condition.lock()
        defer { condition.unlock() }
        while next < units.count && next - merged >= window { condition.wait() }
        guard next < units.count else { return nil }
        let k = next
        next += 1
        return (k, units[k])
    }

    func complete(_ k: Int, _ r: ParallelScan.UnitResult) {
        condition.lock()
        results[k] = r
        condition.broadcast()
        condition.unlock()
    }

    func take(_ k: Int) -> ParallelScan.UnitResult {
        condition.lock()
        defer { condition.unlock() }
        while results[k] == nil { condition.wait() }
        let r = results.removeValue(forKey: k)!
        merged = k + 1
        condition.broadcast()
        return r
    }
}

/// Reading and rule evaluation of one file pipelined: `Ingest.run` on its own thread hands
/// records over in batches (at most a few batches ahead), `body` runs on the calling thread.
enum RecordPipe {
    static let batchSize = 256

    static func run(path: String, profile: SourceProfile, catalog: ProfileCatalog, body: (Record) -> Void) -> InputAccount {
        let pipe = Pipe(capacity: 4)
        let producer = Thread {
            var batch: [Record] = []
            batch.reserveCapacity(batchSize)
            let result = Ingest.run(file: path, profile: profile, catalog: catalog) { record in
                batch.append(record)
                if batch.count == batchSize {
                    pipe.put(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { pipe.put(batch) }
            pipe.finish(result.account)
        }
        producer.stackSize = 1 << 20
        producer.start()
        while let batch = pipe.take() {
            for record in batch { body(record) }
        }
        return pipe.account!
    }

    final class Pipe: @unchecked Sendable {
        private let condition = NSCondition()
        private var batches: [[Record]] = []
        private let capacity: Int
        private(set) var account: InputAccount?

        init(capacity: Int) { self.capacity = capacity }

        func put(_ batch: [Record]) {
            condition.lock()
            while batches.count >= capacity { condition.wait() }
            batches.append(batch)
            condition.broadcast()
            condition.unlock()
        }

        func finish(_ account: InputAccount) {
            condition.lock()
            self.account = account
            condition.broadcast()
            condition.unlock()
        }

        func take() -> [Record]? {
            condition.lock()
            defer { condition.unlock() }
            while batches.isEmpty && account == nil { condition.wait() }
            if batches.isEmpty { return nil }
            let b = batches.removeFirst()
            condition.broadcast()
            return b
        }
    }
}
