import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandPlan
import TrennwandRecords
import TrennwandScan

/// `trennwand collect --from DIR`: the result rows an SQL engine wrote for `trennwand sql`'s
/// `run-all.sql` turned into findings exactly as a scan makes them, then delivered by the scan
/// library (waivers, baseline, state, every output format, exit codes; docs/scale-out.md).
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: UI.t("Liest die Ergebniszeilen einer SQL-Engine und gibt Befunde wie trennwand scan aus.",
                       "Reads an SQL engine's result rows and reports findings as trennwand scan does."),
        discussion: UI.t(
            """
            Liest DIR/results/<dialekt>/<regel>.jsonl (geschrieben von run-all.sql aus trennwand sql; Spark: von sql/spark/run-all.py) und bildet \
            daraus dieselben Befunde wie scan: Regeltexte, Maskierung, Pseudonyme, Fingerabdrücke; danach Ausnahmen, \
            Baseline, Zustand, Ausgaben und Exit-Codes wie bei scan (dieselben Optionen, --config wie beim Export).
            """,
            """
            Reads DIR/results/<dialect>/<rule>.jsonl (written by run-all.sql of trennwand sql; Spark: by sql/spark/run-all.py) and makes the same \
            findings as scan: rule texts, masking, pseudonyms, fingerprints; then waivers, baseline, state, outputs \
            and exit codes as scan (the same options, --config as for the export).
            """))

    @OptionGroup var scan: ScanCommand

    @Option(name: .long, help: ArgumentHelp(UI.t("Exportverzeichnis (trennwand export, sql).", "Export directory (trennwand export, sql)."),
                                            valueName: UI.t("verzeichnis", "dir")))
    var from: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Engine, deren Ergebnisse gelesen werden: duckdb, postgres oder spark.",
                                                 "Engine whose results are read: duckdb, postgres or spark.")))
    var dialect: String = "duckdb"

    func run() throws {
        guard ["duckdb", "postgres", "spark"].contains(dialect) else {
            printError(UI.t("Fehler: --dialect duckdb, postgres oder spark [collect.usage]", "error: --dialect duckdb, postgres or spark [collect.usage]"))
            throw Exit.configuration
        }
        if scan.engine != nil || scan.keep {
            printError(UI.t("Fehler: --engine und --keep gehören zu scan, nicht zu collect [collect.usage]",
                            "error: --engine and --keep belong to scan, not to collect [collect.usage]"))
            throw Exit.configuration
        }
        var request = try scan.makeRequest()
        // The engine evaluated every input: the state store records them all (no incremental skip).
        request.state?.full = true
        let manifests: [ExportManifest]
        do {
            manifests = try ExportManifest.all(in: from)
            for m in manifests where m.rulePack != request.ruleSet.hash {
                throw ExportError(.mismatch(UI.t("Regelpaket \(m.rulePack.prefix(12))… (dieses: \(request.ruleSet.hash.prefix(12))…)",
                                                 "rule pack \(m.rulePack.prefix(12))… (this one: \(request.ruleSet.hash.prefix(12))…)")), path: from)
            }
        } catch let e as ExportError {
            printError(UI.t("Fehler: ", "error: ") + e.text(UI.language, path: ExportCommand.shown(e.path)))
            throw e.isUsage ? Exit.configuration : Exit.input
        }
        try Self.deliver(request, manifests: manifests, resultDirectory: (from as NSString).appendingPathComponent("results/\(dialect)"),
                         scan: scan)
    }

    /// Result rows → findings → the scan's delivery (waivers, baseline, state, outputs, metrics)
    /// and its exit code, thrown unless 0. Shared by `collect` and `scan --engine`; `inputFailed`:
    /// an input could not be read completely before (the export's), so the exit is at least 3.
    static func deliver(_ request: ScanRequest, manifests: [ExportManifest], resultDirectory directory: String, scan: ScanCommand,
                        inputFailed: Bool = false) throws {
        let log: (ScanDiagnostic) -> Void = { diagnostic in
            if let detail = diagnostic.debugDetail { Log.emit(.debug, detail, code: diagnostic.code) }
            Log.emit(diagnostic.level.logLevel, diagnostic.text(interface: UI.language, report: request.language),
                     code: diagnostic.code, file: diagnostic.file)
        }
        let (pack, errors) = CompiledRulePack.compile(request.ruleSet, policy: request.policy, reference: .empty, only: request.onlyRules,
                                                      now: request.now, vocabulary: request.catalog.vocabulary)
        for e in errors { printError(e.text(UI.language) + " [\(e.code)]") }
        if !errors.isEmpty { throw Exit.configuration }
        let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: Pseudonymizer(key: request.key), reveal: request.reveal)
        let rows = ResultRows(evaluator: evaluator, manifests: manifests)
        let started = Int64(Date().timeIntervalSince1970)
        // The inputs as the export counted them (read, normalised, rejected per reason).
        var kinds: [String: RecordKind] = [:]
        let accounts: [InputAccount] = manifests.compactMap(\.input).sorted { $0.ordinal < $1.ordinal }.map { i in
            var a = InputAccount(file: i.path, profile: i.profile)
            a.read = i.read
            a.normalised = i.normalised
            a.rejected = i.rejected
            a.rejectedByReason = i.rejectedByReason
            if let kind = i.kind.flatMap(RecordKind.init(rawValue:)) { kinds[i.path] = kind }
            return a
        }
        var rowError: ResultRows.RowError?
        let verdict = Scan.deliver(request, evaluate: { planSkips in
            do {
                // --state: the run opened and every input hashed, as by a full scan (reference
                // tables as reference, the other inputs as evaluated).
                _ = try planSkips?(accounts.map(\.file).filter { kinds[$0]?.isEvaluated ?? true },
                                   accounts.map(\.file).filter { !(kinds[$0]?.isEvaluated ?? true) })
                let found = try rows.read(directory: directory, expected: pack.descriptors.map(\.id)).map { ($0.finding, $0.fileOrder) }
                return Scan.collected(found, inputs: accounts, descriptors: pack.descriptors, rulePackHash: request.ruleSet.hash,
                                      kinds: kinds, started: started)
            } catch let e as ResultRows.RowError {
                rowError = e
                throw e
            }
        }, diagnose: { d in if rowError == nil { log(d) } })
        if let e = rowError {
            let at = e.line > 0 ? "\(ExportCommand.shown(e.file)):\(e.line)" : ExportCommand.shown(e.file)
            printError(UI.t("Fehler: ", "error: ") + "\(at): \(e.reason.text(UI.language)) [collect.row]")
            throw Exit.input
        }
        ScanDiagnostic.accounting(verdict.result?.inputs ?? []).forEach(log)
        var exit = Exit.code(verdict.reason)
        if inputFailed && (exit == Exit.ok || exit == Exit.findings) { exit = Exit.input }
        // --metrics as for scan: the body written by the delivery, completed with the exit code.
        if let metrics = scan.metrics, !MetricsFile.finish(path: metrics, body: scan.metricsBodyPath, exitCode: exit.rawValue,
                                                           lifecycle: request.state.flatMap { ScanCommand.lastRunLifecycle(statePath: $0.path) }) {
            exit = Exit.input
        }
        if exit != Exit.ok { throw exit }
    }
}
