import Foundation
import TrennwandFindings
import TrennwandRecords

/// Length-prefixed binary form of a spilled finding part (private to one process and run: no
/// versioning). Decoding checks every length and tag and returns nil on anything malformed.
enum SpillCoder {
    static func encode(_ p: FindingCollector.Spilled) -> Data {
        var w = Writer()
        w.string(p.severity.rawValue)
        w.string(p.findingClass.rawValue)
        w.locator(p.locator)
        w.optionalInt(p.time.map(Int.init))
        w.evidence(p.evidence)
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

    /// A spilled occurrence with the position of its finding's previous spilled occurrence
    /// (a backward chain: the finding keeps only the last position).
    static func encode(_ o: Occurrence, previous: FindingCollector.SpillPosition?) -> Data {
        var w = Writer()
        w.optionalInt(previous.map { Int($0.offset) })
        w.optionalInt(previous.map { Int($0.length) })
        w.locator(o.locator)
        w.optionalInt(o.time.map(Int.init))
        w.evidence(o.evidence)
        return Data(w.bytes)
    }

    static func decodeOccurrence(_ bytes: [UInt8]) -> (Occurrence, previous: FindingCollector.SpillPosition?)? {
        var r = Reader(bytes: bytes)
        guard let prevOffset = r.optionalInt(), let prevLength = r.optionalInt(),
              let locator = r.locator(), let time = r.optionalInt(), let evidence = r.evidence() else { return nil }
        guard r.atEnd else { return nil }
        var previous: FindingCollector.SpillPosition?
        if let prevOffset, let prevLength, prevOffset >= 0, prevLength >= 0, let length = Int32(exactly: prevLength) {
            previous = FindingCollector.SpillPosition(offset: Int64(prevOffset), length: length)
        } else if prevOffset != nil || prevLength != nil {
            return nil
        }
        return (Occurrence(locator: locator, time: time.map(Int64.init), evidence: evidence), previous)
    }

    static func decode(_ bytes: [UInt8]) -> FindingCollector.Spilled? {
        var r = Reader(bytes: bytes)
        guard let severity = r.string().flatMap(Severity.init(rawValue:)),
              let findingClass = r.string().flatMap(FindingClass.init(rawValue:)),
              let locator = r.locator(), let time = r.optionalInt(), let evidence = r.evidence() else { return nil }
        guard let personCount = r.int(), personCount >= 0 else { return nil }
        var persons: [String: String] = [:]
        for _ in 0..<personCount {
            guard let k = r.string(), let v = r.string() else { return nil }
            persons[k] = v
        }
        guard let fingerprint = r.string(), let de = r.optionalString(), let en = r.optionalString(), r.atEnd else { return nil }
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
        /// A record's place, the same way in a spilled finding and a spilled occurrence.
        mutating func locator(_ l: Locator) {
            string(l.file)
            int(l.line)
            optionalInt(l.column)
            int(Int(l.byteOffset))
            int(l.index)
            optionalString(l.recordID)
        }
        mutating func evidence(_ list: [Evidence]) {
            int(list.count)
            for e in list {
                string(e.field)
                optionalString(e.detector)
                string(e.value)
                optionalInt(e.piece)
                optionalInt(e.range?.lowerBound)
                optionalInt(e.range?.upperBound)
            }
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
        /// `Writer.locator`'s fields; nil when malformed.
        mutating func locator() -> Locator? {
            guard let file = string(), let line = int(), let column = optionalInt(), let byteOffset = int(),
                  let index = int(), let recordID = optionalString() else { return nil }
            return Locator(file: file, line: line, column: column, byteOffset: Int64(byteOffset), index: index, recordID: recordID)
        }
        /// `Writer.evidence`'s list; nil when malformed (a negative count, a reversed range).
        mutating func evidence() -> [Evidence]? {
            guard let count = int(), count >= 0 else { return nil }
            var list: [Evidence] = []
            for _ in 0..<count {
                guard let field = string(), let detector = optionalString(), let value = string(),
                      let piece = optionalInt(), let lower = optionalInt(), let upper = optionalInt() else { return nil }
                var range: Range<Int>?
                if let lower, let upper {
                    guard lower <= upper else { return nil }
                    range = lower..<upper
                }
                list.append(Evidence(field: field, detector: detector, value: value, piece: piece, range: range))
            }
            return list
        }
    }
}
