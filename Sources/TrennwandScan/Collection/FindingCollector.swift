import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Collapses findings with the same fingerprint (counting occurrences) and orders them
/// deterministically: by input, record index, rule, then arrival.
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

    /// A fingerprint (32 lower-case hex digits) as two words: 16 bytes per key instead of a
    /// heap-allocated string; anything else is kept as the string.
    private struct FingerprintKey: Hashable {
        let hi: UInt64, lo: UInt64
        let other: String?
        init(_ s: String) {
            let u = s.utf8
            if u.count == 32, u.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }),
               let hi = UInt64(s.prefix(16), radix: 16), let lo = UInt64(s.suffix(16), radix: 16) {
                self.hi = hi
                self.lo = lo
                other = nil
            } else {
                hi = 0
                lo = 0
                other = s
            }
        }
    }
    private var items: [Item] = []
    private var shared: [String: Shared] = [:]
    private var spill: SpillFile?
    private var spillTried = false
    private let keepInMemory: Int

    /// Findings kept in memory before spilling starts, unless `TRENNWAND_SPILL_AFTER` says
    /// otherwise: 5,000 findings are ~5–10 MB; spilling costs encoding and decoding per
    /// finding, which small runs are spared.
    static let defaultKeepInMemory = 5_000

    package init(keepInMemory: Int? = nil) {
        self.keepInMemory = keepInMemory
            ?? ProcessInfo.processInfo.environment["TRENNWAND_SPILL_AFTER"].flatMap { Int($0) }.map { max(0, $0) }
            ?? Self.defaultKeepInMemory
    }

    package mutating func add(_ f: Finding, fileOrder: Int) {
        let key = FingerprintKey(f.fingerprint)
        if let i = byFingerprint[key] {
            items[i].occurrences += 1
            return
        }
        byFingerprint[key] = items.count
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
        items.append(Item(fileOrder: fileOrder, index: f.locator.index, ruleID: f.ruleID, seq: items.count,
                          occurrences: f.occurrences, stored: stored))
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
