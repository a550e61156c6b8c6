import ArgumentParser
import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandScan
import TrennwandState

/// `trennwand waive lint`: checks the triage decisions of a waiver file before they bite —
/// expired, soon expiring, matching nothing or too much, naming an unknown rule, without decision.
struct WaiveLint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: UI.t("Prüft die Ausnahmen: abgelaufen, bald ablaufend, ohne Treffer, zu viele Treffer, unbekannte Regel, ohne Entscheidung.",
                       "Checks the waivers: expired, expiring soon, matching nothing, matching too much, unknown rule, no decision."),
        discussion: UI.t(
            """
            Je Problem eine Zeile „datei:zeile: Meldung [code]“ auf stderr: waiver-lint.expired, \
            waiver-lint.expiring (innerhalb von --within Tagen, Standard 30), waiver-lint.unknown-rule, \
            waiver-lint.missing-decision, waiver-lint.unmatched und waiver-lint.too-many-matches (mehr als \
            --max-matches Treffer, Standard waiver_limits.max_matches; Einträge mit scope: broad ausgenommen). \
            Die Treffer werden gegen Feststellungen geprüft: --findings (JSON Lines eines Laufs, alle Kriterien) \
            und/oder --state (offene und ausgenommene Feststellungen des Zustandsspeichers, Standard state des \
            Prüfauftrags; dort nur Fingerabdruck und match.file prüfbar, andere match-Einträge werden übersprungen). \
            Ohne beides entfallen diese beiden Prüfungen (Hinweis waiver-lint.no-findings).
            Exit-Code 0: keine Probleme; 1: Probleme gefunden; 2: fehlerhafte Ausnahmedatei oder Prüfauftrag; \
            3: Feststellungen oder Zustandsspeicher nicht lesbar.
            """,
            """
            One line 'file:line: message [code]' per problem on stderr: waiver-lint.expired, waiver-lint.expiring \
            (within --within days, default 30), waiver-lint.unknown-rule, waiver-lint.missing-decision, \
            waiver-lint.unmatched and waiver-lint.too-many-matches (more than --max-matches matches, default \
            waiver_limits.max_matches; entries with scope: broad exempt). Matches are checked against findings: \
            --findings (JSON Lines of a run, every criterion) and/or --state (open and waived findings of the state \
            store, default state of the configuration; there only fingerprint and match.file can be checked, other \
            match entries are skipped). Without either, these two checks are left out (note waiver-lint.no-findings).
            Exit code 0: no problems; 1: problems found; 2: malformed waiver file or configuration; 3: findings or \
            state store unreadable.
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var files: WaiverFileOptions
    @OptionGroup var reference: ReferenceTimeOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Feststellungen eines Laufs als JSON Lines (--format jsonl=…).",
                                                 "Findings of a run as JSON Lines (--format jsonl=…)."),
                                            valueName: UI.t("datei", "file")))
    var findings: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher: offene und ausgenommene Feststellungen (Standard: state des Prüfauftrags); nur gelesen.",
                                                 "State store: open and waived findings (default: state of the configuration); read only."),
                                            valueName: UI.t("datei", "file")))
    var state: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Frist für „läuft bald ab“ in Tagen.", "Days counted as 'expiring soon'.")))
    var within: Int = 30

    @Option(name: .long, help: ArgumentHelp(UI.t("Höchstzahl Treffer je Ausnahme (Standard: waiver_limits.max_matches).",
                                                 "Most matches per waiver (default: waiver_limits.max_matches).")))
    var maxMatches: Int?

    func validate() throws {
        if within < 0 { throw ValidationError(UI.t("--within: 0 oder mehr Tage", "--within: 0 or more days")) }
        if let maxMatches, maxMatches < 1 { throw ValidationError(UI.t("--max-matches: mindestens 1", "--max-matches: at least 1")) }
    }

    func run() throws {
        let cfg = try files.loadConfig()
        var g = global
        if g.rules == nil, let r = cfg.rules { g.rules = r }
        let (ruleSet, _) = try loadRules(g)
        let now = try reference.resolve(cfg)
        guard let set = try loadWaiverSet(files.file(cfg), named: files.waivers != nil, limits: cfg.waiverLimits) else { return }
        var sources: [LintFindings] = []
        if let findings { sources.append(try LintFindings.jsonLines(findings)) }
        if let statePath = state ?? cfg.state { sources.append(try withStateStore(path: statePath) { try LintFindings.state($0) }) }
        let known = Set(ruleSet.rules.map { $0.id.uppercased() })
        let problems = WaiverLint.check(set, knownRules: known, findings: sources, now: now, withinDays: within,
                                        maxMatches: maxMatches ?? cfg.waiverLimits.maxMatches)
        if sources.isEmpty {
            printError(UI.t("Hinweis: ohne --findings oder --state werden die Treffer nicht geprüft [waiver-lint.no-findings]",
                            "note: without --findings or --state the matches are not checked [waiver-lint.no-findings]"))
        }
        for p in problems { printError(p.text(UI.language)) }
        let n = set.waivers.count
        printError(UI.t("\(n) \(n == 1 ? "Ausnahme" : "Ausnahmen") geprüft, \(problems.count) \(problems.count == 1 ? "Problem" : "Probleme")",
                        "\(n) \(n == 1 ? "waiver" : "waivers") checked, \(problems.count) \(problems.count == 1 ? "problem" : "problems")"))
        if !problems.isEmpty { throw Exit.findings }
    }
}

/// Findings a waiver file is linted against, from one source.
struct LintFindings {
    /// `--findings` (every criterion can be checked) or `--state` (fingerprint and file only).
    var complete: Bool
    var findings: [Finding]

    /// The findings of a JSON Lines report, without those the run reported as resolved or absent
    /// from the baseline (no waiver needs to cover them). Unreadable: exit 3.
    static func jsonLines(_ path: String) throws -> LintFindings {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError(UI.t("Eingabefehler: \(path): nicht lesbar [waiver-lint.findings-unreadable]",
                            "input error: \(path): cannot be read [waiver-lint.findings-unreadable]"))
            throw Exit.input
        }
        var out: [Finding] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
            guard let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                printError(UI.t("Eingabefehler: \(path):\(lineNumber): keine JSON-Lines-Zeile von Trennwand [waiver-lint.findings-malformed]",
                                "input error: \(path):\(lineNumber): not a Trennwand JSON Lines line [waiver-lint.findings-malformed]"))
                throw Exit.input
            }
            guard o["type"] as? String == "finding" else { continue }
            if o["status"] as? String == FindingStatus.resolved.rawValue || o["baseline"] as? String == "absent" { continue }
            guard let rule = o["rule_id"] as? String, let fingerprint = o["fingerprint"] as? String, let file = o["file"] as? String else {
                printError(UI.t("Eingabefehler: \(path):\(lineNumber): Feststellung ohne rule_id, fingerprint oder file [waiver-lint.findings-malformed]",
                                "input error: \(path):\(lineNumber): finding without rule_id, fingerprint or file [waiver-lint.findings-malformed]"))
                throw Exit.input
            }
            let evidence = (o["evidence"] as? [[String: Any]] ?? []).compactMap { e -> Evidence? in
                guard let field = e["field"] as? String, let value = e["value"] as? String else { return nil }
                return Evidence(field: field, detector: e["detector"] as? String, value: value)
            }
            let locator = Locator(file: file, line: o["line"] as? Int ?? 0, column: o["column"] as? Int,
                                  byteOffset: Int64(o["byte_offset"] as? Int ?? 0), index: o["index"] as? Int ?? 0,
                                  recordID: o["record_id"] as? String)
            out.append(Finding(ruleID: rule, title: Localized(de: "", en: ""),
                               severity: Severity(rawValue: o["severity"] as? String ?? "") ?? .info, findingClass: .violation,
                               norms: [], locator: locator, time: nil, evidence: evidence,
                               persons: o["persons"] as? [String: String] ?? [:], remediation: Localized(de: "", en: ""),
                               fingerprint: fingerprint))
        }
        return LintFindings(complete: true, findings: out)
    }

    /// The state store's findings that are not resolved (new, open, reopened, waived).
    static func state(_ store: StateStore) throws -> LintFindings {
        let stored = try store.findings().filter { $0.status != .resolved }
        return LintFindings(complete: false, findings: stored.map { s in
            Finding(ruleID: s.ruleID, title: Localized(de: "", en: ""), severity: s.severity, findingClass: s.findingClass, norms: [],
                    locator: Locator(file: s.sourcePath, line: 0, byteOffset: 0, index: 0), time: s.recordTime, evidence: [],
                    persons: [:], remediation: Localized(de: "", en: ""), fingerprint: s.fingerprint)
        })
    }
}

/// One problem `waive lint` reports: where, what, its code.
struct WaiverLintProblem {
    var position: SourcePosition
    var code: String
    var message: Localized

    func text(_ language: Language) -> String { "\(position.file):\(position.line): \(message.text(language)) [\(code)]" }
}

/// The checks of `waive lint`, in waiver-file order, per entry in a fixed order.
enum WaiverLint {
    static func check(_ set: WaiverSet, knownRules: Set<String>, findings sources: [LintFindings], now: Int64,
                      withinDays: Int, maxMatches: Int) -> [WaiverLintProblem] {
        var problems: [WaiverLintProblem] = []
        // Fingerprints are unique per run; matches of one finding seen in both sources count once.
        var all: [String: (finding: Finding, complete: Bool)] = [:]
        for s in sources { for f in s.findings where all[f.fingerprint]?.complete != true { all[f.fingerprint] = (f, s.complete) } }
        let findings = all.values.sorted { $0.finding.fingerprint < $1.finding.fingerprint }
        for w in set.waivers {
            func add(_ code: String, _ de: String, _ en: String) {
                problems.append(WaiverLintProblem(position: w.position, code: code, message: Localized(de: de, en: en)))
            }
            let until = BerlinTime.date(w.expires - 1)
            if let days = w.daysLeft(now: now) {
                if days <= withinDays {
                    add("waiver-lint.expiring", "Ausnahme für \(w.rule) läuft bald ab: gültig bis \(until) (noch \(days) Tage)",
                        "waiver for \(w.rule) expires soon: valid until \(until) (\(days) days left)")
                }
            } else {
                add("waiver-lint.expired", "Ausnahme für \(w.rule) ist abgelaufen (gültig bis \(until)); erneuern oder entfernen",
                    "waiver for \(w.rule) has expired (valid until \(until)); renew or remove it")
            }
            if !knownRules.contains(w.rule) {
                add("waiver-lint.unknown-rule", "Regel \(w.rule) gibt es im geladenen Regelwerk nicht",
                    "rule \(w.rule) does not exist in the loaded rule pack")
            }
            if w.decision == nil {
                add("waiver-lint.missing-decision",
                    "Ausnahme für \(w.rule) nennt keine Entscheidung („decision“: false_positive, accepted_risk, mitigated, reported_art33)",
                    "waiver for \(w.rule) names no decision ('decision': false_positive, accepted_risk, mitigated, reported_art33)")
            }
            guard !sources.isEmpty else { continue }
            // With only the state store, criteria other than the file cannot be judged.
            let checkable = findings.filter { $0.complete || onlyFileCriteria(w) }
            if checkable.isEmpty && !findings.isEmpty { continue }
            let count = checkable.filter { w.matches($0.finding) }.count
            if count == 0 {
                add("waiver-lint.unmatched", "Ausnahme für \(w.rule) trifft auf keine Feststellung zu; prüfen und ggf. entfernen",
                    "waiver for \(w.rule) matches no finding; review it and remove it if obsolete")
            } else if count > maxMatches && w.scope != .broad {
                add("waiver-lint.too-many-matches",
                    "Ausnahme für \(w.rule) trifft \(count) Feststellungen (Grenze \(maxMatches)); enger fassen oder scope: broad mit second_approver",
                    "waiver for \(w.rule) matches \(count) findings (limit \(maxMatches)); narrow it or use scope: broad with second_approver")
            }
        }
        return problems
    }

    /// A waiver judged by rule, fingerprint and file alone (what the state store keeps).
    static func onlyFileCriteria(_ w: Waiver) -> Bool {
        guard let m = w.match else { return true }
        return m.line == nil && m.recordID == nil && m.person == nil && m.detector == nil && m.evidence.isEmpty
    }
}
