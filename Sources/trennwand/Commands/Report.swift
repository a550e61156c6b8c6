import ArgumentParser
import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandScan
import TrennwandState

/// `trennwand report`: the reports of the last scheduled scan, rendered from the state store
/// without scanning (issue #14).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: UI.t("Erstellt die Berichte aus dem Zustandsspeicher, ohne zu prüfen.",
                       "Renders the reports from the state store, without scanning."),
        discussion: UI.t(
            """
            Enthält alle nach dem letzten beendeten Lauf offenen Feststellungen (neu, weiterhin offen, wieder \
            aufgetreten, mit Ausnahme) und die von diesem Lauf erledigten, je mit Status, erstem und letztem \
            Auftreten; jede Datei mit dem Lauf, in dem sie zuletzt geprüft wurde. Mit --since nur, was seit diesem \
            Tag (00:00 Uhr Europe/Berlin; 31.01.2025 oder 2025-01-31) gesehen oder erledigt wurde. Liest nur und \
            wartet nicht auf einen laufenden Prüflauf.
            Exit-Codes: 0 Berichte geschrieben (keine offene Feststellung ab --fail-on); 1 offene Feststellungen \
            ab --fail-on; 2 Zustandsspeicher fehlt, ist leer oder hat ein unbekanntes Schema, Konfigurations- oder \
            Ausnahmedatei fehlerhaft; 3 Lese- oder Schreibfehler.
            """,
            """
            Holds every finding open after the last finished run (new, still open, reopened, waived) and those that \
            run resolved, each with status, first and last seen; each file with the run that last scanned it. With \
            --since only what was seen or resolved since that day (00:00 Europe/Berlin; 31.01.2025 or 2025-01-31). \
            Read-only; does not wait for a running scan.
            Exit codes: 0 reports written (no open finding at or above --fail-on); 1 open findings at or above \
            --fail-on; 2 state store missing, empty or of an unknown schema, configuration or waiver file broken; \
            3 read or write error.
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher (SQLite) der geplanten Prüfungen.",
                                                 "State store (SQLite) of the scheduled scans."),
                                            valueName: UI.t("datei", "file")))
    var state: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Prüfauftrag (audit.yaml): Zustandsspeicher, Ausgaben, Regeln, Ausnahmen, Sprache.",
                                                 "Audit configuration (audit.yaml): state store, outputs, rules, waivers, language."),
                                            valueName: UI.t("datei", "file")))
    var config: String?

    @Option(name: .customLong("format"), help: ArgumentHelp(
        UI.t("Ausgabe FORMAT=PFAD (sarif, junit, jsonl, csv, html, text; Pfad - = Standardausgabe), mehrfach möglich.",
             "Output FORMAT=PATH (sarif, junit, jsonl, csv, html, text; path - = standard output), repeatable."),
        valueName: "format=pfad"))
    var formats: [String] = []

    @Option(name: .long, help: ArgumentHelp(UI.t("Nur Feststellungen, die seit diesem Tag gesehen oder erledigt wurden (31.01.2025 oder 2025-01-31).",
                                                 "Only findings seen or resolved since this day (31.01.2025 or 2025-01-31)."),
                                            valueName: UI.t("datum", "date")))
    var since: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Exit-Code 1 bei offenen Feststellungen ab diesem Schweregrad.",
                                                 "Exit code 1 for open findings from this severity on.")))
    var failOn: Severity?

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausnahmedatei (Waivers).", "Waiver file."), valueName: UI.t("datei", "file")))
    var waivers: String?

    func validate() throws {
        for f in formats where OutputTarget(spec: f) == nil {
            throw ValidationError(UI.t("Unbekanntes Format „\(f)“ (\(OutputFormat.names))", "Unknown format '\(f)' (\(OutputFormat.names))"))
        }
        if let since, BerlinTime.parseDay(since) == nil {
            throw ValidationError(UI.t("--since: Tag als 31.01.2025 oder 2025-01-31 erwartet", "--since: day expected as 31.01.2025 or 2025-01-31"))
        }
    }

    func run() throws {
        let cfg = try AuditConfig.loadForCommand(config)
        guard let statePath = state ?? cfg.state else {
            printError(UI.t("Fehler: --state angeben (oder state: in audit.yaml) [report.no-state]",
                            "error: give --state (or state: in audit.yaml) [report.no-state]"))
            throw Exit.configuration
        }
        var g = global
        if g.rules == nil, let r = cfg.rules { g.rules = r }
        let (ruleSet, _) = try loadRules(g)
        for e in ruleSet.errors { printError(e.text(UI.reportLanguage(config: cfg.language))) }
        if !ruleSet.errors.isEmpty { throw Exit.configuration }
        var targets = cfg.formats + formats.compactMap { OutputTarget(spec: $0) }
        try refuseClosedStdout(targets)
        if !targets.contains(where: { $0.destination == .standardOutput || $0.format == .text }) {
            targets.append(OutputTarget(.text, .standardOutput))
        }
        var request = StoreReportRequest(statePath: statePath, targets: targets, rules: ruleSet.descriptors,
                                         toolVersion: trennwandVersion,
                                         // Waiver expiry judged at the time the scans use (audit.yaml `now:`), else the clock.
                                         now: cfg.now ?? Int64(Date().timeIntervalSince1970))
        request.waivers = waivers ?? cfg.waivers
        request.waiverLimits = cfg.waiverLimits
        request.since = since.flatMap { BerlinTime.parseDay($0) }.map { BerlinTime.startOfDay(year: $0.year, month: $0.month, day: $0.day) }
        request.failOn = failOn ?? cfg.failOn
        request.language = UI.reportLanguage(config: cfg.language)
        request.colorStandardOutput = isatty(STDOUT_FILENO) == 1
        let reason = StoreReport.render(request) { diagnostic in
            if let detail = diagnostic.debugDetail { Log.shared.debug("\(detail)") }
            printError(diagnostic.text(interface: UI.language, report: request.language))
        }
        let exit = Exit.code(reason)
        if exit != Exit.ok { throw exit }
    }
}
