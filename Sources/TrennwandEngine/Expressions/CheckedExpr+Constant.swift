import TrennwandRecords

extension CheckedExpr {
    /// The truth value of a condition that does not depend on the record: a literal `true`/`false`
    /// or one that folds to it (`1 == 1`, `"a" != "a"`, `not false`, `x or true`, `x and false`);
    /// nil when the record can change the result. `rules lint` warns about such conditions: a rule
    /// that always or never fires is almost always a typo.
    ///
    /// Only literals are folded; fields, lists, lookups and functions count as record-dependent
    /// (a lookup in an empty reference table is not a constant of the rule).
    var constantTruth: Bool? {
        switch self {
        case .constant(.bool(let t), _):
            switch t {
            case .true: return true
            case .false: return false
            case .unknown: return nil
            }
        case .not(let x):
            return x.constantTruth.map { !$0 }
        case .and(let xs):
            let values = xs.map(\.constantTruth)
            if values.contains(false) { return false }
            return values.allSatisfy { $0 == true } ? true : nil
        case .or(let xs):
            let values = xs.map(\.constantTruth)
            if values.contains(true) { return true }
            return values.allSatisfy { $0 == false } ? false : nil
        case .compare(let op, .constant(let a, _), .constant(let b, _)):
            switch (a, b) {
            case (.number(let x), .number(let y)): return op.holds(x, y)
            case (.string(let x), .string(let y)): return op.holds(x, y)
            case (.time(let x), .time(let y)): return op.holds(x, y)
            case (.bool(let x), .bool(let y)) where x != .unknown && y != .unknown:
                switch op {
                case .eq: return x == y
                case .ne: return x != y
                default: return nil
                }
            default: return nil
            }
        default:
            return nil
        }
    }
}
