import TrennwandRecords

/// `hour(t)`, `weekday(t)`, `date(t)`: parts of a timestamp in the scan's time zone.
package enum CalendarBuiltins: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [
            ("`hour(t)`", "`hour(time) < 7`", "local hour 0–23"),
            ("`weekday(t)`", "`weekday(time) >= 6`", "ISO weekday, 1 = Monday … 7 = Sunday"),
            ("`date(t)`", "`date(time) == \"2025-03-04\"`", "local date as `YYYY-MM-DD`"),
        ])

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 1, o)
        let t = try checker.typed(args[0], .timestamp, function.rawValue)
        return .builtin(BuiltinCall(function, [t], type: function == .date ? .string : .number, cost: 3 + t.cost))
    }

    static func num(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprNumFn {
        let f = compiler.int(call.args[0])
        if call.function == .hour {
            return { ctx in f(ctx).map { Double(hour(local: ctx.local($0))) } }
        }
        guard call.function == .weekday else { return { _ in nil } }
        return { ctx in f(ctx).map { Double(weekday(local: ctx.local($0))) } }
    }

    static func str(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprStrFn {
        guard call.function == .date else { return { _ in nil } }
        let f = compiler.int(call.args[0])
        return { ctx in f(ctx).map { date(local: ctx.local($0)) } }
    }

    /// The hour 0–23 of local wall-clock seconds (both engines: one definition).
    package static func hour(local l: Int64) -> Int64 {
        (l - ExprCivil.floorDiv(l, 86_400) * 86_400) / 3600
    }

    /// The ISO weekday, 1 = Monday … 7 = Sunday, of local wall-clock seconds.
    package static func weekday(local l: Int64) -> Int64 {
        ExprCivil.floorMod(ExprCivil.floorDiv(l, 86_400) + 3, 7) + 1
    }

    /// The local date `YYYY-MM-DD` of local wall-clock seconds.
    package static func date(local l: Int64) -> ByteString {
        let (y, m, d) = CivilTime.civilFromDays(Int(ExprCivil.floorDiv(l, 86_400)))
        var out: [UInt8] = []
        out.reserveCapacity(10)
        for v in [y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10] { out.append(UInt8(0x30 + v)) }
        out.append(UInt8(ascii: "-"))
        out.append(UInt8(0x30 + m / 10)); out.append(UInt8(0x30 + m % 10))
        out.append(UInt8(ascii: "-"))
        out.append(UInt8(0x30 + d / 10)); out.append(UInt8(0x30 + d % 10))
        return ByteString(out)
    }
}
