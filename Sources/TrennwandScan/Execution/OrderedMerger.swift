import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Per chunked file (CSV, JSON Lines) while its chunks are merged: the running account and where the next chunk starts.
struct FileMergeState {
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
struct OrderedMerger {
    let evaluator: RuleEvaluator
    private var gapFingerprints: Set<String> = []
    var reparsedChunks = 0

    init(evaluator: RuleEvaluator) { self.evaluator = evaluator }

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

/// Units handed to workers in order, at most `window` ahead of the merge; results taken in order.
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

    func take(_ k: Int) -> UnitResult {
        condition.lock()
        defer { condition.unlock() }
        while results[k] == nil { condition.wait() }
        let r = results.removeValue(forKey: k)!
        merged = k + 1
        condition.broadcast()
        return r
    }
}
