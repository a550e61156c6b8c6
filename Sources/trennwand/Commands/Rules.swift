import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandRecords
import TrennwandScan

/// `trennwand rules …`: lint, test and explain the rule pack.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: UI.t("Regelwerk prüfen, testen und erklären.", "Check, test and explain the rule pack."),
        subcommands: [RulesLint.self, RulesTest.self, RulesExplain.self, RulesDoc.self, RulesPlan.self])
}

/// Loads the rule set and the policy data; configuration errors exit with code 2.
func loadRules(_ global: GlobalOptions) throws -> (RuleSet, PolicyData) {
    let dir = try global.rulesDirectory()
    do {
        // Compiled detector databases are kept between runs (DetectorDatabaseCache; docs/operations.md).
        return try RuleSet.loadWithPolicy(rulesDirectory: dir,
                                          detectorCache: .standard(environment: ProcessInfo.processInfo.environment))
    } catch let e as ConfigError {
        printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + e.text(UI.language) + " [\(e.code)]")
        throw Exit.configuration
    }
}

struct RulesLint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: UI.t("Prüft alle Regeldateien (Syntax, Typen, Beispiele). Exit-Code 2 bei Fehlern.",
                       "Checks every rule file (syntax, types, examples). Exit code 2 on errors."))

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (set, policy) = try loadRules(global)
        let problems = RuleChecks.lint(set, policy: policy)
        for p in problems { printError(p.text(UI.language) + " [\(p.code)]") }
        for w in RuleChecks.warnings(set, policy: policy) {
            printError(UI.t("Warnung: ", "warning: ") + w.text(UI.language) + " [\(w.code)]")
        }
        print(UI.t("\(set.rules.count) Regeln geprüft, \(problems.count) Fehler",
                   "\(set.rules.count) rules checked, \(problems.count) errors"))
        if !problems.isEmpty { throw Exit.configuration }
    }
}

struct RulesTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: UI.t("Führt die Beispiele jeder Regel aus: match muss auslösen, no_match nicht.",
                       "Runs every rule's examples: match must fire, no_match must not."))

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp(UI.t("Nur diese Regeln (IDs).", "Only these rules (ids)."), valueName: "id"))
    var ids: [String] = []

    func run() throws {
        let (set, policy) = try loadRules(global)
        for e in set.errors { printError(e.text(UI.language)) }
        let key = PseudonymKey(bytes: Array("trennwand-rules-test-key".utf8), origin: "rules test")
        // On the scan's engine (the batch executor), as the examples promise what a scan finds.
        let outcomes = RuleChecks.test(set, policy: policy, pseudonymizer: Pseudonymizer(key: key),
                                       only: ids.isEmpty ? nil : Set(ids), engine: ScanEngine.fromEnvironment.exampleEngine)
        var failed = 0
        for o in outcomes where !o.passed {
            failed += 1
            if let e = o.error {
                printError("\(o.position): \(o.ruleID): " + e.text(UI.language))
            } else if o.shouldMatch {
                printError("\(o.position): \(o.ruleID): " + UI.t("Beispiel unter match löst nicht aus", "match example does not fire"))
            } else {
                printError("\(o.position): \(o.ruleID): " + UI.t("Beispiel unter no_match löst aus", "no_match example fires"))
            }
        }
        let rules = Set(outcomes.map(\.ruleID)).count
        print(UI.t("\(rules) Regeln, \(outcomes.count) Beispiele: \(outcomes.count - failed) bestanden, \(failed) fehlgeschlagen",
                   "\(rules) rules, \(outcomes.count) examples: \(outcomes.count - failed) passed, \(failed) failed"))
        if failed > 0 || !set.errors.isEmpty { throw Exit.configuration }
    }
}

struct RulesExplain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: UI.t("Erklärt eine Regel: Text, Normen, Bedingung, Beispiele.",
                       "Explains a rule: text, norms, condition, examples."))

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp(UI.t("Regel-ID, z. B. TW105.", "Rule id, e.g. TW105."), valueName: "id"))
    var id: String

    func run() throws {
        let (set, _) = try loadRules(global)
        guard let rule = set.rules.first(where: { $0.id == id.uppercased() }) else {
            printError(UI.t("Unbekannte Regel „\(id)“", "unknown rule '\(id)'"))
            throw Exit.configuration
        }
        let l = UI.language
        print("\(rule.id) — \(rule.title.text(l))")
        print(UI.t("Schweregrad: ", "Severity: ") + rule.severity.label.text(l) + "   " + UI.t("Datei: ", "File: ") + rule.path)
        print("")
        print(rule.description.text(l))
        print("")
        print(UI.t("Normen:", "Norms:"))
        for n in rule.norms {
            if let last = n.lastAmended {
                let date = last == NormCatalog.unknownDate ? UI.t("nicht ermittelt", "not established") : last
                print("  • \(n.citation) — \(n.title) (" + UI.t("letzte Änderung ", "last amended ") + date + ")")
            } else {
                print("  • \(n.citation) — \(n.title) (" + UI.t("Stand ", "as of ") + "\(n.asOf))")
            }
        }
        for note in rule.normNotes {
            print("    " + UI.t("Warum ", "Why ") + note.key + UI.t(" hier gilt: ", " applies here: ") + note.reason.text(l))
        }
        if let p = rule.policyDecision { print("  " + p.text(l)) }
        print("")
        print(UI.t("Begründung:", "Rationale:"))
        print("  " + rule.rationale.text(l))
        print("")
        print(UI.t("Was zu tun ist:", "What to do:"))
        print("  " + rule.remediation.text(l))
        print("")
        if let c = rule.condition {
            print(UI.t("Bedingung:", "Condition:"))
            print(indent(c.scalarText))
        }
        if let a = rule.aggregate {
            print(UI.t("Aggregat über ", "Aggregate over ") + rule.target.kind.rawValue + ": group_by " + a.groupBy.joined(separator: ", ")
                  + (a.window.map { ", window \($0) s" } ?? "") + ", threshold \(a.threshold)")
            if let f = a.filter { print(indent(f.scalarText)) }
        }
        print("")
        print(UI.t("Beispiele:", "Examples:"))
        for e in rule.examples {
            print("  " + (e.shouldMatch ? UI.t("löst aus", "fires") : UI.t("löst nicht aus", "does not fire")) + " (\(e.position)):")
            for r in e.records { print(indent(r.text, by: 6)) }
        }
    }

    func indent(_ text: String, by n: Int = 2) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { String(repeating: " ", count: n) + $0 }
            .joined(separator: "\n")
    }
}
