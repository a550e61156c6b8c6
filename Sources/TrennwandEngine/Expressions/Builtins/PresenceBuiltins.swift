import TrennwandRecords

/// `present(x)`, `missing(x)`: whether a field or lookup has a value.
enum PresenceBuiltins: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [("`present(x)`, `missing(x)`", "`missing(legal_basis)`", "value present / missing (fields and lookups)")])

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 1, o)
        let c = try checker.check(args[0])
        if case .constant = c {
            throw checker.typeError(args[0].startOffset, "\(function.rawValue) erwartet ein Feld oder eine Abfrage",
                                    "\(function.rawValue) expects a field or a lookup")
        }
        return .builtin(BuiltinCall(function, [c], type: .bool, cost: 1 + c.cost))
    }

    static func bool(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprBoolFn {
        let p = compiler.presence(call.args[0])
        let want = call.function == .present
        return { ctx in Tri(p(ctx) == want) }
    }

}
