import TrennwandRecords
import TrennwandYAML

/// A rule condition, type-checked and compiled into closures at load time. Immutable and safe to
/// share between threads; each thread evaluates with its own `EvalContext`.
public struct CompiledCondition: Sendable {
    /// The record kind the condition is evaluated on.
    public let kind: RecordKind
    /// Where the condition starts in its file.
    public let position: SourcePosition
    let checked: CheckedExpr
    private let fn: ExprBoolFn
    let timeZone: String

    /// Compiles the condition of a rule file from its YAML scalar node (plain, quoted or block
    /// scalar). `fileText` is the file's text (read from `node.file` when nil) so that errors point
    /// at the token's `file:line:column`.
    public static func compile(_ node: YAMLNode, fileText: String? = nil, environment: CompileEnvironment) throws -> CompiledCondition {
        try compile(ConditionSource(node: node, fileText: fileText), environment: environment)
    }

    /// Compiles a condition given as text that starts at `origin` in its file.
    public static func compile(_ text: String, origin: SourcePosition, environment: CompileEnvironment) throws -> CompiledCondition {
        try compile(ConditionSource(text: text, origin: origin), environment: environment)
    }

    static func compile(_ source: ConditionSource, environment: CompileEnvironment) throws -> CompiledCondition {
        var parser = try ExprParser(source: source)
        let syntax = try parser.parse()
        let checker = try ExprTypeChecker(env: environment, source: source)
        let checked = try checker.checkCondition(syntax)
        let fn = ConditionCompiler(env: environment).bool(checked)
        return CompiledCondition(kind: environment.kind, position: source.position(0), checked: checked, fn: fn,
                                 timeZone: environment.timeZone)
    }

    /// The condition's truth value for the context's record; a rule fires only on `.true`.
    @inline(__always)
    public func evaluate(_ context: EvalContext) -> Tri { fn(context) }

    /// The truth value plus the configuration gaps met during this evaluation. The engine reports
    /// a configuration gap (not a violation) when the result is `.unknown` and gaps were met.
    public func evaluateWithGaps(_ context: EvalContext) -> (result: Tri, gaps: ArraySlice<ConfigurationGap>) {
        let start = context.gaps.count
        let r = fn(context)
        return (r, context.gaps[start...])
    }

    /// Whether the condition folded to a constant (e.g. `true`); rule lint can warn about it.
    public var constantValue: Tri? {
        if case .constant(.bool(let t), _) = checked { return t }
        return nil
    }
}
