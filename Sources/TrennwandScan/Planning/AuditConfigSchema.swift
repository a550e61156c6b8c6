import TrennwandFindings
import TrennwandRecords
import TrennwandState
import TrennwandYAML

/// One key of `audit.yaml`: what it takes, its default and what it does (German and English).
package struct ConfigKeySpec: Sendable {
    /// Dotted path: `fail_on`, `rules.only`, `waiver_limits.max_matches`; `sources[].path` is a key
    /// of each list entry.
    package let path: String
    package let type: Localized
    /// nil: no default (the key only takes effect when given).
    package let defaultValue: Localized?
    /// Closed set of values, empty when open.
    package let allowed: [String]
    package let description: Localized
    /// A complete `audit.yaml` fragment using the key (the reference shows it; a test loads it).
    package let example: String

    /// The key's own name (last path component).
    package var name: String { String(path.split(separator: ".").last ?? Substring(path)) }
    /// The path of the enclosing mapping; "" for top-level keys.
    package var parent: String { path.contains(".") ? String(path[..<path.lastIndex(of: ".")!]) : "" }
}

/// The configuration schema of `audit.yaml` as data: the parser takes the allowed keys of each
/// mapping from here (an unknown key is an error with a suggestion), and `trennwand config doc`
/// renders `docs/audit-yaml.md` from it. A key is added here first; the parser then accepts it.
package enum AuditConfigSchema {
    private static func l(_ de: String, _ en: String) -> Localized { Localized(de: de, en: en) }

    private static let path = l("Pfad (relativ zu audit.yaml)", "path (relative to audit.yaml)")
    private static let flag = l("true oder false", "true or false")
    private static let none = l("keiner", "none")

    package static let keys: [ConfigKeySpec] = [
        ConfigKeySpec(
            path: "sources", type: l("Liste von Einträgen", "list of entries"), defaultValue: l("keine (nur die Pfade der Befehlszeile)", "none (only the command line's paths)"),
            allowed: [],
            description: l("Die ausgewerteten Exporte. Jeder Eintrag hat `path:` und optional `profile:`. Pfade der Befehlszeile kommen hinzu.",
                           "The evaluated exports. Each entry has `path:` and optionally `profile:`. Paths on the command line are added."),
            example: "sources:\n  - path: Jobcenter-Zugriffe*.csv\n  - path: Traeger-Export/\n    profile: traeger-zugriffe"),
        ConfigKeySpec(
            path: "sources[].path", type: path, defaultValue: nil, allowed: [],
            description: l("Pflicht. Eine Datei, ein Ordner (rekursiv, wie auf der Befehlszeile), ein Glob-Muster (`*`, `?`, `[…]`), ein Zip-Archiv oder ein Mitglied `archiv.zip!/datei.csv`. Ein Muster ohne Treffer ist eine Warnung.",
                           "Required. A file, a folder (recursive, as on the command line), a glob pattern (`*`, `?`, `[…]`), a zip archive or a member `archive.zip!/file.csv`. A pattern matching nothing is a warning."),
            example: "sources:\n  - path: Exporte/Jobcenter/"),
        ConfigKeySpec(
            path: "sources[].profile", type: l("Profil-ID", "profile id"), defaultValue: l("erkannt (Kopfzeile, Wurzelelement, Schlüssel)", "detected (header, root element, keys)"),
            allowed: [],
            description: l("Erzwingt dieses Quellprofil für alle Dateien des Eintrags (auch eines Ordners) statt der Erkennung. Eine unbekannte ID ist ein Konfigurationsfehler, der die bekannten IDs nennt.",
                           "Forces this source profile for every file of the entry (also of a folder) instead of detection. An unknown id is a configuration error naming the known ids."),
            example: "sources:\n  - path: Zugriffe-2025.csv\n    profile: jobcenter-zugriffe"),
        ConfigKeySpec(
            path: "reference", type: l("Liste von Einträgen", "list of entries"), defaultValue: none, allowed: [],
            description: l("Referenztabellen (Stammdaten: Mitarbeitende, Abordnungen, Vereinbarungen, Einwilligungen, Teilnehmende, Angebote); Einträge wie unter `sources:`.",
                           "Reference tables (master data: staff, secondments, agreements, consents, participants, offers); entries as under `sources:`."),
            example: "reference:\n  - path: Stammdaten/*.csv"),
        ConfigKeySpec(
            path: "reference[].path", type: path, defaultValue: nil, allowed: [],
            description: l("Pflicht. Wie `sources[].path`.", "Required. As `sources[].path`."),
            example: "reference:\n  - path: Stammdaten/Mitarbeitende.csv"),
        ConfigKeySpec(
            path: "reference[].profile", type: l("Profil-ID", "profile id"), defaultValue: l("erkannt", "detected"), allowed: [],
            description: l("Wie `sources[].profile`.", "As `sources[].profile`."),
            example: "reference:\n  - path: Stammdaten/Personal.csv\n    profile: stammdaten-mitarbeitende"),
        ConfigKeySpec(
            path: "profiles", type: l("Pfad oder Liste von Pfaden (Verzeichnisse)", "path or list of paths (directories)"),
            defaultValue: l("nur die mitgelieferten Profile (`Rules/profiles`)", "only the built-in profiles (`Rules/profiles`)"), allowed: [],
            description: l("Zusätzliche Profilverzeichnisse (jede `*.yaml`-Datei darin ist ein Profil, siehe docs/profiles.md). `--profiles` auf der Befehlszeile kommt hinzu. Eine doppelte Profil-ID ist ein Fehler.",
                           "Additional profile directories (each `*.yaml` file in them is a profile, see docs/profiles.md). `--profiles` on the command line is added. A duplicate profile id is an error."),
            example: "profiles: profile/"),
        ConfigKeySpec(
            path: "rules", type: l("Zuordnung", "mapping"), defaultValue: l("alle Regeln", "all rules"), allowed: [],
            description: l("Auswahl der Regeln: `only:` und `exclude:`. `--rule` auf der Befehlszeile ersetzt `only:`.",
                           "Rule selection: `only:` and `exclude:`. `--rule` on the command line replaces `only:`."),
            example: "rules:\n  only: [TW105, TW107]\n  exclude: [TW402]"),
        ConfigKeySpec(
            path: "rules.only", type: l("Regel-ID oder Liste", "rule id or list"), defaultValue: l("alle", "all"), allowed: [],
            description: l("Nur diese Regeln auswerten.", "Evaluate only these rules."),
            example: "rules:\n  only: [TW105]"),
        ConfigKeySpec(
            path: "rules.exclude", type: l("Regel-ID oder Liste", "rule id or list"), defaultValue: none, allowed: [],
            description: l("Diese Regeln nicht auswerten.", "Do not evaluate these rules."),
            example: "rules:\n  exclude: [TW402]"),
        ConfigKeySpec(
            path: "rules_directory", type: path,
            defaultValue: l("`--rules`, sonst `TRENNWAND_RULES`, sonst die mitgelieferten Regeln", "`--rules`, else `TRENNWAND_RULES`, else the built-in rules"),
            allowed: [],
            description: l("Ein eigenes Regelverzeichnis (Aufbau wie `Rules/`, mit `profiles/`). `--rules` hat Vorrang.",
                           "A rule directory of one's own (laid out like `Rules/`, with `profiles/`). `--rules` takes precedence."),
            example: "rules_directory: Regeln/"),
        ConfigKeySpec(
            path: "fail_on", type: l("Schweregrad", "severity"), defaultValue: l("keiner (Exit-Code 1 nie)", "none (never exit code 1)"),
            allowed: Severity.allCases.sorted { $0 > $1 }.map(\.rawValue),
            description: l("Exit-Code 1, wenn ein offener Verstoß dieses oder eines höheren Schweregrads gefunden wird. `--fail-on` hat Vorrang.",
                           "Exit code 1 when an open violation of this severity or higher is found. `--fail-on` takes precedence."),
            example: "fail_on: high"),
        ConfigKeySpec(
            path: "now", type: l("Zeitpunkt (ISO 8601; ohne Zone Europe/Berlin)", "timestamp (ISO 8601; without zone Europe/Berlin)"),
            defaultValue: l("Start des Laufs", "start of the run"), allowed: [],
            description: l("Bezugszeitpunkt von `now()` in Regeln (Aufbewahrungsfristen, TW207); fest gesetzt für reproduzierbare Prüfungen. `--now` hat Vorrang.",
                           "Reference time of `now()` in rules (retention periods, TW207); fixed for reproducible audits. `--now` takes precedence."),
            example: "now: 2025-12-31T12:00:00+01:00"),
        ConfigKeySpec(
            path: "strict", type: flag, defaultValue: l("false", "false"), allowed: ["true", "false"],
            description: l("Zurückgewiesene Datensätze führen zu Exit-Code 3. Gleich `--strict`.",
                           "Rejected records lead to exit code 3. Same as `--strict`."),
            example: "strict: true"),
        ConfigKeySpec(
            path: "formats", type: l("Zuordnung Format → Pfad (oder `-` für die Standardausgabe)", "mapping format → path (or `-` for standard output)"),
            defaultValue: l("Textzusammenfassung auf der Standardausgabe", "text summary on standard output"),
            allowed: OutputFormat.reports.map(\.rawValue),
            description: l("Die Berichte des Laufs; `--format` auf der Befehlszeile kommt hinzu. Siehe docs/outputs.md.",
                           "The run's reports; `--format` on the command line is added. See docs/outputs.md."),
            example: "formats:\n  html: out/bericht.html\n  sarif: out/trennwand.sarif"),
        ConfigKeySpec(
            path: "lang", type: l("Sprache", "language"), defaultValue: l("`--lang`, sonst `TRENNWAND_LANG`, sonst de", "`--lang`, else `TRENNWAND_LANG`, else de"),
            allowed: Language.allCases.map(\.rawValue),
            description: l("Sprache der Berichte. `--lang` hat Vorrang.", "Language of the reports. `--lang` takes precedence."),
            example: "lang: en"),
        ConfigKeySpec(
            path: "waivers", type: path, defaultValue: l("`trennwand-waivers.yaml` neben audit.yaml, wenn vorhanden", "`trennwand-waivers.yaml` beside audit.yaml when it exists"),
            allowed: [],
            description: l("Die Ausnahmedatei (docs/waivers.md); dorthin schreibt auch `trennwand waive`.",
                           "The waiver file (docs/waivers.md); `trennwand waive` writes there too."),
            example: "waivers: trennwand-waivers.yaml"),
        ConfigKeySpec(
            path: "waiver_limits", type: l("Zuordnung", "mapping"), defaultValue: l("siehe Unterschlüssel", "see the subkeys"), allowed: [],
            description: l("Grenzen für Ausnahmen (docs/waivers.md).", "Limits for waivers (docs/waivers.md)."),
            example: "waiver_limits:\n  max_matches: 20\n  max_validity_months: 12"),
        ConfigKeySpec(
            path: "waiver_limits.max_matches", type: l("ganze Zahl \(WaiverLimits.maxMatchesRange.lowerBound)–\(WaiverLimits.maxMatchesRange.upperBound)", "whole number \(WaiverLimits.maxMatchesRange.lowerBound)–\(WaiverLimits.maxMatchesRange.upperBound)"),
            defaultValue: l("\(WaiverLimits.defaultMaxMatches)", "\(WaiverLimits.defaultMaxMatches)"), allowed: [],
            description: l("Höchstzahl der Befunde, die eine Ausnahme ohne `scope: broad` in einem Lauf abdecken darf.",
                           "Most findings of one run a waiver without `scope: broad` may cover."),
            example: "waiver_limits:\n  max_matches: 50"),
        ConfigKeySpec(
            path: "waiver_limits.max_validity_months", type: l("ganze Zahl \(WaiverLimits.maxValidityMonthsRange.lowerBound)–\(WaiverLimits.maxValidityMonthsRange.upperBound)", "whole number \(WaiverLimits.maxValidityMonthsRange.lowerBound)–\(WaiverLimits.maxValidityMonthsRange.upperBound)"),
            defaultValue: l("\(WaiverLimits.defaultMaxValidityMonths)", "\(WaiverLimits.defaultMaxValidityMonths)"), allowed: [],
            description: l("Höchste Gültigkeit einer Ausnahme in Kalendermonaten nach `created`.",
                           "Longest validity of a waiver in calendar months after `created`."),
            example: "waiver_limits:\n  max_validity_months: 6"),
        ConfigKeySpec(
            path: "baseline", type: path, defaultValue: none, allowed: [],
            description: l("Ein früherer SARIF-Bericht: nur neue Befunde zählen für den Exit-Code. `--baseline` hat Vorrang.",
                           "An earlier SARIF report: only new findings count for the exit code. `--baseline` takes precedence."),
            example: "baseline: vorher.sarif"),
        ConfigKeySpec(
            path: "state", type: path, defaultValue: l("keine (kein Verlauf)", "none (no history)"), allowed: [],
            description: l("Die Zustandsdatenbank (SQLite) für Verlauf, Lebenszyklus der Befunde und inkrementelle Läufe (docs/operations.md). `--state` hat Vorrang.",
                           "The state database (SQLite) for history, finding lifecycle and incremental runs (docs/operations.md). `--state` takes precedence."),
            example: "state: /var/lib/trennwand/state.sqlite"),
        ConfigKeySpec(
            path: "retention_months", type: l("ganze Zahl (Monate)", "whole number (months)"),
            defaultValue: l("\(StateStore.defaultRetentionMonths)", "\(StateStore.defaultRetentionMonths)"), allowed: [],
            description: l("Wie lange die Zustandsdatenbank Befundinhalte aufbewahrt, bevor sie gelöscht werden (docs/operations.md). `--retention-months` hat Vorrang.",
                           "How long the state database keeps finding contents before they are purged (docs/operations.md). `--retention-months` takes precedence."),
            example: "retention_months: 12"),
        ConfigKeySpec(
            path: "allow_empty", type: flag, defaultValue: l("false (Exit-Code 3)", "false (exit code 3)"), allowed: ["true", "false"],
            description: l("Ein Lauf ganz ohne Eingabedatei ist kein Fehler. Gleich `--allow-empty`.",
                           "A run without any input file is no error. Same as `--allow-empty`."),
            example: "allow_empty: true"),
    ]

    /// The keys allowed directly inside the mapping at `parent` ("" top level, `rules`, `sources[]`).
    package static func names(under parent: String) -> [String] {
        keys.filter { $0.parent == parent }.map(\.name)
    }

    /// The key spec at `path`, or nil.
    package static func spec(_ path: String) -> ConfigKeySpec? { keys.first { $0.path == path } }

    /// The node as a mapping whose keys the schema allows at `parent`; an unknown key is a
    /// `config.unknown-key` error at the key, with the closest known key as a suggestion.
    package static func mapping(_ node: YAMLNode, under parent: String) throws -> YAMLMapping {
        let m = try node.mapping()
        let allowed = names(under: parent)
        for e in m.entries where !allowed.contains(e.key) {
            let list = allowed.sorted().joined(separator: ", ")
            let prefix = parent.isEmpty ? "" : parent + "."
            if let s = NameSuggestion.closest(to: e.key, among: allowed) {
                throw e.keyNode.error("config.unknown-key",
                                      de: "unbekannter Schlüssel „\(prefix)\(e.key)“ – meinten Sie „\(s)“? (erlaubt: \(list); docs/audit-yaml.md)",
                                      en: "unknown key '\(prefix)\(e.key)' – did you mean '\(s)'? (allowed: \(list); docs/audit-yaml.md)")
            }
            throw e.keyNode.error("config.unknown-key",
                                  de: "unbekannter Schlüssel „\(prefix)\(e.key)“ (erlaubt: \(list); docs/audit-yaml.md)",
                                  en: "unknown key '\(prefix)\(e.key)' (allowed: \(list); docs/audit-yaml.md)")
        }
        return m
    }

    /// `docs/audit-yaml.md`: every key with type, default, allowed values, description and example.
    /// German first, English below each entry, like the other reference pages.
    package static func markdown() -> String {
        var o = "<!-- Generiert mit `trennwand config doc` aus dem Konfigurationsschema (Sources/TrennwandScan/Planning/AuditConfigSchema.swift) — nicht von Hand ändern. -->\n"
        o += "# audit.yaml — Referenz / reference\n\n"
        o += "Die Prüfkonfiguration für `trennwand scan --config audit.yaml` (auch `gate`, `report`, `waive`). "
        o += "Pfade sind relativ zum Ordner der Datei. Ein unbekannter Schlüssel ist ein Konfigurationsfehler (Exit-Code 2) "
        o += "mit Datei, Zeile und einem Vorschlag. Optionen der Befehlszeile haben Vorrang vor der Datei. Beispiel: `Samples/audit.yaml`.\n\n"
        o += "*The audit configuration for `trennwand scan --config audit.yaml` (also `gate`, `report`, `waive`). "
        o += "Paths are relative to the file's folder. An unknown key is a configuration error (exit code 2) with file, line "
        o += "and a suggestion. Command-line options take precedence over the file. Example: `Samples/audit.yaml`.*\n\n"
        o += "| Schlüssel / key | Typ / type | Standard / default |\n|---|---|---|\n"
        for k in keys {
            o += "| [`\(k.path)`](#\(anchor(k.path))) | \(cell(k.type.de)) | \(cell(k.defaultValue?.de ?? "–")) |\n"
        }
        for k in keys {
            o += "\n## `\(k.path)` <a id=\"\(anchor(k.path))\"></a>\n\n"
            o += "- Typ: \(k.type.de) — *\(k.type.en)*\n"
            if let d = k.defaultValue { o += "- Standard: \(d.de) — *\(d.en)*\n" }
            if !k.allowed.isEmpty { o += "- Werte / values: \(k.allowed.map { "`\($0)`" }.joined(separator: ", "))\n" }
            o += "\n\(k.description.de)\n\n*\(k.description.en)*\n\n"
            o += "```yaml\n\(k.example)\n```\n"
        }
        return o
    }

    private static func anchor(_ path: String) -> String {
        String(path.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }

    private static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}
