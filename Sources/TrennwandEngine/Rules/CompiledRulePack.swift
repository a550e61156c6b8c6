import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandYAML

/// A record rule compiled against one set of reference tables: condition closures plus the slots
/// of its evidence, person and fingerprint fields, all resolved once.
public struct CompiledRule: Sendable {
    public let file: RuleFile
    public let descriptor: RuleDescriptor
    package let condition: CompiledCondition
    let evidence: [FieldRef]
    let fingerprint: [Int]
}

/// An aggregate rule compiled against one set of reference tables.
public struct CompiledAggregate: Sendable {
    public let file: RuleFile
    public let descriptor: RuleDescriptor
    /// The file's aggregate part.
    package let spec: AggregateRuleSpec
    package let filter: CompiledCondition?
    package let numerator: CompiledCondition?
    package let groupSlots: [Int]
    package let distinctSlot: Int?
}

/// A field of the record kind, with its slot and type.
struct FieldRef: Sendable {
    let name: String
    let slot: Int
    let type: FieldType
}

/// The rule pack compiled for one run: record rules by kind, aggregate rules, the gap descriptor.
public final class CompiledRulePack: Sendable {
    public let policy: PolicyData
    public let rules: [CompiledRule]
    public let aggregates: [CompiledAggregate]
    let rulesByKind: [RecordKind: [CompiledRule]]
    /// The rule configuration gaps are reported under (TW906), or a built-in stand-in.
    let gapDescriptor: RuleDescriptor
    public let descriptors: [RuleDescriptor]
    /// How data values may appear in findings, with the pack's vocabulary (collected once).
    public let evidenceGuard: EvidenceGuard

    public static let gapRuleID = "TW906"

    /// Compiles every rule of `set` (or those in `only`) against `reference`; compile errors are
    /// collected and the rule left out.
    public static func compile(_ set: RuleSet, policy: PolicyData, reference: ReferenceTables,
                               only: Set<String>? = nil, now: Int64 = Int64(Date().timeIntervalSince1970),
                               vocabulary extra: Set<String> = [])
        -> (pack: CompiledRulePack, errors: [ConfigError]) {
        var rules: [CompiledRule] = []
        var aggregates: [CompiledAggregate] = []
        var errors: [ConfigError] = []
        for file in set.rules where only?.contains(file.id) ?? true {
            do {
                switch file.body {
                case .record(let kind, let condition):
                    rules.append(try compile(record: file, kind: kind, condition: condition, policy: policy, reference: reference, now: now))
                case .aggregate(let kind, let spec):
                    aggregates.append(try compile(aggregate: file, kind: kind, spec: spec, policy: policy, reference: reference, now: now))
                }
            } catch let e as ConfigError {
                errors.append(e)
            } catch {
                errors.append(RuleIssue.compile(file.position, reason: error))
            }
        }
        let gap = set.rules.first { $0.id == gapRuleID }?.descriptor ?? RuleDescriptor(
            id: gapRuleID,
            title: Localized(de: "Konfigurationslücke: unbekannter Wert in den Stammdaten",
                             en: "Configuration gap: unknown value in the reference data"),
            description: Localized(de: "Eine Regel konnte nicht entschieden werden, weil Stammdaten fehlen.",
                                   en: "A rule could not be decided because reference data is missing."),
            severity: .medium, norms: [Norm(citation: "§ 22 Abs. 2 Nr. 2 BDSG", title: "Verarbeitung besonderer Kategorien personenbezogener Daten", asOf: "2021-08-20")],
            rationale: Localized(de: "Lücken werden gemeldet, nie stillschweigend übergangen.", en: "Gaps are reported, never silently skipped."),
            remediation: Localized(de: "Stammdaten ergänzen.", en: "Complete the reference data."),
            tags: [RuleTag.gap.rawValue], findingClass: .gap, source: "")
        let pack = CompiledRulePack(policy: policy, rules: rules, aggregates: aggregates, gapDescriptor: gap,
                                    descriptors: set.descriptors.filter { only?.contains($0.id) ?? true },
                                    vocabulary: vocabulary(set, policy: policy).union(extra))
        return (pack, errors)
    }

