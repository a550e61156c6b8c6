import TrennwandRecords

/// `agreement_permits(traeger, dir, cat) at t`: an approved agreement with a legal basis, valid at
/// `t`, lists the flow `dir:cat` or one of the category's ancestors.
enum AgreementBuiltin: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [("`agreement_permits(tr, dir, cat) at t`", "`agreement_permits(traeger, \"jobcenter->traeger\", category) at time`",
                     "an agreement opens the cell (see below)")])

    static func acceptsAt(_ function: Builtin) -> Bool { true }

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 3, o)
        guard let at else {
            throw checker.typeError(o, "agreement_permits braucht „at <Zeitpunkt>“, z. B. agreement_permits(traeger, \"jobcenter->traeger\", category) at time",
                                    "agreement_permits needs 'at <timestamp>', e.g. agreement_permits(traeger, \"jobcenter->traeger\", category) at time")
        }
        let args = [try checker.stringOperand(args[0], as: .string), try checker.directionOperand(args[1]),
                    try checker.stringOperand(args[2], as: .category), try checker.typed(at, .timestamp, "at")]
        return .builtin(BuiltinCall(function, args, type: .bool, cost: 30))
    }

    static func bool(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprBoolFn {
        let s = RecordSchema.agreements
        guard let traegerSlot = s.slot("traeger"), let approved = s.slot("approved_by_leitung"), let basis = s.slot("legal_basis"),
              let flows = s.slot("permitted_flows") else { return { _ in .false } }
        let index = compiler.env.reference.index(.agreements, column: traegerSlot)
        let ft = compiler.str(call.args[0]), fd = compiler.str(call.args[1]), fc = compiler.str(call.args[2])
        let fat = compiler.int(call.args[3])
        let rows = index.rows
        return { ctx in
            guard let t = ft(ctx), let d = fd(ctx), let c = fc(ctx) else { return .false }
            guard let time = fat(ctx) else { return .false }
            for r32 in index.candidates(t) {
                let r = Int(r32)
                if !index.isValid(r, at: time) { continue }
                let v = rows[r].values
                guard case .bool(true) = v[approved], case .string(let lb) = v[basis], !AgreementBuiltin.isBlank(lb) else { continue }
                for flow in v[flows].strings where AgreementBuiltin.flowPermits(flow, direction: d, category: c) {
                    return .true
                }
            }
            return .false
        }
    }

    static func isBlank(_ s: ByteString) -> Bool { s.withUnsafeBytes { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 } } }

    /// `flow` is `direction:category` and `category` lies within that category.
    static func flowPermits(_ flow: ByteString, direction: ByteString, category: ByteString) -> Bool {
        flow.withUnsafeBytes { f in
            direction.withUnsafeBytes { d in
                category.withUnsafeBytes { c in
                    guard f.count > d.count, f[d.count] == UInt8(ascii: ":") else { return false }
                    for i in 0..<d.count where f[i] != d[i] { return false }
                    return ExprTextOps.isWithin(c, UnsafeRawBufferPointer(rebasing: f[(d.count + 1)...]))
                }
            }
        }
    }

}
