import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Collapses findings with the same fingerprint and orders them deterministically: by input,
/// record index, rule, then arrival. Every record merged into a finding after the first is kept as
/// an `Occurrence` (locator, time, masked evidence) in `Finding.others`, in arrival order — the
/// merge order, which is the sequential scan's order for any thread count or chunk size.
///
/// Occurrences: at most `maxOthersPerFinding` (100,000) are kept per finding; beyond that only
/// `occurrences` counts on (`occurrencesTruncated`). The first `othersInMemory` occurrences of
/// the run (default 20,000, ~6 MB; environment `TRENNWAND_SPILL_OCCURRENCES_AFTER`) stay in
/// memory, later ones (and every occurrence of a spilled finding) go to the spill file as a
/// chain: each spilled occurrence holds the position of the previous one of its finding, so a
/// finding costs one position in memory however many occurrences it spilled.
///
/// Memory: the first `keepInMemory` distinct findings (default 5,000; environment
/// `TRENNWAND_SPILL_AFTER`) are kept as they are. Beyond that, each new finding's per-occurrence
/// part (locator, evidence, persons, fingerprint, detail) is appended in a length-prefixed binary
/// form (`SpillCoder`) to an anonymous temporary file (created and unlinked at once, so nothing stays behind even after a kill; it
/// holds only what the report holds: masked evidence, pseudonyms); the rule's shared texts (title,
/// norms, remediation) are kept once per rule. In memory per spilled finding: the sort key, the
/// fingerprint and the file offset (~150 bytes instead of ~1–2.5 KB). `sorted()` returns a
/// `FindingList` that reads spilled findings back one at a time when they are accessed, so the
/// outputs stream them and the peak does not grow with the findings of a large input (a state
/// database or a baseline still collect them per file or per class). Without a usable temporary
/// directory the collector keeps every finding in memory.
package struct FindingCollector {
    struct Item {
        var fileOrder: Int
        var index: Int
        var ruleID: String
        var seq: Int
        var occurrences: Int
        var stored: Stored
        /// Occurrences after the first kept in memory (arrival order).
        var others: [Occurrence] = []
        /// The last spilled occurrence of this finding (the chain's head) and how many were spilled.
        var othersTail: SpillPosition?
        var othersSpilled: Int32 = 0
    }
    /// Where a spilled occurrence is in the spill file.
    struct SpillPosition: Hashable {
        var offset: Int64
        var length: Int32
    }
    /// Boxed, so that an item costs a few words whether its finding is in memory or spilled (an
    /// enum holding a `Finding` inline would be the size of a `Finding` for spilled items too).
    enum Stored {
        case memory(FindingBox)
        case spilled(offset: Int64, length: Int)
    }
    final class FindingBox {
        let finding: Finding
        init(_ finding: Finding) { self.finding = finding }
    }
    /// The per-occurrence part of a finding, in a compact binary form (`SpillCoder`): JSON cost
    /// ~0.1 ms per finding to write and read back, on the merging thread.
    struct Spilled {
        var severity: Severity
        var findingClass: FindingClass
        var locator: Locator
        var time: Int64?
        var evidence: [Evidence]
        var persons: [String: String]
        var fingerprint: String
        var detail: Localized?
    }
    struct Shared {
        var title: Localized
        var norms: [Norm]
        var remediation: Localized
    }

    private var byFingerprint: [FingerprintKey: Int] = [:]
    /// Fingerprints that are not 32 lower-case hex digits (a caller's own): rare, kept apart so
    /// that a key of `byFingerprint` is 16 bytes, not 32.
    private var byOtherFingerprint: [String: Int] = [:]

    /// A fingerprint (32 lower-case hex digits) as two words: 16 bytes per key instead of a
    /// heap-allocated string; nil for anything else.
    private struct FingerprintKey: Hashable {
        let hi: UInt64, lo: UInt64
        init?(_ s: String) {
            let u = s.utf8
            guard u.count == 32, u.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }),
                  let hi = UInt64(s.prefix(16), radix: 16), let lo = UInt64(s.suffix(16), radix: 16) else { return nil }
            self.hi = hi
            self.lo = lo
        }
    }

    /// The item of fingerprint `fp` (`key`: its two words, if it has them), if any.
    private func item(_ key: FingerprintKey?, _ fp: String) -> Int? {
        if let key { return byFingerprint[key] }
        return byOtherFingerprint[fp]
    }

    private mutating func setItem(_ i: Int, _ key: FingerprintKey?, _ fp: String) {
        if let key { byFingerprint[key] = i } else { byOtherFingerprint[fp] = i }
    }
    private var items: [Item] = []
    private var shared: [String: Shared] = [:]
    private var spill: SpillFile?
    private var spillTried = false
    private let keepInMemory: Int
    private let othersInMemory: Int
    private let maxOthers: Int
    private var othersHeld = 0
    /// Arrival number of the next new finding (ties in report order keep arrival order; not
    /// `items.count`, which falls when `removeAll(ofRules:)` drops findings).
    private var nextSeq = 0

    /// Most occurrences listed per finding (beyond it only counted: `occurrencesTruncated`).
    /// 100,000 access lines are far more than an auditor reads, and bound what one finding
    /// costs when it is read back (~30–50 MB at most, one finding at a time).
    package static let maxOthersPerFinding = 100_000
    /// Occurrences of the whole run kept in memory before they spill (~300 bytes each).
    static let defaultOthersInMemory = 20_000

    /// Findings kept in memory before spilling starts, unless `TRENNWAND_SPILL_AFTER` says
    /// otherwise: spilling costs encoding and decoding per finding, which small runs are spared.
    /// 2,500, not 5,000: aggregate findings carry their sample records; on the 4 GB bench corpus
    /// (2 threads) the peak went 97.7–97.9 → 94.2–94.6 MB, and the 1 GB scan's 8,700 findings are
    /// written as fast.
    static let defaultKeepInMemory = 2_500

    package init(keepInMemory: Int? = nil, othersInMemory: Int? = nil, maxOthers: Int = FindingCollector.maxOthersPerFinding) {
        let env = ProcessInfo.processInfo.environment
        self.maxOthers = max(0, maxOthers)
        self.keepInMemory = keepInMemory
            ?? env["TRENNWAND_SPILL_AFTER"].flatMap { Int($0) }.map { max(0, $0) }
            ?? Self.defaultKeepInMemory
        self.othersInMemory = othersInMemory
            ?? env["TRENNWAND_SPILL_OCCURRENCES_AFTER"].flatMap { Int($0) }.map { max(0, $0) }
            ?? Self.defaultOthersInMemory
    }

    package mutating func add(_ f: Finding, fileOrder: Int) {
        let key = FingerprintKey(f.fingerprint)
        if let i = item(key, f.fingerprint) {
            items[i].occurrences += max(1, f.occurrences)
            // A finding merged already (a caller's) brings its own records.
            for o in f.occurrenceList { keepOccurrence(o, item: i) }
            return
        }
        setItem(items.count, key, f.fingerprint)
        var stored = Stored.memory(FindingBox(f))
        if items.count >= keepInMemory {
            if !spillTried {
                spillTried = true
                spill = SpillFile()
            }
            if let spill, shared[f.ruleID].map({ $0.title == f.title && $0.norms == f.norms && $0.remediation == f.remediation }) ?? true {
                if shared[f.ruleID] == nil { shared[f.ruleID] = Shared(title: f.title, norms: f.norms, remediation: f.remediation) }
                let part = Spilled(severity: f.severity, findingClass: f.findingClass, locator: f.locator, time: f.time,
                                   evidence: f.evidence, persons: f.persons, fingerprint: f.fingerprint, detail: f.detail)
                let data = SpillCoder.encode(part)
                if let offset = spill.append(data) {
                    stored = .spilled(offset: offset, length: data.count)
                }
            }
        }
        var first = f
        first.others = []
        if case .memory = stored { stored = .memory(FindingBox(first)) }
        items.append(Item(fileOrder: fileOrder, index: f.locator.index, ruleID: f.ruleID, seq: nextSeq,
                          occurrences: 1 + f.others.count, stored: stored))
        nextSeq += 1
        let i = items.count - 1
        for o in f.others { keepOccurrence(o, item: i) }
        items[i].occurrences = max(items[i].occurrences, f.occurrences)
    }

    /// Drops every finding of `rules`: aggregate rules evaluated again in time order have the
    /// findings of the first pass replaced (`ScanScheduler.exactAggregates`). Spilled parts stay
    /// in the spill file unreferenced.
    package mutating func removeAll(ofRules rules: Set<String>) {
        guard !rules.isEmpty, items.contains(where: { rules.contains($0.ruleID) }) else { return }
        var newIndex = [Int](repeating: -1, count: items.count)
        var kept: [Item] = []
        kept.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            if rules.contains(item.ruleID) {
                othersHeld -= item.others.count
            } else {
                newIndex[i] = kept.count
                kept.append(item)
            }
        }
        items = kept
        byFingerprint = byFingerprint.compactMapValues { newIndex[$0] >= 0 ? newIndex[$0] : nil }
        byOtherFingerprint = byOtherFingerprint.compactMapValues { newIndex[$0] >= 0 ? newIndex[$0] : nil }
    }

    /// Lists an occurrence of item `i`: in memory while the run's budget lasts (and the finding
    /// itself is in memory), else appended to the spill chain; beyond the per-finding cap only counted.
    private mutating func keepOccurrence(_ o: Occurrence, item i: Int) {
        let listed = items[i].others.count + Int(items[i].othersSpilled)
        guard listed < maxOthers else { return }
        var inMemory = items[i].othersTail == nil && othersHeld < othersInMemory
        if case .spilled = items[i].stored { inMemory = false }
        if !inMemory {
            if !spillTried {
                spillTried = true
                spill = SpillFile()
            }
            if let spill {
                let data = SpillCoder.encode(o, previous: items[i].othersTail)
                if let offset = spill.append(data) {
                    items[i].othersTail = SpillPosition(offset: offset, length: Int32(data.count))
                    items[i].othersSpilled += 1
                    return
                }
            }
            // No spill file (or a failed write): kept in memory, as findings are.
            guard items[i].othersTail == nil else { return }
        }
        items[i].others.append(o)
        othersHeld += 1
    }

    /// All findings in report order, spilled ones read back on access.
    package func sorted() -> FindingList {
        FindingList(items: items.sorted {
            if $0.fileOrder != $1.fileOrder { return $0.fileOrder < $1.fileOrder }
            if $0.index != $1.index { return $0.index < $1.index }
            if $0.ruleID != $1.ruleID { return $0.ruleID < $1.ruleID }
            return $0.seq < $1.seq
        }, shared: shared, spill: spill)
    }
}
