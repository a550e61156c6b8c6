import TrennwandEngine
import TrennwandPlan
import TrennwandRecords

/// A lookup join of the plan (`exists`, `lookup value`) compiled for batches: the reference
/// table's hash index on the key term, the other terms, the validity interval. Per batch it
/// gives, for every row, the first matching reference row in table order, or none.
///
/// The same reading as the closure evaluator's `rowFn` (ConditionCompiler): one probe on the key
/// term (`equals` first, else `has`), a `covers` key probed with the category and each of its
/// ancestors, the other terms and the validity checked on the candidates; a missing key or time
/// finds no row (`ReferenceIndex.firstRow`, shared). Configuration gaps (a value lookup that
/// misses) are reported by the rule evaluator for the rows a rule leaves unknown.
///
/// Why it keeps state: the result of a batch is computed once, for the rows asked for, however
/// many nodes (and, through `BatchLookupCache`, rules) read it; and the index's candidates are
/// remembered per key in a `ByteKeyTable`, so a key met again is not hashed with SipHash again.
/// One worker's: not for use by two threads at once (each worker compiles its own).
package final class BatchLookup: @unchecked Sendable {
    let table: RecordKind
    let index: ReferenceIndex
    let key: BatchOperand
    let byAncestors: Bool
    let others: [(column: Int, op: LookupTermOp, value: BatchOperand)]
    let at: BatchOperand?

    /// Key bytes → position in `candidateLists`: this lookup's own copies of the index's
    /// candidates (the index's arrays are shared by all workers, and retaining the same array
    /// from two threads made its reference count a contended cache line: a 2-thread scan spent
    /// 2.7 times the retain/release samples here), as buffers, handed out without retaining.
    private let known = ByteKeyTable()
    private var candidateLists: [UnsafeBufferPointer<Int32>] = []
    /// Most keys remembered; beyond it keys are probed in the index directly (memory stays bounded
    /// for keys such as customer numbers with millions of values). Checked per search, which may
    /// remember the few ancestor keys it probes past it.
    static let maxKnownKeys = 65_536

    /// The matches of the batch `memoOf` (held, with its generation) per row; `notComputed` for
    /// rows not asked for yet.
    private var memo: [Int32] = []
    private var memoOf: (batch: RecordBatch, generation: UInt64)?
    static let notComputed: Int32 = -2

    /// The record's values of the other terms for the row being computed (reused, not made per row).
    private var otherValues: [ByteString] = []

    /// Whether the match depends on the key alone (no validity time, the other terms against
    /// constants): then the last key's match is kept. Consecutive records often share the key (a
    /// participant's notes nested under the participant in an XML export); the documentation
    /// rules' two participant lookups computed 22,400 of 43,700 matches on 8 MB of the XML bench
    /// export (~870 instructions each; issue 20, fourteenth stop).
    private let keyOnly: Bool
    private var lastMatchKey = ByteString.empty
    private var lastMatch: Int?

    /// This lookup's own copies of reference columns, by column, row by row (made on first use):
    /// like the candidates, because reading `index.rows[r].values` per candidate or value
    /// retained two arrays that every worker shares (closure of `compute`: 0.6 % of a one-thread
    /// XML scan in retains and releases, 1.5 % with two threads contending for the same lines).
    private var ownColumns: [UnsafeMutableBufferPointer<Value>?] = []
    /// The other terms' columns among them, one per term (read per candidate).
    private let otherCells: [UnsafeMutableBufferPointer<Value>]

    init(table: RecordKind, index: ReferenceIndex, key: BatchOperand, byAncestors: Bool,
         others: [(column: Int, op: LookupTermOp, value: BatchOperand)], at: BatchOperand?) {
        self.table = table
        self.index = index
        self.key = key
        self.byAncestors = byAncestors
        self.others = others
        self.at = at
        keyOnly = at == nil && others.allSatisfy { term in
            switch term.value {
            case .string, .number, .seconds, .bool, .null, .list: return true
            default: return false
            }
        }
        var own: [UnsafeMutableBufferPointer<Value>?] = []
        otherCells = others.map { Self.ownColumn($0.column, of: index, in: &own) }
        ownColumns = own
    }

    /// Column `column` of reference row `row` (a looked-up value), from this lookup's own copy.
    func cell(_ row: Int, _ column: Int) -> Value {
        if column < ownColumns.count, let cells = ownColumns[column] { return cells[row] }
        return Self.ownColumn(column, of: index, in: &ownColumns)[row]
    }

    /// The copy of `column` in `columns`, made when absent; a list gets storage of its own (a list
    /// copied with `Array(_:)` would share it).
    private static func ownColumn(_ column: Int, of index: ReferenceIndex,
                                  in columns: inout [UnsafeMutableBufferPointer<Value>?]) -> UnsafeMutableBufferPointer<Value> {
        if column < columns.count, let cells = columns[column] { return cells }
        if column >= columns.count { columns += Array(repeating: nil, count: column + 1 - columns.count) }
        let cells = UnsafeMutableBufferPointer<Value>.allocate(capacity: index.rows.count)
        for (r, rec) in index.rows.enumerated() {
            let v = rec.values[column]
            if case .list(let l) = v { (cells.baseAddress! + r).initialize(to: .list(l.map { $0 })) } else { (cells.baseAddress! + r).initialize(to: v) }
        }
        columns[column] = cells
        return cells
    }

    /// The matching reference row of every row of `selection` (nil: every row) — -1 for none —
    /// in an array over all rows of the batch (other rows: `notComputed` unless asked for before).
    func rows(_ batch: RecordBatch, _ env: BatchEnvironment, selection: [UInt64]?) -> [Int32] {
        beginBatch(batch)
        BatchFilter.forEach(batch.count, selection) { row in
            if memo[row] == Self.notComputed { memo[row] = Int32(compute(batch, env, row)) }
        }
        return memo
    }

    /// The matching reference row of batch row `row`, -1 for none.
    func row(_ batch: RecordBatch, _ env: BatchEnvironment, _ row: Int) -> Int {
        beginBatch(batch)
        if memo[row] == Self.notComputed { memo[row] = Int32(compute(batch, env, row)) }
        return Int(memo[row])
    }

    private func beginBatch(_ batch: RecordBatch) {
        if memoOf?.batch === batch && memoOf?.generation == batch.generation { return }
        memoOf = (batch, batch.generation)
        if memo.count < batch.capacity { memo = Array(repeating: Self.notComputed, count: batch.capacity) } else {
            for i in memo.indices { memo[i] = Self.notComputed }
        }
    }

    deinit {
        for c in candidateLists { c.deallocate() }
        for c in ownColumns.compactMap({ $0 }) {
            c.baseAddress?.deinitialize(count: c.count)
            c.deallocate()
        }
    }

    /// The key asked for last and the position of its candidates: consecutive records often share
    /// the key (an XML export nests a participant's notes under the participant, 4.5 on average
    /// in the bench export), and comparing two short keys costs less than a probe into a table of
    /// tens of thousands of keys (candidates 3.7 → 3.1 % of a one-thread XML scan's samples; the
    /// rest is the first probe of each key, a cache miss in a table that size).
    private var lastKey = ByteString.empty
    private var lastList = -1

    /// The candidates of `key`, remembered.
    private func candidates(_ key: ByteString) -> UnsafeBufferPointer<Int32> {
        if lastList >= 0, key == lastKey { return candidateLists[lastList] }
        let list: Int
        if let i = known.value(for: key) {
            list = Int(i)
        } else {
            let c = index.candidates(key)
            let own = UnsafeMutableBufferPointer<Int32>.allocate(capacity: c.count)
            _ = own.initialize(from: c)
            list = candidateLists.count
            known.set(Int32(list), for: key)
            candidateLists.append(UnsafeBufferPointer(own))
        }
        lastKey = key
        lastList = list
        return candidateLists[list]
    }

    /// `ReferenceIndex.firstRow` with the remembered candidates while there is room for more keys,
    /// else with the index's own.
    @inline(__always)
    private func firstRow(_ k: ByteString, _ time: Int64?, _ matches: (Int) -> Bool?) -> ReferenceIndex.RowSearch {
        if candidateLists.count < Self.maxKnownKeys {
            // A closure, not the method itself: a method reference retained and released `self`
            // per search (2 % of a CSV scan).
            return index.firstRow(key: k, byAncestors: byAncestors, at: time, candidates: { candidates($0) }, matches: matches)
        }
        return index.firstRow(key: k, byAncestors: byAncestors, at: time, matches: matches)
    }

    private func compute(_ batch: RecordBatch, _ env: BatchEnvironment, _ row: Int) -> Int {
        guard case .text(let k)? = BatchFilter.scalar(key, row, batch, env) else { return -1 }
        if keyOnly {
            if let match = lastMatch, k == lastMatchKey { return match }
            let match = search(k, batch, env, row)
            lastMatchKey = k
            lastMatch = match
            return match
        }
        return search(k, batch, env, row)
    }

    /// The first matching reference row for key `k` of batch row `row`, -1 for none.
    private func search(_ k: ByteString, _ batch: RecordBatch, _ env: BatchEnvironment, _ row: Int) -> Int {
        var time: Int64 = 0
        if let at {
            guard case .int(let t)? = BatchFilter.scalar(at, row, batch, env) else { return -1 }
            time = t
        }
        let found: ReferenceIndex.RowSearch
        if others.isEmpty {
            found = firstRow(k, at == nil ? nil : time) { _ in true }
        } else {
            otherValues.removeAll(keepingCapacity: true)
            for term in others {
                guard case .text(let v)? = BatchFilter.scalar(term.value, row, batch, env) else { return -1 }
                otherValues.append(v)
            }
            found = firstRow(k, at == nil ? nil : time) { r in
                for t in 0..<others.count where !others[t].op.holds(otherCells[t][r], otherValues[t]) { return false }
                return true
            }
        }
        if case .row(let r) = found { return r }
        return -1
    }
}

