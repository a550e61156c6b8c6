import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandPlan
import TrennwandRecords

/// `trennwand rules plan [RULE…]`: the logical plan of each rule, as the SQL renderers read it.
struct RulesPlan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: UI.t("Zeigt den logischen Plan jeder Regel (Grundlage der SQL-Ausgabe). Exit-Code 2, wenn eine Regel sich nicht planen lässt.",
                       "Shows the logical plan of each rule (what the SQL output is rendered from). Exit code 2 if a rule cannot be planned."))

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp(UI.t("Nur diese Regeln (IDs).", "Only these rules (ids)."), valueName: "id"))
    var ids: [String] = []

    func run() throws {
        let (set, policy) = try loadRules(global)
        for e in set.errors { printError(e.text(UI.language)) }
        let unknown = ids.filter { id in !set.rules.contains { $0.id == id } }
        if !unknown.isEmpty {
            printError(UI.t("Unbekannte Regel: ", "unknown rule: ") + unknown.joined(separator: ", "))
            throw Exit.configuration
        }
        let planner = RulePlanner(policy: policy, now: Int64(Date().timeIntervalSince1970))
        let (plans, errors) = planner.plan(set, only: ids.isEmpty ? nil : Set(ids))
        print(plans.map(PlanPrinter.text).joined(separator: "\n"), terminator: "")
        for e in errors { printError(e.text(UI.language) + " [\(e.code)]") }
        if !errors.isEmpty || !set.errors.isEmpty { throw Exit.configuration }
    }
}
