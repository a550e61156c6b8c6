import TrennwandRecords

typealias ExprBoolFn = @Sendable (EvalContext) -> Tri
typealias ExprStrFn = @Sendable (EvalContext) -> ByteString?
typealias ExprNumFn = @Sendable (EvalContext) -> Double?
typealias ExprIntFn = @Sendable (EvalContext) -> Int64?
typealias ExprListFn = @Sendable (EvalContext) -> [ByteString]?
/// Row number of the first matching reference row; `exprNoRow` or `exprKeyMissing` otherwise.
typealias ExprRowFn = @Sendable (EvalContext) -> Int

let exprNoRow = -1
let exprKeyMissing = -2

/// Turns a `CheckedExpr` tree into typed closures. Slots, detector indexes, list sets, reference
/// indexes and taxonomy answers are all resolved here, once; evaluation walks no tree and looks
/// up no name.
struct ConditionCompiler {
    let env: CompileEnvironment

    // MARK: bool

    // `and`/`or` as right-nested chains of two-operand closures, built by recursion: the operands
    // are captured as concrete closures and called directly. Closures kept in an array (or passed
    // through `map`/`reduce`/Optional) are stored at maximal abstraction and every call goes
    // through two reabstraction thunks (measured: ~6 % of a CSV scan). Same short-circuit order
    // and three-valued result as a loop.
    //
    // A chain longer than `chainRun` is split in halves, recursively: a balanced tree of the same
    // two-operand closures, so that building, calling and releasing it recurses about
    // log2(n / chainRun) + chainRun deep instead of n (a 1,000-term `or` overflowed a worker
    // thread's stack). Kleene `and`/`or` are associative and the left half is evaluated first, so
    // the operands evaluated (and the gaps they record) and the result are those of the flat chain.
    static let chainRun = 8

    private func andChain(_ xs: ArraySlice<CheckedExpr>) -> ExprBoolFn {
        if xs.count > ConditionCompiler.chainRun {
            let mid = xs.startIndex + xs.count / 2
            let l = andChain(xs[..<mid]), r = andChain(xs[mid...])
            return { ctx in
                let x = l(ctx)
                if x == .false { return .false }
                return x && r(ctx)
            }
        }
        let f0 = bool(xs[xs.startIndex])
        if xs.count == 1 { return f0 }
        let f1 = andChain(xs.dropFirst())
        return { ctx in
            let x = f0(ctx)
            if x == .false { return .false }
            return x && f1(ctx)
        }
    }

    private func orChain(_ xs: ArraySlice<CheckedExpr>) -> ExprBoolFn {
        if xs.count > ConditionCompiler.chainRun {
            let mid = xs.startIndex + xs.count / 2
            let l = orChain(xs[..<mid]), r = orChain(xs[mid...])
            return { ctx in
                let x = l(ctx)
                if x == .true { return .true }
                return x || r(ctx)
            }
        }
        let f0 = bool(xs[xs.startIndex])
        if xs.count == 1 { return f0 }
        let f1 = orChain(xs.dropFirst())
        return { ctx in
            let x = f0(ctx)
            if x == .true { return .true }
            return x || f1(ctx)
        }
    }

    static let alwaysTrue: ExprBoolFn = { @Sendable _ in .true }
    static let alwaysFalse: ExprBoolFn = { @Sendable _ in .false }

