import Foundation
import TrennwandRecords
import TrennwandYAML

/// A rule condition, type-checked and compiled into closures at load time. Immutable and safe to
/// share between threads; each thread evaluates with its own `EvalContext`.
public struct CompiledCondition: Sendable {
    /// The record kind the condition is evaluated on.
    public let kind: RecordKind
    /// Where the condition starts in its file.
    public let position: SourcePosition
    package let checked: CheckedExpr
    private let fn: ExprBoolFn
    package let timeZone: String

    /// Compiles the condition of a rule file from its YAML scalar node (plain, quoted or block
    /// scalar). `fileText` is the file's text (read from `node.file` when nil) so that errors point
    /// at the token's `file:line:column`.
    public static func compile(_ node: YAMLNode, fileText: String? = nil, environment: CompileEnvironment) throws -> CompiledCondition {
        try compile(node, fileText: fileText, environment: environment, limits: .standard)
    }

    static func compile(_ node: YAMLNode, fileText: String? = nil, environment: CompileEnvironment,
                        limits: ExprLimits) throws -> CompiledCondition {
        // Length first, before the per-byte position table is built: named at the condition's start.
        if case .scalar(let scalar) = node.node {
            try ExprParser.checkLength(scalar.string.utf8.count, limits: limits) { _ in node.position }
        }
        return try compile(ConditionSource(node: node, fileText: fileText), environment: environment, limits: limits)
    }

    /// Compiles a condition given as text that starts at `origin` in its file.
    public static func compile(_ text: String, origin: SourcePosition, environment: CompileEnvironment) throws -> CompiledCondition {
        try compile(text, origin: origin, environment: environment, limits: .standard)
    }

    static func compile(_ text: String, origin: SourcePosition, environment: CompileEnvironment,
                        limits: ExprLimits) throws -> CompiledCondition {
        try ExprParser.checkLength(text.utf8.count, limits: limits) { _ in origin }
        return try compile(ConditionSource(text: text, origin: origin), environment: environment, limits: limits)
    }

    static func compile(_ source: ConditionSource, environment: CompileEnvironment,
                        limits: ExprLimits = .standard) throws -> CompiledCondition {
        try CompiledCondition.onCompileStack {
            var parser = try ExprParser(source: source, limits: limits)
            let syntax = try parser.parse()
            let checker = try ExprTypeChecker(env: environment, source: source)
            let checked = try checker.checkCondition(syntax)
            let fn = ConditionCompiler(env: environment).bool(checked)
            return CompiledCondition(kind: environment.kind, position: source.position(0), checked: checked, fn: fn,
                                     timeZone: environment.timeZone)
        }
    }

    /// Stack of the compile thread. Parser, checker and compiler recurse once per nesting level
    /// (at most `ExprLimits.maxDepth`, about 7 parser frames each, ~2.4 KB per frame in a debug
    /// build): 62 levels overflowed the 1 MiB stack of a scan worker, which compiles its own copy
    /// of the rule pack. Only the touched pages are committed.
    package static let compileStackSize = 8 << 20
    /// A main thread with at least this much stack (usually 8 MiB) compiles in place.
    static let inPlaceStackSize = 4 << 20

    /// Runs `body` in place when the calling thread's stack is big enough, else on a thread with
    /// `compileStackSize` of stack, joined before returning. (The compiled closures recurse only
    /// about log2 of a chain per level and run on any thread.) If no thread can be created,
    /// `body` runs in place.
    static func onCompileStack<T>(_ body: () throws -> T) throws -> T {
        if currentStackSize() >= inPlaceStackSize { return try body() }
        return try withoutActuallyEscaping(body) { body in
            let job = CompileJob(body)
            var attr = pthread_attr_t()
            pthread_attr_init(&attr)
            defer { pthread_attr_destroy(&attr) }
            pthread_attr_setstacksize(&attr, compileStackSize)
            var thread = pthread_t()
            let arg = Unmanaged.passRetained(job as CompileJobBase).toOpaque()
            let created = pthread_create(&thread, &attr, { p in
                Unmanaged<CompileJobBase>.fromOpaque(p!).takeRetainedValue().run()
                return nil
            }, arg)
            if created != 0 {
                Unmanaged<CompileJobBase>.fromOpaque(arg).release()
                job.run()
            } else {
                pthread_join(thread, nil)
            }
            return try job.result!.get()
        }
    }

