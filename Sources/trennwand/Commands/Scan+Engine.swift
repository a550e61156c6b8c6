import ArgumentParser
import Foundation
import TrennwandPlan
import TrennwandPostgres
import TrennwandRecords
import TrennwandScan

/// `trennwand scan --engine postgresql://… [--keep]` (docs/scale-out.md): `export` into a
/// temporary directory, the rule queries run on the server by `PostgreSQLExecutor` (COPY into a
/// schema of its own, dropped unless `--keep`), then `collect`'s delivery over the result rows —
/// the same code as the three commands, in one process.
///
/// The engine step ends before the delivery begins: a server that cannot be reached, a refused
/// login, a missing database or a failing query exits 3 with no report written and the state
/// store untouched (the delivery opens the store's run). A malformed URL exits 2.
extension ScanCommand {
    func runOnEngine(_ engineText: String) throws {
        let url: PostgreSQLEngineURL
        do {
            url = try PostgreSQLEngineURL(parsing: engineText)
        } catch let e as PostgreSQLEngineURL.ParseError {
            printError(UI.t("Fehler: --engine: \(e.de) [engine.url]", "error: --engine: \(e.en) [engine.url]"))
            throw Exit.configuration
        }
        var request = try makeRequest()
        // The engine evaluates every input: the state store records them all (no incremental skip).
        request.state?.full = true
        let (plans, planErrors) = RulePlanner(policy: request.policy, now: request.now).plan(request.ruleSet, only: request.onlyRules)
        for e in planErrors { printError(e.text(UI.language) + " [\(e.code)]") }
        if !planErrors.isEmpty { throw Exit.configuration }

        let work = (NSTemporaryDirectory() as NSString).appendingPathComponent("trennwand-engine-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            printError(UI.t("Fehler: temporäres Verzeichnis \(ExportCommand.shown(work)) nicht anlegbar [engine.temp]",
                            "error: cannot create the temporary directory \(ExportCommand.shown(work)) [engine.temp]"))
            throw Exit.input
        }
        defer { try? FileManager.default.removeItem(atPath: work) }

        let exported = try ExportCommand.export(inputs: request.inputs, catalog: request.catalog, ruleSet: request.ruleSet,
                                                policy: request.policy, out: work, language: request.language, logAccounts: false)
        let manifests: [ExportManifest]
        do {
            manifests = try ExportManifest.all(in: work)
        } catch let e as ExportError {
            printError(UI.t("Fehler: ", "error: ") + e.text(UI.language, path: ExportCommand.shown(e.path)))
            throw Exit.input
        }
        let results = (work as NSString).appendingPathComponent((ExportLayout.resultFile(dialect: "postgres", rule: "x") as NSString).deletingLastPathComponent)
        let executor = PostgreSQLExecutor(url: url, keep: keep)
        let schema = SchemaBox()
        let outcome = BlockingTask.run {
            schema.name = try await executor.run(exportDirectory: work, manifests: manifests, plans: plans, resultDirectory: results)
        }
        if case .failure(let error) = outcome {
            let e = (error as? PostgreSQLEngineError) ?? PostgreSQLEngineError(.connect, detail: "")
            printError(UI.t("Fehler: ", "error: ") + e.text(UI.language, server: ExportCommand.shown(url.shown)))
            throw Exit.input
        }
        if keep, let name = schema.name {
            Log.emit(.notice, UI.t("Schema \(name) auf \(ExportCommand.shown(url.shown)) behalten (--keep) [engine.keep]",
                                   "schema \(name) kept on \(ExportCommand.shown(url.shown)) (--keep) [engine.keep]"), code: "engine.keep")
        }
        try CollectCommand.deliver(request, manifests: manifests, resultDirectory: results, scan: self, inputFailed: exported.anyFileError)
    }
}

/// The schema name out of the engine's task (written once, read after the task has ended).
private final class SchemaBox: @unchecked Sendable {
    var name: String?
}