    func bool(_ c: CheckedExpr) -> ExprBoolFn {
        switch c {
        case .constant(let k, _):
            let t: Tri
            if case .bool(let b) = k { t = b } else { t = .unknown }
            return { _ in t }
        case .field(let slot, _, _):
            return { ctx in
                if case .bool(let b) = ctx.value(slot) { return b ? .true : .false }
                return .unknown
            }
        case .lookupValue:
            let r = row(of: c)
            return r
        case .compare(let op, let a, let b):
            return compare(op, a, b)
        case .member(let a, let b, let negated):
            return member(a, b, negated)
        case .and(let xs):
            return xs.isEmpty ? ConditionCompiler.alwaysTrue : andChain(xs[...])
        case .or(let xs):
            return xs.isEmpty ? ConditionCompiler.alwaysFalse : orChain(xs[...])
        case .not(let x):
            let f = bool(x)
            return { ctx in !f(ctx) }
        case .stringMatch(let op, let a, let b, let ci):
            return stringMatch(op, a, b, ci)
        case .within(let a, let category):
            let cat = ByteString(category)
            if a.type.isListLike {
                let l = list(a)
                return { ctx in
                    guard let xs = l(ctx) else { return .unknown }
                    for x in xs where ExprTextOps.isWithin(x, cat) { return .true }
                    return .false
                }
            }
            let s = str(a)
            return { ctx in
                guard let x = s(ctx) else { return .unknown }
                return Tri(ExprTextOps.isWithin(x, cat))
            }
        case .covers(let a, let b):
            let l = list(a), s = str(b)
            return { ctx in
                guard let xs = l(ctx), let cat = s(ctx) else { return .unknown }
                for x in xs where ExprTextOps.isWithin(cat, x) { return .true }
                return .false
            }
        case .listContains(let a, let b):
            let l = list(a), s = str(b)
            return { ctx in
                guard let xs = l(ctx), let x = s(ctx) else { return .unknown }
                return Tri(xs.contains(x))
            }
        case .exists(let l):
            let r = rowFn(l, recordsGap: false)
            return { ctx in r(ctx) >= 0 ? .true : .false }
        case .builtin(let call):
            return call.family.bool(call, self)
        default:
            // Non-bool nodes never reach here after type checking.
            return { _ in .unknown }
        }
    }

    private func row(of c: CheckedExpr) -> ExprBoolFn {
        guard case .lookupValue(let l, let column, _, _) = c else { return { _ in .unknown } }
        let r = rowFn(l, recordsGap: true)
        let rows = env.reference.rows(l.table)
        return { ctx in
            let i = r(ctx)
            guard i >= 0, case .bool(let b) = rows[i].values[column] else { return .unknown }
            return Tri(b)
        }
    }

    func position(of c: CheckedExpr) -> SourcePosition {
        if case .lookupValue(let l, _, _, _) = c { return l.position }
        if case .builtin(let call) = c, let p = call.gapPosition { return p }
        return SourcePosition(file: "", line: 0, column: 0)
    }

    private func compare(_ op: ExprCompareOp, _ a: CheckedExpr, _ b: CheckedExpr) -> ExprBoolFn {
        let t = a.type
        if t.isStringLike {
            let fa = str(a)
            if case .constant(.string(let k), _) = b, op == .eq || op == .ne {
                let eq = op == .eq
                return { ctx in
                    guard let x = fa(ctx) else { return .unknown }
                    return Tri((x == k) == eq)
                }
            }
            let fb = str(b)
            return { ctx in
                guard let x = fa(ctx), let y = fb(ctx) else { return .unknown }
                return Tri(op.holds(x, y))
            }
        }
        switch t {
        case .number:
            let fa = num(a), fb = num(b)
            return { ctx in
                guard let x = fa(ctx), let y = fb(ctx) else { return .unknown }
                return Tri(op.holds(x, y))
            }
        case .timestamp, .duration:
            let fa = int(a), fb = int(b)
            if case .constant(.time(let k), _) = b {
                return { ctx in
                    guard let x = fa(ctx) else { return .unknown }
                    return Tri(op.holds(x, k))
                }
            }
            return { ctx in
                guard let x = fa(ctx), let y = fb(ctx) else { return .unknown }
                return Tri(op.holds(x, y))
            }
        default:
            let fa = bool(a), fb = bool(b)
            let eq = op == .eq
            return { ctx in
                let x = fa(ctx), y = fb(ctx)
                if x == .unknown || y == .unknown { return .unknown }
                return Tri((x == y) == eq)
            }
        }
    }

