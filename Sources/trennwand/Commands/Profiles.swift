import ArgumentParser
import TrennwandReaders
import TrennwandRecords

/// `trennwand profiles`: the source profiles — list them (default), and further subcommands each in
/// a file of its own (`ProfilesCommand+NAME.swift`) registered in `subcommands`.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: UI.t("Quellprofile: auflisten, prüfen, entwerfen.",
                       "Source profiles: list, check, draft."),
        subcommands: [ProfilesListCommand.self, ProfilesDraftCommand.self, ProfilesCheckCommand.self],
        defaultSubcommand: ProfilesListCommand.self)
}

/// `trennwand profiles list`: the known source profiles and what they detect.
struct ProfilesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: UI.t("Listet die bekannten Quellprofile und woran sie erkannt werden.",
                       "Lists the known source profiles and what they detect."))

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("profiles"), help: ArgumentHelp(
        UI.t("Zusätzliches Profilverzeichnis (mehrfach möglich).", "Additional profile directory (repeatable)."),
        valueName: UI.t("verzeichnis", "dir")))
    var profileDirectories: [String] = []

    func run() throws {
        let catalog = try loadCatalog(global: global, extra: profileDirectories)
        for p in catalog.profiles {
            print("\(p.id)  [\(p.kind.rawValue), \(p.format.rawValue)]  \(UI.text(p.title))")
            if let root = p.detectRoot {
                print(UI.t("    erkennt Wurzelelement: ", "    detects root element: ") + root)
            }
            if !p.detectHeader.isEmpty {
                print(UI.t("    erkennt Spalten: ", "    detects columns: ") + p.detectHeader.joined(separator: ", "))
            }
            if !p.detectKeys.isEmpty {
                print(UI.t("    erkennt Schlüssel: ", "    detects keys: ") + p.detectKeys.joined(separator: ", "))
            }
            var facts: [String] = []
            if let e = p.encoding { facts.append(UI.t("Kodierung ", "encoding ") + e.rawValue) }
            if let d = p.delimiter { facts.append(UI.t("Trennzeichen ", "delimiter ") + (d == 9 ? "TAB" : String(UnicodeScalar(d)))) }
            facts.append(UI.t("Zeitzone ", "time zone ") + p.timezone)
            print("    " + facts.joined(separator: ", "))
        }
    }
}
