import ArgumentParser

/// `trennwand`: the command-line front end composing readers, engine, findings and outputs.
@main
struct Trennwand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trennwand",
        abstract: UI.t("Datenschutz-Prüfung der Trennung zwischen Jobcenter und Träger.",
                       "Data-protection audit of the separation between Jobcenter and Träger."),
        discussion: UI.t("Ausgaben auf Deutsch; --lang en (oder TRENNWAND_LANG=en) für Englisch.",
                         "Messages in German by default; --lang en (or TRENNWAND_LANG=en) for English."),
        version: trennwandVersion,
        subcommands: [ScanCommand.self, GateCommand.self, IngestCommand.self, ProfilesCommand.self, RulesCommand.self, WaiveCommand.self,
                      HistoryCommand.self, TrendCommand.self]
    )
}

/// The tool version shown by `--version` and written into every report.
let trennwandVersion = "0.1.0"
