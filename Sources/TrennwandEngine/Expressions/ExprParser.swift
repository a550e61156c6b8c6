import TrennwandRecords

/// The parse tree of a condition, before name resolution and type checking. Every node keeps the
/// byte offset of its significant token (an operator, a name, a literal) for error positions.
indirect enum ExprSyntax: Sendable {
    case string(String, Int)
    case number(Double, Int)
    case duration(Int64, String, Int)
    case bool(Bool, Int)
    case identifier(String, Int)
    case listName(String, Int)
    case list([ExprSyntax], Int)
    /// `any [..]` as an argument of `detects`.
    case any(ExprSyntax, Int)
    /// `name(args) [at time]`: a builtin function or a reference-table lookup.
    case call(String, [ExprSyntax], at: ExprSyntax?, Int)
    /// `lookup.field`.
    case member(ExprSyntax, String, Int)
    case exists(ExprSyntax, Int)
    /// `not x` (a minus before a number or duration is part of the literal).
    case not(ExprSyntax, Int)
    /// Comparisons, `in`, `not in`, `within`, string predicates, `+`, `-`.
    case binary(ExprBinaryOp, ExprSyntax, ExprSyntax, Int)
    /// `a and b and …` or `a or b or …`: one flat node of two or more operands, so that no
    /// recursion (parse, check, compile, evaluate, deallocation) grows with the chain's length.
    /// The offset is the first operator's.
    case chain(ExprLogicOp, [ExprSyntax], Int)

    var offset: Int {
        switch self {
        case .string(_, let o), .number(_, let o), .duration(_, _, let o), .bool(_, let o), .identifier(_, let o),
             .listName(_, let o), .list(_, let o), .any(_, let o), .call(_, _, _, let o), .member(_, _, let o),
             .exists(_, let o), .not(_, let o), .binary(_, _, _, let o), .chain(_, _, let o):
            return o
        }
    }

    /// The offset of the leftmost token (for messages about a whole operand).
    var startOffset: Int {
        switch self {
        case .binary(_, let l, _, _): return l.startOffset
        case .chain(_, let xs, _): return xs[0].startOffset
        case .member(let b, _, _): return b.startOffset
        default: return offset
        }
    }
}

/// Hard limits of one condition, so that a hostile or generated rule file fails with a positioned
/// error instead of exhausting time, memory or a thread's stack (docs/rule-language.md, "Limits").
struct ExprLimits: Sendable {
    /// Bytes of condition text (UTF-8).
    var maxSourceBytes = 1 << 20
    /// Values, names, operators and opening brackets (`)`, `]` and `,` do not count).
    var maxNodes = 200_000
    /// Elements of one list literal `[…]`.
    var maxListElements = 100_000
    /// Substring tests (`contains`, `startswith`, `endswith`, their `i…` forms, `covers`): each is a
    /// pass over a value per record.
    var maxPatterns = 1_000
    /// Nesting: brackets, `not`, call arguments, and each `+`/`-` and `.field` of a chain.
    var maxDepth = 100

    static let standard = ExprLimits()
}

/// Recursive-descent parser for the grammar in docs/rule-language.md. Recursion depth is bounded
/// by `ExprLimits.maxDepth`; `and`/`or` chains are built by loops into flat `.chain` nodes.
struct ExprParser {
    private let tokens: [ExprToken]
    private let source: ConditionSource
    private let limits: ExprLimits
    private var i = 0
    private var depth = 0
    private var nodes = 0
    private var patterns = 0

    static let keywords: Set<String> = [
        "and", "or", "not", "in", "within", "exists", "at", "true", "false", "any",
        "contains", "startswith", "endswith", "icontains", "istartswith", "iendswith", "covers",
    ]
    static let stringPredicates: Set<String> = ["contains", "startswith", "endswith", "icontains", "istartswith", "iendswith", "covers"]

    init(source: ConditionSource, limits: ExprLimits = .standard) throws {
        self.source = source
        self.limits = limits
        try ExprParser.checkLength(source.bytes.count, limits: limits) { source.position($0) }
        self.tokens = try ExprLexer(source: source).tokens()
    }

    /// The length limit, checked before any per-byte work; `position` maps a byte offset.
    static func checkLength(_ count: Int, limits: ExprLimits, position: (Int) -> SourcePosition) throws {
        guard count > limits.maxSourceBytes else { return }
        let max = limits.maxSourceBytes
        throw ExprIssue.tooLong(position(max), bytes: count, max: max)
    }

