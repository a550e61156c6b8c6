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
struct FindingCollector {
    fileprivate struct Item {
        var fileOrder: Int
        var index: Int
        var ruleID: String
        var seq: Int
        var occurrences: Int
        var stored: Stored
    }
    /// Boxed, so that an item costs a few words whether its finding is in memory or spilled (an
    /// enum holding a `Finding` inline would be the size of a `Finding` for spilled items too).
    fileprivate enum Stored {
        case memory(FindingBox)
        case spilled(offset: Int64, length: Int)
    }
    fileprivate final class FindingBox {
        let finding: Finding
        init(_ finding: Finding) { self.finding = finding }
    }
    /// The per-occurrence part of a finding, in a compact binary form (`SpillCoder`): JSON cost
    /// ~0.1 ms per finding to write and read back, on the merging thread.
    fileprivate struct Spilled {
        var severity: Severity
        var findingClass: FindingClass
        var locator: Locator
        var time: Int64?
        var evidence: [Evidence]
        var persons: [String: String]
        var fingerprint: String
        var detail: Localized?
    }
    fileprivate struct Shared {
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
    /// otherwise: 5,000 findings are ~5–10 MB; spilling costs ~0.1 ms of encoding and decoding per
    /// finding (JSON), which small runs are spared.
    static let defaultKeepInMemory = 5_000

    init(keepInMemory: Int? = nil) {
        self.keepInMemory = keepInMemory
            ?? ProcessInfo.processInfo.environment["TRENNWAND_SPILL_AFTER"].flatMap { Int($0) }.map { max(0, $0) }
            ?? Self.defaultKeepInMemory
    }

    mutating func add(_ f: Finding, fileOrder: Int) {
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
    func sorted() -> FindingList {
        FindingList(items: items.sorted {
            if $0.fileOrder != $1.fileOrder { return $0.fileOrder < $1.fileOrder }
            if $0.index != $1.index { return $0.index < $1.index }
            if $0.ruleID != $1.ruleID { return $0.ruleID < $1.ruleID }
            return $0.seq < $1.seq
        }, shared: shared, spill: spill)
    }
}

/// The findings of a scan in report order: a random-access collection whose spilled elements are
/// decoded from the spill file each time they are read (keep a finding in a local while using
/// it). A spill file that cannot be read back (a vanished or failing disk) is a fatal I/O error:
/// the alternative would be a report silently missing findings.
final class FindingList: RandomAccessCollection, @unchecked Sendable {
    fileprivate let items: [FindingCollector.Item]
    fileprivate let shared: [String: FindingCollector.Shared]
    private let spill: SpillFile?

    fileprivate init(items: [FindingCollector.Item], shared: [String: FindingCollector.Shared], spill: SpillFile?) {
        self.items = items
        self.shared = shared
        self.spill = spill
    }

    /// A list of findings held in memory (tests, tools).
    convenience init(_ findings: [Finding]) {
        self.init(items: findings.enumerated().map {
            FindingCollector.Item(fileOrder: 0, index: $1.locator.index, ruleID: $1.ruleID, seq: $0,
                                  occurrences: $1.occurrences, stored: .memory(FindingCollector.FindingBox($1)))
        }, shared: [:], spill: nil)
    }

    var startIndex: Int { 0 }
    var endIndex: Int { items.count }

    subscript(i: Int) -> Finding {
        let item = items[i]
        var f: Finding
        switch item.stored {
        case .memory(let m):
            f = m.finding
        case .spilled(let offset, let length):
            guard let spill, let data = spill.read(offset: offset, length: length),
                  let part = SpillCoder.decode(data), let s = shared[item.ruleID] else {
                writeStderr("trennwand: spilled findings unreadable at offset \(offset) of the temporary file\n")
                exit(3)
            }
            f = Finding(ruleID: item.ruleID, title: s.title, severity: part.severity, findingClass: part.findingClass,
                        norms: s.norms, locator: part.locator, time: part.time, evidence: part.evidence,
                        persons: part.persons, remediation: s.remediation, fingerprint: part.fingerprint,
                        detail: part.detail)
        }
        f.occurrences = item.occurrences
        return f
    }
}

/// Length-prefixed binary form of a spilled finding part (private to one process and run: no
/// versioning). Decoding checks every length and tag and returns nil on anything malformed.
private enum SpillCoder {
    static func encode(_ p: FindingCollector.Spilled) -> Data {
        var w = Writer()
        w.string(p.severity.rawValue)
        w.string(p.findingClass.rawValue)
        w.string(p.locator.file)
        w.int(p.locator.line)
        w.optionalInt(p.locator.column)
        w.int(Int(p.locator.byteOffset))
        w.int(p.locator.index)
        w.optionalString(p.locator.recordID)
        w.optionalInt(p.time.map(Int.init))
        w.int(p.evidence.count)
        for e in p.evidence {
            w.string(e.field)
            w.optionalString(e.detector)
            w.string(e.value)
            w.optionalInt(e.piece)
            w.optionalInt(e.range?.lowerBound)
            w.optionalInt(e.range?.upperBound)
        }
        w.int(p.persons.count)
        for (k, v) in p.persons.sorted(by: { $0.key < $1.key }) {
            w.string(k)
            w.string(v)
        }
        w.string(p.fingerprint)
        w.optionalString(p.detail?.de)
        w.optionalString(p.detail?.en)
        return Data(w.bytes)
    }

    static func decode(_ data: Data) -> FindingCollector.Spilled? {
        var r = Reader(bytes: [UInt8](data))
        guard let severity = r.string().flatMap(Severity.init(rawValue:)),
              let findingClass = r.string().flatMap(FindingClass.init(rawValue:)),
              let file = r.string(), let line = r.int(), let column = r.optionalInt(), let byteOffset = r.int(),
              let index = r.int(), let recordID = r.optionalString(), let time = r.optionalInt(),
              let evidenceCount = r.int(), evidenceCount >= 0 else { return nil }
        var evidence: [Evidence] = []
        for _ in 0..<evidenceCount {
            guard let field = r.string(), let detector = r.optionalString(), let value = r.string(),
                  let piece = r.optionalInt(), let lower = r.optionalInt(), let upper = r.optionalInt() else { return nil }
            var range: Range<Int>?
            if let lower, let upper {
                guard lower <= upper else { return nil }
                range = lower..<upper
            }
            evidence.append(Evidence(field: field, detector: detector, value: value, piece: piece, range: range))
        }
        guard let personCount = r.int(), personCount >= 0 else { return nil }
        var persons: [String: String] = [:]
        for _ in 0..<personCount {
            guard let k = r.string(), let v = r.string() else { return nil }
            persons[k] = v
        }
        guard let fingerprint = r.string(), let de = r.optionalString(), let en = r.optionalString(), r.atEnd else { return nil }
        let locator = Locator(file: file, line: line, column: column, byteOffset: Int64(byteOffset), index: index,
                              recordID: recordID)
        return FindingCollector.Spilled(
            severity: severity, findingClass: findingClass, locator: locator, time: time.map(Int64.init),
            evidence: evidence, persons: persons, fingerprint: fingerprint,
            detail: de.flatMap { d in en.map { Localized(de: d, en: $0) } })
    }

    struct Writer {
        var bytes: [UInt8] = []
        mutating func int(_ v: Int) { withUnsafeBytes(of: Int64(v).littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func string(_ s: String) {
            int(s.utf8.count)
            bytes.append(contentsOf: s.utf8)
        }
        mutating func optionalInt(_ v: Int?) {
            if let v { bytes.append(1); int(v) } else { bytes.append(0) }
        }
        mutating func optionalString(_ s: String?) {
            if let s { bytes.append(1); string(s) } else { bytes.append(0) }
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0
        var atEnd: Bool { at == bytes.count }
        mutating func int() -> Int? {
            guard at + 8 <= bytes.count else { return nil }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
            at += 8
            return Int(Int64(bitPattern: v))
        }
        mutating func string() -> String? {
            guard let n = int(), n >= 0, at + n <= bytes.count else { return nil }
            defer { at += n }
            return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
        }
        mutating func flag() -> Bool? {
            guard at < bytes.count, bytes[at] <= 1 else { return nil }
            defer { at += 1 }
            return bytes[at] == 1
        }
        /// `.some(nil)` for an absent value, nil when malformed.
        mutating func optionalInt() -> Int?? {
            guard let present = flag() else { return nil }
            return present ? int().map { .some($0) } : .some(nil)
        }
        mutating func optionalString() -> String?? {
            guard let present = flag() else { return nil }
            return present ? string().map { .some($0) } : .some(nil)
        }
    }
}

/// An anonymous temporary file (unlinked right after creation) for findings during a scan.
final class SpillFile {
    private let fd: Int32
    private var size: Int64 = 0

    init?() {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((dir + "/trennwand-findings-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends `data`; returns its offset, or nil if the write failed (disk full: the caller keeps
    /// the finding in memory).
    func append(_ data: Data) -> Int64? {
        let offset = size
        let ok = data.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = pwrite(fd, buf.baseAddress! + done, buf.count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        guard ok else { return nil }
        size += Int64(data.count)
        return offset
    }

    func read(offset: Int64, length: Int) -> Data? {
        var data = Data(count: length)
        let ok = data.withUnsafeMutableBytes { buf -> Bool in
            var done = 0
            while done < length {
                let n = pread(fd, buf.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        return ok ? data : nil
    }
}
