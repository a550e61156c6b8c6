import TrennwandRecords

/// SQL dialects a condition renders to.
public enum SQLDialect: Sendable {
    case postgres
}

extension CompiledCondition {
    /// The condition as a SQL `WHERE` clause over a table named like the record kind (alias `r`),
    /// with reference tables as `EXISTS` / scalar subqueries. Timestamps are `timestamptz`,
    /// list columns `text[]`; reference tables carry a `row_no` column for "first row" lookups.
    /// Detectors and schedules map to the functions `tw_detects(text, text[])` and
    /// `tw_within_schedule(timestamptz, text, text)`.
    public func sql(dialect: SQLDialect = .postgres) -> String {
        var r = ConditionSQLRenderer(timeZone: timeZone)
        return r.render(checked)
    }
}

struct ConditionSQLRenderer {
    let timeZone: String
    private var aliasCounter = 0

    init(timeZone: String) { self.timeZone = timeZone }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }

    static func column(_ name: String) -> String {
        ["end", "type", "offer", "time", "system", "action", "unit", "start"].contains(name) ? "\"\(name)\"" : name
    }

    static func likeEscaped(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch == "%" || ch == "_" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    private mutating func alias(_ table: RecordKind) -> String {
        freshAlias(String(table.rawValue.prefix(2)))
    }

    /// A table alias not used before in this condition: `prefix` and a counter.
    mutating func freshAlias(_ prefix: String) -> String {
        aliasCounter += 1
        return "\(prefix)\(aliasCounter)"
    }

    /// A timestamp in the condition's time zone.
    func local(_ t: String) -> String { "(\(t) AT TIME ZONE \(ConditionSQLRenderer.quote(timeZone)))" }

    mutating func render(_ c: CheckedExpr) -> String {
        switch c {
        case .constant(let k, let type):
            switch k {
            case .missing: return "NULL"
            case .string(let s): return ConditionSQLRenderer.quote(s.string)
            case .number(let n): return n == n.rounded() ? String(Int64(n)) : String(n)
            case .bool(let t): return t == .true ? "TRUE" : t == .false ? "FALSE" : "NULL"
            case .time(let t):
                return type == .duration ? "INTERVAL '\(t) seconds'" : "TIMESTAMPTZ '\(CivilTime.iso8601(t))'"
            case .list(let l): return "ARRAY[\(l.map { ConditionSQLRenderer.quote($0.string) }.joined(separator: ", "))]::text[]"
            }
        case .field(_, let name, _): return "r.\(ConditionSQLRenderer.column(name))"
        case .namedList(_, let l): return "ARRAY[\(l.map { ConditionSQLRenderer.quote($0.string) }.joined(separator: ", "))]::text[]"
        case .compare(let op, let a, let b):
            return "\(render(a)) \(op == .eq ? "=" : op == .ne ? "<>" : op.rawValue) \(render(b))"
        case .member(let a, let b, let negated):
            let lhs = render(a)
            switch b {
            case .constant(.list(let l), _), .namedList(_, let l):
                return "\(lhs) \(negated ? "NOT IN" : "IN") (\(l.map { ConditionSQLRenderer.quote($0.string) }.joined(separator: ", ")))"
            default:
                let list = arrayOperand(b)
                return negated ? "NOT (\(lhs) = ANY(\(list)))" : "\(lhs) = ANY(\(list))"
            }
        case .and(let xs): return xs.map { "(\(render($0)))" }.joined(separator: " AND ")
        case .or(let xs): return xs.map { "(\(render($0)))" }.joined(separator: " OR ")
        case .not(let x): return "NOT (\(render(x)))"
        case .stringMatch(let op, let a, let b, let ci):
            let like = ci ? "ILIKE" : "LIKE"
            let pattern: String
            if case .constant(.string(let s), _) = b {
                let e = ConditionSQLRenderer.likeEscaped(s.string)
                switch op {
                case .contains: pattern = ConditionSQLRenderer.quote("%\(e)%")
                case .startswith: pattern = ConditionSQLRenderer.quote("\(e)%")
                case .endswith: pattern = ConditionSQLRenderer.quote("%\(e)")
                }
            } else {
                let e = "tw_like_escape(\(render(b)))"
                switch op {
                case .contains: pattern = "'%' || \(e) || '%'"
                case .startswith: pattern = "\(e) || '%'"
                case .endswith: pattern = "'%' || \(e)"
                }
            }
            if a.type == .text {
                return "EXISTS (SELECT 1 FROM unnest(\(render(a))) AS p(v) WHERE p.v \(like) \(pattern))"
            }
            return "\(render(a)) \(like) \(pattern)"
        case .within(let a, let category):
            let q = ConditionSQLRenderer.quote(category), ql = ConditionSQLRenderer.quote(ConditionSQLRenderer.likeEscaped(category) + ".%")
            if a.type.isListLike {
                return "EXISTS (SELECT 1 FROM unnest(\(render(a))) AS c(v) WHERE c.v = \(q) OR c.v LIKE \(ql))"
            }
            let x = render(a)
            return "(\(x) = \(q) OR \(x) LIKE \(ql))"
        case .covers(let a, let b):
            let x = render(b)
            return "EXISTS (SELECT 1 FROM unnest(\(render(a))) AS c(v) WHERE \(x) = c.v OR \(x) LIKE c.v || '.%')"
        case .listContains(let a, let b):
            return "\(render(b)) = ANY(\(arrayOperand(a)))"
        case .arith(let plus, let a, let b, _):
            return "(\(render(a)) \(plus ? "+" : "-") \(render(b)))"
        case .builtin(let call):
            return call.family.sql(call, &self)
        case .exists(let l):
            let (a, from, conditions) = lookupParts(l)
            _ = a
            return "EXISTS (SELECT 1 FROM \(from) WHERE \(conditions))"
        case .lookupValue(let l, _, let name, _):
            let (a, from, conditions) = lookupParts(l)
            return "(SELECT \(a).\(ConditionSQLRenderer.column(name)) FROM \(from) WHERE \(conditions) ORDER BY \(a).row_no LIMIT 1)"
        }
    }

    /// The argument of `= ANY(…)`: a scalar subquery needs a cast, or PostgreSQL reads
    /// `ANY (SELECT …)` as a set of rows instead of one array.
    private mutating func arrayOperand(_ c: CheckedExpr) -> String {
        let x = render(c)
        if case .lookupValue = c { return "\(x)::text[]" }
        return x
    }

    private mutating func lookupParts(_ l: ExprLookup) -> (String, String, String) {
        let a = alias(l.table)
        var parts: [String] = []
        for t in l.terms {
            let col = "\(a).\(ConditionSQLRenderer.column(t.name))"
            let v = render(t.value)
            switch t.op {
            case .equals: parts.append("\(col) = \(v)")
            case .contains: parts.append("\(v) = ANY(\(col))")
            case .covers: parts.append("EXISTS (SELECT 1 FROM unnest(\(col)) AS c(v) WHERE \(v) = c.v OR \(v) LIKE c.v || '.%')")
            }
        }
        if let at = l.at, let validity = ReferenceTables.validity(of: l.table) {
            let t = render(at)
            let s = "\(a).\(ConditionSQLRenderer.column(validity.names.0))"
            parts.append("(\(s) IS NULL OR \(s) <= \(t))")
            if let endName = validity.names.1 {
                let e = "\(a).\(ConditionSQLRenderer.column(endName))"
                parts.append("(\(e) IS NULL OR \(t) <= \(e))")
            }
        }
        return (a, "\(l.table.rawValue) \(a)", parts.joined(separator: " AND "))
    }
}
