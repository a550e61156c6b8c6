import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Per chunked file while its chunks are merged: the running account and the chain of chunks
/// (where the next one must start, global line and index there, `ChunkChain`).
struct FileMergeState {
    var account: InputAccount
    var chain: ChunkChain

    /// Adds a chunk's counts and rejections (made global with the offsets `chain` gave).
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
        }
    }
}

/// Merges unit results in order: locators made global, gap findings kept once, aggregate feeds
/// replayed into the one evaluator that owns the aggregate state. Aggregate findings go into the
/// collector as they arrive, like all others; if the scan then evaluates a rule with late records
/// again in time order (`ScanScheduler.exactAggregates`), the collector drops that rule's
/// findings of this pass (`FindingCollector.removeAll(ofRules:)`). (They were held back in memory
/// until the end before: one full finding per hit, 15 MB of a 4 GB scan's peak.)
struct OrderedMerger {
    let evaluator: RuleEvaluator
    private var gapFingerprints: Set<String> = []
    /// Chunks merged, read again, and files whose rest was read sequentially (`ChunkChain.Verdict`).
    var chunks = ChunkCounts()
    init(evaluator: RuleEvaluator) {
        self.evaluator = evaluator
    }

    /// A finding of the sequential path (record rules and aggregates from one call).
    @inline(__always)
    mutating func add(_ f: Finding, fileOrder: Int, into collected: inout FindingCollector) {
        collected.add(f, fileOrder: fileOrder)
    }

    mutating func add(_ f: Finding, isGap: Bool, fileOrder: Int, into collected: inout FindingCollector) {
        if isGap && !gapFingerprints.insert(f.fingerprint).inserted { return }
        collected.add(f, fileOrder: fileOrder)
    }

    mutating func merge(_ r: UnitResult, fileOrder: Int, lineOffset: Int, indexOffset: Int,
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

/// Units handed to workers (and to the merging thread while it waits) in order, at most `window`
/// ahead of the merge; results taken in order.
final class UnitQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let units: [ScanUnit]
    private let window: Int
    private var next = 0
    private var merged = 0
    private var results: [Int: UnitResult] = [:]

    init(units: [ScanUnit], window: Int) {
        self.units = units
        self.window = window
    }

    func claim() -> (Int, ScanUnit)? {
        condition.lock()
        defer { condition.unlock() }
        while next < units.count && next - merged >= window { condition.wait() }
        guard next < units.count else { return nil }
        let k = next
        next += 1
        return (k, units[k])
    }

    func complete(_ k: Int, _ r: UnitResult) {
        condition.lock()
        results[k] = r
        condition.broadcast()
        condition.unlock()
    }

    /// What the merging thread does next: merge unit `k`'s result when it is there, else evaluate
    /// a unit itself when the window allows one more, else wait for either.
    enum Next {
        case result(UnitResult)
        case unit(Int, ScanUnit)
    }

    func takeOrClaim(_ k: Int) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let r = results.removeValue(forKey: k) {
                merged = k + 1
                condition.broadcast()
                return .result(r)
            }
            if next < units.count && next - merged < window {
                let c = next
                next += 1
                return .unit(c, units[c])
            }
            condition.wait()
        }
    }
}
