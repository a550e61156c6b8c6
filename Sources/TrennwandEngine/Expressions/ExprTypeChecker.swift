import TrennwandRecords

/// Resolves names and checks types of a parse tree against a `CompileEnvironment`, producing the
/// `CheckedExpr` tree. Every error is a `ConfigError` at the offending token.
struct ExprTypeChecker {
    let env: CompileEnvironment
    let source: ConditionSource
    let schema: RecordSchema
    let zone: ZoneConverter

    init(env: CompileEnvironment, source: ConditionSource) throws {
        self.env = env
        self.source = source
        self.schema = env.kind.schema
        guard let zone = ZoneConverter(identifier: env.timeZone) else {
            throw ExprIssue.unknownTimeZone(source.position(0), zone: env.timeZone)
        }
        self.zone = zone
    }

    static let tables: [RecordKind] = RecordKind.allCases.filter(\.isLookupTable)

    func pos(_ offset: Int) -> SourcePosition { source.position(offset) }

    /// An `expr.type` error at `offset` (for the type rules without a named case).
    func typeError(_ offset: Int, _ de: String, _ en: String) -> ConfigError {
        ExprIssue.type(pos(offset), de: de, en: en)
    }

    // MARK: entry

    func checkCondition(_ s: ExprSyntax) throws -> CheckedExpr {
        let c = try check(s)
        guard c.type == .bool else {
            throw ExprIssue.notACondition(pos(s.startOffset), found: c.type)
        }
        return c
    }

    // MARK: fields

    static func exprType(of spec: FieldSpec) -> ExprType {
        switch spec.type {
        case .string: return spec.name == "category" ? .category : .string
        case .text: return .text
        case .symbol(let v): return .symbol(v)
        case .timestamp: return .timestamp
        case .number: return .number
        case .bool: return .bool
        case .list: return spec.name == "categories" ? .categoryList : .list
        }
    }

    func field(_ name: String, _ offset: Int, in schema: RecordSchema) throws -> (Int, ExprType) {
        guard let slot = schema.slot(name) else {
            throw ExprIssue.unknownField(pos(offset), name: name, kind: schema.kind,
                                         suggestions: ExprIssue.suggestions(name, in: schema.fields.map(\.name)))
        }
        return (slot, ExprTypeChecker.exprType(of: schema.fields[slot]))
    }

    // MARK: expressions

    func check(_ s: ExprSyntax) throws -> CheckedExpr {
        switch s {
        case .string(let v, _): return .constant(.string(ByteString(v)), .string)
        case .number(let n, _): return .constant(.number(n), .number)
        case .duration(let d, _, _): return .constant(.time(d), .duration)
        case .bool(let b, _): return .constant(.bool(Tri(b)), .bool)
        case .identifier(let name, let o):
            let (slot, type) = try field(name, o, in: schema)
            return .field(slot: slot, name: name, type: type)
        case .listName(let name, let o):
            guard let items = env.namedLists[name] else {
                throw ExprIssue.unknownList(pos(o), name: name, suggestions: ExprIssue.suggestions(name, in: Array(env.namedLists.keys)))
            }
            return .namedList(name, items.map { ByteString($0) })
        case .list(let items, _):
            var out: [ByteString] = []
            for item in items {
                guard case .string(let v, _) = item else {
                    throw ExprIssue.listOfStringsOnly(pos(item.startOffset))
                }
                out.append(ByteString(v))
            }
            return .constant(.list(out), .list)
        case .any(_, let o):
            throw typeError(o, "„any [...]“ ist nur als zweites Argument von detects erlaubt",
                            "'any [...]' is only allowed as the second argument of detects")
        case .not(let x, _):
            let c = try check(x)
            try requireBool(c, x)
            if case .constant(.bool(let t), _) = c { return .constant(.bool(!t), .bool) }
            return .not(c)
        case .binary(let op, let l, let r, let o):
            return try binary(op, l, r, o)
        case .chain(let op, let xs, _):
            // One loop over the operands (the parser made the chain flat), one fold and one sort.
            var out: [CheckedExpr] = []
            out.reserveCapacity(xs.count)
            for x in xs {
                let c = try check(x)
                try requireBool(c, x)
                out.append(c)
            }
            return op == .and ? ExprFold.and(out) : ExprFold.or(out)
        case .call(let name, let args, let at, let o):
            if ExprTypeChecker.tables.contains(where: { $0.rawValue == name }) {
                throw typeError(o, "Tabellenabfrage „\(name)(…)“ braucht „exists“ davor oder „.feld“ dahinter",
                                "table lookup '\(name)(…)' needs 'exists' before it or '.field' after it")
            }
            return try call(name, args, at, o)
        case .member(let base, let fieldName, let o):
            guard case .call(let table, let args, let at, let to) = base, let kind = ExprTypeChecker.tables.first(where: { $0.rawValue == table }) else {
                throw typeError(o, "„.\(fieldName)“ ist nur nach einer Tabellenabfrage erlaubt, z. B. staff(person == actor).org",
                                "'.\(fieldName)' is only allowed after a table lookup, e.g. staff(person == actor).org")
            }
            let lookup = try self.lookup(kind, args, at, to)
            let (slot, type) = try field(fieldName, o, in: kind.schema)
            return .lookupValue(lookup, column: slot, name: fieldName, type: type)
        case .exists(let inner, let o):
            guard case .call(let table, let args, let at, let to) = inner, let kind = ExprTypeChecker.tables.first(where: { $0.rawValue == table }) else {
                throw unknownTable(inner, o)
            }
            return .exists(try lookup(kind, args, at, to))
        }
    }

