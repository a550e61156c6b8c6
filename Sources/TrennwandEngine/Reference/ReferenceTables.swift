// Reference: the Stammdaten (staff, secondments, agreements, consents, participants, offers) that
// rule conditions look up. The CLI loads them through profiles and hands them over; the expression
// compiler asks for hash indexes while compiling, so evaluation is one hash probe per lookup.
import Foundation
import TrennwandRecords

/// The reference tables of one run: normalised records per reference kind, in file order, plus
/// hash indexes built on demand at compile time.
///
/// Building indexes is serialised by a lock; evaluation never takes it, because compiled
/// conditions capture the immutable `ReferenceIndex` objects directly. Safe to share across
/// threads once built.
public final class ReferenceTables: @unchecked Sendable {
    private let tables: [RecordKind: [Record]]
    private var indexes: [IndexKey: ReferenceIndex] = [:]
    private let lock = NSLock()

    private struct IndexKey: Hashable {
        var kind: RecordKind
        var column: Int
    }

    /// Tables by kind; each record must be of the kind it is filed under (others are ignored).
    public init(_ tables: [RecordKind: [Record]] = [:]) {
        var clean: [RecordKind: [Record]] = [:]
        for (kind, rows) in tables where kind.isLookupTable {
            clean[kind] = rows.filter { $0.kind == kind }
        }
        self.tables = clean
    }

    /// No reference data at all: every lookup misses (and reports a configuration gap).
    public static let empty = ReferenceTables()

    /// The rows of one table in file order.
    public func rows(_ kind: RecordKind) -> [Record] { tables[kind] ?? [] }

    /// The validity columns of a table (`start`/`end` slots); nil for tables without validity.
    /// A missing start or end value means open-ended on that side. A documentation entry is valid
    /// from its `time` on, with no end (`documentation(record_id == entry) at time`: the entry
    /// existed when it was read).
    public static func validity(of kind: RecordKind) -> (start: Int, end: Int?, names: (String, String?))? {
        let names: (String, String?)
        switch kind {
        case .secondments, .participants: names = ("start", "end")
        case .agreements: names = ("valid_from", "valid_to")
        case .consents: names = ("given", "revoked")
        case .documentation: names = ("time", nil)
        default: return nil
        }
        let s = kind.schema
        guard let a = s.slot(names.0) else { return nil }
        guard let endName = names.1 else { return (a, nil, names) }
        guard let b = s.slot(endName) else { return nil }
        return (a, b, names)
    }

    /// The hash index of `kind` on the field at `column` (built once, then shared).
    public func index(_ kind: RecordKind, column: Int) -> ReferenceIndex {
        lock.lock()
        defer { lock.unlock() }
        let key = IndexKey(kind: kind, column: column)
        if let existing = indexes[key] { return existing }
        let built = ReferenceIndex(rows: rows(kind), column: column, validity: ReferenceTables.validity(of: kind).map { ($0.start, $0.end) })
        indexes[key] = built
        return built
    }
}

/// A hash index over one column of one reference table: key → row numbers in table order.
/// A list column indexes every element, so `roles contains x` is one probe too.
public final class ReferenceIndex: Sendable {
    public let rows: [Record]
    public let column: Int
    let map: [ByteString: [Int32]]
    let validity: (start: Int, end: Int?)?
    /// Per row: the validity bounds as plain integers (`Int64.min` / `Int64.max` when open), so
    /// that a check reads no `Record` (its values array is shared by every scan worker, and
    /// retaining it from two threads made its reference count a contended cache line).
    private let validFrom: [Int64]
    private let validTo: [Int64]
    static let none: [Int32] = []

