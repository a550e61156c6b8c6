import TrennwandRecords

/// `lower(s)`: lower case (ASCII and Ä Ö Ü …).
enum LowerBuiltin: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [("`lower(s)`", "`lower(channel) == \"e-mail\"`", "lower case (ASCII and Ä Ö Ü …)")])

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 1, o)
        let c = try checker.check(args[0])
        guard c.type.isStringLike else {
            throw checker.typeError(args[0].startOffset, "lower erwartet Text, gefunden: \(c.type)", "lower expects text, found: \(c.type)")
        }
        if case .constant(.string(let s), _) = c { return .constant(.string(ExprTextOps.lower(s)), .string) }
        return .builtin(BuiltinCall(function, [c], type: .string, cost: 1 + c.cost))
    }

    static func str(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprStrFn {
        let f = compiler.str(call.args[0])
        return { ctx in f(ctx).map(ExprTextOps.lower) }
    }

}