    private func unknownTable(_ s: ExprSyntax, _ o: Int) -> ConfigError {
        var name = "?"
        var at = o
        if case .call(let n, _, _, let no) = s { name = n; at = no }
        let names = ExprTypeChecker.tables.map(\.rawValue)
        return ExprIssue.unknownTable(pos(at), name: name, known: names, suggestions: ExprIssue.suggestions(name, in: names))
    }

    private func requireBool(_ c: CheckedExpr, _ s: ExprSyntax) throws {
        guard c.type == .bool else {
            throw ExprIssue.boolExpected(pos(s.startOffset), found: c.type)
        }
    }

    // MARK: literals against types

    /// Checks a string literal used where `type` is expected and converts it (timestamps).
    func coerceLiteral(_ value: String, _ offset: Int, to type: ExprType) throws -> CheckedExpr {
        switch type {
        case .symbol(let allowed):
            guard allowed.contains(value) else {
                throw ExprIssue.badSymbol(pos(offset), value: value, allowed: allowed)
            }
            return .constant(.string(ByteString(value)), type)
        case .category, .categoryList:
            try requireCategory(value, offset)
            return .constant(.string(ByteString(value)), .category)
        case .timestamp:
            guard let t = parseTimestamp(value) else {
                throw ExprIssue.badTimestamp(pos(offset), value: value)
            }
            return .constant(.time(t), .timestamp)
        default:
            return .constant(.string(ByteString(value)), .string)
        }
    }

    func requireCategory(_ value: String, _ offset: Int) throws {
        guard env.taxonomy.contains(value) else {
            throw ExprIssue.unknownCategory(pos(offset), value: value,
                                            suggestions: ExprIssue.suggestions(value, in: Array(env.taxonomy.categories.keys)))
        }
    }

