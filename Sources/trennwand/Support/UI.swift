import Foundation
import Logging
import TrennwandRecords

/// The language of help texts and messages for this process.
///
/// Decided once, before argument parsing, from `--lang de|en` (also `--lang=en`), else the
/// `TRENNWAND_LANG` environment variable, else German. Help texts are built from it, which is
/// why it cannot wait for ArgumentParser to parse `--lang`.
enum UI {
    static let language: Language = {
        if let l = languageFlag { return l }
        if let env = ProcessInfo.processInfo.environment["TRENNWAND_LANG"], let l = Language(rawValue: env.lowercased()) {
            return l
        }
        return .de
    }()

    /// `--lang` as given on the command line, nil without it.
    static let languageFlag: Language? = {
        let args = CommandLine.arguments
        for (i, a) in args.enumerated() {
            if a == "--lang", i + 1 < args.count, let l = Language(rawValue: args[i + 1].lowercased()) { return l }
            if a.hasPrefix("--lang="), let l = Language(rawValue: String(a.dropFirst(7)).lowercased()) { return l }
        }
        return nil
    }()

    /// The language of a command's reports: `--lang` on the command line wins over `lang:` in
    /// audit.yaml, which wins over `TRENNWAND_LANG` and the German default.
    static func reportLanguage(config: Language?) -> Language { languageFlag ?? config ?? language }

    /// Picks the German or English text.
    static func t(_ de: String, _ en: String) -> String { language == .de ? de : en }

    static func text(_ l: Localized) -> String { l.text(language) }
}

/// Logs a diagnostic line (standard error: diagnostics never go to stdout, which carries data).
/// Never traps: a closed or broken stderr loses the line, not the run. The level follows the
/// line's label (`Warnung:`/`warning:` → warning, `Hinweis:`/`note:` → notice, else error); the
/// trailing ` [code]` becomes the log event's code.
func printError(_ line: String, file: String? = nil) {
    Log.emit(diagnosticLevel(line), line, code: Log.trailingCode(line), file: file)
}

func diagnosticLevel(_ line: String) -> Logger.Level {
    let lower = line.lowercased()
    if lower.hasPrefix("warnung: ") || lower.hasPrefix("warning: ") { return .warning }
    if lower.hasPrefix("hinweis: ") || lower.hasPrefix("note: ") { return .notice }
    return .error
}
