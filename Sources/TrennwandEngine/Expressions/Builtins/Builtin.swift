import TrennwandRecords

/// The condition functions of the rule language, by the name a condition calls them with.
///
/// Each family of functions lives in one file of this folder and holds everything about them: the
/// type rule (`check`), the compiled closure (`bool`/`str`/`num`) and the
/// documentation rows of docs/rule-language.md (`reference`). Adding a function is one case here
/// (with its line in `family`) plus one file with a `BuiltinFamily` (or a new case in an existing
/// family's file). Checker and compiler only dispatch on `family`, once per call
/// site at compile time: evaluation calls the family's closure directly.
package enum Builtin: String, CaseIterable, Sendable {
    case present, missing
    case lower
    case now
    case hour, weekday, date
    case withinSchedule = "within_schedule"
    case direction
    case matrix
    case detects
    case detectsCategory = "detects_category"
    case agreementPermits = "agreement_permits"

    var family: any BuiltinFamily.Type {
        switch self {
        case .present, .missing: return PresenceBuiltins.self
        case .lower: return LowerBuiltin.self
        case .now: return NowBuiltin.self
        case .hour, .weekday, .date: return CalendarBuiltins.self
        case .withinSchedule: return ScheduleBuiltin.self
        case .direction: return DirectionBuiltin.self
        case .matrix: return MatrixBuiltin.self
        case .detects, .detectsCategory: return DetectorBuiltins.self
        case .agreementPermits: return AgreementBuiltin.self
        }
    }

    /// The families in the order of the reference (each once).
    static var families: [any BuiltinFamily.Type] {
        var seen: Set<ObjectIdentifier> = []
        return allCases.map(\.family).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
}

/// One family of condition functions (one file under `Builtins/`). Compile-time code only: the
/// closures it returns are what evaluation calls.
protocol BuiltinFamily {
    /// Rows of the function table and of the SQL mapping table in docs/rule-language.md.
    static var reference: BuiltinReference { get }
    /// Whether `function(…) at t` is allowed (besides table lookups).
    static func acceptsAt(_ function: Builtin) -> Bool
    /// The type rule: checks the arguments and returns the checked node, usually `.builtin`, or a
    /// folded constant. Errors are `ExprIssue`s at the offending token.
    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr
    /// The compiled closure of a call whose `type` is `.bool`.
    static func bool(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprBoolFn
    /// The compiled closure of a string-valued call.
    static func str(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprStrFn
    /// The compiled closure of a number-valued call.
    static func num(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprNumFn
}

extension BuiltinFamily {
    static func acceptsAt(_ function: Builtin) -> Bool { false }
    // A call of another result type never reaches these after type checking.
    static func bool(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprBoolFn { { _ in .unknown } }
    static func str(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprStrFn { { _ in nil } }
    static func num(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprNumFn { { _ in nil } }
}

/// A checked call of a condition function.
package struct BuiltinCall: Sendable {
    package var function: Builtin
    /// The checked arguments (compiled, rendered and visited in this order).
    package var args: [CheckedExpr]
    /// The result type.
    package var type: ExprType
    /// Static cost for ordering `and`/`or` operands (`CheckedExpr.cost`), arguments included.
    var cost: Int
    /// What the family resolved at check time beyond the arguments (detector names, a parsed
    /// schedule); read back by the same family only.
    package var payload: (any Sendable)?
    /// Where a configuration gap met by this call is reported (lookups through the call).
    var gapPosition: SourcePosition?
    /// The detectors the call tests, for evidence (`CompiledCondition.detectorReferences`).
    package var detectorReference: DetectorReference?

    init(_ function: Builtin, _ args: [CheckedExpr], type: ExprType, cost: Int, payload: (any Sendable)? = nil,
         gapPosition: SourcePosition? = nil, detectorReference: DetectorReference? = nil) {
        self.function = function
        self.args = args
        self.type = type
        self.cost = cost
        self.payload = payload
        self.gapPosition = gapPosition
        self.detectorReference = detectorReference
    }

    var family: any BuiltinFamily.Type { function.family }

    /// The sum of the arguments' costs.
    static func cost(of args: [CheckedExpr]) -> Int { args.reduce(0) { $0 + $1.cost } }
}

/// The documentation of one family: rows of the function table (signature, example, meaning),
/// Markdown cell text. (How a function is rendered in SQL is the plan's business:
/// `TrennwandPlan`'s `RulePlanner` and `PlanSQLRenderer`, docs/scale-out.md.)
struct BuiltinReference: Sendable {
    var functions: [(signature: String, example: String, meaning: String)]

    /// The function table's rows over all families, as written between the `builtins` markers of
    /// docs/rule-language.md (`BuiltinReferenceTests` keeps the file current).
    static func markdown() -> String {
        var f = "| function | example | meaning |\n|---|---|---|\n"
        for family in Builtin.families {
            for r in family.reference.functions { f += "| \(r.signature) | \(r.example) | \(r.meaning) |\n" }
        }
        return f
    }
}