/// The lookups of one runner by what they join (record kind, table, terms, validity — lookup
/// aliases aside): rules over the same records that join the same table on the same terms share
/// one `BatchLookup`, and with it its per-batch result.
package final class BatchLookupCache {
    private struct Key: Hashable {
        var kind: RecordKind
        var lookup: PlanLookup
    }
    private var lookups: [Key: BatchLookup] = [:]

    package init() {}

    /// The lookup of `l` over records of `kind` (the kind is part of the key: `r.subject` is a
    /// different column slot in another record table).
    func lookup(_ l: PlanLookup, kind: RecordKind, make: () throws -> BatchLookup) rethrows -> BatchLookup {
        // The plan's own printed form with the lookup's alias made neutral: equal text, equal join.
        var neutral = l
        neutral.alias = "_"
        neutral.terms = l.terms.map { t in
            var t = t
            if t.column.alias == l.alias { t.column.alias = "_" }
            return t
        }
        if let v = l.validity {
            var start = v.start, end = v.end
            if start.alias == l.alias { start.alias = "_" }
            if end?.alias == l.alias { end?.alias = "_" }
            neutral.validity = (start, end, v.at)
        }
        // (A structural key: the printed form via String(reflecting:) was 7 % of a scan's start.)
        let key = Key(kind: kind, lookup: neutral)
        if let known = lookups[key] { return known }
        let made = try make()
        lookups[key] = made
        return made
    }
}
