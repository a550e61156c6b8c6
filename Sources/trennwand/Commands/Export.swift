import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandPlan
import TrennwandReaders
import TrennwandRecords
import TrennwandScan

/// `trennwand export --out DIR`: the inputs a scan would read as tables for SQL engines
/// (docs/scale-out.md): normalised records with detector columns, reference tables and policy
/// tables as JSON Lines, partitioned by record kind and month, one manifest per input.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: UI.t("Schreibt die Eingaben als Tabellen für SQL-Engines (JSON Lines, nach Art und Monat aufgeteilt).",
                       "Writes the inputs as tables for SQL engines (JSON Lines, partitioned by kind and month)."),
        discussion: UI.t(
            """
            Liest dieselben Dateien mit denselben Profilen wie trennwand scan (--config oder Pfade) und schreibt \
            nach DIR: records/<art>/<JJJJ-MM>/<eingabe>.jsonl, reference/<art>/<eingabe>.jsonl, policy/*.jsonl und \
            je Eingabe manifests/<eingabe>.json (Schema-Version, Werkzeugversion, Regelpaket-Hash, Dateien mit \
            Zeilenzahl). Jede Datei wird für sich exportiert; mehrere Rechner können in dasselbe Verzeichnis \
            exportieren. Zurückgewiesene Datensätze werden wie bei scan gemeldet und gezählt. \
            Danach: trennwand sql --dialect duckdb --out DIR (docs/scale-out.md).
            Exit-Codes: 0 exportiert; 2 Aufruf-, Regel- oder Konfigurationsfehler; 3 Eingabe- oder Schreibfehler \
            (mit --strict auch zurückgewiesene Datensätze).
            """,
            """
            Reads the same files with the same profiles as trennwand scan (--config or paths) and writes to DIR: \
            records/<kind>/<YYYY-MM>/<input>.jsonl, reference/<kind>/<input>.jsonl, policy/*.jsonl and per input \
            manifests/<input>.json (schema version, tool version, rule pack hash, files with row counts). Each file \
            is exported by itself; several machines can export into one directory. Rejected records are reported \
            and counted as by scan. Then: trennwand sql --dialect duckdb --out DIR (docs/scale-out.md).
            Exit codes: 0 exported; 2 usage, rule or configuration error; 3 input or write error (with --strict \
            also rejected records).
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zielverzeichnis des Exports.", "Directory to export to."),
                                            valueName: UI.t("verzeichnis", "dir")))
    var out: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Prüfauftrag (audit.yaml): Quellen, Stammdaten, Regeln wie bei scan.",
                                                 "Audit configuration (audit.yaml): sources, reference data, rules as for scan."),
                                            valueName: UI.t("datei", "file")))
    var config: String?

    @Option(name: .customLong("profiles"), help: ArgumentHelp(
        UI.t("Zusätzliches Profilverzeichnis (mehrfach möglich).", "Additional profile directory (repeatable)."),
        valueName: UI.t("verzeichnis", "dir")))
    var profileDirectories: [String] = []

    @Flag(name: .long, help: ArgumentHelp(UI.t("Zurückgewiesene Datensätze führen zu Exit-Code 3.",
                                               "Rejected records lead to exit code 3.")))
    var strict = false

    @Flag(name: .long, help: ArgumentHelp(UI.t("Keine Eingabedatei ist kein Fehler (sonst Exit-Code 3).",
                                               "No input file at all is no error (else exit code 3).")))
    var allowEmpty = false

    @Argument(help: ArgumentHelp(UI.t("Dateien oder Verzeichnisse.", "Files or directories."), valueName: UI.t("pfad", "path")))
    var paths: [String] = []

    func run() throws {
        guard let out, !out.isEmpty else {
            printError(UI.t("Fehler: --out VERZEICHNIS angeben [export.usage]", "error: give --out DIR [export.usage]"))
            throw Exit.configuration
        }
        if paths.isEmpty && config == nil {
            printError(UI.t("Fehler: Pfad oder --config angeben [export.usage]", "error: give a path or --config [export.usage]"))
            throw Exit.configuration
        }
        let setup = try ScanSetup.load(config: config, global: global, profileDirectories: profileDirectories)
        let inputs = try setup.inputs(paths: paths, allowEmpty: allowEmpty)
        let outcome = try Self.export(inputs: inputs, catalog: setup.catalog, ruleSet: setup.ruleSet, policy: setup.policy, out: out,
                                      language: UI.reportLanguage(config: setup.config.language))
        print(UI.t("\(outcome.records) Datensätze aus \(inputs.count) Eingaben in \(outcome.files) Dateien nach \(Self.shown(out)) exportiert",
                   "\(outcome.records) records from \(inputs.count) inputs exported to \(outcome.files) files in \(Self.shown(out))"))
        if outcome.anyFileError || (strict && outcome.anyRejected) { throw Exit.input }
    }

    /// What an export did: records and files written, whether an input failed or had rejections.
    struct Outcome {
        var records = 0
        var files = 0
        var anyFileError = false
        var anyRejected = false
    }

    /// Exports `inputs` into `out` (the body of `export`, also `scan --engine`'s first step): the
    /// policy tables and manifest, then each input's records and manifest. Problems of an input are
    /// logged and counted; rule, configuration and write errors are printed and thrown as the exit
    /// code. `logAccounts`: log each input's account (`scan --engine` logs the accounts after its
    /// delivery, as a scan does).
    static func export(inputs: [ScanInput], catalog: ProfileCatalog, ruleSet: RuleSet, policy: PolicyData, out: String,
                       language: Language, logAccounts: Bool = true) throws -> Outcome {
        guard let encoder = RecordRowEncoder(policy: policy) else {
            printError(UI.t("Konfigurationsfehler: unbekannte Zeitzone „\(policy.timeZone)“ [export.time-zone]",
                            "configuration error: unknown time zone '\(policy.timeZone)' [export.time-zone]"))
            throw Exit.configuration
        }
        // The plans only name the schedule literals the policy tables need; a rule that cannot be
        // planned fails here as in `rules plan` and `sql` (its query could not be written either).
        let (plans, planErrors) = RulePlanner(policy: policy, now: 0).plan(ruleSet)
        for e in planErrors { printError(e.text(UI.language) + " [\(e.code)]") }
        if !planErrors.isEmpty { throw Exit.configuration }

        func manifest(_ input: ExportManifest.Input?, _ files: [ExportManifest.File]) -> ExportManifest {
            ExportManifest(toolVersion: trennwandVersion, rulePack: ruleSet.hash, timeZone: policy.timeZone, input: input, files: files)
        }
        do {
            let files = try ExportWriter.writePolicy(directory: out, policy: policy, plans: plans)
            try ExportWriter.writeManifest(manifest(nil, files), directory: out, name: ExportLayout.policyManifest)
        } catch let e as ExportError {
            throw report(e)
        }

        var outcome = Outcome()
        for (n, input) in inputs.enumerated() {
            let resolved = try UnitReader.resolve(input, catalog: catalog)
            guard let profile = resolved.profile else {
                if let failure = resolved.failure { log(ScanDiagnostic.accounting([Self.displayed(failure)]), language) }
                outcome.anyFileError = true
                continue
            }
            let writer = ExportWriter(directory: out, input: input.path, ordinal: n + 1, encoder: encoder)
            var writeError: ExportError?
            let account = UnitReader.readWhole(path: input.path, profile: profile, catalog: catalog) { record in
                guard writeError == nil else { return }
                do { try writer.add(record) } catch let e as ExportError { writeError = e } catch {
                    writeError = ExportError(.write, path: out, errno: EIO)
                }
            }
            if let writeError {
                writer.abandon()
                throw report(writeError)
            }
            do {
                let files = try writer.finish()
                let entry = ExportManifest.Input(path: input.path, profile: profile.id, kind: profile.kind.rawValue, ordinal: n + 1, account: account)
                try ExportWriter.writeManifest(manifest(entry, files), directory: out, name: ExportLayout.name(ofInput: input.path))
                outcome.files += files.count
            } catch let e as ExportError {
                writer.abandon()
                throw report(e)
            }
            if logAccounts { log(ScanDiagnostic.accounting([Self.displayed(account)]), language) }
            outcome.records += account.normalised
            outcome.anyFileError = outcome.anyFileError || account.fileError != nil
            outcome.anyRejected = outcome.anyRejected || account.rejected > 0
        }
        return outcome
    }

    private static func log(_ diagnostics: [ScanDiagnostic], _ language: Language) {
        for d in diagnostics {
            Log.emit(d.level.logLevel, d.text(interface: UI.language, report: language), code: d.code, file: d.file)
        }
    }

    /// A name for a message: control characters neutralised, line breaks shown as ␊/␍ (a name with
    /// a line break must not start a line of its own in the log).
    static func shown(_ name: String) -> String {
        Masking.neutralised(name).replacingOccurrences(of: "\n", with: "␊").replacingOccurrences(of: "\r", with: "␍")
    }

    /// An input's account for the log, its names `shown`.
    static func displayed(_ account: InputAccount) -> InputAccount {
        var a = account.neutralised
        a.file = shown(account.file)
        if var e = a.fileError {
            e.locator.file = shown(account.fileError?.locator.file ?? e.locator.file)
            a.fileError = e
        }
        return a
    }

    /// Prints an export error (file names shown safely) and returns the exit code to throw.
    private static func report(_ e: ExportError) -> ExitCode {
        printError(UI.t("Fehler: ", "error: ") + e.text(UI.language, path: Self.shown(e.path)))
        return e.isUsage ? Exit.configuration : Exit.input
    }
}