    /// Counts one node (value, name or operator) at token `t`.
    private mutating func count(_ t: ExprToken) throws {
        nodes += 1
        if nodes > limits.maxNodes {
            throw ExprIssue.tooManyNodes(source.position(t.offset), max: limits.maxNodes)
        }
    }

    /// Counts one substring test at its operator token `t`.
    private mutating func countPattern(_ t: ExprToken) throws {
        patterns += 1
        if patterns > limits.maxPatterns {
            throw ExprIssue.tooManyPatterns(source.position(t.offset), max: limits.maxPatterns)
        }
    }

    mutating func parse() throws -> ExprSyntax {
        if case .end = tokens[0].kind {
            throw ExprIssue.emptyCondition(source.position(0))
        }
        let e = try disjunction()
        if case .end = peek.kind { return e }
        throw unexpected(peek, expected: "and, or")
    }

    private var peek: ExprToken { tokens[i] }
    private var peek2: ExprToken { tokens[min(i + 1, tokens.count - 1)] }

    private func isWord(_ t: ExprToken, _ w: String) -> Bool {
        if case .identifier(let s) = t.kind { return s == w }
        return false
    }

    private func isOp(_ t: ExprToken, _ o: String) -> Bool {
        if case .op(let s) = t.kind { return s == o }
        return false
    }

    private mutating func advance() -> ExprToken {
        let t = tokens[i]
        if i < tokens.count - 1 { i += 1 }
        return t
    }

    private func unexpected(_ t: ExprToken, expected: String) -> ConfigError {
        if case .end = t.kind {
            return ExprIssue.syntax(source.position(t.offset), de: "unerwartetes Ende der Bedingung (erwartet: \(expected))",
                                          en: "unexpected end of condition (expected: \(expected))")
        }
        return ExprIssue.syntax(source.position(t.offset), de: "unerwartet: „\(t.text)“ (erwartet: \(expected))",
                                      en: "unexpected '\(t.text)' (expected: \(expected))")
    }

    private mutating func expectOp(_ o: String) throws {
        guard isOp(peek, o) else { throw unexpected(peek, expected: "'\(o)'") }
        _ = advance()
    }

    private mutating func disjunction() throws -> ExprSyntax {
        let first = try conjunction()
        guard isWord(peek, "or") else { return first }
        let offset = peek.offset
        var items = [first]
        while isWord(peek, "or") {
            try count(advance())
            items.append(try conjunction())
        }
        return .chain(.or, items, offset)
    }

    private mutating func conjunction() throws -> ExprSyntax {
        let first = try negation()
        guard isWord(peek, "and") else { return first }
        let offset = peek.offset
        var items = [first]
        while isWord(peek, "and") {
            try count(advance())
            items.append(try negation())
        }
        return .chain(.and, items, offset)
    }

    private mutating func enter(_ t: ExprToken) throws {
        depth += 1
        if depth > limits.maxDepth {
            throw ExprIssue.nestedTooDeeply(source.position(t.offset), maxDepth: limits.maxDepth)
        }
    }

    private mutating func negation() throws -> ExprSyntax {
        if isWord(peek, "not") {
            let t = advance()
            try count(t)
            try enter(t)
            defer { depth -= 1 }
            return .not(try negation(), t.offset)
        }
        return try relation()
    }

    private mutating func relation() throws -> ExprSyntax {
        let left = try additive()
        let t = peek
        if case .identifier(let w) = t.kind, ExprParser.stringPredicates.contains(w) { try countPattern(t) }
        switch t.kind {
        case .op(let o):
            guard case .compare(let c)? = ExprBinaryOp(symbol: o) else { return left }
            try count(advance())
            return .binary(.compare(c), left, try additive(), t.offset)
        case .identifier("not") where isWord(peek2, "in"):
            try count(advance())
            _ = advance()
            return .binary(.member(negated: true), left, try additive(), t.offset)
        case .identifier(let w):
            // `in`, `within` and the string predicates (`ExprParser.stringPredicates`).
            guard let op = ExprBinaryOp(word: w) else { return left }
            try count(advance())
            return .binary(op, left, try additive(), t.offset)
        default:
            return left
        }
    }

