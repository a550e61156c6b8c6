/// The binary operators of a condition, decided by the parser from the token once; checker,
/// compiler and SQL renderer switch over the case, never over the spelling.
enum ExprBinaryOp: Sendable, Equatable {
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`
    case compare(ExprCompareOp)
    /// `in`, `not in`
    case member(negated: Bool)
    /// `within`: category equals or lies below.
    case within
    /// `covers`: a list of categories contains the category or an ancestor.
    case covers
    /// `contains`, `startswith`, `endswith` and their `i…` variants.
    case stringMatch(ExprStringOp, caseInsensitive: Bool)
    /// `+`, `-`
    case arith(plus: Bool)

    /// The operator a word token names (`in`, `within`, `covers`, `contains`, `istartswith`, …).
    init?(word: String) {
        switch word {
        case "in": self = .member(negated: false)
        case "within": self = .within
        case "covers": self = .covers
        default:
            if let op = ExprStringOp(rawValue: word) {
                self = .stringMatch(op, caseInsensitive: false)
            } else if word.hasPrefix("i"), let op = ExprStringOp(rawValue: String(word.dropFirst())) {
                self = .stringMatch(op, caseInsensitive: true)
            } else {
                return nil
            }
        }
    }

    /// The operator a symbol token names (`==`, `<`, `+`, …).
    init?(symbol: String) {
        if let op = ExprCompareOp(rawValue: symbol) {
            self = .compare(op)
        } else if symbol == "+" || symbol == "-" {
            self = .arith(plus: symbol == "+")
        } else {
            return nil
        }
    }

    /// The operator as written (messages quote it).
    var text: String {
        switch self {
        case .compare(let op): return op.rawValue
        case .member(let negated): return negated ? "not in" : "in"
        case .within: return "within"
        case .covers: return "covers"
        case .stringMatch(let op, let ci): return (ci ? "i" : "") + op.rawValue
        case .arith(let plus): return plus ? "+" : "-"
        }
    }

    /// The key-condition operator of a table lookup (`column == v`, `contains`, `covers`), if it is one.
    var lookupTerm: LookupTermOp? {
        switch self {
        case .compare(.eq): return .equals
        case .stringMatch(.contains, caseInsensitive: false): return .contains
        case .covers: return .covers
        default: return nil
        }
    }
}

/// `and` / `or` of a flat chain.
enum ExprLogicOp: String, Sendable {
    case and, or
}
