import ArgumentParser
import TrennwandFindings
import TrennwandScan

/// `trennwand gate`: the pre-deployment compliance gate for CI — declared data flows (TW301–TW305)
/// and any test exports, with the same outputs and exit codes as `scan`, failing from `high` on
/// unless `--fail-on` says otherwise.
struct GateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: UI.t("Freigabeprüfung für CI: erklärte Datenflüsse und Testexporte gegen das Regelwerk (Exit-Code 1 ab „high“).",
                       "Compliance gate for CI: declared data flows and test exports against the rule pack (exit code 1 from 'high')."),
        discussion: UI.t(
            """
            Wie „scan“, aber für Pipelines gedacht: Standardschwelle --fail-on high, Ausgabe für CI-Systeme mit \
            --format sarif=… bzw. --format junit=…, mit --baseline zählen nur neue Befunde. Beispiele für \
            GitHub Actions und GitLab CI: docs/ci.md.
            """,
            """
            Like 'scan', but meant for pipelines: default threshold --fail-on high, outputs for CI systems with \
            --format sarif=… or --format junit=…, with --baseline only new findings count. Examples for GitHub \
            Actions and GitLab CI: docs/ci.md.
            """))

    @OptionGroup var scan: ScanCommand

    func validate() throws { try scan.validate() }

    func run() throws {
        var s = scan
        if s.failOn == nil { s.failOn = .high }
        try s.run()
    }
}