    // `+`/`-` and `.field` chains build left-deep trees, so each link counts as a nesting level.
    private mutating func additive() throws -> ExprSyntax {
        var left = try postfix()
        let outer = depth
        defer { depth = outer }
        while isOp(peek, "+") || isOp(peek, "-") {
            let t = advance()
            try count(t)
            try enter(t)
            left = .binary(.arith(plus: isOp(t, "+")), left, try postfix(), t.offset)
        }
        return left
    }

    private mutating func postfix() throws -> ExprSyntax {
        var e = try primary()
        let outer = depth
        defer { depth = outer }
        while isOp(peek, ".") {
            _ = advance()
            let t = advance()
            guard case .identifier(let name) = t.kind else { throw unexpected(t, expected: "field name / Feldname") }
            try count(t)
            try enter(t)
            e = .member(e, name, t.offset)
        }
        if isWord(peek, "at"), ExprParser.canAttachAt(e) {
            let t = advance()
            let at = try additive()
            e = try attachAt(e, at, t)
        }
        return e
    }

    private static func canAttachAt(_ e: ExprSyntax) -> Bool {
        switch e {
        case .call(_, _, nil, _): return true
        case .member(let b, _, _), .exists(let b, _): return canAttachAt(b)
        default: return false
        }
    }

    private func attachAt(_ e: ExprSyntax, _ at: ExprSyntax, _ t: ExprToken) throws -> ExprSyntax {
        switch e {
        case .call(let n, let args, nil, let o): return .call(n, args, at: at, o)
        case .member(let b, let f, let o): return .member(try attachAt(b, at, t), f, o)
        case .exists(let c, let o): return .exists(try attachAt(c, at, t), o)
        default:
            throw ExprIssue.atNotAllowed(source.position(t.offset))
        }
    }

    private mutating func primary() throws -> ExprSyntax {
        let t = advance()
        try count(t)
        // Every recursive path (parentheses, list literals, call arguments, `any`, `exists`) passes
        // through here, so one guard bounds the nesting (fuzz-expression found `[[[[…` overflowing).
        try enter(t)
        defer { depth -= 1 }
        switch t.kind {
        case .string(let s): return .string(s, t.offset)
        case .number(let n): return .number(n, t.offset)
        case .duration(let d, let text): return .duration(d, text, t.offset)
        case .listName(let n): return .listName(n, t.offset)
        case .op("("):
            let e = try disjunction()
            try expectOp(")")
            return e
        case .op("["):
            var items: [ExprSyntax] = []
            if !isOp(peek, "]") {
                repeat {
                    if items.count == limits.maxListElements {
                        throw ExprIssue.listTooLong(source.position(peek.offset), max: limits.maxListElements)
                    }
                    items.append(try additive())
                } while try consumeComma()
            }
            try expectOp("]")
            return .list(items, t.offset)
        case .op("-"):
            let next = advance()
            switch next.kind {
            case .number(let n): return .number(-n, t.offset)
            case .duration(let d, let s): return .duration(-d, "-" + s, t.offset)
            default: throw unexpected(next, expected: "number / Zahl")
            }
        case .identifier("true"): return .bool(true, t.offset)
        case .identifier("false"): return .bool(false, t.offset)
        case .identifier("exists"):
            let inner = try postfix()
            guard case .call = inner else {
                throw ExprIssue.syntax(source.position(inner.offset), de: "nach „exists“ wird eine Tabellenabfrage erwartet, z. B. staff(person == actor)",
                                             en: "'exists' expects a table lookup, e.g. staff(person == actor)")
            }
            return .exists(inner, t.offset)
        case .identifier("any"):
            return .any(try primary(), t.offset)
        case .identifier(let name):
            if ExprParser.keywords.contains(name) { throw unexpected(t, expected: "value / Wert") }
            guard isOp(peek, "(") else { return .identifier(name, t.offset) }
            _ = advance()
            var args: [ExprSyntax] = []
            var at: ExprSyntax?
            if !isOp(peek, ")") {
                repeat {
                    args.append(try disjunction())
                    if isWord(peek, "at") {
                        _ = advance()
                        at = try additive()
                    }
                } while try consumeComma()
            }
            try expectOp(")")
            return .call(name, args, at: at, t.offset)
        default:
            throw unexpected(t, expected: "value / Wert")
        }
    }

    private mutating func consumeComma() throws -> Bool {
        if isOp(peek, ",") {
            _ = advance()
            return true
        }
        return false
    }
}