    /// `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss]` in the environment's zone, or with `Z` in UTC.
    func parseTimestamp(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= b.count else { return nil }
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 10, let y = num(0..<4), b[4] == UInt8(ascii: "-"), let m = num(5..<7), b[7] == UInt8(ascii: "-"),
              let d = num(8..<10), (1...12).contains(m), d >= 1, d <= CivilTime.daysInMonth(year: y, month: m) else { return nil }
        var secs = 0
        var utc = false
        var rest = b[10...]
        if rest.last == UInt8(ascii: "Z") { utc = true; rest = rest.dropLast() }
        if !rest.isEmpty {
            let r = Array(rest)
            guard r.count == 6 || r.count == 9, r[0] == UInt8(ascii: "T") || r[0] == 0x20, r[3] == UInt8(ascii: ":") else { return nil }
            func n2(_ i: Int) -> Int? {
                guard r[i] >= 0x30, r[i] <= 0x39, r[i + 1] >= 0x30, r[i + 1] <= 0x39 else { return nil }
                return Int(r[i] - 0x30) * 10 + Int(r[i + 1] - 0x30)
            }
            guard let hh = n2(1), let mm = n2(4), hh < 24, mm < 60 else { return nil }
            var ss = 0
            if r.count == 9 {
                guard r[6] == UInt8(ascii: ":"), let v = n2(7), v < 60 else { return nil }
                ss = v
            }
            secs = hh * 3600 + mm * 60 + ss
        }
        let local = Int64(CivilTime.daysFromCivil(year: y, month: m, day: d)) * 86_400 + Int64(secs)
        return utc ? local : zone.utc(fromLocal: local)
    }

    // MARK: operators

    private func binary(_ op: ExprBinaryOp, _ l: ExprSyntax, _ r: ExprSyntax, _ o: Int) throws -> CheckedExpr {
        switch op {
        case .compare(let c):
            return try compare(c, l, r, o)
        case .member(let negated):
            let a = try check(l)
            guard a.type.isStringLike else {
                throw typeError(l.startOffset, "„\(op.text)“ prüft Text-Werte, gefunden: \(a.type)", "'\(op.text)' tests text values, found: \(a.type)")
            }
            let b: CheckedExpr
            if case .list(let items, _) = r {
                var out: [ByteString] = []
                for item in items {
                    guard case .string(let v, let io) = item else {
                        throw ExprIssue.listOfStringsOnly(pos(item.startOffset))
                    }
                    _ = try coerceLiteral(v, io, to: a.type)
                    out.append(ByteString(v))
                }
                b = .constant(.list(out), .list)
            } else {
                b = try check(r)
                guard b.type.isListLike else {
                    throw typeError(r.startOffset, "nach „\(op.text)“ wird eine Liste erwartet ([…], @name oder Listenfeld), gefunden: \(b.type)",
                                    "'\(op.text)' expects a list ([…], @name or a list field), found: \(b.type)")
                }
            }
            return ExprFold.member(a, b, negated: negated)
        case .within:
            let a = try check(l)
            guard a.type == .category || a.type == .string || a.type.isListLike else {
                throw typeError(l.startOffset, "„within“ braucht eine Kategorie links, gefunden: \(a.type)",
                                "'within' needs a category on the left, found: \(a.type)")
            }
            guard case .string(let cat, let co) = r else {
                throw typeError(r.startOffset, "nach „within“ wird eine Kategorie in Anführungszeichen erwartet",
                                "'within' expects a quoted category")
            }
            try requireCategory(cat, co)
            return .within(a, category: cat)
        case .covers:
            let a = try check(l)
            guard a.type.isListLike else {
                throw typeError(l.startOffset, "„covers“ braucht eine Kategorienliste links, gefunden: \(a.type)",
                                "'covers' needs a list of categories on the left, found: \(a.type)")
            }
            let b = try stringOperand(r, as: .category)
            return .covers(a, b)
        case .arith(let plus):
            return try arith(plus, l, r, o)
        case .stringMatch(let sop, let ci):
            let a = try check(l)
            if sop == .contains, a.type.isListLike {
                let elementType: ExprType = a.type == .categoryList ? .category : .string
                return .listContains(a, try stringOperand(r, as: elementType))
            }
            guard a.type.isStringLike || a.type == .text else {
                throw typeError(l.startOffset, "„\(op.text)“ braucht Text links, gefunden: \(a.type)", "'\(op.text)' needs text on the left, found: \(a.type)")
            }
            let b = try stringOperand(r, as: .string)
            return .stringMatch(sop, a, b, caseInsensitive: ci)
        }
    }

