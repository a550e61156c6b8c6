import Foundation
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
    /// evidence fields, taxonomy terms no keyword list detects (`TaxonomyTerms`). Constant
    /// conditions are `warnings`, not problems.
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
        problems += TaxonomyTerms.problems(policy.taxonomy, detectors: policy.detectors)
        if let catalogue = set.catalogue {
            problems += matrixCitationProblems(policy.matrix, catalogue: catalogue)
        }
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

    /// Matrix cells whose `legal_basis` cites a provision (paragraph or article of a law) that the
    /// catalogue does not list at all (`norm.matrix-not-in-catalogue`, at the cell). The legal basis
    /// is free text („§ 69 Abs. 1 Nr. 1 SGB X i. V. m. § 50 Abs. 1 SGB II“, „§§ 31–32 SGB II“), so
    /// the check compares paragraph/article and law only, not Absatz, Satz or Nummer.
    public static func matrixCitationProblems(_ matrix: SeparationMatrix, catalogue: NormCatalog) -> [ConfigError] {
        let laws = Set(catalogue.entries.map(\.law)).sorted { $0.count > $1.count }
        var known: Set<String> = []
        for e in catalogue.entries {
            for c in MatrixCitation.provisions(in: e.citation, laws: laws) { known.insert(c) }
        }
        var problems: [ConfigError] = []
        for direction in matrix.cells.keys.sorted() {
            for (category, cell) in matrix.cells[direction]!.sorted(by: { $0.key < $1.key }) {
                for c in MatrixCitation.provisions(in: cell.legalBasis, laws: laws) where !known.contains(c) {
                    let p = cell.position ?? SourcePosition(file: "policy/matrix.yaml", line: 1, column: 1)
                    problems.append(NormIssue.matrixCitationNotInCatalogue(p, cell: "\(direction) / \(category)", provision: c))
                }
            }
        }
        return problems
    }

    /// Evaluates one example: its records (of the rule's kind, in order), the evaluator of a pack
    /// holding the rule alone, the example's reference rows as the run's tables, `now`; returns
    /// the findings of the rule it produced (configuration gaps included; the caller decides).
    public typealias ExampleEngine = @Sendable (_ records: [Record], _ evaluator: RuleEvaluator, _ reference: ReferenceTables,
                                      _ now: Int64) throws -> [Finding]

    /// The closure evaluator record by record, aggregates closed at the end: the test oracle
    /// (`rules test` runs the scan's batch executor, `BatchRuleRunner.exampleEngine`).
    public static let recordEngine: ExampleEngine = { records, evaluator, _, _ in
        var findings: [Finding] = []
        for r in records { evaluator.evaluate(r) { findings.append($0) } }
        evaluator.finish { findings.append($0) }
        return findings
    }

    /// Runs every example of every rule on `engine`: `match` examples must fire, `no_match`
    /// examples must not. `now` is what `now()` means (the SQL parity test passes the time its
    /// plans were made at).
    public static func test(_ set: RuleSet, policy: PolicyData, pseudonymizer: Pseudonymizer,
                            only: Set<String>? = nil, now: Int64 = Int64(Date().timeIntervalSince1970),
                            engine: ExampleEngine = recordEngine) -> [ExampleOutcome] {
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
                    let reference = ReferenceTables(tables)
                    let (pack, errors) = CompiledRulePack.compile(single, policy: policy, reference: reference, now: now)
                    if let e = errors.first { throw e }
                    let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: pseudonymizer)
                    // The rule fires with its own class; a configuration gap is not a match.
                    let fired = try engine(records, evaluator, reference, now).contains {
                        $0.ruleID == rule.id && $0.findingClass == rule.findingClass
                    }
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

/// Reads the provisions („§ 69 SGB X“, „Art. 9 DSGVO“) out of a free-text legal basis.
enum MatrixCitation {
    /// Each `§ n` / `§§ n, m` / `§§ n–m` / `Art. n` with the law named after it in the same
    /// `;`-separated part, as "§ 69 SGB X" / "Art. 9 DSGVO". A number with no law after it is skipped.
    static func provisions(in text: String, laws: [String]) -> [String] {
        var out: [String] = []
        for part in text.split(separator: ";").map(String.init) {
            var pending: [String] = []   // "§ 69", "Art. 9" waiting for their law
            var i = part.startIndex
            func rest() -> Substring { part[i...] }
            while i < part.endIndex {
                if let law = laws.first(where: { rest().hasPrefix($0) && boundary(part, after: part.index(i, offsetBy: $0.count)) }) {
                    out += pending.map { "\($0) \(law)" }
                    pending = []
                    i = part.index(i, offsetBy: law.count)
                    continue
                }
                if rest().hasPrefix("§") || rest().hasPrefix("Art.") {
                    let isArt = rest().hasPrefix("Art.")
                    let plural = rest().hasPrefix("§§")
                    i = part.index(i, offsetBy: isArt ? 4 : (plural ? 2 : 1))
                    var numbers: [String] = []
                    while true {
                        while i < part.endIndex, part[i] == " " { i = part.index(after: i) }
                        var n = ""
                        while i < part.endIndex, part[i].isNumber || (part[i].isLetter && part[i].isLowercase && !n.isEmpty && n.last!.isNumber) {
                            n.append(part[i]); i = part.index(after: i)
                        }
                        guard !n.isEmpty else { break }
                        if let last = numbers.last, let a = Int(last.filter(\.isNumber)), let b = Int(n.filter(\.isNumber)),
                           i > part.startIndex, rangeDash(part, before: part.index(i, offsetBy: -n.count)) {
                            if a < b { for k in (a + 1)..<b { numbers.append(String(k)) } }
                        }
                        numbers.append(n)
                        guard plural, i < part.endIndex, part[i] == "," || part[i] == "–" || part[i] == "-" else { break }
                        i = part.index(after: i)
                    }
                    pending += numbers.map { (isArt ? "Art. " : "§ ") + $0 }
                    continue
                }
                i = part.index(after: i)
            }
        }
        return out
    }

    static func boundary(_ s: String, after i: String.Index) -> Bool {
        i == s.endIndex || !(s[i].isLetter || s[i].isNumber)
    }

    /// Whether the number starting at `i` follows a range dash („31–32“).
    static func rangeDash(_ s: String, before i: String.Index) -> Bool {
        var j = i
        while j > s.startIndex {
            j = s.index(before: j)
            if s[j] == " " { continue }
            return s[j] == "–" || s[j] == "-"
        }
        return false
    }
}
