import ArgumentParser
import Foundation
import TrennwandRecords

extension Language: ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(UI.t("Sprache der Ausgaben: de oder en.", "Language of messages: de or en.")))
    var lang: Language = .de

    @Option(name: .long, help: ArgumentHelp(UI.t("Form der Meldungen auf stderr: text oder json (ein JSON-Objekt je Zeile).",
                                                  "Form of the messages on stderr: text or json (one JSON object per line).")))
    var logFormat: LogFormat = .text

    @Option(name: .long, help: ArgumentHelp(
        UI.t("Regelverzeichnis (Standard: die mitgelieferten Regeln).", "Rules directory (default: the built-in rules)."),
        valueName: UI.t("verzeichnis", "dir")))
    var rules: String?

    /// The rules directory: `--rules`, else `TRENNWAND_RULES`, else the installed
    /// `<prefix>/share/trennwand/Rules`, else `Rules/` of the checkout the binary was built in.
    func rulesDirectory() throws -> String {
        if let rules { return rules }
        if let env = ProcessInfo.processInfo.environment["TRENNWAND_RULES"], !env.isEmpty { return env }
        if let found = BuiltInRules.locate() { return found }
        printError(UI.t("Fehler: Mitgelieferte Regeln nicht gefunden; bitte --rules angeben.",
                        "error: built-in rules not found; pass --rules."))
        throw Exit.configuration
    }
}

/// Finds the built-in `Rules/` directory from the executable's location.
enum BuiltInRules {
    static func locate() -> String? {
        let fm = FileManager.default
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates: [URL] = []
        let binDir = exe.deletingLastPathComponent()
        candidates.append(binDir.deletingLastPathComponent().appendingPathComponent("share/trennwand/Rules"))
        // Inside a checkout: .build/<config>/trennwand → walk up to the package root.
        var dir = binDir
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("Rules"))
            dir = dir.deletingLastPathComponent()
        }
        for c in candidates {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: c.appendingPathComponent("profiles").path, isDirectory: &isDir), isDir.boolValue {
                return c.path
            }
        }
        return nil
    }
}