    /// A string-valued operand; literals are checked against `type` (category, symbol).
    func stringOperand(_ s: ExprSyntax, as type: ExprType) throws -> CheckedExpr {
        if case .string(let v, let o) = s { return try coerceLiteral(v, o, to: type) }
        let c = try check(s)
        guard c.type.isStringLike else {
            throw ExprIssue.textExpected(pos(s.startOffset), found: c.type)
        }
        return c
    }

    private func compare(_ op: ExprCompareOp, _ l: ExprSyntax, _ r: ExprSyntax, _ o: Int) throws -> CheckedExpr {
        let a: CheckedExpr, b: CheckedExpr
        // A string literal takes the type of the other side (symbol, category, timestamp).
        if case .string(let v, let lo) = l, !isStringLiteral(r) {
            b = try check(r)
            a = try coerceLiteral(v, lo, to: b.type)
        } else if case .string(let v, let ro) = r {
            a = try check(l)
            b = try coerceLiteral(v, ro, to: a.type)
        } else {
            a = try check(l)
            b = try check(r)
        }
        let ta = a.type, tb = b.type
        let compatible: Bool
        switch (ta, tb) {
        case _ where ta.isStringLike && tb.isStringLike: compatible = true
        case (.number, .number), (.timestamp, .timestamp), (.duration, .duration), (.bool, .bool): compatible = true
        default: compatible = false
        }
        guard compatible else {
            throw ExprIssue.cannotCompare(pos(o), ta, tb)
        }
        if op != .eq && op != .ne {
            switch ta {
            case .bool, .symbol, .category:
                throw typeError(o, "„\(op.rawValue)“ ordnet nur Zahlen, Zeitpunkte, Dauern und Text; \(ta) nur mit == oder !=",
                                "'\(op.rawValue)' orders only numbers, timestamps, durations and text; \(ta) only with == or !=")
            default: break
            }
        }
        return ExprFold.compare(op, a, b)
    }

    private func isStringLiteral(_ s: ExprSyntax) -> Bool {
        if case .string = s { return true }
        return false
    }

    private func arith(_ plus: Bool, _ l: ExprSyntax, _ r: ExprSyntax, _ o: Int) throws -> CheckedExpr {
        let a: CheckedExpr, b: CheckedExpr
        // A string literal next to a timestamp is a timestamp literal (`time - "2025-03-01" > 30d`).
        if case .string(let v, let lo) = l, !isStringLiteral(r) {
            b = try check(r)
            a = b.type == .timestamp ? try coerceLiteral(v, lo, to: .timestamp) : try check(l)
        } else if case .string(let v, let ro) = r {
            a = try check(l)
            b = a.type == .timestamp ? try coerceLiteral(v, ro, to: .timestamp) : try check(r)
        } else {
            a = try check(l)
            b = try check(r)
        }
        let result: ExprType?
        switch (a.type, b.type, plus) {
        case (.number, .number, _): result = .number
        case (.timestamp, .timestamp, false): result = .duration
        case (.timestamp, .duration, _): result = .timestamp
        case (.duration, .timestamp, true): result = .timestamp
        case (.duration, .duration, _): result = .duration
        default: result = nil
        }
        guard let result else {
            let sym = plus ? "+" : "-"
            throw typeError(o, "„\(sym)“ ist für \(a.type) und \(b.type) nicht definiert", "'\(sym)' is not defined for \(a.type) and \(b.type)")
        }
        return ExprFold.arith(plus, a, b, result)
    }

    // MARK: condition functions (the type rules live in Builtins/)

    func arity(_ function: Builtin, _ args: [ExprSyntax], _ n: Int, _ o: Int) throws {
        guard args.count == n else {
            throw ExprIssue.arity(pos(o), function: function.rawValue, expected: n, found: args.count)
        }
    }

    /// An operand of type `want`; a string literal where a timestamp is wanted is a timestamp literal.
    func typed(_ s: ExprSyntax, _ want: ExprType, _ fn: String) throws -> CheckedExpr {
        if want == .timestamp, case .string(let v, let o) = s { return try coerceLiteral(v, o, to: .timestamp) }
        let c = try check(s)
        guard c.type == want else {
            throw ExprIssue.argumentType(pos(s.startOffset), function: fn, expected: want, found: c.type)
        }
        return c
    }

