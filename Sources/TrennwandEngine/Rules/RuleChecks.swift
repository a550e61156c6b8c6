import TrennwandFindings
import TrennwandRecords
import TrennwandYAML

/// The outcome of one rule example.
public struct ExampleOutcome: Sendable {
    public let ruleID: String
    public let position: SourcePosition
    public let shouldMatch: Bool
    /// Whether the rule fired; nil when the example could not be evaluated (see `error`).
    public let matched: Bool?
    public let error: ConfigError?

    public var passed: Bool { error == nil && matched == shouldMatch }
}

/// `rules lint` and `rules test`: static checks of the rule pack and the rules' own examples.
public enum RuleChecks {
    /// Problems of the rule pack: parse errors, compile errors (type errors, unknown fields,
    /// lists, detectors, categories), rules without both kinds of example, record rules without
    /// evidence fields. Constant conditions are `warnings`, not problems.
    /// Conditions that do not depend on the record (`true`, `1 == 1`, `x or true`, `x and false`):
    /// the rule fires on every record of its kind or on none. Warnings for `rules lint`, which still
    /// exits 0 when they are all there is; named at the condition's start.
    public static func warnings(_ set: RuleSet, policy: PolicyData) -> [ConfigError] {
        let pack = CompiledRulePack.compile(set, policy: policy, reference: .empty).pack
        var warnings: [ConfigError] = []
        func check(_ condition: CompiledCondition?, _ id: String) {
            guard let condition, let truth = condition.checked.constantTruth else { return }
            warnings.append(RuleIssue.constantCondition(condition.position, id: id, truth: truth))
        }
        for rule in pack.rules { check(rule.condition, rule.file.id) }
        for aggregate in pack.aggregates {
            check(aggregate.filter, aggregate.file.id)
            check(aggregate.numerator, aggregate.file.id)
        }
        if set.catalogue == nil, let first = set.rules.first {
            warnings.append(NormIssue.noCatalogueWarning(first.position))
        }
        return warnings.sorted { ($0.position.file, $0.position.line, $0.position.column) < ($1.position.file, $1.position.line, $1.position.column) }
    }

    public static func lint(_ set: RuleSet, policy: PolicyData) -> [ConfigError] {
        var problems = set.errors
        problems += CompiledRulePack.compile(set, policy: policy, reference: .empty).errors
        for rule in set.rules {
            let matches = rule.examples.filter(\.shouldMatch).count
            let nonMatches = rule.examples.count - matches
            if matches == 0 || nonMatches == 0 {
                problems.append(RuleIssue.examplesMissing(rule.position, id: rule.id))
            }
            if rule.evidence.isEmpty && !rule.body.isAggregate {
                problems.append(RuleIssue.noEvidence(rule.position, id: rule.id))
            }
        }
        problems += normProblems(set)
        return problems.sorted { ($0.position.file, $0.position.line, $0.position.column) < ($1.position.file, $1.position.line, $1.position.column) }
    }

    /// The norm checks of `rules lint` (codes `norm.*`): catalogue entries without source or
    /// amendment date (`unknown` only with a note), inline citations missing from the catalogue,
    /// notes for norms the rule does not cite, and norms binding only the Jobcenter applied to the
    /// Träger's records (`RuleFile.checksTraegerRecords`) without a `norm_notes:` reason.
    /// Unknown keys are load errors (`RuleSet.errors`), reported with the others.
    public static func normProblems(_ set: RuleSet) -> [ConfigError] {
        var problems: [ConfigError] = []
        guard let catalogue = set.catalogue else { return [] }
        problems += catalogue.issues
        for rule in set.rules {
            var cited: Set<String> = []
            for ref in rule.normRefs {
                switch ref {
                case .key(let key, let p):
                    cited.insert(key)
                    guard let entry = catalogue[key] else { continue }
                    if entry.binds == .jobcenter && rule.checksTraegerRecords
                        && !rule.normNotes.contains(where: { $0.key == key }) {
                        problems.append(NormIssue.jobcenterNormOnTraegerRecords(p, id: rule.id, key: key, citation: entry.citation))
                    }
                case .inline(let norm, let p):
                    if catalogue.entry(citation: norm.citation) == nil {
                        problems.append(NormIssue.inlineNotInCatalogue(p, citation: norm.citation))
                    }
                }
            }
            for note in rule.normNotes where !cited.contains(note.key) {
                problems.append(NormIssue.noteForUncitedNorm(note.position, key: note.key))
            }
        }
        return problems
    }

