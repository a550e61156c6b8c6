import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandOutputs
import TrennwandReaders
import TrennwandRecords
import TrennwandState

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
            Exit-Codes: 0 keine Feststellung ab --fail-on; 1 Feststellungen ab --fail-on; 2 Regel- oder \
            Konfigurationsfehler; 3 Eingabefehler (mit --strict auch zurückgewiesene Datensätze). Ein Fehler \
            endet nie mit 0; Eingabefehler gehen Feststellungen vor.
            """,
            """
            Directories are searched recursively for .csv, .xml, .jsonl and .ndjson files; each file's profile \
            is detected from its header, root element or the keys of its first JSON object. Files whose profile is a reference table (staff, secondments, \
            agreements, consents, participants, offers) are loaded as reference data, all others are evaluated.
            Exit codes: 0 no finding at or above --fail-on; 1 findings at or above --fail-on; 2 rule or \
            configuration error; 3 input error (with --strict also rejected records). An error never exits 0; \
            input errors take precedence over findings.
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

    @Flag(name: .long, help: ArgumentHelp(UI.t("Zurückgewiesene Datensätze führen zu Exit-Code 3.",
                                               "Rejected records lead to exit code 3.")))
    var strict = false

    @Flag(name: .long, help: ArgumentHelp(UI.t("Unmaskierte Belege und echte Kennungen – nur für die Prüfung am eigenen Platz; nicht mit sarif, junit.",
                                               "Unmasked evidence and real ids — for local review only; not with sarif, junit.")))
    var reveal = false

    @Flag(name: .long, help: ArgumentHelp(UI.t("--reveal auch für sarif und junit erzwingen.",
                                               "Force --reveal also for sarif and junit.")))
    var revealForce = false

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausnahmedatei (Waivers, siehe docs/waivers.md).", "Waiver file (see docs/waivers.md)."),
                                            valueName: UI.t("datei", "file")))
    var waivers: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Vorheriges Ergebnis (SARIF oder JSON Lines): nur neue Befunde zählen für den Exit-Code.",
                                                 "Previous result (SARIF or JSON Lines): only new findings count for the exit code."),
                                            valueName: UI.t("datei", "file")))
    var baseline: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsdatenbank (SQLite) für Verlauf und inkrementelle Prüfungen.",
                                                 "State database (SQLite) for history and incremental scans."),
                                            valueName: UI.t("datei", "file")))
    var state: String?

    @Flag(name: .long, help: ArgumentHelp(UI.t("Alle Dateien neu auswerten, auch bereits geprüfte.", "Re-evaluate every file, also those already scanned.")))
    var full = false

    @Option(name: .long, help: ArgumentHelp(UI.t("Aufbewahrung eigener Prüfdaten in Monaten (Standard 6, § 79 Abs. 4 SGB X).",
                                                 "Retention of the auditor's own data in months (default 6, § 79 Abs. 4 SGB X).")))
    var retentionMonths: Int?

    @Argument(help: ArgumentHelp(UI.t("Dateien oder Verzeichnisse.", "Files or directories."), valueName: UI.t("pfad", "path")))
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty && config == nil {
            throw ValidationError(UI.t("Pfad oder --config angeben.", "Give a path or --config."))
        }
        for f in formats where parseFormatSpec(f) == nil {
            throw ValidationError(UI.t("Unbekanntes Format „\(f)“ (\(OutputFormat.names))", "Unknown format '\(f)' (\(OutputFormat.names))"))
        }
    }

    func run() throws {
        let cfg = try AuditConfig.loadForCommand(config)
        var g = global
        if g.rules == nil, let r = cfg.rules { g.rules = r }
        let language = cfg.language ?? UI.language
        let catalog = try loadCatalog(global: g, extra: profileDirectories)
        let (ruleSet, policy) = try loadRules(g)
        for e in ruleSet.errors { printError(e.text(language)) }
        if !ruleSet.errors.isEmpty { throw Exit.configuration }
        let key = try resolvePseudonymKey(file: keyFile)
        var inputs = cfg.inputs
        inputs += expandPaths(paths).map { ScanInput(path: $0, profile: nil) }
        var only = onlyRules.isEmpty ? cfg.only : Set(onlyRules.map { $0.uppercased() })
        if !cfg.exclude.isEmpty { only = Set((only ?? Set(ruleSet.rules.map(\.id))).subtracting(cfg.exclude)) }
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
        var targets = cfg.formats
        targets += formats.compactMap(parseFormatSpec)
        try refuseClosedStdout(targets)
        if reveal && !revealForce, let exported = targets.first(where: { $0.0.isExported }) {
            printError(UI.t("--reveal ist mit \(exported.0.rawValue) nicht erlaubt: diese Ausgabe verlässt den Arbeitsplatz. Mit --reveal-force erzwingen.",
                            "--reveal is refused with \(exported.0.rawValue): that output leaves the machine. Force with --reveal-force."))
            throw Exit.configuration
        }
        if reveal {
            Log.shared.warning("\(UI.t("Unmaskierte Ausgabe (--reveal): nur zur Prüfung am eigenen Platz", "unmasked output (--reveal): for local review only"))")
        }
        let showProgress = isatty(STDERR_FILENO) == 1
        var pipeline = ParallelScan(catalog: catalog, ruleSet: ruleSet, policy: policy, pseudonymizer: Pseudonymizer(key: key),
                                    onlyRules: only, now: nowTime,
                                    threads: max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount),
                                    chunkBytes: chunkBytes)
        pipeline.reveal = reveal
        if showProgress {
            let total = inputs.count
            var n = 0
            pipeline.progress = { file in
                n += 1
                writeStderr("\r\u{1B}[K[\(n)/\(total)] \(file)")
            }
        }
        // Waivers and baseline are read before the scan: a broken file stops it early.
        var waiverSet: WaiverSet?
        if let path = waivers ?? cfg.waivers {
            do {
                let set = try WaiverSet.load(path: path, limits: cfg.waiverLimits, clock: Int64(Date().timeIntervalSince1970))
                try set.checkRules(known: Set(ruleSet.rules.map(\.id)))
                waiverSet = set
            } catch let e as ConfigError {
                printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + e.text(language) + " [\(e.code)]")
                throw Exit.configuration
            }
        }
        var baselineSet: Baseline?
        if let path = baseline ?? cfg.baseline {
            do { baselineSet = try Baseline.load(path: path) } catch let e as InputError {
                printError(UI.t("Eingabefehler: ", "input error: ") + Self.fileMessage(e, language))
                throw Exit.input
            }
            for w in baselineSet?.provenanceWarnings(rulePackHash: ruleSet.hash, keyID: key.keyID) ?? [] {
                printError(UI.t("Warnung: ", "warning: ") + Self.fileMessage(w, language))
            }
        }
        var session: StateSession?
        if let path = state ?? cfg.state {
            do {
                session = try StateSession(path: path, started: Int64(Date().timeIntervalSince1970), rulePackHash: ruleSet.hash,
                                           inputs: inputs.map(\.path), full: full,
                                           retentionMonths: retentionMonths ?? cfg.retentionMonths ?? StateStore.defaultRetentionMonths)
            } catch {
                let e = StateError.from(error, path: path)
                printError(e.text(language))
                throw Self.stateExit(e)
            }
        }
        if let session { pipeline.planSkips = { try session.plan(evaluated: $0, reference: $1) } }
        // A held lock or a store of an unknown schema is a configuration matter (2); a store that
        // cannot be read or written (disk full, permissions) is an I/O error (3). docs/operations.md.
        var result: ScanResult
        let identities = FileIdentity.snapshot(inputs.map(\.path))
        do { result = try pipeline.run(inputs) } catch let e as ConfigError {
            printError(UI.t("Regelfehler: ", "rule error: ") + e.text(language) + " [\(e.code)]")
            session?.abandon()
            throw Exit.configuration
        } catch let e as StateError {
            printError(e.text(language))
            session?.abandon()
            throw Self.stateExit(e)
        } catch let e as InputError {
            printError(UI.t("Prüfung abgebrochen: ", "scan stopped: ") + Self.fileMessage(e, language))
            session?.abandon()
            throw Exit.input
        } catch {
            printError(UI.t("Prüfung abgebrochen: ", "scan stopped: ") + unexpectedErrorText(error, language: language))
            session?.abandon()
            throw Exit.input
        }
        result.inputs = FileIdentity.markChanged(result.inputs, before: identities, skipped: Set(result.skipped))
        for a in result.inputs where a.fileError?.reason.code == "input.changed-during-scan" {
            printError(UI.t("Eingabefehler: ", "input error: ") + Self.fileMessage(InputError(a.fileError!), language))
        }
        if showProgress { writeStderr("\r\u{1B}[K") }
        let failOn = self.failOn ?? cfg.failOn
        var run = RunInfo(toolVersion: trennwandVersion, started: result.started, finished: result.finished,
                          rulePackHash: result.rulePackHash, rules: result.descriptors, inputs: result.inputs,
                          language: language, failOn: failOn)
        run.keyID = key.keyID
        // The terminal summary goes to stdout unless a format already writes there or text is redirected.
        if !targets.contains(where: { $0.1 == "-" || $0.0 == .text }) { targets.append((.text, "-")) }
        // Waivers: audited exceptions stay visible; expired ones re-activate their finding. A waiver
        // that reaches too far makes the whole waiver file not apply (every finding open) and the run
        // a configuration error (exit 2) after the reports are written; the state is not advanced,
        // so its findings stay new.
        let outcome = waiverSet?.apply(to: result.findings, now: nowTime, evaluatedRules: only, limits: cfg.waiverLimits)
        for w in outcome?.warnings ?? [] { printError(UI.t("Warnung: ", "warning: ") + w.text(language)) }
        let waiverRefused = !(outcome?.fileApplies ?? true)
        for e in outcome?.refused ?? [] {
            printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + e.text(language) + " [\(e.code)]")
        }
        if waiverRefused, let waiverSet {
            printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + UI.t(
                "\(waiverSet.path): Ausnahmedatei wird nicht angewandt (abgelehnte Einträge oben), alle Feststellungen sind offen; Einträge korrigieren und erneut scannen",
                "\(waiverSet.path): waiver file not applied (refused entries above), every finding is open; fix the entries and scan again")
                + " [waiver.file-not-applied]")
        }
        let waived: [WaiverInfo?] = result.findings.indices.map { i in outcome?.applied[i].map(WaiverInfo.init) }
        let comparison = baselineSet?.compare(findings: result.findings)
        // State: lifecycle per finding, one transaction per file.
        var lifecycle: [String: FindingStatus] = [:]
        if let session, !waiverRefused {
            do {
                lifecycle = try session.commit(result: result, waived: Set(result.findings.indices.compactMap {
                    waived[$0] == nil ? nil : result.findings[$0].fingerprint
                }))
            } catch {
                let e = StateError.from(error, path: session.store.path)
                printError(e.text(language))
                session.abandon()
                throw Self.stateExit(e)
            }
            session.report(language: language)
        }
        do {
            try writeOutputs(result: result, run: run, targets: targets, waived: waived,
                             baseline: comparison.map(BaselineCounts.init), trend: session?.trendSection())
        } catch {
            session?.finish(exitCode: Exit.input.rawValue, skipped: result.skipped.count)
            throw error
        }
        // Exit code: errors first, then open (not waived) violations at or above the threshold that
        // are new — against the baseline, and with a state database new or reopened.
        var exit: ExitCode = Exit.ok
        if waiverRefused {
            exit = Exit.configuration
        } else if result.inputs.contains(where: { $0.fileError != nil }) {
            exit = Exit.input
        } else if (strict || cfg.strict == true) && result.inputs.contains(where: { $0.rejected > 0 }) {
            exit = Exit.input
        } else if let failOn {
            let gating = result.findings.indices.contains { i in
                let f = result.findings[i]
                guard f.findingClass == .violation, f.severity >= failOn, waived[i] == nil else { return false }
                if let comparison, !comparison.isNew(f) { return false }
                if session != nil, let status = lifecycle[f.fingerprint], status != .new, status != .reopened { return false }
                return true
            }
            if gating { exit = Exit.findings }
        }
        session?.finish(exitCode: exit.rawValue, skipped: result.skipped.count)
        if exit != Exit.ok { throw exit }
    }

    func writeOutputs(result: ScanResult, run: RunInfo, targets: [(format: OutputFormat, path: String)],
                      waived: [WaiverInfo?], baseline: BaselineCounts?, trend: HTMLTrendSection? = nil) throws {
        var writers: [any FindingWriter] = []
        var sinks: [any OutputSink] = []
        var atomic: [AtomicFileSink] = []
        var direct: [Int32] = []
        for (format, path) in targets {
            let sink: any OutputSink
            do {
                if path == "-" {
                    sink = FileDescriptorSink(fd: STDOUT_FILENO)
                } else if isSpecialFile(path) {
                    // /dev/null, a FIFO, a terminal: written in place (never renamed over).
                    let s = try FileDescriptorSink(path: path)
                    direct.append(s.fd)
                    sink = s
                } else {
                    let dir = (path as NSString).deletingLastPathComponent
                    if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
                    let s = try AtomicFileSink(path: path)
                    atomic.append(s)
                    sink = s
                }
            } catch {
                printError(outputErrorText(error, path: path))
                atomic.forEach { $0.discard() }
                throw Exit.input
            }
            sinks.append(sink)
            writers.append(format.writer(sink: sink, colors: path == "-" && isatty(STDOUT_FILENO) == 1,
                                         sourceRoot: FileManager.default.currentDirectoryPath, trend: trend))
        }
        var fan = FanoutWriter(writers)
        do {
            try fan.begin(run: run)
            for (i, f) in result.findings.enumerated() { try fan.write(f, waived: waived[i]) }
            try fan.end(summary: RunSummary(finished: run.finished, inputs: run.inputs, baseline: baseline))
            for s in sinks { try s.flush() }
            // Only now do the report files appear, complete: a failure above leaves the old ones.
            for s in atomic { try s.commit() }
        } catch {
            atomic.forEach { $0.discard() }
            printError(UI.t("Ausgabe fehlgeschlagen (keine unvollständigen Berichte hinterlassen): ",
                            "writing outputs failed (no partial reports left behind): ") + outputErrorText(error, path: nil))
            throw Exit.input
        }
        for fd in direct { close(fd) }
    }

    /// `file: message [code]`, with the line only when there is one (no `baseline.sarif:0:`).
    static func fileMessage(_ e: InputError, _ language: Language) -> String {
        let l = e.rejection.locator
        let place = l.line > 0 ? l.description : l.file
        return "\(place): \(e.rejection.reason.message.text(language)) [\(e.rejection.reason.code)]"
    }

    static func stateExit(_ error: Error) -> ExitCode {
        switch error as? StateError {
        case .locked?, .schema?, .schemaMismatch?: return Exit.configuration
        default: return Exit.input
        }
    }

    /// Existing character devices and FIFOs (`/dev/null`, `/dev/stdout`, a terminal, a pipe) are
    /// written in place, never replaced. Everything else, also a block device or a symlink to a
    /// regular file, goes through `AtomicFileSink`, whose rename replaces a link, not its target.
    func isSpecialFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFCHR || type == S_IFIFO
    }
}

extension Severity: ExpressibleByArgument {}
