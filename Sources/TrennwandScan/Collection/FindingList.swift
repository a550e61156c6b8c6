import Foundation
import TrennwandFindings
import TrennwandRecords

/// The findings of a scan in report order: a random-access collection whose spilled elements are
/// decoded from the spill file each time they are read (keep a finding in a local while using
/// it). A spill file that cannot be read back (a vanished or failing disk) is a fatal I/O error:
/// the alternative would be a report silently missing findings.
package final class FindingList: RandomAccessCollection, @unchecked Sendable {
    let items: [FindingCollector.Item]
    let shared: [String: FindingCollector.Shared]
    private let spill: SpillFile?

    init(items: [FindingCollector.Item], shared: [String: FindingCollector.Shared], spill: SpillFile?) {
        self.items = items
        self.shared = shared
        self.spill = spill
    }

    /// A list of findings held in memory (tests, tools).
    package convenience init(_ findings: [Finding]) {
        self.init(items: findings.enumerated().map {
            FindingCollector.Item(fileOrder: 0, index: $1.locator.index, ruleID: $1.ruleID, seq: $0,
                                  occurrences: $1.occurrences, stored: .memory(FindingCollector.FindingBox($1)))
        }, shared: [:], spill: nil)
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { items.count }

    package subscript(i: Int) -> Finding { finding(at: i, occurrencesUpTo: Int.max) }

    /// The finding at `i` with at most `limit` records listed (the first included; `occurrences`
    /// keeps the full count): the state store keeps 1,000, grouping by file needs only the first.
    package func finding(at i: Int, occurrencesUpTo limit: Int) -> Finding {
        let item = items[i]
        var f: Finding
        switch item.stored {
        case .memory(let m):
            f = m.finding
        case .spilled(let offset, let length):
            guard let spill, let data = spill.read(offset: offset, length: length),
                  let part = SpillCoder.decode(data), let s = shared[item.ruleID] else {
                Self.unreadable(offset: offset)
            }
            f = Finding(ruleID: item.ruleID, title: s.title, severity: part.severity, findingClass: part.findingClass,
                        norms: s.norms, locator: part.locator, time: part.time, evidence: part.evidence,
                        persons: part.persons, remediation: s.remediation, fingerprint: part.fingerprint,
                        detail: part.detail)
        }
        let listed = f.others.count + item.others.count + Int(item.othersSpilled)
        let room = Swift.max(0, limit - 1)
        f.others += item.others
        if f.others.count >= room {
            f.others.removeSubrange(room...)
        } else if let tail = item.othersTail {
            f.others += spilledOthers(from: tail, count: Int(item.othersSpilled), keepFirst: room - f.others.count)
        }
        f.occurrences = Swift.max(item.occurrences, 1 + listed)
        return f
    }

    /// The spilled occurrences of a finding, read back along their chain (last to first) and
    /// returned in arrival order.
    /// Only the first `keepFirst` (in arrival order) are kept; the chain is walked whole.
    private func spilledOthers(from tail: FindingCollector.SpillPosition, count: Int, keepFirst: Int) -> [Occurrence] {
        var out: [Occurrence] = []
        let skip = Swift.max(0, count - keepFirst)
        out.reserveCapacity(count - skip)
        var at: FindingCollector.SpillPosition? = tail
        var walked = 0
        while let p = at, walked < count {
            guard let spill, let data = spill.read(offset: p.offset, length: Int(p.length)),
                  let (o, previous) = SpillCoder.decodeOccurrence(data) else {
                Self.unreadable(offset: p.offset)
            }
            if walked >= skip { out.append(o) }
            walked += 1
            at = previous
        }
        guard walked == count else { Self.unreadable(offset: tail.offset) }
        return out.reversed()
    }

    /// A report missing findings would be worse than no report: the message goes to standard
    /// error with write(2) (never traps on a closed descriptor) and the process ends with 3, the
    /// CLI's I/O error. A subscript of a collection cannot throw.
    private static func unreadable(offset: Int64) -> Never {
        let line = Array("trennwand: spilled findings unreadable at offset \(offset) of the temporary file\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        exit(3)
    }
}