    init(policy: PolicyData, rules: [CompiledRule], aggregates: [CompiledAggregate], gapDescriptor: RuleDescriptor,
         descriptors: [RuleDescriptor], vocabulary: Set<String> = []) {
        self.policy = policy
        self.evidenceGuard = EvidenceGuard(vocabulary: vocabulary, detectors: policy.detectors)
        self.rules = rules
        self.aggregates = aggregates
        self.gapDescriptor = gapDescriptor
        self.descriptors = descriptors
        var byKind: [RecordKind: [CompiledRule]] = [:]
        for r in rules { byKind[r.file.target.kind, default: []].append(r) }
        self.rulesByKind = byKind
    }

    /// The words the configuration knows (never reference-table data): string literals of every
    /// condition, filter and ratio, the values of the named lists, taxonomy and matrix categories,
    /// matrix directions and detector names (the caller adds the profiles' value-map words). Values equal to one of them are shown verbatim in
    /// `.label` fields (`EvidenceGuard`).
    static func vocabulary(_ set: RuleSet, policy: PolicyData) -> Set<String> {
        var words: Set<String> = []
        func literals(_ node: YAMLNode?) {
            guard let node, let text = try? node.string(),
                  let tokens = try? ExprLexer(source: ConditionSource(text: text, origin: node.position)).tokens() else { return }
            for t in tokens {
                if case .string(let s) = t.kind { words.insert(s) }
            }
        }
        for rule in set.rules {
            switch rule.body {
            case .record(_, let condition):
                literals(condition)
            case .aggregate(_, let spec):
                literals(spec.filter)
                if case .ratio(let n) = spec.measure { literals(n) }
            }
        }
        for values in policy.namedLists.values { words.formUnion(values) }
        words.formUnion(policy.taxonomy.ids)
        for (direction, row) in policy.matrix.cells {
            words.insert(direction)
            words.formUnion(row.keys)
        }
        for d in policy.detectors.detectors { words.insert(d.name) }
        return words
    }

    static func fieldRefs(_ names: [String], kind: RecordKind) -> [FieldRef] {
        let schema = kind.schema
        return names.compactMap { n in schema.slot(n).map { FieldRef(name: n, slot: $0, type: schema.fields[$0].type) } }
    }

    static func compile(record file: RuleFile, kind: RecordKind, condition node: YAMLNode, policy: PolicyData,
                        reference: ReferenceTables, now: Int64) throws -> CompiledRule {
        let condition = try CompiledCondition.compile(node, environment: policy.environment(kind: kind, reference: reference, now: now))
        let schema = kind.schema
        return CompiledRule(file: file, descriptor: file.descriptor, condition: condition,
                            evidence: fieldRefs(file.evidence, kind: kind),
                            fingerprint: file.fingerprintFields.compactMap { schema.slot($0) })
    }

    static func compile(aggregate file: RuleFile, kind: RecordKind, spec: AggregateRuleSpec, policy: PolicyData,
                        reference: ReferenceTables, now: Int64) throws -> CompiledAggregate {
        let env = policy.environment(kind: kind, reference: reference, now: now)
        let schema = kind.schema
        let filter = try spec.filter.map { try CompiledCondition.compile($0, environment: env) }
        var numerator: CompiledCondition?
        var distinct: Int?
        switch spec.measure {
        case .count, .gap: break
        case .distinct(let field): distinct = schema.slot(field)
        case .ratio(let node): numerator = try CompiledCondition.compile(node, environment: env)
        }
        return CompiledAggregate(file: file, descriptor: file.descriptor, spec: spec, filter: filter, numerator: numerator,
                                 groupSlots: spec.groupBy.compactMap { schema.slot($0) }, distinctSlot: distinct)
    }
}