    private func member(_ a: CheckedExpr, _ b: CheckedExpr, _ negated: Bool) -> ExprBoolFn {
        let fa = str(a)
        let fixed: [ByteString]?
        switch b {
        case .constant(.list(let l), _): fixed = l
        case .namedList(_, let l): fixed = l
        default: fixed = nil
        }
        if let fixed {
            let set = SmallByteStringMap(fixed.map { ($0, ()) })
            return { ctx in
                guard let x = fa(ctx) else { return .unknown }
                return Tri(set.contains(x) != negated)
            }
        }
        let fb = list(b)
        return { ctx in
            guard let x = fa(ctx), let xs = fb(ctx) else { return .unknown }
            return Tri(xs.contains(x) != negated)
        }
    }

    private func stringMatch(_ op: ExprStringOp, _ a: CheckedExpr, _ b: CheckedExpr, _ ci: Bool) -> ExprBoolFn {
        let fb = str(b)
        let constantNeedle: ByteString? = {
            if case .constant(.string(let k), _) = b { return k }
            return nil
        }()
        if a.type == .text {
            let fa = list(a)
            return { ctx in
                guard let pieces = fa(ctx) else { return .unknown }
                guard let needle = constantNeedle ?? fb(ctx) else { return .unknown }
                for p in pieces where ExprTextOps.match(op, p, needle, ci: ci) { return .true }
                return .false
            }
        }
        let fa = str(a)
        if let constantNeedle {
            return { ctx in
                guard let s = fa(ctx) else { return .unknown }
                return Tri(ExprTextOps.match(op, s, constantNeedle, ci: ci))
            }
        }
        return { ctx in
            guard let s = fa(ctx), let n = fb(ctx) else { return .unknown }
            return Tri(ExprTextOps.match(op, s, n, ci: ci))
        }
    }

    func presence(_ c: CheckedExpr) -> @Sendable (EvalContext) -> Bool {
        if case .field(let slot, _, _) = c { return { ctx in !ctx.value(slot).isMissing } }
        switch c.type {
        case .number:
            let f = num(c)
            return { f($0) != nil }
        case .timestamp, .duration:
            let f = int(c)
            return { f($0) != nil }
        case .list, .categoryList, .text:
            let f = list(c)
            return { f($0) != nil }
        case .bool:
            let f = bool(c)
            return { f($0) != .unknown }
        default:
            let f = str(c)
            return { f($0) != nil }
        }
    }

    // MARK: strings

    func str(_ c: CheckedExpr) -> ExprStrFn {
        switch c {
        case .constant(.string(let s), _): return { _ in s }
        case .constant: return { _ in nil }
        case .field(let slot, _, _):
            return { ctx in
                if case .string(let s) = ctx.value(slot) { return s }
                return nil
            }
        case .lookupValue(let l, let column, _, _):
            let r = rowFn(l, recordsGap: true)
            let rows = env.reference.rows(l.table)
            return { ctx in
                let i = r(ctx)
                guard i >= 0, case .string(let s) = rows[i].values[column] else { return nil }
                return s
            }
        case .builtin(let call):
            return call.family.str(call, self)
        default:
            return { _ in nil }
        }
    }

    // MARK: numbers, times, lists

    func num(_ c: CheckedExpr) -> ExprNumFn {
        switch c {
        case .constant(.number(let n), _): return { _ in n }
        case .field(let slot, _, _):
            return { ctx in
                if case .number(let n) = ctx.value(slot) { return n }
                return nil
            }
        case .arith(let plus, let a, let b, _):
            let fa = num(a), fb = num(b)
            return { ctx in
                guard let x = fa(ctx), let y = fb(ctx) else { return nil }
                return plus ? x + y : x - y
            }
        case .lookupValue(let l, let column, _, _):
            let r = rowFn(l, recordsGap: true)
            let rows = env.reference.rows(l.table)
            return { ctx in
                let i = r(ctx)
                guard i >= 0, case .number(let n) = rows[i].values[column] else { return nil }
                return n
            }
        case .builtin(let call):
            return call.family.num(call, self)
        default:
            return { _ in nil }
        }
    }

