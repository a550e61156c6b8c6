import TrennwandRecords

/// `matrix(dir, cat)`: the separation-matrix decision for a direction and a data category.
package enum MatrixBuiltin: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [("`matrix(dir, cat)`", "`matrix(\"jobcenter->traeger\", category) == \"forbidden\"`",
                     "separation-matrix decision `allowed|consent|agreement|forbidden` (cell inherited from the nearest ancestor); missing when no cell")])

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        try checker.arity(function, args, 2, o)
        let d = try checker.directionOperand(args[0]), c = try checker.stringOperand(args[1], as: .category)
        return .builtin(BuiltinCall(function, [d, c], type: .symbol(MatrixDecision.allCases.map(\.rawValue)),
                                    cost: 5 + d.cost + c.cost, gapPosition: checker.pos(o)))
    }

    static func str(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprStrFn {
        let env = compiler.env
        let position = call.gapPosition ?? SourcePosition(file: "", line: 0, column: 0)
        let table = env.matrixDecisions
        let fd = compiler.str(call.args[0]), fc = compiler.str(call.args[1])
        let decisions = table
        if case .constant(.string(let dir), _) = call.args[0] {
            // The usual case: a literal direction, so one hash probe per record.
            let row = table[dir] ?? [:]
            return { ctx in
                guard let c = fc(ctx) else { return nil }
                if let decision = row[c] { return decision }
                ctx.recordGap(ConfigurationGap(kind: .unmappedCategory, position: position, table: "matrix", key: c))
                return nil
            }
        }
        return { ctx in
            guard let dir = fd(ctx), let c = fc(ctx) else { return nil }
            if let decision = decisions[dir]?[c] { return decision }
            ctx.recordGap(ConfigurationGap(kind: .unmappedCategory, position: position, table: "matrix", key: c))
            return nil
        }
    }

    /// Direction × known category (the taxonomy's and the matrix's own) → decision, with the
    /// matrix's inheritance resolved; a category outside both has no decision (and is a gap).
    /// Shared with the batch executor.
    package static func decisions(taxonomy: Taxonomy, matrix: SeparationMatrix) -> [ByteString: [ByteString: ByteString]] {
        var known = Set(taxonomy.categories.keys)
        for row in matrix.cells.values { known.formUnion(row.keys) }
        var table: [ByteString: [ByteString: ByteString]] = [:]
        for dir in SeparationMatrix.directions {
            var row: [ByteString: ByteString] = [:]
            for c in known {
                if let cell = matrix.cell(direction: dir, category: c) { row[ByteString(c)] = ByteString(cell.decision.rawValue) }
            }
            table[ByteString(dir)] = row
        }
        return table
    }
}
