import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandReaders
import TrennwandRecords
import TrennwandState

/// One scan's use of the state database: run record, retention purge, incremental planning and
/// the per-file lifecycle commits.
///
/// Findings are committed after evaluation, one transaction per file (aggregate rules need every
/// record first). A scan killed before that leaves no partial file behind; the next run redoes
/// the work (docs/operations.md).
final class StateSession {
    let store: StateStore
    let toolVersion: String
    private let diagnose: (ScanDiagnostic) -> Void
    let started: Int64
    let rulePackHash: String
    let inputs: [String]
    let full: Bool
    let retentionMonths: Int
    private(set) var runID: Int64?
    private var planned: [String: PlannedFile] = [:]
    private var referenceHash = ""
    private var purged: PurgeResult?
    private var statuses: [String: FindingStatus] = [:]
    private var resolved = 0
    private var skipped: [SkippedFile] = []
    /// Whether this run's files were committed (the report set is then read from the store).
    private(set) var committed = false
    private var interrupted: [Int64] = []
    private var finished = false

    init(path: String, started: Int64, toolVersion: String, rulePackHash: String, inputs: [String], full: Bool, retentionMonths: Int,
         diagnose: @escaping (ScanDiagnostic) -> Void) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        self.store = try StateStore(path: path)
        self.diagnose = diagnose
        self.toolVersion = toolVersion
        if store.createdNew {
            diagnose(ScanDiagnostic(code: "state.created",
                                    message: Localized(de: "Neuer Zustandsspeicher angelegt: \(path) (alle Befunde gelten als neu)",
                                                       en: "new state store created: \(path) (every finding counts as new)"),
                                    voice: .interface))
        }
        self.started = started
        self.rulePackHash = rulePackHash
        self.inputs = inputs
        self.full = full
        self.retentionMonths = retentionMonths
    }

    private func plannedFile(_ path: String) throws -> PlannedFile {
        if let p = planned[path] { return p }
        let (size, hash): (Int64, String)
        if InputFile.archiveMember(path) != nil {
            // A zip member is hashed by its decompressed bytes (CRC-checked while read).
            var stream = try InputFile.openStream(path)
            (size, hash) = try ContentHash.stream { try stream.read(into: $0) }
        } else {
            (size, hash) = try ContentHash.file(atPath: path)
        }
        let p = PlannedFile(path: path, size: size, hash: hash)
        planned[path] = p
        return p
    }

    /// Opens the run (taking the store's lock), purges old data and decides which evaluated
    /// inputs can be skipped. Reference tables are always read (rules are compiled against them).
    func plan(evaluated: [String], reference: [String]) throws -> Set<String> {
        do { return try planRun(evaluated: evaluated, reference: reference) } catch {
            throw StateError.mapped(error, path: store.path)
        }
    }

    private func planRun(evaluated: [String], reference: [String]) throws -> Set<String> {
        referenceHash = ContentHash.combine(try reference.map { try plannedFile($0).hash })
        let handle = try store.beginRun(RunStart(started: started, toolVersion: toolVersion, rulePackHash: rulePackHash,
                                                 referenceHash: referenceHash, inputs: inputs, full: full))
        runID = handle.id
        interrupted = handle.interrupted
        var readable: [PlannedFile] = []
        for path in evaluated {
            // An unreadable file is not planned: the scan reports it as an input error.
            if let p = try? plannedFile(path) { readable.append(p) }
        }
        let decisions = try store.plan(files: readable, rulePackHash: rulePackHash, referenceHash: referenceHash, full: full)
        var skip: Set<String> = []
        var kept: [String] = []
        for d in decisions {
            if case .skip(let prior) = d.action {
                skip.insert(d.file.path)
                skipped.append(SkippedFile(path: d.file.path, scannedInRun: prior.runID, scannedAt: prior.scannedAt))
                kept += [d.file.path, prior.path]
            }
        }
        // The findings of skipped files are still open: kept from the retention purge, which
        // runs after planning for that reason (docs/operations.md).
        try store.keepSkippedFindings(paths: kept, at: started)
        purged = try store.purge(olderThan: StateStore.retentionCutoff(now: started, months: retentionMonths))
        return skip
    }

    /// Commits every scanned file with its findings (one transaction each) and returns the
    /// lifecycle status of every finding. `storePayload` false (`--reveal`): no finding is kept
    /// whole in the store, its evidence is not masked.
    func commit(result: ScanResult, waived: Set<String>, storePayload: Bool = true) throws -> [String: FindingStatus] {
        do { return try commitRun(result: result, waived: waived, storePayload: storePayload) } catch {
            throw StateError.mapped(error, path: store.path)
        }
    }

    private func commitRun(result: ScanResult, waived: Set<String>, storePayload: Bool) throws -> [String: FindingStatus] {
        guard let runID else { return [:] }
        let skippedPaths = Set(skipped.map(\.path))
        // Grouped by file as indices; each file's findings are read (spilled ones decoded) only
        // while that file is committed, with at most the records the store keeps.
        let list = result.findings
        var byFile: [String: [Int]] = [:]
        for i in list.indices { byFile[list.finding(at: i, occurrencesUpTo: 1).locator.file, default: []].append(i) }
        let committed = result.inputs.filter { !skippedPaths.contains($0.file) && FileIdentity(path: $0.file) != nil }
        // Findings without a scanned source (aggregates without samples) go with the first file.
        let known = Set(committed.map(\.file))
        let orphans = byFile.filter { !known.contains($0.key) }.values.flatMap { $0 }.sorted()
        for (i, account) in committed.enumerated() {
            var indices = byFile[account.file] ?? []
            if i == 0 { indices += orphans }
            let findings = indices.map { list.finding(at: $0, occurrencesUpTo: StateStore.storedOccurrences) }
            let access = result.kinds[account.file] == .access ? account.normalised : 0
            let commit = try store.commitFile(runID: runID, file: try plannedFile(account.file), account: account,
                                              findings: findings, accessRecords: access,
                                              waived: waived.intersection(findings.map(\.fingerprint)),
                                              storePayload: storePayload)
            statuses.merge(commit.statuses) { _, new in new }
            resolved += commit.resolved.count
        }
        self.committed = true
        return statuses
    }

    /// What the reports say about the store: this run and the files it skipped as unchanged.
    var runInfo: StateRunInfo? {
        runID.map { StateRunInfo(runID: $0, skipped: skipped) }
    }

    func finish(exitCode: Int32, skipped count: Int) {
        guard let runID, !finished else { return }
        finished = true
        do { try store.finishRun(runID: runID, exitCode: exitCode, filesSkipped: count) } catch {
            // The files are committed; only the run's end record is missing (the next run marks it interrupted).
            let e = StateError.from(error, path: store.path)
            diagnose(ScanDiagnostic(code: e.code, label: .warning, message: .each { e.text($0) }, voice: .interface))
        }
    }

    /// Ends the run as failed (`exitCode`, the CLI's 3) so the lock is released and history shows it.
    func abandon(exitCode: Int32) { finish(exitCode: exitCode, skipped: skipped.count) }

    /// The HTML report's trend section: findings per month and severity across the stored runs,
    /// with the rate per 1,000 access records.
    func trendSection() -> HTMLTrendSection? {
        HTMLTrendSection.openBySeverity(store)
    }

    /// The lifecycle summary: skipped files, interrupted runs, the retention purge, the counts.
    func report() -> [ScanDiagnostic] {
        func n(_ s: FindingStatus) -> Int { statuses.values.filter { $0 == s }.count }
        var out: [ScanDiagnostic] = []
        for file in skipped {
            let (path, r) = (file.path, file.scannedInRun.map(String.init) ?? "?")
            out.append(ScanDiagnostic(code: "state.skipped", message: Localized(de: "übersprungen (unverändert, geprüft in Lauf \(r)): \(path)",
                                                                                en: "skipped (unchanged, scanned in run \(r)): \(path)")))
        }
        if !interrupted.isEmpty {
            let runs = interrupted.map(String.init).joined(separator: ", ")
            out.append(ScanDiagnostic(code: "state.interrupted", message: Localized(de: "unterbrochene Läufe: \(runs)", en: "interrupted runs: \(runs)")))
        }
        if let p = purged, p.runs + p.findings > 0 {
            out.append(ScanDiagnostic(code: "state.purged", message: Localized(
                de: "Aufbewahrung: \(p.runs) Läufe und \(p.findings) Befunde gelöscht (älter als \(retentionMonths) Monate)",
                en: "retention: purged \(p.runs) runs and \(p.findings) findings (older than \(retentionMonths) months)")))
        }
        out.append(ScanDiagnostic(code: "state.lifecycle", message: Localized(
            de: "Verlauf: \(n(.new)) neu, \(n(.open)) weiterhin offen, \(n(.reopened)) wieder aufgetreten, \(n(.waived)) mit Ausnahme, \(resolved) erledigt, \(skipped.count) Dateien übersprungen",
            en: "lifecycle: \(n(.new)) new, \(n(.open)) still open, \(n(.reopened)) reopened, \(n(.waived)) waived, \(resolved) resolved, \(skipped.count) files skipped")))
        return out
    }
}
