import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandOutputs
import TrennwandReaders
import TrennwandRecords
import TrennwandScan
import TrennwandState
import Logging

/// `trennwand scan`: the audit scan over exports with the built-in (or given) rules.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: UI.t("Prüft Exporte (Zugriffsprotokolle, Dokumentation, Datenflüsse) gegen das Regelwerk.",
                       "Scans exports (access logs, documentation, data flows) against the rule pack."),
        discussion: UI.t(
            """
            Verzeichnisse werden rekursiv nach .csv-, .xml-, .jsonl- und .ndjson-Dateien durchsucht; das Profil \
            jeder Datei wird aus Kopfzeile, Wurzelelement bzw. den Schlüsseln des ersten JSON-Objekts erkannt. Dateien, deren Profil eine Stammdatentabelle ist \
            (Mitarbeitende, Abordnungen, Vereinbarungen, Einwilligungen, Teilnehmende, Angebote), werden als \
            Stammdaten geladen, alle anderen ausgewertet.
            Mit --state decken alle Ausgaben jede nach dem Lauf offene Feststellung ab, auch die übersprungener \
            Dateien, und die vom Lauf erledigten.
            Exit-Codes: 0 keine Feststellung ab --fail-on; 1 Feststellungen ab --fail-on (mit --state alle \
            offenen, mit --baseline nur neue); 2 Regel- oder \
            Konfigurationsfehler (auch eine fehlerhafte --engine-URL); 3 Eingabefehler (mit --strict auch \
            zurückgewiesene Datensätze; mit --engine auch Server nicht erreichbar, Anmeldung abgelehnt, Datenbank \
            fehlt, Abfrage fehlgeschlagen – dann ohne Bericht und ohne Zustandsänderung). Ein Fehler \
            endet nie mit 0; Eingabefehler gehen Feststellungen vor.
            """,
            """
            Directories are searched recursively for .csv, .xml, .jsonl and .ndjson files; each file's profile \
            is detected from its header, root element or the keys of its first JSON object. Files whose profile is a reference table (staff, secondments, \
            agreements, consents, participants, offers) are loaded as reference data, all others are evaluated.
            With --state every output covers each finding open after the run, also those of skipped files, and \
            those the run resolved.
            Exit codes: 0 no finding at or above --fail-on; 1 findings at or above --fail-on (with --state all \
            open ones, with --baseline only new ones); 2 rule or \
            configuration error (also a malformed --engine URL); 3 input error (with --strict also rejected \
            records; with --engine also server unreachable, login refused, database missing, query failed — then \
            with no report and no state change). An error never exits 0; input errors take precedence over findings.
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Prüfauftrag (audit.yaml) mit Quellen, Stammdaten, Regeln, Ausgaben.",
                                                 "Audit configuration (audit.yaml) with sources, reference data, rules, outputs."),
                                            valueName: UI.t("datei", "file")))
    var config: String?

    @Option(name: .customLong("format"), help: ArgumentHelp(
        UI.t("Ausgabe FORMAT=PFAD (sarif, junit, jsonl, csv, html, text; Pfad - = Standardausgabe), mehrfach möglich.",
             "Output FORMAT=PATH (sarif, junit, jsonl, csv, html, text; path - = standard output), repeatable."),
        valueName: "format=pfad"))
    var formats: [String] = []

    @Option(name: .long, help: ArgumentHelp(UI.t("Exit-Code 1 ab diesem Schweregrad (critical, high, medium, low, info).",
                                                 "Exit code 1 from this severity on (critical, high, medium, low, info).")))
    var failOn: Severity?

    @Option(name: .long, help: ArgumentHelp(UI.t("Bezugszeitpunkt für now() (ISO 8601), z. B. für Aufbewahrungsfristen.",
                                                 "Reference time of now() (ISO 8601), e.g. for retention periods.")))
    var now: String?

    @Option(name: .customLong("rule"), help: ArgumentHelp(UI.t("Nur diese Regel (mehrfach möglich).", "Only this rule (repeatable)."),
                                                          valueName: "id"))
    var onlyRules: [String] = []

    @Option(name: .customLong("profiles"), help: ArgumentHelp(
        UI.t("Zusätzliches Profilverzeichnis (mehrfach möglich).", "Additional profile directory (repeatable)."),
        valueName: UI.t("verzeichnis", "dir")))
    var profileDirectories: [String] = []

    @Option(name: .long, help: ArgumentHelp(UI.t("Schlüsseldatei für Pseudonyme (sonst TRENNWAND_KEY oder Installationsschlüssel).",
                                                 "Key file for pseudonyms (else TRENNWAND_KEY or the installation key).")))
    var keyFile: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Anzahl der Threads (Standard: alle Kerne). Gleiche Befunde in gleicher Reihenfolge bei jeder Anzahl.",
                                                 "Number of threads (default: all cores). Same findings in the same order for any number.")))
    var threads: Int?

    @Option(name: .customLong("chunk-bytes"), help: .hidden)
    var chunkBytes: Int?

    /// Most records held for the exact re-evaluation of aggregate rules with late records (tests).
    @Option(name: .customLong("reorder-limit"), help: .hidden)
    var reorderLimit: Int?

    @Flag(name: .long, help: ArgumentHelp(UI.t("Zurückgewiesene Datensätze führen zu Exit-Code 3.",
                                               "Rejected records lead to exit code 3.")))
    var strict = false

    @Flag(name: .long, help: ArgumentHelp(UI.t("Unmaskierte Belege und echte Kennungen – nur für die Prüfung am eigenen Platz; nicht mit sarif, junit.",
                                               "Unmasked evidence and real ids — for local review only; not with sarif, junit.")))
    var reveal = false

    @Flag(name: .long, help: ArgumentHelp(UI.t("Wie --reveal, auch für sarif und junit.",
                                               "Like --reveal, also for sarif and junit.")))
    var revealForce = false

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausnahmedatei (Waivers, siehe docs/waivers.md).", "Waiver file (see docs/waivers.md)."),
                                            valueName: UI.t("datei", "file")))
    var waivers: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Vorheriges Ergebnis (SARIF oder JSON Lines): nur neue Befunde zählen für den Exit-Code.",
                                                 "Previous result (SARIF or JSON Lines): only new findings count for the exit code."),
                                            valueName: UI.t("datei", "file")))
    var baseline: String?

    @Flag(name: .long, help: ArgumentHelp(UI.t("Fehlende Baseline-Datei ist kein Fehler (erster Lauf): jeder Befund gilt als neu.",
                                               "A missing baseline file is no error (first run): every finding counts as new.")))
    var baselineOptional = false

    @Option(name: .long, help: ArgumentHelp(UI.t("Die Befunde dieses Laufs als nächste Baseline schreiben (.sarif oder .jsonl).",
                                                 "Write this run's findings as the next baseline (.sarif or .jsonl)."),
                                            valueName: UI.t("datei", "file")))
    var writeBaseline: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsdatenbank (SQLite) für Verlauf und inkrementelle Prüfungen.",
                                                 "State database (SQLite) for history and incremental scans."),
                                            valueName: UI.t("datei", "file")))
    var state: String?

    @Flag(name: .long, help: ArgumentHelp(UI.t("Alle Dateien neu auswerten, auch bereits geprüfte.", "Re-evaluate every file, also those already scanned.")))
    var full = false

    @Option(name: .long, help: ArgumentHelp(UI.t("Aufbewahrung eigener Prüfdaten in Monaten (Standard 6, § 79 Abs. 4 SGB X).",
                                                 "Retention of the auditor's own data in months (default 6, § 79 Abs. 4 SGB X).")))
    var retentionMonths: Int?

    @Option(name: .long, help: ArgumentHelp(
        UI.t("Kennzahlen des Laufs im Prometheus-Textformat (node_exporter textfile collector), atomar geschrieben.",
             "Run metrics in Prometheus text format (node_exporter textfile collector), written atomically."),
        valueName: UI.t("datei", "file")))
    var metrics: String?

    @Flag(name: .long, help: ArgumentHelp(UI.t("Keine Eingabedatei ist kein Fehler (sonst Exit-Code 3); wie allow_empty: true im Prüfauftrag.",
                                               "No input file at all is no error (else exit code 3); like allow_empty: true in audit.yaml.")))
    var allowEmpty = false

    @Option(name: .long, help: ArgumentHelp(
        UI.t("Regeln auf einem PostgreSQL-Server auswerten (postgresql://benutzer@host:port/datenbank; docs/scale-out.md).",
             "Evaluate the rules on a PostgreSQL server (postgresql://user@host:port/database; docs/scale-out.md)."),
        valueName: "url"))
    var engine: String?

    @Flag(name: .long, help: ArgumentHelp(UI.t("Mit --engine: das Schema des Laufs auf dem Server behalten (Name wird ausgegeben).",
                                               "With --engine: keep the run's schema on the server (its name is printed).")))
    var keep = false

    @Argument(help: ArgumentHelp(UI.t("Dateien oder Verzeichnisse.", "Files or directories."), valueName: UI.t("pfad", "path")))
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty && config == nil {
            throw ValidationError(UI.t("Pfad oder --config angeben.", "Give a path or --config."))
        }
        for f in formats where OutputTarget(spec: f) == nil {
            throw ValidationError(UI.t("Unbekanntes Format „\(f)“ (\(OutputFormat.names))", "Unknown format '\(f)' (\(OutputFormat.names))"))
        }
        if let path = writeBaseline, OutputTarget(baselinePath: path) == nil {
            throw ValidationError(UI.t("--write-baseline: Dateiname auf .sarif oder .jsonl erwartet (danach richtet sich das Format)",
                                       "--write-baseline: a file name ending in .sarif or .jsonl expected (it decides the format)"))
        }
    }

    func run() throws {
        if let engine { return try runOnEngine(engine) }
        if keep {
            printError(UI.t("Fehler: --keep nur mit --engine [scan.usage]", "error: --keep only with --engine [scan.usage]"))
            throw Exit.configuration
        }
        var request = try makeRequest()
        let log: (ScanDiagnostic) -> Void = { diagnostic in
            if let detail = diagnostic.debugDetail { Log.emit(.debug, detail, code: diagnostic.code) }
            Log.emit(diagnostic.level.logLevel, diagnostic.text(interface: UI.language, report: request.language),
                     code: diagnostic.code, file: diagnostic.file)
        }
        let display = progressDisplay(request.inputs)
        if let display { request.progress = { display.scan($0) } }
        let verdict = ReadProgress.reporting(to: display.map { d in { @Sendable in d.read($0) } }) { Scan.run(request, diagnose: log) }
        ScanDiagnostic.accounting(verdict.result?.inputs ?? []).forEach(log)
        var exit = Exit.code(verdict.reason)
        if let metrics, !MetricsFile.finish(path: metrics, body: metricsBodyPath, exitCode: exit.rawValue,
                                            lifecycle: request.state.flatMap { Self.lastRunLifecycle(statePath: $0.path) }) {
            exit = Exit.input
        }
        if exit != Exit.ok { throw exit }
    }

    /// The lifecycle counts the state store recorded for its latest run (this one), for the
    /// metrics; nil when the store cannot be read (the scan reported that already).
    static func lastRunLifecycle(statePath: String) -> [FindingStatus: Int]? {
        guard let store = try? StateStore(path: statePath, readOnly: true), let run = try? store.history(limit: 1).first else { return nil }
        return [.new: run.new, .open: run.open, .reopened: run.reopened, .resolved: run.resolved, .waived: run.waived]
    }

    /// The terminal progress line (nil when stderr is no terminal).
    func progressDisplay(_ inputs: [ScanInput]) -> ProgressDisplay? {
        ProgressDisplay.make(inputs: inputs.map(\.path))
    }

    /// Where the run's metric families are written before `MetricsFile.finish` completes them.
    var metricsBodyPath: String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("trennwand-metrics-\(getpid()).prom.part")
    }

    /// The scan request from the options and `--config`: rules, profiles and key loaded, options
    /// over the configuration. Problems found here are printed and end the command (exit 2 or 3).
    func makeRequest() throws -> ScanRequest {
        let setup = try ScanSetup.load(config: config, global: global, profileDirectories: profileDirectories)
        let cfg = setup.config, catalog = setup.catalog, ruleSet = setup.ruleSet, policy = setup.policy
        let key = try resolvePseudonymKey(file: keyFile)
        let only = setup.selectedRules(onlyRules)
        let nowTime: Int64
        if let now {
            guard let t = parseTime(now) else {
                printError(UI.t("--now: Zeitpunkt nach ISO 8601 erwartet", "--now: ISO 8601 timestamp expected"))
                throw Exit.configuration
            }
            nowTime = t
        } else {
            nowTime = cfg.now ?? Int64(Date().timeIntervalSince1970)
        }
        var targets = cfg.formats + formats.compactMap { OutputTarget(spec: $0) }
        if let path = writeBaseline, let target = OutputTarget(baselinePath: path) { targets.append(target) }
        // The run's facts go to a private file first; the exit code is appended after the verdict.
        if metrics != nil { targets.append(OutputTarget(.metrics, .file(metricsBodyPath))) }
        try refuseClosedStdout(targets)
        // --reveal-force implies --reveal: a forced run is revealed like any other (issue #16).
        // With --state a revealed run evaluates every file (as --full): findings of skipped files
        // would come from the store, which keeps only masked ones.
        let reveal = self.reveal || revealForce
        if reveal && !revealForce, let exported = targets.first(where: { $0.format.isExported }) {
            let name = exported.format.rawValue
            printError(UI.t("--reveal ist mit \(name) nicht erlaubt: diese Ausgabe verlässt den Arbeitsplatz. Mit --reveal-force erzwingen.",
                            "--reveal is refused with \(name): that output leaves the machine. Force with --reveal-force."))
            throw Exit.configuration
        }
        if reveal {
            printError(UI.t("Warnung: Unmaskierte Ausgabe (--reveal): nur zur Prüfung am eigenen Platz [scan.reveal]",
                            "warning: unmasked output (--reveal): for local review only [scan.reveal]"))
        }
        // The terminal summary goes to stdout unless a format already writes there or text is redirected.
        if !targets.contains(where: { $0.destination == .standardOutput || $0.format == .text }) {
            targets.append(OutputTarget(.text, .standardOutput))
        }
        let inputs = try setup.inputs(paths: paths, allowEmpty: allowEmpty)
        var request = ScanRequest(inputs: inputs, catalog: catalog, ruleSet: ruleSet, policy: policy, key: key, now: nowTime,
                                  threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, toolVersion: trennwandVersion,
                                  historyCode: { Exit.code($0).rawValue })
        request.onlyRules = only
        request.chunkBytes = chunkBytes
        request.reorderLimit = reorderLimit
        request.reveal = reveal
        request.waivers = waivers ?? cfg.waivers
        request.waiverLimits = cfg.waiverLimits
        request.baseline = baseline ?? cfg.baseline
        request.baselineOptional = baselineOptional
        request.state = (state ?? cfg.state).map {
            StateOptions(path: $0, full: full || reveal, retentionMonths: retentionMonths ?? cfg.retentionMonths ?? StateStore.defaultRetentionMonths)
        }
        request.failOn = failOn ?? cfg.failOn
        request.strict = strict || cfg.strict == true
        request.targets = targets
        request.language = UI.reportLanguage(config: cfg.language)
        request.colorStandardOutput = Terminal.styled(STDOUT_FILENO)
        // The terminal progress line is attached in run().
        return request
    }
}

extension Severity: ExpressibleByArgument {}

extension ScanDiagnostic.Level {
    var logLevel: Logger.Level {
        switch self {
        case .error: return .error
        case .warning: return .warning
        case .notice: return .notice
        }
    }
}