    /// The calling thread's stack size in bytes: `compileStackSize` on a thread that declared it
    /// (`declareCompileStack()`), the main thread's from `RLIMIT_STACK`, 0 for other threads
    /// (their size is not portably known).
    static func currentStackSize() -> Int {
        if pthread_getspecific(compileStackKey) != nil { return compileStackSize }
        guard Thread.isMainThread else { return 0 }
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_STACK.rawValue), &limit) == 0 else { return 0 }
        return Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value
    }

    /// Declares that the calling thread was created with `compileStackSize` of stack, so conditions
    /// compile in place on it. Scan workers do: a thread per condition was ~100 thread starts per
    /// two-thread scan, a sixth of its start (docs/performance.md).
    package static func declareCompileStack() {
        pthread_setspecific(compileStackKey, UnsafeRawPointer(bitPattern: 1))
    }

    private static let compileStackKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The compiled closure itself, for evaluators that keep it beside their rule (calling it
    /// through the struct copies the struct on hot paths).
    var function: ExprBoolFn { fn }

    /// The condition's truth value for the context's record; a rule fires only on `.true`.
    @inline(__always)
    public func evaluate(_ context: EvalContext) -> Tri {
        assert(context.record.kind == kind, "condition compiled for \(kind), record is \(context.record.kind)")
        return fn(context)
    }

    /// The truth value plus the configuration gaps met during this evaluation. The engine reports
    /// a configuration gap (not a violation) when the result is `.unknown` and gaps were met.
    public func evaluateWithGaps(_ context: EvalContext) -> (result: Tri, gaps: ArraySlice<ConfigurationGap>) {
        let start = context.gaps.count
        let r = fn(context)
        return (r, context.gaps[start...])
    }

    /// The detector calls of the condition (text slot and detector indexes), so the engine can
    /// show which detector fired where as evidence, from `EvalContext.detection(_:)`.
    public var detectorReferences: [DetectorReference] {
        var out: [DetectorReference] = []
        checked.visit { node in
            if case .builtin(let call) = node, let reference = call.detectorReference { out.append(reference) }
        }
        return out
    }

    /// The record fields the condition reads (canonical names, in first-use order), e.g. for
    /// evidence and for profiles that want to know which columns matter.
    public var fieldsRead: [String] {
        var out: [String] = []
        checked.visit { node in
            switch node {
            // Functions that read a field (`detects(text, …)`) keep it as an argument.
            case .field(_, let name, _) where !out.contains(name): out.append(name)
            default: break
            }
        }
        return out
    }

    /// Whether the condition folded to a constant (e.g. `true`); rule lint can warn about it.
    public var constantValue: Tri? {
        if case .constant(.bool(let t), _) = checked { return t }
        return nil
    }
}

/// The compile closure handed to the compile thread, and its result handed back (the caller
/// joins the thread, so there is no concurrent access).
private class CompileJobBase: @unchecked Sendable {
    func run() {}
}

private final class CompileJob<T>: CompileJobBase, @unchecked Sendable {
    /// Dropped as soon as it ran: the closure must not outlive `withoutActuallyEscaping`.
    var body: (() throws -> T)?
    var result: Result<T, Error>?
    init(_ body: @escaping () throws -> T) { self.body = body }
    override func run() {
        result = Result { try body!() }
        body = nil
    }
}

/// One detector call of a condition: the text field's slot and the detector indexes it tests.
public struct DetectorReference: Sendable, Hashable {
    public var slot: Int
    public var field: String
    public var detectors: [Int]
}

extension CheckedExpr {
    /// Calls `body` for this node and every node below it (compile-time only).
    func visit(_ body: (CheckedExpr) -> Void) {
        body(self)
        switch self {
        case .constant, .field, .namedList: break
        case .compare(_, let a, let b), .member(let a, let b, _), .stringMatch(_, let a, let b, _), .covers(let a, let b),
             .listContains(let a, let b), .arith(_, let a, let b, _):
            a.visit(body)
            b.visit(body)
        case .and(let xs), .or(let xs): xs.forEach { $0.visit(body) }
        case .not(let a), .within(let a, _):
            a.visit(body)
        case .builtin(let call): call.args.forEach { $0.visit(body) }
        case .exists(let l), .lookupValue(let l, _, _, _):
            l.terms.forEach { $0.value.visit(body) }
            l.at?.visit(body)
        }
    }
}
