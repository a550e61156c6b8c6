import TrennwandFindings
import TrennwandRecords
import TrennwandYAML

/// What a rule is evaluated on: one record of a kind, or an aggregate over records of a kind.
public enum RuleTarget: Sendable, Hashable {
    case record(RecordKind)
    case aggregate(over: RecordKind)

    public var kind: RecordKind {
        switch self {
        case .record(let k), .aggregate(over: let k): return k
        }
    }
}

/// What a rule tests: a condition on each record of a kind, or an aggregate over the records of a
/// kind (whose own conditions are `filter` and a ratio's numerator).
public enum RuleBody: Sendable {
    case record(RecordKind, condition: YAMLNode)
    case aggregate(over: RecordKind, AggregateRuleSpec)
}

extension RuleBody {
    var isAggregate: Bool {
        if case .aggregate = self { return true }
        return false
    }
}

/// The measure of an aggregate rule.
public enum AggregateMeasureSpec: Sendable {
    /// Number of matching records per group and window.
    case count
    /// Number of distinct values of a field per group and window.
    case distinct(field: String)
    /// Share of records matching `numerator` per group, compared with the share over all groups.
    case ratio(numerator: YAMLNode)
    /// Silent intervals between consecutive records per group (`gap` or `{gap: weekdays}`: only
    /// Monday–Friday time in the rule pack's time zone counts); the threshold is a duration.
    case gap(weekdaysOnly: Bool)
}

/// The aggregate part of a rule file (`applies_to: aggregate`).
public struct AggregateRuleSpec: Sendable {
    /// Records taken into account (an expression on the record), nil: all of the kind.
    public var filter: YAMLNode?
    public var groupBy: [String]
    /// Window length in seconds; nil: the whole scan.
    public var window: Int64?
    public var measure: AggregateMeasureSpec
    /// Fires when the measure reaches the threshold (ratio: percentage points above the baseline).
    public var threshold: Double
    /// Minimum number of records in a group before a ratio is judged.
    public var minCount: Int
    public var position: SourcePosition
}

/// One example of a rule: a record (or a sequence for aggregates) and the reference rows it needs.
public struct RuleExample: Sendable {
    public var records: [YAMLNode]
    /// Reference table kind → rows (YAML mappings of canonical fields).
    public var reference: [RecordKind: [YAMLNode]]
    public var shouldMatch: Bool
    public var position: SourcePosition
    /// The example's YAML (for its `note:` and for showing it).
    public var node: YAMLNode
    /// The reviewer's short description of the case (`note:`).
    public var note: String?
}

/// One entry of a rule's `norms:` list: a key of the norm catalogue, or an inline citation
/// (`{citation, title, as_of}`, for packs without `norms.yaml`).
public enum NormRef: Sendable {
    case key(String, SourcePosition)
    case inline(Norm, SourcePosition)

    public var position: SourcePosition {
        switch self {
        case .key(_, let p), .inline(_, let p): return p
        }
    }

    var inlineNorm: Norm? {
        if case .inline(let n, _) = self { return n }
        return nil
    }
}

/// A rule's reason for applying a norm beyond whom it binds (`norm_notes: {key: {de, en}}`).
public struct NormNote: Sendable {
    public var key: String
    public var reason: Localized
    public var position: SourcePosition
}

/// A rule as written in its YAML file, before its condition is compiled.
public struct RuleFile: Sendable {
    public var id: String
    public var title: Localized
    public var description: Localized
    public var severity: Severity
    /// The norms as findings carry them: catalogue entries resolved by `RuleSet.load` (inline
    /// entries of packs without a catalogue as written).
    public var norms: [Norm]
    /// The `norms:` entries as written: catalogue keys or inline citations.
    public var normRefs: [NormRef]
    /// Why a norm that binds only the Jobcenter applies to the Träger's records (`norm_notes:`).
    public var normNotes: [NormNote]
    /// A decision stricter than statute the rule encodes (`policy_decision:`), naming who took it.
    public var policyDecision: Localized?
    public var rationale: Localized
    public var remediation: Localized
    /// The condition (record rules) or the aggregate (aggregate rules).
    public var body: RuleBody
    /// Canonical fields shown (masked) as evidence.
    public var evidence: [String]
    public var tags: [String]
    /// `violation` (default) or `gap` for rules that report configuration gaps.
    public var findingClass: FindingClass
    public var examples: [RuleExample]
    /// Fields whose values (with the rule id and the time bucket) make the content fingerprint;
    /// default: the evidence fields.
    public var fingerprintFields: [String]
    /// Time bucket of the fingerprint in seconds (`day` = 86,400); nil: no time component.
    public var fingerprintBucket: Int64?
    public var path: String
    public var position: SourcePosition

    /// What the rule is evaluated on.
    public var target: RuleTarget {
        switch body {
        case .record(let kind, _): return .record(kind)
        case .aggregate(let kind, _): return .aggregate(over: kind)
        }
    }

