import ArgumentParser
import Foundation
import TrennwandRecords

/// What the command line accepts beyond ArgumentParser's own rules, decided before parsing:
/// `--lang` and `--log-format` also before the subcommand (`trennwand --lang en scan …`), and an
/// unknown subcommand is an error (exit 64, also with `--help`) with a suggestion for a typo,
/// never the top-level help with exit 0 — a script must tell a missing subcommand from a present one.
enum CommandLineConventions {
    /// Options every subcommand knows (`GlobalOptions`) that may also stand before it.
    static let leadingOptions: [String: @Sendable (String) -> Bool] = [
        "--lang": { Language(rawValue: $0.lowercased()) != nil },
        "--log-format": { LogFormat(rawValue: $0.lowercased()) != nil },
    ]

    enum Outcome: Equatable {
        /// The arguments to parse (leading global options moved behind the subcommand).
        case parse([String])
        /// An unknown subcommand; the closest known name, if one is close.
        case unknownSubcommand(suggestion: String?)
    }

    /// Moves valid leading `--lang`/`--log-format` options behind the subcommand (whose
    /// `GlobalOptions` parse them) and checks the subcommand name.
    static func normalize(_ arguments: [String], subcommands: [String]) -> Outcome {
        var leading: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if let (name, value) = split(a), let valid = leadingOptions[name], valid(value) {
                leading.append(a)
                i += 1
                continue
            }
            if let valid = leadingOptions[a], i + 1 < arguments.count, valid(arguments[i + 1]) {
                leading += [a, arguments[i + 1]]
                i += 2
                continue
            }
            break
        }
        let rest = Array(arguments[i...])
        guard let first = rest.first else { return .parse(leading.isEmpty ? arguments : []) }
        if first.hasPrefix("-") { return .parse(leading.isEmpty ? arguments : rest) }
        let known = subcommands + ["help"]
        guard known.contains(first) else { return .unknownSubcommand(suggestion: suggestion(for: first, among: subcommands)) }
        if first == "help" || leading.isEmpty { return .parse(leading.isEmpty ? arguments : rest) }
        // Behind the subcommand; for a command group (`rules`, `waive`) behind its subcommand too.
        var out = [first]
        var j = 1
        if j < rest.count, !rest[j].hasPrefix("-"), hasSubcommand(first, named: rest[j]) {
            out.append(rest[j])
            j += 1
        }
        return .parse(out + leading + rest[j...])
    }

    static func split(_ a: String) -> (String, String)? {
        guard a.hasPrefix("--"), let eq = a.firstIndex(of: "=") else { return nil }
        return (String(a[..<eq]), String(a[a.index(after: eq)...]))
    }

    static func hasSubcommand(_ group: String, named name: String) -> Bool {
        guard let command = Trennwand.configuration.subcommands.first(where: { $0.configuration.commandName == group }) else { return false }
        return command.configuration.subcommands.contains { $0.configuration.commandName == name }
    }

    /// The known name within edit distance 2 (or starting with the typed text), if any.
    static func suggestion(for typed: String, among names: [String]) -> String? {
        NameSuggestion.closest(to: typed, among: names)
    }

    /// The message for an unknown subcommand (the typed name is not repeated: it may hold anything).
    static func unknownText(suggestion: String?) -> String {
        let hint = suggestion.map { UI.t(" – meinten Sie \($0)?", " – did you mean \($0)?") } ?? ""
        return UI.t("Fehler: unbekannter Unterbefehl\(hint) (trennwand --help listet alle) [cli.unknown-command]",
                    "error: unknown subcommand\(hint) (trennwand --help lists them) [cli.unknown-command]")
    }
}