    init(rows: [Record], column: Int, validity: (Int, Int?)?) {
        self.rows = rows
        self.column = column
        self.validity = validity.map { (start: $0.0, end: $0.1) }
        var from: [Int64] = [], to: [Int64] = []
        if let (start, end) = validity {
            for r in rows {
                if case .time(let t) = r.values[start] { from.append(t) } else { from.append(.min) }
                if let end, case .time(let t) = r.values[end] { to.append(t) } else { to.append(.max) }
            }
        }
        validFrom = from
        validTo = to
        var map: [ByteString: [Int32]] = [:]
        for (i, r) in rows.enumerated() {
            switch r.values[column] {
            case .string(let s): map[s, default: []].append(Int32(i))
            case .list(let l):
                for s in Set(l) { map[s, default: []].append(Int32(i)) }
            default: break
            }
        }
        self.map = map
    }

    /// Row numbers whose column equals (or, for lists, contains) `key`, in table order.
    @inline(__always)
    public func candidates(_ key: ByteString) -> [Int32] { map[key] ?? ReferenceIndex.none }

    /// The first row in table order whose key column holds `key` — with `byAncestors`, else the
    /// key's nearest ancestor category that has one (`a.b.c`, then `a.b`, then `a`) — that is valid
    /// at `time` (when given) and for which `matches` holds. `matches` returning nil stops the
    /// search (an operand of another term is missing): the result is `.stopped`.
    /// The one reading of a lookup, for the closure evaluator and the batch executor.
    public func firstRow(key k: ByteString, byAncestors: Bool, at time: Int64?, matches: (Int) -> Bool?) -> RowSearch {
        firstRow(key: k, byAncestors: byAncestors, at: time, candidates: candidates, matches: matches)
    }

    /// `firstRow(key:byAncestors:at:matches:)` with the candidates of a key from `candidates`
    /// (the batch executor remembers them per key instead of hashing every row's key again).
    public func firstRow(key k: ByteString, byAncestors: Bool, at time: Int64?, candidates: (ByteString) -> [Int32],
                         matches: (Int) -> Bool?) -> RowSearch {
        search(key: k, byAncestors: byAncestors, at: time, candidates: candidates, matches: matches)
    }

    /// `firstRow(key:byAncestors:at:candidates:matches:)` with candidates as buffers (valid while
    /// the search runs): the batch executor hands out its own copies without retaining an array
    /// per row (2.5 % of a CSV scan in retains and releases).
    public func firstRow(key k: ByteString, byAncestors: Bool, at time: Int64?,
                         candidates: (ByteString) -> UnsafeBufferPointer<Int32>, matches: (Int) -> Bool?) -> RowSearch {
        search(key: k, byAncestors: byAncestors, at: time, candidates: candidates, matches: matches)
    }

    /// The one search of both `firstRow`s (specialised for each: it is generic only here).
    @inline(__always)
    private func search<C: Sequence>(key k: ByteString, byAncestors: Bool, at time: Int64?, candidates: (ByteString) -> C,
                                     matches: (Int) -> Bool?) -> RowSearch where C.Element == Int32 {
        var best = Int.max
        var len = k.count
        while true {
            let probe = len == k.count ? k : k.withUnsafeBytes { ByteString(UnsafeRawBufferPointer(rebasing: $0[..<len])) }
            for c in candidates(probe) {
                let r = Int(c)
                if r >= best { break }
                if let time, !isValid(r, at: time) { continue }
                guard let ok = matches(r) else { return .stopped }
                if ok { best = r; break }
            }
            guard byAncestors,
                  let dot = k.withUnsafeBytes({ UnsafeRawBufferPointer(rebasing: $0[..<len]).lastIndex(of: UInt8(ascii: ".")) })
            else { break }
            len = dot
        }
        return best == Int.max ? .none : .row(best)
    }

    public enum RowSearch: Equatable {
        case row(Int)
        case none
        case stopped
    }

    /// Whether row `r` is valid at `time`: start ≤ time ≤ end, a missing bound is open.
    @inline(__always)
    public func isValid(_ row: Int, at time: Int64) -> Bool {
        guard validity != nil else { return true }
        return validFrom[row] <= time && time <= validTo[row]
    }
}