    /// A direction operand: a literal must be one of `SeparationMatrix.directions`.
    func directionOperand(_ s: ExprSyntax) throws -> CheckedExpr {
        if case .string(let v, let o) = s {
            guard SeparationMatrix.directions.contains(v) else {
                throw ExprIssue.badDirection(pos(o), value: v, allowed: SeparationMatrix.directions)
            }
            return .constant(.string(ByteString(v)), .string)
        }
        return try stringOperand(s, as: .string)
    }

    private func call(_ name: String, _ args: [ExprSyntax], _ at: ExprSyntax?, _ o: Int) throws -> CheckedExpr {
        let function = Builtin(rawValue: name)
        if let at, function.map({ $0.family.acceptsAt($0) }) != true {
            throw typeError(at.startOffset, "„at“ ist nur nach einer Tabellenabfrage oder agreement_permits erlaubt",
                            "'at' is only allowed after a table lookup or agreement_permits")
        }
        guard let function else {
            let candidates = Builtin.allCases.map(\.rawValue) + ExprTypeChecker.tables.map(\.rawValue)
            throw ExprIssue.unknownFunction(pos(o), name: name, suggestions: ExprIssue.suggestions(name, in: candidates))
        }
        return try function.family.check(function, args, at: at, offset: o, self)
    }

    // MARK: lookups

    private func lookup(_ kind: RecordKind, _ args: [ExprSyntax], _ at: ExprSyntax?, _ o: Int) throws -> ExprLookup {
        guard args.count == 1 else {
            throw typeError(o, "\(kind.rawValue)(…) erwartet Schlüsselbedingungen wie „spalte == wert and …“",
                            "\(kind.rawValue)(…) expects key conditions like 'column == value and …'")
        }
        var parts: [ExprSyntax] = []
        // Recursion only over bracketed sub-chains (bounded by the nesting limit).
        func flatten(_ s: ExprSyntax) {
            if case .chain(.and, let xs, _) = s { xs.forEach(flatten) } else { parts.append(s) }
        }
        flatten(args[0])
        // The documentation index is built for access records only (InputPlan); a documentation
        // rule looking up other entries would always miss in a scan.
        if kind == .documentation && env.kind == .documentation {
            throw typeError(o, "Regeln für Dokumentationseinträge können keine anderen Einträge nachschlagen; documentation(…) gilt für Zugriffe",
                            "rules on documentation records cannot look up other entries; documentation(…) is for access records")
        }
        let tableSchema = kind.schema
        var terms: [ExprLookupTerm] = []
        for p in parts {
            guard case .binary(let op, .identifier(let col, let co), let value, let oo) = p, let termOp = op.lookupTerm else {
                throw typeError(p.startOffset, "Schlüsselbedingung „spalte == wert“, „spalte contains wert“ oder „spalte covers kategorie“ erwartet",
                                "key condition 'column == value', 'column contains value' or 'column covers category' expected")
            }
            let (slot, colType) = try field(col, co, in: tableSchema)
            switch termOp {
            case .equals:
                guard colType.isStringLike else {
                    throw typeError(co, "Spalte „\(col)“ ist \(colType); Schlüssel müssen Text sein", "column '\(col)' is \(colType); keys must be text")
                }
            case .contains, .covers:
                guard colType.isListLike else {
                    throw typeError(oo, "„\(op.text)“ braucht eine Listenspalte; „\(col)“ ist \(colType)", "'\(op.text)' needs a list column; '\(col)' is \(colType)")
                }
            }
            let v = try stringOperand(value, as: termOp == .equals ? colType : (termOp == .covers ? .category : .string))
            terms.append(ExprLookupTerm(column: slot, name: col, op: termOp, value: v))
        }
        var atChecked: CheckedExpr?
        if let at {
            guard ReferenceTables.validity(of: kind) != nil else {
                throw typeError(at.startOffset, "Tabelle \(kind.rawValue) hat keinen Gültigkeitszeitraum; „at“ ist nicht möglich",
                                "table \(kind.rawValue) has no validity interval; 'at' is not possible")
            }
            atChecked = try typed(at, .timestamp, "at")
        }
        return ExprLookup(table: kind, terms: terms, at: atChecked, position: pos(o))
    }
}

