import ArgumentParser
import Foundation
import TrennwandOutputs
import TrennwandScan

/// `trennwand config`: the audit configuration (`audit.yaml`). A group of its own so that further
/// configuration subcommands (e.g. a check of one file) have a place.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: UI.t("Prüfkonfiguration (audit.yaml): Referenz.", "Audit configuration (audit.yaml): reference."),
        subcommands: [ConfigDocCommand.self])
}

/// `trennwand config doc`: writes docs/audit-yaml.md from the configuration schema
/// (`AuditConfigSchema`), the same table the parser takes its keys from.
struct ConfigDocCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: UI.t("Schreibt die Referenz der audit.yaml (docs/audit-yaml.md) aus dem Konfigurationsschema.",
                       "Writes the audit.yaml reference (docs/audit-yaml.md) from the configuration schema."),
        discussion: UI.t("Mit --check wird nur verglichen: Exit-Code 1, wenn die Referenz veraltet ist.",
                         "With --check it only compares: exit code 1 when the reference is stale."))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zielverzeichnis.", "Target directory."), valueName: UI.t("verzeichnis", "dir")))
    var output = "docs"

    @Flag(name: .long, help: ArgumentHelp(UI.t("Nur prüfen, ob die Referenz aktuell ist.", "Only check that the reference is current.")))
    var check = false

    func run() throws {
        let path = output + "/audit-yaml.md"
        let text = AuditConfigSchema.markdown()
        if check {
            let current = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            guard current == text else {
                printError(UI.t("audit.yaml-Referenz veraltet: \(path) — bitte „trennwand config doc“ ausführen.",
                                "audit.yaml reference is stale: \(path) — run 'trennwand config doc'."))
                throw ExitCode(1)
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let sink = try AtomicFileSink(path: path, mode: 0o644)
            try sink.write(text)
            try sink.commit()
        } catch {
            printError(outputErrorText(error, path: path))
            throw Exit.input
        }
        print(path)
    }
}
