import TrennwandRecords

/// `now()`: the scan's reference time, fixed for the whole run (and settable for reproducible
/// audits). Folded to a constant at check time, so it is never compiled or rendered as a call.
enum NowBuiltin: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [("`now()`", "`retention_until < now() - 30d`", "the scan's reference time, the same for every record of a run")])

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 0, o)
        return .constant(.time(checker.env.now), .timestamp)
    }

}
