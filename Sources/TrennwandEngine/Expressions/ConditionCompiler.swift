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
        case .present(let x, let want):
            let p = presence(x)
            return { ctx in Tri(p(ctx) == want) }
        case .detects(let slot, _, let idx, _):
            if idx.count == 1 {
                let d = idx[0]
                return { ctx in
                    guard let r = ctx.detection(slot) else { return .unknown }
                    return Tri(r.fired(d))
                }
            }
            return { ctx in
                guard let r = ctx.detection(slot) else { return .unknown }
                for d in idx where r.fired(d) { return .true }
                return .false
            }
        case .detectsCategory(let slot, _, _, let idx):
            return { ctx in
                if idx.isEmpty { return ctx.value(slot).isMissing ? .unknown : .false }
                guard let r = ctx.detection(slot) else { return .unknown }
                for d in idx where r.fired(d) { return .true }
                return .false
            }
        case .withinSchedule(let t, let s, let literal):
            let tf = int(t)
            if let literal {
                return { ctx in
                    guard let x = tf(ctx) else { return .unknown }
                    return Tri(literal.contains(local: ctx.local(x)))
                }
            }
            let sf = str(s)
            let position = position(of: s)
            return { ctx in
                guard let x = tf(ctx), let text = sf(ctx) else { return .unknown }
                guard let schedule = ctx.schedule(text) else {
                    ctx.recordGap(ConfigurationGap(kind: .invalidSchedule, position: position, table: "schedule", key: text))
                    return .unknown
                }
                return Tri(schedule.contains(local: ctx.local(x)))
            }
        case .exists(let l):
            let r = rowFn(l, recordsGap: false)
            return { ctx in r(ctx) >= 0 ? .true : .false }
        case .agreementPermits(let traeger, let direction, let category, let at):
            return agreementPermits(traeger, direction, category, at)
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

    private func position(of c: CheckedExpr) -> SourcePosition {
        if case .lookupValue(let l, _, _, _) = c { return l.position }
        if case .matrix(_, _, let p) = c { return p }
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

    private func presence(_ c: CheckedExpr) -> @Sendable (EvalContext) -> Bool {
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
        case .lower(let x):
            let f = str(x)
            return { ctx in f(ctx).map(ExprTextOps.lower) }
        case .date(let t):
            let f = int(t)
            return { ctx in
                guard let x = f(ctx) else { return nil }
                let days = ExprCivil.floorDiv(ctx.local(x), 86_400)
                let (y, m, d) = CivilTime.civilFromDays(Int(days))
                var out: [UInt8] = []
                out.reserveCapacity(10)
                for v in [y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10] { out.append(UInt8(0x30 + v)) }
                out.append(UInt8(ascii: "-"))
                out.append(UInt8(0x30 + m / 10)); out.append(UInt8(0x30 + m % 10))
                out.append(UInt8(ascii: "-"))
                out.append(UInt8(0x30 + d / 10)); out.append(UInt8(0x30 + d % 10))
                return ByteString(out)
            }
        case .direction(let a, let b):
            let fa = str(a), fb = str(b)
            let jc: ByteString = "jobcenter", tr: ByteString = "traeger"
            let jt: ByteString = "jobcenter->traeger", tj: ByteString = "traeger->jobcenter"
            return { ctx in
                guard let x = fa(ctx), let y = fb(ctx) else { return nil }
                if x == jc, y == tr { return jt }
                if x == tr, y == jc { return tj }
                return nil
            }
        case .matrix(let d, let cat, let position):
            return matrix(d, cat, position)
        case .lookupValue(let l, let column, _, _):
            let r = rowFn(l, recordsGap: true)
            let rows = env.reference.rows(l.table)
            return { ctx in
                let i = r(ctx)
                guard i >= 0, case .string(let s) = rows[i].values[column] else { return nil }
                return s
            }
        default:
            return { _ in nil }
        }
    }

    private func matrix(_ d: CheckedExpr, _ cat: CheckedExpr, _ position: SourcePosition) -> ExprStrFn {
        // Precompute direction × known category → decision (with the matrix's inheritance).
        var known = Set(env.taxonomy.categories.keys)
        for row in env.matrix.cells.values { known.formUnion(row.keys) }
        var table: [ByteString: [ByteString: ByteString]] = [:]
        for dir in SeparationMatrix.directions {
            var row: [ByteString: ByteString] = [:]
            for c in known {
                if let cell = env.matrix.cell(direction: dir, category: c) { row[ByteString(c)] = ByteString(cell.decision.rawValue) }
            }
            table[ByteString(dir)] = row
        }
        let fd = str(d), fc = str(cat)
        let decisions = table
        if case .constant(.string(let dir), _) = d {
            // The usual case: a literal direction, so one hash probe per record.
            let row = table[dir] ?? [:]
            return { ctx in
                guard let c = fc(ctx) else { return nil }
                if let decision = row[c] { return decision }
                ctx.recordGap(ConfigurationGap(kind: .unmappedCategory, position: position, table: "matrix", key: c))
                return nil
            }
        }
        return { ctx in
            guard let dir = fd(ctx), let c = fc(ctx) else { return nil }
            if let decision = decisions[dir]?[c] { return decision }
            ctx.recordGap(ConfigurationGap(kind: .unmappedCategory, position: position, table: "matrix", key: c))
            return nil
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
        case .hour(let t):
            let f = int(t)
            return { ctx in
                guard let x = f(ctx) else { return nil }
                let l = ctx.local(x)
                return Double((l - ExprCivil.floorDiv(l, 86_400) * 86_400) / 3600)
            }
        case .weekday(let t):
            let f = int(t)
            return { ctx in
                guard let x = f(ctx) else { return nil }
                return Double(ExprCivil.floorMod(ExprCivil.floorDiv(ctx.local(x), 86_400) + 3, 7) + 1)
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
            var best = Int.max
            var len = k.count
            while true {
                let probe = len == k.count ? k : k.withUnsafeBytes { ByteString(UnsafeRawBufferPointer(rebasing: $0[..<len])) }
                for c in index.candidates(probe) {
                    let r = Int(c)
                    if r >= best { break }
                    if at != nil, !index.isValid(r, at: time) { continue }
                    var ok = true
                    for term in others {
                        guard let v = term.value(ctx) else { return exprKeyMissing }
                        if !ConditionCompiler.termHolds(term.op, rows[r].values[term.column], v) { ok = false; break }
                    }
                    if ok { best = r; break }
                }
                guard byAncestors,
                      let dot = k.withUnsafeBytes({ UnsafeRawBufferPointer(rebasing: $0[..<len]).lastIndex(of: UInt8(ascii: ".")) })
                else { break }
                len = dot
            }
            if best != Int.max { return best }
            if recordsGap { ctx.recordGap(ConfigurationGap(kind: .lookupMiss, position: position, table: table, key: k)) }
            return exprNoRow
        }
    }

    static func termHolds(_ op: LookupTermOp, _ cell: Value, _ v: ByteString) -> Bool {
        switch op {
        case .equals:
            if case .string(let s) = cell { return s == v }
            return false
        case .contains:
            return cell.strings.contains(v)
        case .covers:
            for e in cell.strings where ExprTextOps.isWithin(v, e) { return true }
            return false
        }
    }

    private func agreementPermits(_ traeger: CheckedExpr, _ direction: CheckedExpr, _ category: CheckedExpr, _ at: CheckedExpr?) -> ExprBoolFn {
        let s = RecordSchema.agreements
        let index = env.reference.index(.agreements, column: s.slot("traeger")!)
        let approved = s.slot("approved_by_leitung")!, basis = s.slot("legal_basis")!, flows = s.slot("permitted_flows")!
        let ft = str(traeger), fd = str(direction), fc = str(category)
        let fat = at.map(int)
        let rows = index.rows
        return { ctx in
            guard let t = ft(ctx), let d = fd(ctx), let c = fc(ctx) else { return .false }
            var time: Int64 = 0
            if let fat {
                guard let x = fat(ctx) else { return .false }
                time = x
            }
            for r32 in index.candidates(t) {
                let r = Int(r32)
                if fat != nil, !index.isValid(r, at: time) { continue }
                let v = rows[r].values
                guard case .bool(true) = v[approved], case .string(let lb) = v[basis], !ConditionCompiler.isBlank(lb) else { continue }
                for flow in v[flows].strings where ConditionCompiler.flowPermits(flow, direction: d, category: c) {
                    return .true
                }
            }
            return .false
        }
    }

    static func isBlank(_ s: ByteString) -> Bool { s.withUnsafeBytes { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 } } }

    /// `flow` is `direction:category` and `category` lies within that category.
    static func flowPermits(_ flow: ByteString, direction: ByteString, category: ByteString) -> Bool {
        flow.withUnsafeBytes { f in
            direction.withUnsafeBytes { d in
                category.withUnsafeBytes { c in
                    guard f.count > d.count, f[d.count] == UInt8(ascii: ":") else { return false }
                    for i in 0..<d.count where f[i] != d[i] { return false }
                    return ExprTextOps.isWithin(c, UnsafeRawBufferPointer(rebasing: f[(d.count + 1)...]))
                }
            }
        }
    }
}
