import TrennwandRecords

/// `within_schedule(t, s)`: the local time lies in a weekly schedule (literal or from a lookup).
enum ScheduleBuiltin: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [("`within_schedule(t, s)`",
                     "`within_schedule(time, \"Mo-Fr 08:00-16:30\")`, `within_schedule(time, secondments(person == actor).schedule)`",
                     "local time lies in the weekly schedule")])

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 2, o)
        let t = try checker.typed(args[0], .timestamp, function.rawValue)
        if case .string(let v, let so) = args[1] {
            do {
                // The literal is parsed once here; the closure tests it without a cache probe.
                let schedule = try DeploymentSchedule(parsing: v)
                let s = CheckedExpr.constant(.string(ByteString(v)), .schedule)
                return .builtin(BuiltinCall(function, [t, s], type: .bool, cost: 5 + t.cost + s.cost, payload: schedule))
            } catch let e as DeploymentSchedule.ParseError {
                throw ExprIssue.badSchedule(checker.pos(so + 1 + e.offset), de: e.de, en: e.en)
            }
        }
        let s = try checker.stringOperand(args[1], as: .string)
        return .builtin(BuiltinCall(function, [t, s], type: .bool, cost: 5 + t.cost + s.cost))
    }

    static func bool(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprBoolFn {
        let tf = compiler.int(call.args[0])
        if let literal = call.payload as? DeploymentSchedule {
            return { ctx in
                guard let x = tf(ctx) else { return .unknown }
                return Tri(literal.contains(local: ctx.local(x)))
            }
        }
        let s = call.args[1]
        let sf = compiler.str(s)
        let position = compiler.position(of: s)
        return { ctx in
            guard let x = tf(ctx), let text = sf(ctx) else { return .unknown }
            guard let schedule = ctx.schedule(text) else {
                ctx.recordGap(ConfigurationGap(kind: .invalidSchedule, position: position, table: "schedule", key: text))
                return .unknown
            }
            return Tri(schedule.contains(local: ctx.local(x)))
        }
    }

}
