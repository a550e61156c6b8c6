import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// One piece of work of the scheduler: a chunk of a CSV, JSON Lines or XML file, or a whole file.
enum ScanUnit: Sendable {
    case chunk(input: Int, fileOrder: Int, source: any ChunkSource, profile: SourceProfile, start: Int64, end: Int64,
               first: Bool, last: Bool)
    case whole(input: Int, fileOrder: Int, path: String, profile: SourceProfile)

    var input: Int {
        switch self {
        case .chunk(let i, _, _, _, _, _, _, _), .whole(let i, _, _, _): return i
        }
    }

    /// Evaluates this unit with `engine` (a worker's own, or the merger's for re-parses),
    /// routing aggregate values into the result's feed; findings are kept for the merge.
    /// A chunk read again passes where it truly starts (`start`, `context`), or for the sequential
    /// rest of its file the file start, the records to skip and no end.
    /// `feed`: an emptied feed to fill (a recycled one keeps its storage, `FeedPool`).
    func process(start overrideStart: Int64? = nil, context: ChunkContext? = nil, skipping: Int = 0, end overrideEnd: Int64? = nil,
                 engine: UnitEngine, catalog: ProfileCatalog, normalisers: inout [String: ProfileNormaliser],
                 pipelined: Bool, feed: AggregateFeed = AggregateFeed()) -> UnitResult {
        var r = UnitResult()
        var findings = r.findings, feed = feed
        switch self {
        case .chunk(_, _, let source, let profile, let start, let end, _, _):
            r.chunk = engine.readChunk(source, profile: profile, start: overrideStart ?? start, end: overrideEnd ?? end, context: context,
                                       skipping: skipping, normalisers: &normalisers, feed: &feed) { findings.append(($0, $1)) }
        case .whole(_, _, let path, let profile):
            if pipelined {
                r.account = RecordPipe.run(path: path, profile: profile, catalog: catalog) { record in
                    engine.evaluate(record, feed: &feed) { findings.append(($0, $1)) }
                }
                engine.flush(feed: &feed) { findings.append(($0, $1)) }
            } else {
                r.account = engine.readWhole(path: path, profile: profile, catalog: catalog, feed: &feed) { findings.append(($0, $1)) }
            }
        }
        r.findings = findings
        r.feed = feed
        return r
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

/// Aggregate feeds handed back by the merge for the workers' next units.
///
/// Why: a feed's partials (one per pre-aggregated rule) grow their arrays, bucket dictionary and
/// group tables to a unit's size; made anew for every unit, two-thread scans spent about a
/// tenth more CPU than one-thread scans (which reuse one feed), partly regrowing these and
/// freeing them on the merging thread. A recycled feed is emptied on the worker that takes it,
/// keeping its storage.
final class FeedPool: @unchecked Sendable {
    private let lock = NSLock()
    private var feeds: [AggregateFeed] = []
    private let limit: Int

    /// At most `limit` feeds are kept (the units in flight).
    init(limit: Int) { self.limit = limit }

    /// An empty feed: a recycled one, emptied here (on the taking worker), or a new one.
    func take() -> AggregateFeed {
        lock.lock()
        let recycled = feeds.popLast()
        lock.unlock()
        guard var feed = recycled else { return AggregateFeed() }
        feed.removeAll()
        return feed
    }

    /// Gives back a feed the merge has replayed (nothing refers to its contents any more).
    func give(_ feed: AggregateFeed) {
        lock.lock()
        if feeds.count < limit { feeds.append(feed) }
        lock.unlock()
    }
}