/// ExprConstant folding and operand ordering, shared by the checker.
package enum ExprFold {
    static func and(_ xs: [CheckedExpr]) -> CheckedExpr {
        var flat: [CheckedExpr] = []
        for x in xs {
            if case .and(let inner) = x { flat += inner } else { flat.append(x) }
        }
        var out: [CheckedExpr] = []
        for x in flat {
            if case .constant(.bool(let t), _) = x {
                if t == .false { return x }
                if t == .true { continue }
            }
            out.append(x)
        }
        if out.isEmpty { return .constant(.bool(.true), .bool) }
        if out.count == 1 { return out[0] }
        // Cheap operands first; `and` is commutative under Kleene logic and operands have no effects.
        return .and(byCost(out))
    }

    static func or(_ xs: [CheckedExpr]) -> CheckedExpr {
        var flat: [CheckedExpr] = []
        for x in xs {
            if case .or(let inner) = x { flat += inner } else { flat.append(x) }
        }
        var out: [CheckedExpr] = []
        for x in flat {
            if case .constant(.bool(let t), _) = x {
                if t == .true { return x }
                if t == .false { continue }
            }
            out.append(x)
        }
        if out.isEmpty { return .constant(.bool(.false), .bool) }
        if out.count == 1 { return out[0] }
        return .or(byCost(out))
    }

    /// Stable order by static cost (each operand's cost computed once: chains can be long).
    static func byCost(_ xs: [CheckedExpr]) -> [CheckedExpr] {
        let costs = xs.map(\.cost)
        return xs.indices.sorted { (costs[$0], $0) < (costs[$1], $1) }.map { xs[$0] }
    }

    static func compare(_ op: ExprCompareOp, _ a: CheckedExpr, _ b: CheckedExpr) -> CheckedExpr {
        guard let x = a.constant, let y = b.constant else { return .compare(op, a, b) }
        let r: Tri
        switch (x, y) {
        case (.string(let p), .string(let q)): r = Tri(op.holds(p, q))
        case (.number(let p), .number(let q)): r = Tri(op.holds(p, q))
        case (.time(let p), .time(let q)): r = Tri(op.holds(p, q))
        case (.bool(let p), .bool(let q)):
            if p == .unknown || q == .unknown { r = .unknown } else { r = Tri(op == .eq ? p == q : p != q) }
        default: r = .unknown
        }
        return .constant(.bool(r), .bool)
    }

    static func member(_ a: CheckedExpr, _ b: CheckedExpr, negated: Bool) -> CheckedExpr {
        guard case .constant(.string(let s), _) = a, case .constant(.list(let l), _) = b else { return .member(a, b, negated: negated) }
        return .constant(.bool(Tri(l.contains(s) != negated)), .bool)
    }

    static func arith(_ plus: Bool, _ a: CheckedExpr, _ b: CheckedExpr, _ t: ExprType) -> CheckedExpr {
        switch (a.constant, b.constant) {
        case (.number(let x)?, .number(let y)?): return .constant(.number(plus ? x + y : x - y), t)
        case (.time(let x)?, .time(let y)?):
            if let r = timeArith(plus, x, y) { return .constant(.time(r), t) }
            return .arith(plus: plus, a, b, t)  // overflows: unknown at run time, like SQL
        default: return .arith(plus: plus, a, b, t)
        }
    }

    /// Timestamp/duration arithmetic in seconds; nil (unknown) on Int64 overflow (fuzz-expression).
    @inline(__always)
    package static func timeArith(_ plus: Bool, _ x: Int64, _ y: Int64) -> Int64? {
        let r = plus ? x.addingReportingOverflow(y) : x.subtractingReportingOverflow(y)
        return r.overflow ? nil : r.partialValue
    }
}