    func int(_ c: CheckedExpr) -> ExprIntFn {
        switch c {
        case .constant(.time(let t), _): return { _ in t }
        case .field(let slot, _, _):
            return { ctx in
                if case .time(let t) = ctx.value(slot) { return t }
                return nil
            }
        case .arith(let plus, let a, let b, _):
            let fa = int(a), fb = int(b)
            return { ctx in
                guard let x = fa(ctx), let y = fb(ctx) else { return nil }
                return ExprFold.timeArith(plus, x, y)
            }
        case .lookupValue(let l, let column, _, _):
            let r = rowFn(l, recordsGap: true)
            let rows = env.reference.rows(l.table)
            return { ctx in
                let i = r(ctx)
                guard i >= 0, case .time(let t) = rows[i].values[column] else { return nil }
                return t
            }
        default:
            return { _ in nil }
        }
    }

    func list(_ c: CheckedExpr) -> ExprListFn {
        switch c {
        case .constant(.list(let l), _): return { _ in l }
        case .namedList(_, let l): return { _ in l }
        case .field(let slot, _, _):
            return { ctx in
                switch ctx.value(slot) {
                case .list(let l): return l
                case .string(let s): return [s]
                default: return nil
                }
            }
        case .lookupValue(let l, let column, _, _):
            let r = rowFn(l, recordsGap: true)
            let rows = env.reference.rows(l.table)
            return { ctx in
                let i = r(ctx)
                guard i >= 0 else { return nil }
                switch rows[i].values[column] {
                case .list(let l): return l
                case .string(let s): return [s]
                default: return nil
                }
            }
        default:
            return { _ in nil }
        }
    }

    // MARK: lookups

    /// One hash probe on the best key term, then the other terms and the validity interval over
    /// the few candidate rows, in table order. Value lookups record a gap when no row matches.
    func rowFn(_ l: ExprLookup, recordsGap: Bool) -> ExprRowFn {
        let keyIndex = l.terms.firstIndex { $0.op == .equals } ?? l.terms.firstIndex { $0.op == .contains } ?? 0
        let keyTerm = l.terms[keyIndex]
        let index = env.reference.index(l.table, column: keyTerm.column)
        let key = str(keyTerm.value)
        let byAncestors = keyTerm.op == .covers
        let others: [(column: Int, op: LookupTermOp, value: ExprStrFn)] = l.terms.enumerated().filter { $0.offset != keyIndex }
            .map { (column: $0.element.column, op: $0.element.op, value: str($0.element.value)) }
        let at = l.at.map(int)
        let rows = index.rows
        let table = l.table.rawValue
        let position = l.position
        return { ctx in
            guard let k = key(ctx) else { return exprKeyMissing }
            var time: Int64 = 0
            if let at {
                guard let t = at(ctx) else { return exprKeyMissing }
                time = t
            }
            let found = index.firstRow(key: k, byAncestors: byAncestors, at: at == nil ? nil : time) { r in
                for term in others {
                    guard let v = term.value(ctx) else { return nil }
                    if !ConditionCompiler.termHolds(term.op, rows[r].values[term.column], v) { return false }
                }
                return true
            }
            switch found {
            case .row(let r): return r
            case .stopped: return exprKeyMissing
            case .none: break
            }
            if recordsGap { ctx.recordGap(ConfigurationGap(kind: .lookupMiss, position: position, table: table, key: k)) }
            return exprNoRow
        }
    }

    static func termHolds(_ op: LookupTermOp, _ cell: Value, _ v: ByteString) -> Bool {
        switch op {
        case .equals:
            if case .string(let s) = cell { return s == v }
            return false
        // Without `cell.strings`, which made an array of a single text on every call.
        case .contains:
            switch cell {
            case .string(let s): return s == v
            case .list(let l): return l.contains(v)
            default: return false
            }
        case .covers:
            switch cell {
            case .string(let s): return ExprTextOps.isWithin(v, s)
            case .list(let l):
                for e in l where ExprTextOps.isWithin(v, e) { return true }
                return false
            default: return false
            }
        }
    }
}

extension LookupTermOp {
    /// Whether a reference row's `cell` satisfies this term for the record's value `v` — the
    /// closure evaluator's reading, shared with the batch executor.
    package func holds(_ cell: Value, _ v: ByteString) -> Bool { ConditionCompiler.termHolds(self, cell, v) }
}
