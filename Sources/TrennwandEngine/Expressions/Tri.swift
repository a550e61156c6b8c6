// Expressions: the rule-condition language. Sits inside the engine between rule files (which hand
// over a condition's YAML node) and evaluation (which runs the compiled closures per record).
// Pipeline: ConditionSource → ExprLexer → ExprParser (syntax tree) → ExprTypeChecker (checked tree) →
// ConditionCompiler (closures). The SQL form of a condition is TrennwandPlan's (RulePlanner).

/// A truth value of SQL's three-valued logic: a comparison with a missing value is `unknown`;
/// a rule fires only on `true`.
public enum Tri: UInt8, Sendable, Hashable, CustomStringConvertible {
    case `false` = 0
    case unknown = 1
    case `true` = 2

    @inline(__always)
    public init(_ b: Bool) { self = b ? .true : .false }

    /// Kleene conjunction: the minimum (false < unknown < true).
    @inline(__always)
    public static func && (a: Tri, b: Tri) -> Tri { a.rawValue <= b.rawValue ? a : b }

    /// Kleene disjunction: the maximum.
    @inline(__always)
    public static func || (a: Tri, b: Tri) -> Tri { a.rawValue >= b.rawValue ? a : b }

    /// Kleene negation: `not unknown` is `unknown`.
    @inline(__always)
    public static prefix func ! (a: Tri) -> Tri {
        switch a {
        case .false: return .true
        case .unknown: return .unknown
        case .true: return .false
        }
    }

    public var description: String {
        switch self {
        case .false: return "false"
        case .unknown: return "unknown"
        case .true: return "true"
        }
    }
}
