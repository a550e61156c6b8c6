import TrennwandRecords

/// `direction(from, to)`: `"jobcenter->traeger"`, `"traeger->jobcenter"`, otherwise missing.
package enum DirectionBuiltin: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [("`direction(from, to)`", "`direction(actor_org, destination_org)`",
                     "`\"jobcenter->traeger\"`, `\"traeger->jobcenter\"`, otherwise missing")])

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 2, o)
        let a = try checker.stringOperand(args[0], as: .string), b = try checker.stringOperand(args[1], as: .string)
        return .builtin(BuiltinCall(function, [a, b], type: .string, cost: 1 + a.cost + b.cost))
    }

    static func str(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprStrFn {
        let fa = compiler.str(call.args[0]), fb = compiler.str(call.args[1])
        return { ctx in
            guard let x = fa(ctx), let y = fb(ctx) else { return nil }
            return direction(x, y)
        }
    }

    /// `"jobcenter->traeger"` or `"traeger->jobcenter"` for the two organisations, otherwise
    /// missing. Shared with the batch executor.
    @inline(__always)
    package static func direction(_ from: ByteString, _ to: ByteString) -> ByteString? {
        if from == jobcenter, to == traeger { return jobcenterToTraeger }
        if from == traeger, to == jobcenter { return traegerToJobcenter }
        return nil
    }

    static let jobcenter: ByteString = "jobcenter", traeger: ByteString = "traeger"
    static let jobcenterToTraeger: ByteString = "jobcenter->traeger", traegerToJobcenter: ByteString = "traeger->jobcenter"

}
