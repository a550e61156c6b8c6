import TrennwandRecords

/// `agreement_permits(traeger, dir, cat) at t`: an approved agreement with a legal basis, valid at
/// `t`, lists the flow `dir:cat` or one of the category's ancestors.
package enum AgreementBuiltin: BuiltinFamily {
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
        guard let index = agreementIndex(compiler.env.reference) else { return { _ in .false } }
        let ft = compiler.str(call.args[0]), fd = compiler.str(call.args[1]), fc = compiler.str(call.args[2])
        let fat = compiler.int(call.args[3])
        return { ctx in
            guard let t = ft(ctx), let d = fd(ctx), let c = fc(ctx) else { return .false }
            guard let time = fat(ctx) else { return .false }
            return Tri(AgreementBuiltin.permits(index, traeger: t, direction: d, category: c, at: time))
        }
    }

    static let slots = (approved: RecordSchema.agreements.slot("approved_by_leitung"), basis: RecordSchema.agreements.slot("legal_basis"),
                        flows: RecordSchema.agreements.slot("permitted_flows"))

    /// The agreements indexed by Träger (nil if the schema lacks a column the builtin reads).
    package static func agreementIndex(_ reference: ReferenceTables) -> ReferenceIndex? {
        guard let traeger = RecordSchema.agreements.slot("traeger"), slots.approved != nil, slots.basis != nil, slots.flows != nil else { return nil }
        return reference.index(.agreements, column: traeger)
    }

    /// Whether an approved agreement of `traeger` with a legal basis, valid at `time`, lists the
    /// flow — the builtin's reading, shared with the batch executor.
    package static func permits(_ index: ReferenceIndex, traeger t: ByteString, direction d: ByteString, category c: ByteString,
                                at time: Int64) -> Bool {
        guard let approved = slots.approved, let basis = slots.basis, let flows = slots.flows else { return false }
        for r32 in index.candidates(t) {
            let r = Int(r32)
            if !index.isValid(r, at: time) { continue }
            let v = index.rows[r].values
            guard case .bool(true) = v[approved], case .string(let lb) = v[basis], !AgreementBuiltin.isBlank(lb) else { continue }
            for flow in v[flows].strings where AgreementBuiltin.flowPermits(flow, direction: d, category: c) {
                return true
            }
        }
        return false
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