    /// The condition of a record rule; nil for aggregate rules (for listings and the catalogue).
    public var condition: YAMLNode? {
        if case .record(_, let condition) = body { return condition }
        return nil
    }

    /// The aggregate of an aggregate rule; nil for record rules (for listings and the catalogue).
    public var aggregate: AggregateRuleSpec? {
        if case .aggregate(_, let spec) = body { return spec }
        return nil
    }

    static let keys: Set<String> = [
        "id", "title", "description", "severity", "applies_to", "over", "norms", "rationale", "remediation",
        "condition", "aggregate", "evidence", "tags", "class", "examples", "fingerprint", "norm_notes", "policy_decision",
    ]

    /// Parses a rule file; every problem is a `ConfigError` naming file:line:column.
    public static func parse(_ doc: YAMLNode) throws -> RuleFile {
        let m = try doc.mapping(allowed: keys)
        let idNode = try m.required("id")
        let id = try idNode.string()
        guard id.count == 5, id.hasPrefix("TW"), id.dropFirst(2).allSatisfy(\.isNumber) else {
            throw RuleIssue.badID(idNode.position, id: id)
        }
        let sevNode = try m.required("severity")
        guard let severity = Severity(rawValue: try sevNode.string()) else {
            throw RuleIssue.badSeverity(sevNode.position)
        }
        let targetNode = try m.required("applies_to")
        let targetName = try targetNode.string()
        let target: RuleTarget
        if targetName == "aggregate" {
            let overNode = try m.required("over")
            guard let k = RecordKind(rawValue: try overNode.string()), k.isEvaluated else {
                throw RuleIssue.badOver(overNode.position)
            }
            target = .aggregate(over: k)
        } else {
            // Reference tables are rule targets too (TW903–TW905 check secondments and agreements).
            guard let k = RecordKind(rawValue: targetName) else {
                let kinds = RecordKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw RuleIssue.badAppliesTo(targetNode.position, kinds: kinds)
            }
            target = .record(k)
        }
        var normRefs: [NormRef] = []
        for n in try m.required("norms").sequence() {
            if case .scalar = n.node {
                // A key of the norm catalogue (Rules/norms.yaml), resolved by `RuleSet.load`.
                normRefs.append(.key(try n.string(), n.position))
                continue
            }
            let nm = try n.mapping(allowed: ["citation", "title", "as_of"])
            let asOfNode = try nm.required("as_of")
            let asOf = try asOfNode.string()
            guard let parsed = CivilTime.parseISO8601(Array(asOf.utf8)), parsed.dateOnly else {
                throw RuleIssue.badAsOf(asOfNode.position)
            }
            normRefs.append(.inline(Norm(citation: try nm.required("citation").string(), title: try nm.required("title").string(),
                                         asOf: asOf), n.position))
        }
        if normRefs.isEmpty {
            throw RuleIssue.noNorms(try m.required("norms").position)
        }
        var normNotes: [NormNote] = []
        if let notes = m.optional("norm_notes") {
            for e in try notes.mapping().entries {
                normNotes.append(NormNote(key: e.key, reason: try e.value.localized(), position: e.keyNode.position))
            }
        }
        let policyDecision = try m.optional("policy_decision")?.localized()
        var findingClass = FindingClass.violation
        if let c = m.optional("class") {
            guard let fc = FindingClass(rawValue: try c.string()) else {
                throw RuleIssue.badClass(c.position)
            }
            findingClass = fc
        }
        let schema = target.kind.schema
        let evidence = try m.optional("evidence")?.stringList() ?? []
        if let n = m.optional("evidence") {
            for f in evidence where schema.slot(f) == nil {
                throw RuleIssue.unknownEvidenceField(n.position, field: f, kind: target.kind)
            }
        }
        let body: RuleBody
        switch target {
        case .aggregate(let kind):
            if let c = m.optional("condition") {
                throw RuleIssue.conditionOnAggregate(c.position)
            }
            body = .aggregate(over: kind, try parseAggregate(try m.required("aggregate"), schema: schema))
        case .record(let kind):
            body = .record(kind, condition: try m.required("condition"))
        }
        let examples = try parseExamples(try m.required("examples"), aggregate: body.isAggregate)
        var fingerprintFields = evidence
        var fingerprintBucket: Int64? = 86_400
        if let fp = m.optional("fingerprint") {
            let fm = try fp.mapping(allowed: ["fields", "bucket"])
            if let f = fm.optional("fields") {
                fingerprintFields = try f.stringList()
                for name in fingerprintFields where schema.slot(name) == nil {
                    throw RuleIssue.unknownFingerprintField(f.position, field: name, kind: target.kind)
                }
            }
            if let b = fm.optional("bucket") {
                switch try b.string() {
                case "none": fingerprintBucket = nil
                case "hour": fingerprintBucket = 3600
                case "day": fingerprintBucket = 86_400
                case "week": fingerprintBucket = 604_800
                case "month": fingerprintBucket = 2_592_000
                default:
                    throw RuleIssue.badFingerprintBucket(b.position)
                }
            }
        }
        return RuleFile(
            id: id, title: try m.required("title").localized(), description: try m.required("description").localized(),
            severity: severity, norms: normRefs.compactMap(\.inlineNorm), normRefs: normRefs, normNotes: normNotes,
            policyDecision: policyDecision, rationale: try m.required("rationale").localized(),
            remediation: try m.required("remediation").localized(), body: body,
            evidence: evidence, tags: try m.optional("tags")?.stringList() ?? [], findingClass: findingClass,
            examples: examples, fingerprintFields: fingerprintFields, fingerprintBucket: fingerprintBucket,
            path: doc.file, position: doc.position)
    }

