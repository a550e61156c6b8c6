import TrennwandRecords

/// `detects(text, name)`, `detects(text, any [...])`, `detects_category(text, c)`: validated
/// detector hits in a free-text field. The detectors run once per record and text field
/// (`EvalContext.detection`); the closures only test their bits.
enum DetectorBuiltins: BuiltinFamily {
    static let reference = BuiltinReference(
        functions: [
            ("`detects(text, name)`", "`detects(text, \"steuer_id\")`, `detects(text, any [\"iban\", \"steuer_id\"])`",
             "a detector (any of several) has a validated hit in the text field"),
            ("`detects_category(text, c)`", "`detects_category(text, \"gesundheit\")`", "any detector whose category lies within `c` fired"),
        ])

    /// What `detects` names (SQL renders the names) or `detects_category` asks for.
    enum Target: Sendable {
        case names([String])
        case category(String)
    }

    static func check(_ function: Builtin, _ args: [ExprSyntax], at: ExprSyntax?, offset o: Int,
                      _ checker: ExprTypeChecker) throws -> CheckedExpr {
        let name = function.rawValue
        try checker.arity(function, args, 2, o)
        guard case .identifier(let fieldName, let fo) = args[0] else {
            throw checker.typeError(args[0].startOffset, "\(name) erwartet ein Textfeld als erstes Argument", "\(name) expects a text field as first argument")
        }
        let (slot, type) = try checker.field(fieldName, fo, in: checker.schema)
        guard type == .text else {
            throw checker.typeError(fo, "\(name) prüft nur Freitextfelder; „\(fieldName)“ ist \(type)",
                                    "\(name) checks only free-text fields; '\(fieldName)' is \(type)")
        }
        let field = CheckedExpr.field(slot: slot, name: fieldName, type: type)
        let env = checker.env
        let detectors = env.detectors.detectors
        func call(_ idx: [Int], _ target: Target) -> CheckedExpr {
            .builtin(BuiltinCall(function, [field], type: .bool, cost: 100, payload: target,
                                 detectorReference: DetectorReference(slot: slot, field: fieldName, detectors: idx)))
        }
        if function == .detectsCategory {
            guard case .string(let cat, let co) = args[1] else {
                throw checker.typeError(args[1].startOffset, "detects_category erwartet eine Kategorie in Anführungszeichen", "detects_category expects a quoted category")
            }
            try checker.requireCategory(cat, co)
            return call(detectors.indices.filter { env.taxonomy.isWithin(detectors[$0].category, cat) }, .category(cat))
        }
        var items: [(String, Int)] = []
        switch args[1] {
        case .string(let v, let so): items = [(v, so)]
        case .any(.list(let xs, _), _), .list(let xs, _):
            for x in xs {
                guard case .string(let v, let so) = x else {
                    throw checker.typeError(x.startOffset, "Detektornamen stehen in Anführungszeichen", "detector names are quoted")
                }
                items.append((v, so))
            }
        default:
            throw checker.typeError(args[1].startOffset, "detects erwartet einen Detektornamen oder any [\"a\", \"b\"]",
                                    "detects expects a detector name or any [\"a\", \"b\"]")
        }
        var idx: [Int] = []
        for (v, so) in items {
            guard let i = detectors.firstIndex(where: { $0.name == v }) else {
                throw ExprIssue.unknownDetector(checker.pos(so), name: v, suggestions: ExprIssue.suggestions(v, in: detectors.map(\.name)))
            }
            idx.append(i)
        }
        return call(idx, .names(items.map(\.0)))
    }

    static func bool(_ call: BuiltinCall, _ compiler: ConditionCompiler) -> ExprBoolFn {
        guard let ref = call.detectorReference else { return { _ in .unknown } }
        let slot = ref.slot, idx = ref.detectors
        if call.function == .detectsCategory {
            return { ctx in
                if idx.isEmpty { return ctx.value(slot).isMissing ? .unknown : .false }
                guard let r = ctx.detection(slot) else { return .unknown }
                for d in idx where r.fired(d) { return .true }
                return .false
            }
        }
        if idx.count == 1 {
            let d = idx[0]
            return { ctx in
                guard let r = ctx.detection(slot) else { return .unknown }
                return Tri(r.fired(d))
            }
        }
        return { ctx in
            guard let r = ctx.detection(slot) else { return .unknown }
            for d in idx where r.fired(d) { return .true }
            return .false
        }
    }

}
