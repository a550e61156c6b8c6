import CTrennwandBuildInfo
import Foundation
import TrennwandEngine

/// What `trennwand --version` prints: the version, the git commit of the build and the hash of the
/// rule pack a scan would use (`TRENNWAND_RULES`, else the built-in rules), the same hash the
/// reports record (SARIF `trennwand/rulePack`, JUnit `trennwand.rulePack`), so an operator can tell
/// which binary and which rules produced a report. The commit comes from the build
/// (`CTrennwandBuildInfo`, written by `make`); the hash is computed now, since the rules are data
/// files that can change after the build. Computed only for `--version` (`Trennwand.main`):
/// hashing the ~60 rule files takes a few milliseconds, which every other command would pay.
func versionText() -> String {
    let commit = String(cString: trennwand_build_commit())
    let rules: String? = {
        if let env = ProcessInfo.processInfo.environment["TRENNWAND_RULES"], !env.isEmpty { return env }
        return BuiltInRules.locate()
    }()
    let pack = rules.map { RuleSet.directoryHash($0) + " (" + $0 + ")" }
        ?? UI.t("nicht gefunden", "not found")
    return "trennwand \(trennwandVersion)\n"
        + "Commit: \(commit)\n"
        + UI.t("Regelpaket: ", "Rule pack: ") + pack
}