    static func parseAggregate(_ node: YAMLNode, schema: RecordSchema) throws -> AggregateRuleSpec {
        let m = try node.mapping(allowed: ["filter", "group_by", "window", "measure", "threshold", "min_count"])
        let groupNode = try m.required("group_by")
        let groupBy = try groupNode.stringList()
        for g in groupBy where schema.slot(g) == nil {
            throw RuleIssue.unknownGroupField(groupNode.position, field: g)
        }
        var window: Int64?
        if let w = m.optional("window") {
            guard let seconds = DurationLiteral.parse(try w.string()) else {
                throw RuleIssue.badWindow(w.position)
            }
            window = seconds
        }
        let measureNode = try m.required("measure")
        let measure: AggregateMeasureSpec
        if case .scalar = measureNode.node, try measureNode.string() == "count" {
            measure = .count
        } else if case .scalar = measureNode.node, try measureNode.string() == "gap" {
            measure = .gap(weekdaysOnly: false)
        } else {
            let mm = try measureNode.mapping(allowed: ["distinct", "ratio", "gap"])
            if let d = mm.optional("distinct") {
                let f = try d.string()
                guard schema.slot(f) != nil else {
                    throw RuleIssue.unknownMeasureField(d.position, field: f)
                }
                measure = .distinct(field: f)
            } else if let r = mm.optional("ratio") {
                measure = .ratio(numerator: r)
            } else if let g = mm.optional("gap") {
                switch try g.string() {
                case "weekdays": measure = .gap(weekdaysOnly: true)
                case "all": measure = .gap(weekdaysOnly: false)
                default:
                    throw RuleIssue.badGapCalendar(g.position)
                }
            } else {
                throw RuleIssue.badMeasure(measureNode.position)
            }
        }
        let thresholdNode = try m.required("threshold")
        let threshold: Double
        if case .gap = measure {
            // A duration (3d, 36h); the window is the whole scan.
            if let w = m.optional("window") {
                throw RuleIssue.windowOnGap(w.position)
            }
            guard let seconds = DurationLiteral.parse(try thresholdNode.string()), seconds > 0 else {
                throw RuleIssue.badGapThreshold(thresholdNode.position)
            }
            threshold = Double(seconds)
        } else {
            threshold = try thresholdNode.double()
        }
        return AggregateRuleSpec(
            filter: m.optional("filter"), groupBy: groupBy, window: window, measure: measure,
            threshold: threshold, minCount: try m.optional("min_count")?.int() ?? 1,
            position: node.position)
    }

    static func parseExamples(_ node: YAMLNode, aggregate: Bool) throws -> [RuleExample] {
        let m = try node.mapping(allowed: ["match", "no_match"])
        var out: [RuleExample] = []
        for (key, shouldMatch) in [("match", true), ("no_match", false)] {
            guard let list = m.optional(key) else { continue }
            for ex in try list.sequence() {
                let em = try ex.mapping(allowed: ["record", "records", "reference", "note"])
                var records: [YAMLNode] = []
                if let r = em.optional("record") { records.append(r) }
                if let rs = em.optional("records") { records += try rs.sequence() }
                if records.isEmpty {
                    throw RuleIssue.exampleWithoutRecord(ex.position)
                }
                var reference: [RecordKind: [YAMLNode]] = [:]
                if let ref = em.optional("reference") {
                    for entry in try ref.mapping().entries {
                        guard let k = RecordKind(rawValue: entry.key), k.isLookupTable else {
                            throw RuleIssue.unknownReferenceTable(entry.keyNode.position, name: entry.key)
                        }
                        reference[k] = try entry.value.sequence()
                    }
                }
                out.append(RuleExample(records: records, reference: reference, shouldMatch: shouldMatch, position: ex.position,
                                       node: ex, note: try em.optional("note")?.string()))
            }
        }
        return out
    }
}

/// Duration literals in rule files: `90s`, `15m`, `8h`, `30d`, `2w`, parsed to seconds.
///
/// Not named `Duration`: that would shadow the standard library's `Swift.Duration` in every file of the module.
public enum DurationLiteral {
    public static func parse(_ text: String) -> Int64? {
        guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        case "w": return n * 604_800
        default: return nil
        }
    }
}