    /// Runs every example of every rule: `match` examples must fire, `no_match` examples must not.
    public static func test(_ set: RuleSet, policy: PolicyData, pseudonymizer: Pseudonymizer,
                            only: Set<String>? = nil) -> [ExampleOutcome] {
        var out: [ExampleOutcome] = []
        guard let zone = ZoneConverter(identifier: policy.timeZone) else { return [] }
        for rule in set.rules where only?.contains(rule.id) ?? true {
            for example in rule.examples {
                do {
                    var tables: [RecordKind: [Record]] = [:]
                    for (kind, rows) in example.reference {
                        tables[kind] = try rows.enumerated().map { try ExampleRecords.record($1, kind: kind, zone: zone, index: $0 + 1) }
                    }
                    let records = try example.records.enumerated().map {
                        try ExampleRecords.record($1, kind: rule.target.kind, zone: zone, index: $0 + 1)
                    }
                    let single = RuleSet(rules: [rule], errors: [], hash: set.hash)
                    let (pack, errors) = CompiledRulePack.compile(single, policy: policy, reference: ReferenceTables(tables))
                    if let e = errors.first { throw e }
                    let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: pseudonymizer)
                    var fired = false
                    for r in records {
                        evaluator.evaluate(r) { f in if f.ruleID == rule.id && f.findingClass == rule.findingClass { fired = true } }
                    }
                    evaluator.finish { f in if f.ruleID == rule.id { fired = true } }
                    out.append(ExampleOutcome(ruleID: rule.id, position: example.position, shouldMatch: example.shouldMatch,
                                              matched: fired, error: nil))
                } catch let e as ConfigError {
                    out.append(ExampleOutcome(ruleID: rule.id, position: example.position, shouldMatch: example.shouldMatch,
                                              matched: nil, error: e))
                } catch {
                    out.append(ExampleOutcome(ruleID: rule.id, position: example.position, shouldMatch: example.shouldMatch,
                                              matched: nil, error: RuleIssue.badExample(example.position, reason: error)))
                }
            }
        }
        return out
    }
}

extension RuleFile {
    /// Whether the rule checks records the Träger holds or produces, so a norm binding only the
    /// Jobcenter needs a reason (`norm_notes:`): documentation records (the Träger's case
    /// documentation), or a condition (aggregate: filter or ratio) that tests `system_owner ==
    /// "traeger"` (the Träger's software) or `from_org == "traeger"` (flows the Träger sends). Who
    /// acts (`actor_org`) does not decide it: a Träger employee in a Jobcenter system leaves a
    /// Jobcenter record. The test is syntactic: a negated or alternative branch counts too; a rule
    /// that is Träger-side only in part gives its reason in `norm_notes` like any other.
    public var checksTraegerRecords: Bool {
        if target.kind == .documentation { return true }
        var nodes: [YAMLNode] = []
        switch body {
        case .record(_, let condition): nodes = [condition]
        case .aggregate(_, let spec):
            if let f = spec.filter { nodes.append(f) }
            if case .ratio(let n) = spec.measure { nodes.append(n) }
        }
        for node in nodes {
            guard let text = try? node.string(),
                  let tokens = try? ExprLexer(source: ConditionSource(text: text, origin: node.position)).tokens() else { continue }
            let kinds = tokens.map(\.kind)
            for (i, k) in kinds.enumerated() {
                guard case .identifier(let field) = k, ["system_owner", "from_org"].contains(field),
                      i + 2 < kinds.count, kinds[i + 1] == .op("=="), kinds[i + 2] == .string("traeger") else { continue }
                return true
            }
        }
        return false
    }
}
