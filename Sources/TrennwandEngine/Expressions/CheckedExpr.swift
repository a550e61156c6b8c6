import TrennwandRecords

/// The static type of an expression.
public enum ExprType: Sendable, Hashable, CustomStringConvertible {
    case string
    /// Free text of a record (one or more pieces); only detectors and string predicates take it.
    case text
    case number
    case bool
    case timestamp
    case duration
    case list
    /// A data category (taxonomy path): literals compared with it must exist in the taxonomy.
    case category
    /// A list of categories (`categories`): `covers` uses taxonomy ancestors.
    case categoryList
    /// A closed set of values: literals compared with it must be one of them.
    case symbol([String])
    /// A weekly schedule (`within_schedule`'s second argument when it is a literal).
    case schedule

    public var description: String {
        switch self {
        case .string: return "string"
        case .text: return "text"
        case .number: return "number"
        case .bool: return "bool"
        case .timestamp: return "timestamp"
        case .duration: return "duration"
        case .list: return "list"
        case .category: return "category"
        case .categoryList: return "list of categories"
        case .symbol(let v): return "symbol {\(v.joined(separator: ", "))}"
        case .schedule: return "schedule"
        }
    }

    /// Represented at run time as a `ByteString?`.
    package var isStringLike: Bool {
        switch self {
        case .string, .category, .symbol: return true
        default: return false
        }
    }

    package var isListLike: Bool { self == .list || self == .categoryList }
}

/// A constant folded at compile time.
package enum ExprConstant: Sendable, Hashable {
    case missing
    case string(ByteString)
    case number(Double)
    case bool(Tri)
    case time(Int64)
    case list([ByteString])
}

package enum ExprCompareOp: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="

    func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .eq: return a == b
        case .ne: return a != b
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        case .ge: return a >= b
        }
    }
}

package enum ExprStringOp: String, Sendable {
    case contains, startswith, endswith
}

package enum LookupTermOp: String, Sendable {
    /// column == value
    case equals = "=="
    /// list column has an element equal to value
    case contains
    /// list-of-categories column has the value's category or one of its ancestors
    case covers
}

/// One key condition of a table lookup: `column op value`; `value` is in the record's scope.
package struct ExprLookupTerm: Sendable {
    package var column: Int
    package var name: String
    package var op: LookupTermOp
    package var value: CheckedExpr
}

/// `table(terms [at time])`: a reference-table lookup.
package struct ExprLookup: Sendable {
    package var table: RecordKind
    package var terms: [ExprLookupTerm]
    package var at: CheckedExpr?
    package var position: SourcePosition
}

/// The type-checked tree: names resolved to slots, indexes and constants. Input to both the
/// closure compiler and the SQL renderer.
package indirect enum CheckedExpr: Sendable {
    case constant(ExprConstant, ExprType)
    case field(slot: Int, name: String, type: ExprType)
    case namedList(String, [ByteString])
    case compare(ExprCompareOp, CheckedExpr, CheckedExpr)
    case member(CheckedExpr, CheckedExpr, negated: Bool)
    case and([CheckedExpr])
    case or([CheckedExpr])
    case not(CheckedExpr)
    case stringMatch(ExprStringOp, CheckedExpr, CheckedExpr, caseInsensitive: Bool)
    case within(CheckedExpr, category: String)
    case covers(CheckedExpr, CheckedExpr)
    case listContains(CheckedExpr, CheckedExpr)
    case arith(plus: Bool, CheckedExpr, CheckedExpr, ExprType)
    /// A condition function (`present`, `matrix`, `detects`, …): its family in `Builtins/` checked
    /// it and compiles and renders it.
    case builtin(BuiltinCall)
    case exists(ExprLookup)
    case lookupValue(ExprLookup, column: Int, name: String, type: ExprType)

    package var type: ExprType {
        switch self {
        case .constant(_, let t): return t
        case .field(_, _, let t): return t
        case .namedList: return .list
        case .arith(_, _, _, let t): return t
        case .builtin(let call): return call.type
        case .lookupValue(_, _, _, let t): return t
        default: return .bool
        }
    }

    var constant: ExprConstant? {
        if case .constant(let c, _) = self { return c }
        return nil
    }

    /// Static cost used to order `and`/`or` operands: field tests first, lookups next, detectors,
    /// then substring tests on free text.
    var cost: Int {
        switch self {
        case .constant: return 0
        case .field, .namedList: return 1
        case .stringMatch(_, let a, let b, _) where a.type == .text:
            // A pass over free text per evaluation, while detector results are computed once per
            // record and shared by all rules: put substring tests on text after detector tests.
            return 150 + a.cost + b.cost
        case .compare(_, let a, let b), .member(let a, let b, _), .stringMatch(_, let a, let b, _), .covers(let a, let b),
             .listContains(let a, let b), .arith(_, let a, let b, _):
            return 1 + a.cost + b.cost
        case .within(let a, _), .not(let a): return 1 + a.cost
        case .builtin(let call): return call.cost
        case .and(let xs), .or(let xs): return xs.reduce(0) { $0 + $1.cost }
        case .exists(let l), .lookupValue(let l, _, _, _): return 20 + l.terms.reduce(0) { $0 + $1.value.cost }
        }
    }
}
