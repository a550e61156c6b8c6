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
        return problems.sorted { ($0.position.file, $0.position.line, $0.position.column) < ($1.position.file, $1.position.line, $1.position.column) }
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
