import TrennwandEngine
import TrennwandPlan
import TrennwandRecords

/// Evaluates a `BatchCondition` over a `RecordBatch`: one `TriMask` per node, columns read in
/// loops, symbols compared as ids of the worker's `SymbolTable`.
package struct BatchFilter {
    package let condition: BatchCondition

    package init(_ condition: BatchCondition) { self.condition = condition.ordered() }

    /// The rows of `batch` for which the condition is true (the rows that fire).
    package func firing(_ batch: RecordBatch, _ env: BatchEnvironment) -> [Int] {
        Self.evaluate(condition, batch, env).trueRows
    }

    /// The condition's verdict for every row of `batch`. `selection` (a bitmap; nil: every row)
    /// names the rows whose verdict is still needed: `and` passes on only the rows not yet false,
    /// `or` only those not yet true, so costly operands (lookups, detectors, strings) run on the
    /// few rows the cheap ones leave — the short-circuit of the record engine, per batch. A node
    /// may compute more rows than selected (column loops do); the verdict of an unselected row is
    /// never read, because the node above has decided it already.
    package static func evaluate(_ c: BatchCondition, _ batch: RecordBatch, _ env: BatchEnvironment,
                                 selection: [UInt64]? = nil) -> TriMask {
        let n = batch.count
        switch c {
        case .constant(let v):
            return TriMask(count: n, constant: v)
        case .and(let xs):
            return junction(xs, isAnd: true, batch, env, selection)
        case .or(let xs):
            return junction(xs, isAnd: false, batch, env, selection)
        case .not(let x):
            return evaluate(x, batch, env, selection: selection).negated()
        case .isNull(let x, let negated):
            var r = TriMask(count: n)
            if case .column(let slot, _) = x {
                // A column's presence bitmap is the answer, 64 rows per word; never unknown.
                let present = batch.columns[slot].present
                for w in r.isTrue.indices {
                    let p = present[w]
                    r.isTrue[w] = negated ? p : ~p
                    r.isFalse[w] = negated ? ~p : p
                }
                TriMask.clearTail(&r.isTrue, count: n)
                TriMask.clearTail(&r.isFalse, count: n)
                return r
            }
            // `is null` (negated: false) is true for a missing value.
            forEach(n, selection) { row in r.set(row, !isPresent(x, row, batch, env) != negated) }
            return r
        case .inValues(let x, let values, let negated):
            var r = TriMask(count: n)
            if case .column(let slot, .symbol) = x {
                // Membership of symbols: the ids the values have now (a value the data never held
                // has none and cannot match).
                let column = batch.columns[slot]
                let ids = values.compactMap { env.symbols.id(of: $0) }
                // A bitset over the ids (they are small: the seed and the values met so far).
                var member = [UInt64](repeating: 0, count: (Int(ids.max() ?? 0) >> 6) + 1)
                for id in ids { member[Int(id) >> 6] |= 1 << UInt64(id & 63) }
                let limit = member.count << 6
                member.withUnsafeBufferPointer { member in
                    let ints = column.ints
                    wordwise(n, present: column.present, flip: negated, into: &r) { row in
                        // Unsigned: a missing row's slot may hold anything, and must not index out of range.
                        let id = UInt(bitPattern: Int(ints[row]))
                        return id < UInt(limit) && member[Int(id >> 6)] & (1 << UInt64(id & 63)) != 0
                    }
                }
                return r
            }
            if case .column(let slot, .string) = x {
                // Membership of strings, compared in place: a value of at most 15 bytes as its two
                // inline words, no `ByteString` in a `Scalar` per row (the per-row path was 4 % of
                // a CSV scan for the pack's `in` lists over string fields).
                let column = batch.columns[slot]
                let short = values.compactMap(\.inlineWords)
                let long = values.filter { $0.inlineWords == nil }
                forEach(n, selection) { row in
                    guard column.isPresent(row) else { return }
                    let bytes = column.bytes(row)
                    let hit: Bool
                    if bytes.count <= ByteString.inlineCapacity, let (w0, w1) = ByteString(bytes).inlineWords {
                        hit = short.contains { $0.0 == w0 && $0.1 == w1 }
                    } else {
                        hit = long.contains { v in v.withUnsafeBytes { $0.count == bytes.count && $0.elementsEqual(bytes) } }
                    }
                    r.set(row, hit != negated)
                }
                return r
            }
            forEach(n, selection) { row in
                guard case .text(let v)? = scalar(x, row, batch, env) else { return }
                r.set(row, values.contains(v) != negated)
            }
            return r
        case .compare(let op, let a, let b):
            return compare(op, a, b, batch, env, selection)
        case .exists(let lookup):
            var r = TriMask(count: n)
            let matches = lookup.rows(batch, env, selection: selection)
            forEach(n, selection) { row in r.set(row, matches[row] >= 0) }
            return r
        case .within(let x, let category):
            var r = TriMask(count: n)
            forEach(n, selection) { row in
                switch scalar(x, row, batch, env) {
                case .text(let v)?: r.set(row, ExprStringOp.isWithin(v, category))
                case .list(let vs)?: r.set(row, vs.contains { ExprStringOp.isWithin($0, category) })
                default: return
                }
            }
            return r
        case .agreementPermits(let index, let traeger, let direction, let category, let at):
            var r = TriMask(count: n, constant: false)
            guard let index else { return r }
            forEach(n, selection) { row in
                guard case .text(let t)? = scalar(traeger, row, batch, env), case .text(let d)? = scalar(direction, row, batch, env),
                      case .text(let c)? = scalar(category, row, batch, env), case .int(let time)? = scalar(at, row, batch, env),
                      AgreementBuiltin.permits(index, traeger: t, direction: d, category: c, at: time) else { return }
                r.isFalse[row >> 6] &= ~(1 << UInt64(row & 63))
                r.set(row, true)
            }
            return r
        case .detectorFired(let slot, let detectors):
            var r = TriMask(count: n)
            env.fired(batch, slot: slot, anyOf: detectors, selection: selection, into: &r)
            return r
        case .withinSchedule(let local, let schedule):
            var r = TriMask(count: n)
            forEach(n, selection) { row in
                guard case .int(let t)? = scalar(local, row, batch, env), case .text(let text)? = scalar(schedule, row, batch, env),
                      let parsed = env.schedule(text) else { return }
                r.set(row, parsed.contains(local: t))
            }
            return r
        case .covers(let list, let category):
            var r = TriMask(count: n)
            forEach(n, selection) { row in
                guard let xs = strings(list, row, batch, env), case .text(let c)? = scalar(category, row, batch, env) else { return }
                r.set(row, xs.contains { ExprStringOp.isWithin(c, $0) })
            }
            return r
        case .listHas(let list, let element, let negated):
            var r = TriMask(count: n)
            forEach(n, selection) { row in
                guard let xs = strings(list, row, batch, env), case .text(let e)? = scalar(element, row, batch, env) else { return }
                r.set(row, xs.contains(e) != negated)
            }
            return r
        case .stringMatch(let op, let x, let pattern, let ci):
            var r = TriMask(count: n)
            forEach(n, selection) { row in
                guard case .text(let p)? = scalar(pattern, row, batch, env) else { return }
                switch scalar(x, row, batch, env) {
                case .text(let v)?: r.set(row, op.matches(v, p, ci: ci))
                case .list(let pieces)?: r.set(row, pieces.contains { op.matches($0, p, ci: ci) })
                default: return
                }
            }
            return r
        }
    }

    /// `and` (`isAnd`) or `or` of `xs`, each operand evaluated only for the rows still undecided:
    /// selected and not yet false (`and`) or not yet true (`or`); stops when none is left.
    private static func junction(_ xs: [BatchCondition], isAnd: Bool, _ batch: RecordBatch, _ env: BatchEnvironment,
                                 _ selection: [UInt64]?) -> TriMask {
        let n = batch.count
        var r = TriMask(count: n, constant: isAnd)
        for x in xs {
            var live = (isAnd ? r.isFalse : r.isTrue).map { ~$0 }
            if let selection { for w in live.indices { live[w] &= selection[w] } }
            TriMask.clearTail(&live, count: n)
            if !live.contains(where: { $0 != 0 }) { break }
            let v = evaluate(x, batch, env, selection: live)
            r = isAnd ? .and(r, v) : .or(r, v)
        }
        return r
    }

    /// Sets the verdict of every row below `n` 64 rows at a time: true where the column is present
    /// and `test` holds (does not hold with `flip`), false where present otherwise, unknown where
    /// missing. `test` is evaluated for missing rows too (their bits are dropped), so it must only
    /// read the column's arrays; the loop per word has no branch per row.
    @inline(__always)
    static func wordwise(_ n: Int, present: UnsafeMutablePointer<UInt64>, flip: Bool, into r: inout TriMask,
                         _ test: (Int) -> Bool) {
        let invert: UInt64 = flip ? ~0 : 0
        var base = 0, w = 0
        while base < n {
            let rows = min(64, n - base)
            var bits: UInt64 = 0
            for k in 0..<rows { bits |= UInt64(test(base &+ k) ? 1 : 0) << UInt64(k) }
            let p = present[w] & (rows == 64 ? ~0 : (UInt64(1) << UInt64(rows)) - 1)
            let match = bits ^ invert
            r.isTrue[w] = p & match
            r.isFalse[w] = p & ~match
            base += 64
            w += 1
        }
    }

    /// Calls `body` for every row of `selection` below `n` (every row for nil), ascending.
    @inline(__always)
    static func forEach(_ n: Int, _ selection: [UInt64]?, _ body: (Int) -> Void) {
        guard let selection else {
            for row in 0..<n { body(row) }
            return
        }
        for (w, word) in selection.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                let row = w &* 64 &+ bits.trailingZeroBitCount
                if row < n { body(row) }
                bits &= bits &- 1
            }
        }
    }

    /// A list operand's strings in one row (a single string counts as a one-element list, as
    /// `Value.strings` has it), nil when missing.
    private static func strings(_ x: BatchOperand, _ row: Int, _ batch: RecordBatch, _ env: BatchEnvironment) -> [ByteString]? {
        switch scalar(x, row, batch, env) {
        case .list(let xs)?: return xs
        case .text(let s)?: return [s]
        default: return nil
        }
    }

    // MARK: - Comparisons

    private static func compare(_ op: PlanCompareOp, _ a: BatchOperand, _ b: BatchOperand,
                                _ batch: RecordBatch, _ env: BatchEnvironment, _ selection: [UInt64]?) -> TriMask {
        let n = batch.count
        var r = TriMask(count: n)
        // Symbol column against a string constant, = or <>: one integer compare per row.
        if op == .eq || op == .ne, case .column(let slot, .symbol) = a, case .string(let s) = b {
            let column = batch.columns[slot]
            let id = env.symbols.id(of: s).map { Int64($0) } ?? -1
            let ints = column.ints
            wordwise(n, present: column.present, flip: op == .ne, into: &r) { ints[$0] == id }
            return r
        }
        // Bool column against a constant, = or <> (either side): one integer compare per row.
        // Seven documentation rules test `deleted == false`; on the general path below (two
        // `Scalar`s a row) that was 3.4 of the XML scan's 92 instructions per byte (issue 20).
        if op == .eq || op == .ne {
            var bool: (slot: Int, value: Bool)?
            if case .column(let slot, .bool) = a, case .bool(let v) = b { bool = (slot, v) }
            if case .bool(let v) = a, case .column(let slot, .bool) = b { bool = (slot, v) }
            if let (slot, value) = bool {
                let column = batch.columns[slot]
                let ints = column.ints, want: Int64 = value ? 1 : 0
                wordwise(n, present: column.present, flip: op == .ne, into: &r) { ints[$0] == want }
                return r
            }
        }
        // Two symbol columns, = or <>: one symbol table interns equal bytes to one id.
        if op == .eq || op == .ne, case .column(let sa, .symbol) = a, case .column(let sb, .symbol) = b {
            let ca = batch.columns[sa], cb = batch.columns[sb]
            forEach(n, selection) { row in
                guard ca.isPresent(row), cb.isPresent(row) else { return }
                r.set(row, (ca.ints[row] == cb.ints[row]) == (op == .eq))
            }
            return r
        }
        // Two timestamp columns.
        if case .column(let sa, .timestamp) = a, case .column(let sb, .timestamp) = b {
            let ca = batch.columns[sa], cb = batch.columns[sb]
            forEach(n, selection) { row in
                guard ca.isPresent(row), cb.isPresent(row) else { return }
                r.set(row, holds(op, ca.ints[row], cb.ints[row]))
            }
            return r
        }
        // Timestamp column against a constant time.
        if case .column(let slot, .timestamp) = a, case .seconds(let t) = b {
            let column = batch.columns[slot]
            let ints = column.ints
            switch op {
            case .eq: wordwise(n, present: column.present, flip: false, into: &r) { ints[$0] == t }
            case .ne: wordwise(n, present: column.present, flip: true, into: &r) { ints[$0] == t }
            case .lt: wordwise(n, present: column.present, flip: false, into: &r) { ints[$0] < t }
            case .le: wordwise(n, present: column.present, flip: false, into: &r) { ints[$0] <= t }
            case .gt: wordwise(n, present: column.present, flip: true, into: &r) { ints[$0] <= t }
            case .ge: wordwise(n, present: column.present, flip: true, into: &r) { ints[$0] < t }
            }
            return r
        }
        forEach(n, selection) { row in
            guard let x = scalar(a, row, batch, env), let y = scalar(b, row, batch, env),
                  let v = compareScalars(op, x, y) else { return }
            r.set(row, v)
        }
        return r
    }

    /// One operand's value in one row, nil when missing (the general path; the common shapes
    /// have loops of their own above).
    enum Scalar {
        case text(ByteString)
        case list([ByteString])
        case int(Int64)
        case double(Double)
        case bool(Bool)
    }

    private static func isPresent(_ x: BatchOperand, _ row: Int, _ batch: RecordBatch, _ env: BatchEnvironment) -> Bool {
        switch x {
        case .column(let slot, _): return batch.columns[slot].isPresent(row)
        case .null: return false
        case .string, .number, .seconds, .bool, .list: return true
        // Computed values (lookups, calendar parts, arithmetic, matrix cells, …) are missing
        // exactly when their value is.
        default: return scalar(x, row, batch, env) != nil
        }
    }

    static func scalar(_ x: BatchOperand, _ row: Int, _ batch: RecordBatch, _ env: BatchEnvironment) -> Scalar? {
        switch x {
        case .lookupValue(let lookup, let column):
            // The batch's join result for this row (computed once per batch and lookup).
            let match = lookup.row(batch, env, row)
            guard match >= 0 else { return nil }
            switch lookup.cell(match, column) {
            case .string(let s): return .text(s)
            case .time(let t): return .int(t)
            case .number(let d): return .double(d)
            case .bool(let b): return .bool(b)
            case .list(let l): return .list(l)
            case .missing: return nil
            }
        case .column(let slot, let storage):
            let column = batch.columns[slot]
            guard column.isPresent(row) else { return nil }
            switch storage {
            case .symbol: return .text(env.symbols[UInt32(column.ints[row])])
            case .timestamp: return .int(column.ints[row])
            case .bool: return .bool(column.ints[row] != 0)
            case .number: return .double(column.doubles[row])
            case .string: return .text(ByteString(column.bytes(row)))
            case .runs: return .list(column.runs(row))
            }
        case .string(let s): return .text(s)
        case .number(let d): return .double(d)
        case .seconds(let t): return .int(t)
        case .bool(let b): return .bool(b)
        case .null: return nil
        case .list(let items): return .list(items)
        case .lower(let inner):
            switch scalar(inner, row, batch, env) {
            case .text(let v)?: return .text(v.caseFolded)
            default: return nil
            }
        case .localTime(let inner):
            guard case .int(let t)? = scalar(inner, row, batch, env) else { return nil }
            return .int(env.local(t))
        case .direction(let a, let b):
            guard case .text(let x)? = scalar(a, row, batch, env), case .text(let y)? = scalar(b, row, batch, env),
                  let d = DirectionBuiltin.direction(x, y) else { return nil }
            return .text(d)
        case .matrix(let direction, let category, let decisions):
            guard case .text(let d)? = scalar(direction, row, batch, env), case .text(let c)? = scalar(category, row, batch, env),
                  let decision = decisions[d]?[c] else { return nil }
            return .text(decision)
        case .calendar(let part, let local):
            guard case .int(let l)? = scalar(local, row, batch, env) else { return nil }
            switch part {
            case .hour: return .double(Double(CalendarBuiltins.hour(local: l)))
            case .weekday: return .double(Double(CalendarBuiltins.weekday(local: l)))
            case .date: return .text(CalendarBuiltins.date(local: l))
            }
        case .arith(let plus, let a, let b):
            switch (scalar(a, row, batch, env), scalar(b, row, batch, env)) {
            case (.int(let x)?, .int(let y)?): return ExprFold.timeArith(plus, x, y).map { .int($0) }
            case (.double(let x)?, .double(let y)?): return .double(plus ? x + y : x - y)
            default: return nil
            }
        }
    }

    private static func compareScalars(_ op: PlanCompareOp, _ x: Scalar, _ y: Scalar) -> Bool? {
        switch (x, y) {
        case (.text(let a), .text(let b)): return holds(op, a, b)
        case (.int(let a), .int(let b)): return holds(op, a, b)
        case (.double(let a), .double(let b)): return holds(op, a, b)
        case (.int(let a), .double(let b)): return holds(op, Double(a), b)
        case (.double(let a), .int(let b)): return holds(op, a, Double(b))
        case (.bool(let a), .bool(let b)):
            switch op {
            case .eq: return a == b
            case .ne: return a != b
            default: return nil
            }
        default: return nil
        }
    }

    @inline(__always)
    private static func holds<T: Comparable>(_ op: PlanCompareOp, _ a: T, _ b: T) -> Bool {
        switch op {
        case .eq: return a == b
        case .ne: return a != b
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        }
    }
}
