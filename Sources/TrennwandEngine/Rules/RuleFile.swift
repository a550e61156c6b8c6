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

/// A rule as written in its YAML file, before its condition is compiled.
public struct RuleFile: Sendable {
    public var id: String
    public var title: Localized
    public var description: Localized
    public var severity: Severity
    public var norms: [Norm]
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
        "condition", "aggregate", "evidence", "tags", "class", "examples", "fingerprint",
    ]

    /// Parses a rule file; every problem is a `ConfigError` naming file:line:column.
    public static func parse(_ doc: YAMLNode) throws -> RuleFile {
        let m = try doc.mapping(allowed: keys)
        let idNode = try m.required("id")
        let id = try idNode.string()
        guard id.count == 5, id.hasPrefix("TW"), id.dropFirst(2).allSatisfy(\.isNumber) else {
            throw idNode.error("rule.id", de: "Regel-ID muss die Form TWnnn haben: „\(id)“",
                               en: "rule id must look like TWnnn: '\(id)'")
        }
        let sevNode = try m.required("severity")
        guard let severity = Severity(rawValue: try sevNode.string()) else {
            throw sevNode.error("rule.severity", de: "Schweregrad muss critical, high, medium, low oder info sein",
                                en: "severity must be critical, high, medium, low or info")
        }
        let targetNode = try m.required("applies_to")
        let targetName = try targetNode.string()
        let target: RuleTarget
        if targetName == "aggregate" {
            let overNode = try m.required("over")
            guard let k = RecordKind(rawValue: try overNode.string()), k.isEvaluated else {
                throw overNode.error("rule.over", de: "over: access, documentation oder flow erwartet",
                                     en: "over: access, documentation or flow expected")
            }
            target = .aggregate(over: k)
        } else {
            // Reference tables are rule targets too (TW903–TW905 check secondments and agreements).
            guard let k = RecordKind(rawValue: targetName) else {
                let kinds = RecordKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw targetNode.error("rule.applies-to",
                                       de: "applies_to muss aggregate oder eine Datensatzart sein (\(kinds))",
                                       en: "applies_to must be aggregate or a record kind (\(kinds))")
            }
            target = .record(k)
        }
        var norms: [Norm] = []
        for n in try m.required("norms").sequence() {
            let nm = try n.mapping(allowed: ["citation", "title", "as_of"])
            let asOfNode = try nm.required("as_of")
            let asOf = try asOfNode.string()
            guard let parsed = CivilTime.parseISO8601(Array(asOf.utf8)), parsed.dateOnly else {
                throw asOfNode.error("rule.as-of", de: "as_of muss ein Datum JJJJ-MM-TT sein",
                                     en: "as_of must be a date YYYY-MM-DD")
            }
            norms.append(Norm(citation: try nm.required("citation").string(), title: try nm.required("title").string(),
                              asOf: asOf))
        }
        if norms.isEmpty {
            throw try m.required("norms").error("rule.norms", de: "mindestens eine Norm angeben",
                                                  en: "name at least one norm")
        }
        var findingClass = FindingClass.violation
        if let c = m.optional("class") {
            guard let fc = FindingClass(rawValue: try c.string()) else {
                throw c.error("rule.class", de: "class muss violation oder gap sein", en: "class must be violation or gap")
            }
            findingClass = fc
        }
        let schema = target.kind.schema
        let evidence = try m.optional("evidence")?.stringList() ?? []
        if let n = m.optional("evidence") {
            for f in evidence where schema.slot(f) == nil {
                throw n.error("rule.evidence", de: "Beweisfeld „\(f)“ gibt es bei \(target.kind.rawValue) nicht",
                              en: "evidence field '\(f)' does not exist for \(target.kind.rawValue)")
            }
        }
        let body: RuleBody
        switch target {
        case .aggregate(let kind):
            if let c = m.optional("condition") {
                throw c.error("rule.condition", de: "Aggregatregeln nutzen aggregate.filter statt condition",
                              en: "aggregate rules use aggregate.filter instead of condition")
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
                    throw f.error("rule.fingerprint", de: "Feld „\(name)“ gibt es bei \(target.kind.rawValue) nicht",
                                  en: "field '\(name)' does not exist for \(target.kind.rawValue)")
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
                    throw b.error("rule.fingerprint", de: "bucket: none, hour, day, week oder month",
                                  en: "bucket: none, hour, day, week or month")
                }
            }
        }
        return RuleFile(
            id: id, title: try m.required("title").localized(), description: try m.required("description").localized(),
            severity: severity, norms: norms, rationale: try m.required("rationale").localized(),
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
            throw groupNode.error("rule.group-by", de: "Gruppierungsfeld „\(g)“ unbekannt", en: "unknown group_by field '\(g)'")
        }
        var window: Int64?
        if let w = m.optional("window") {
            guard let seconds = DurationLiteral.parse(try w.string()) else {
                throw w.error("rule.window", de: "Fenster wie 1h, 30m oder 7d angeben", en: "give a window like 1h, 30m or 7d")
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
                    throw d.error("rule.measure", de: "Feld „\(f)“ unbekannt", en: "unknown field '\(f)'")
                }
                measure = .distinct(field: f)
            } else if let r = mm.optional("ratio") {
                measure = .ratio(numerator: r)
            } else if let g = mm.optional("gap") {
                switch try g.string() {
                case "weekdays": measure = .gap(weekdaysOnly: true)
                case "all": measure = .gap(weekdaysOnly: false)
                default:
                    throw g.error("rule.measure", de: "gap: weekdays (nur Montag–Freitag) oder all",
                                  en: "gap: weekdays (Monday–Friday only) or all")
                }
            } else {
                throw measureNode.error("rule.measure", de: "measure: count, gap, {distinct: FELD}, {ratio: AUSDRUCK} oder {gap: weekdays}",
                                        en: "measure: count, gap, {distinct: FIELD}, {ratio: EXPRESSION} or {gap: weekdays}")
            }
        }
        let thresholdNode = try m.required("threshold")
        let threshold: Double
        if case .gap = measure {
            // A duration (3d, 36h); the window is the whole scan.
            if let w = m.optional("window") {
                throw w.error("rule.window", de: "Lücken (gap) werden über den ganzen Lauf gemessen: window weglassen",
                              en: "gaps are measured over the whole run: leave out window")
            }
            guard let seconds = DurationLiteral.parse(try thresholdNode.string()), seconds > 0 else {
                throw thresholdNode.error("rule.threshold", de: "Schwelle für gap als Dauer angeben, z. B. 3d oder 36h",
                                          en: "give the gap threshold as a duration, e.g. 3d or 36h")
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
                    throw ex.error("rule.example", de: "Beispiel ohne record/records", en: "example without record/records")
                }
                var reference: [RecordKind: [YAMLNode]] = [:]
                if let ref = em.optional("reference") {
                    for entry in try ref.mapping().entries {
                        guard let k = RecordKind(rawValue: entry.key), !k.isEvaluated else {
                            throw entry.keyNode.error("rule.reference", de: "unbekannte Stammdatentabelle „\(entry.key)“",
                                                      en: "unknown reference table '\(entry.key)'")
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
