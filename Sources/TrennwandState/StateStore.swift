import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// The scan state of scheduled audits: runs, the ledger of scanned files, and every finding by
/// fingerprint with its lifecycle (new, open, resolved, reopened, waived). SQLite through GRDB,
/// WAL mode, foreign keys on, versioned migrations.
///
/// A scan uses it in this order (one process at a time; see `beginRun`):
///
///     let store = try StateStore(path: statePath)
///     let run = try store.beginRun(RunStart(...))          // takes the run lock
///     let purged = try store.purge(olderThan: StateStore.retentionCutoff(now: now))
///     for d in try store.plan(files: files, rulePackHash: p, referenceHash: r, full: full) where d.shouldScan {
///         ... scan the file ...
///         try store.commitFile(runID: run.id, file: d.file, account: account, findings: findings)
///     }
///     try store.finishRun(runID: run.id, exitCode: code, filesSkipped: skipped)   // releases the lock
///
/// Every `commitFile` is one transaction: a scan killed at any point leaves every file either
/// fully recorded or not at all, and the next run picks up the rest (`plan` skips what is done).
package final class StateStore {
    /// Path of the SQLite file.
    package let path: String
    /// Seconds a second scan waits for the run lock (and SQLite for a busy database) before failing.
    package let lockTimeout: Double
    let db: DatabaseQueue
    let lock: RunLock
    var liveRun: Int64?

    /// Default retention of the auditor's own records: 6 months (after § 79 Abs. 4 SGB X).
    package static let defaultRetentionMonths = 6

    /// Opens (creating and migrating when needed) the store at `path`.
    /// - Parameters:
    ///   - readOnly: for `history` and `trend`: never creates or migrates; throws `.notFound` or `.schema`.
    ///   - lockTimeout: how long `beginRun` waits for another scan to finish (default 30 s).
    ///   - mustExist: never creates a store (`trennwand report`): throws `.notFound` for a missing
    ///     or empty file, but migrates an older schema (v1 → v2) like a scan would.
    package init(path: String, readOnly: Bool = false, lockTimeout: Double = 30, mustExist: Bool = false) throws {
        self.path = path
        self.lockTimeout = lockTimeout
        self.lock = RunLock(path: path + ".lock")
        let state = try Self.inspect(path: path)
        if readOnly || mustExist, case .missing = state { throw StateError.notFound(path: path) }
        if readOnly || mustExist, case .empty = state { throw StateError.notFound(path: path) }
        var size: Int64 = 0
        switch state {
        case .missing, .empty:
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            try Self.createPrivate(path: path)
            createdNew = true
        case .present(let s):
            size = s
        }
        let config = Self.configuration(readOnly: readOnly, lockTimeout: lockTimeout)
        do {
            // Checked read-only first: a foreign or damaged file is left exactly as it was
            // (opening it for writing in WAL mode would already rewrite its header).
            var probe = Configuration()
            probe.readonly = true
            probe.busyMode = .timeout(lockTimeout)
            let migrator = Schema.migrator
            let isNew = try DatabaseQueue(path: path, configuration: probe).read { db -> Bool in
                let isNew = try Self.verify(db, path: path, size: size)
                if try migrator.hasBeenSuperseded(db) { throw StateError.schema(path: path, detail: "newer Trennwand") }
                // Read-only (history, trend) needs the first schema, not the latest: their
                // queries use v1's columns, and an older store is migrated by the next scan.
                if readOnly, !isNew, try migrator.appliedMigrations(db).isEmpty {
                    throw StateError.schemaMismatch(path: path, detail: "not migrated")
                }
                return isNew
            }
            db = try DatabaseQueue(path: path, configuration: config)
            if readOnly {
                if isNew { throw StateError.schemaMismatch(path: path, detail: "not migrated") }
            } else {
                // The id is written before the first table: a scan killed between here and the
                // end of the migrations leaves a store marked as ours, which the next open
                // recognises and finishes migrating. Written after the migrations (as before), a
                // kill in between left GRDB's migration table without id or schema: "foreign".
                if isNew {
                    try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = \(Self.applicationID)") }
                }
                try migrator.migrate(db)
                try db.writeWithoutTransaction { db in
                    if try Int32.fetchOne(db, sql: "PRAGMA application_id") != Self.applicationID {
                        try db.execute(sql: "PRAGMA application_id = \(Self.applicationID)")
                    }
                }
            }
            try db.read { try Self.verifyColumns($0, path: path) }
        } catch {
            throw StateError.from(error, path: path)
        }
    }

    /// The connection settings of every open of a store (scan, report, serve).
    static func configuration(readOnly: Bool, lockTimeout: Double) -> Configuration {
        var config = Configuration()
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(lockTimeout)
        config.journalMode = readOnly ? .default : .wal
        config.label = "trennwand-state"
        config.prepareDatabase { db in
            // Deleted (purged) content is overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Durable commits: a finished file survives a power loss, not only a killed process.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
    }

    /// True when this open created the store (no file, or an empty file with nothing beside it).
    package private(set) var createdNew = false

    /// Identifiers of the applied migrations (for diagnostics and tests).
    package func appliedMigrations() throws -> [String] {
        try db.read { try Schema.migrator.appliedMigrations($0) }
    }

    /// `PRAGMA integrity_check` and `foreign_key_check`: empty when the store is consistent.
    package func integrityProblems() throws -> [String] {
        try db.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let fk = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { "foreign key: \($0)" }
            return integrity + fk
        }
    }

    // MARK: - Runs

    /// Takes the exclusive run lock (waiting up to `lockTimeout`), marks every run still `running`
    /// as `interrupted` (its process is gone, or it would hold the lock), and records the new run.
    package func beginRun(_ start: RunStart) throws -> RunHandle {
        try lock.acquire(timeout: lockTimeout, note: "started=\(CivilTime.iso8601(start.started)) host=\(ProcessInfo.processInfo.hostName)")
        do {
            let handle = try db.write { db -> RunHandle in
                let unfinished = try Int64.fetchAll(db, sql: "SELECT id FROM run WHERE status = 'running' ORDER BY id")
                try db.execute(sql: "UPDATE run SET status = 'interrupted' WHERE status = 'running'")
                let inputs = String(decoding: try JSONEncoder().encode(start.inputs), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO run (started, status, tool_version, config_hash, rule_pack_hash, reference_hash, full, inputs)
                    VALUES (?, 'running', ?, ?, ?, ?, ?, ?)
                    """, arguments: [start.started, start.toolVersion, start.configHash, start.rulePackHash,
                                     start.referenceHash, start.full, inputs])
                return RunHandle(id: db.lastInsertedRowID, interrupted: unfinished)
            }
            liveRun = handle.id
            return handle
        } catch {
            lock.release()
            throw error
        }
    }

    /// Records the end of the run (exit code, skipped files, counts per severity and class of the
    /// findings this run saw) and releases the run lock.
    package func finishRun(runID: Int64, exitCode: Int32, filesSkipped: Int, finished: Int64? = nil) throws {
        guard liveRun == runID else { throw StateError.runNotActive(runID: runID) }
        let end = finished ?? Int64(Date().timeIntervalSince1970)
        try db.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.severity AS severity, f.class AS class, COUNT(*) AS n FROM run_finding r
                JOIN finding f ON f.fingerprint = r.fingerprint
                WHERE r.run_id = ? AND r.status != 'resolved' GROUP BY f.severity, f.class
                """, arguments: [runID])
            var sev: [String: Int] = [:]
            var cls: [String: Int] = [:]
            for row in rows {
                let n: Int = row["n"]
                sev[row["severity"], default: 0] += n
                cls[row["class"], default: 0] += n
            }
            try db.execute(sql: """
                UPDATE run SET finished = ?, status = 'finished', exit_code = ?, files_skipped = ?,
                  sev_critical = ?, sev_high = ?, sev_medium = ?, sev_low = ?, sev_info = ?, violations = ?, gaps = ?
                WHERE id = ?
                """, arguments: [end, Int(exitCode), filesSkipped, sev["critical"] ?? 0, sev["high"] ?? 0,
                                 sev["medium"] ?? 0, sev["low"] ?? 0, sev["info"] ?? 0,
                                 cls["violation"] ?? 0, cls["gap"] ?? 0, runID])
        }
        liveRun = nil
        lock.release()
    }

    // MARK: - Incremental planning

    /// Decides per file whether it must be scanned.
    ///
    /// A file is skipped when a complete earlier scan (no file error) saw exactly this content
    /// (SHA-256) with the same rule-pack hash and the same reference-table hash, and the latest
    /// scan of its path (if any) saw this content too. Everything else is scanned; `full` scans
    /// all. A changed rule pack or changed reference tables re-evaluate every file: deliberately
    /// conservative, since any rule may depend on any reference row.
    package func plan(files: [PlannedFile], rulePackHash: String, referenceHash: String, full: Bool = false) throws -> [FileDecision] {
        try db.read { db in
            try files.map { file in
                if full { return FileDecision(file: file, action: .scan(.full)) }
                let lastAtPath = try Row.fetchOne(db, sql: """
                    SELECT content_hash FROM input_file WHERE path = ? ORDER BY id DESC LIMIT 1
                    """, arguments: [Masking.neutralised(file.path)])  // stored neutralised (commitFile)
                if let lastAtPath, (lastAtPath["content_hash"] as String) != file.hash {
                    return FileDecision(file: file, action: .scan(.changed))
                }
                if let prior = try Row.fetchOne(db, sql: """
                    SELECT run_id, path, scanned_at FROM input_file
                    WHERE content_hash = ? AND size = ? AND rule_pack_hash = ? AND reference_hash = ? AND file_error IS NULL
                    ORDER BY id DESC LIMIT 1
                    """, arguments: [file.hash, file.size, rulePackHash, referenceHash]) {
                    return FileDecision(file: file, action: .skip(PriorScan(runID: prior["run_id"], path: prior["path"],
                                                                            scannedAt: prior["scanned_at"])))
                }
                let seen = try Row.fetchOne(db, sql: """
                    SELECT MAX(file_error IS NULL) AS any_complete FROM input_file WHERE content_hash = ?
                    HAVING COUNT(*) > 0
                    """, arguments: [file.hash])
                guard let seen else { return FileDecision(file: file, action: .scan(.new)) }
                let failedOnly: Bool = (seen["any_complete"] as Int) == 0
                let reason: ScanReason = failedOnly ? .failedBefore : .rulesChanged
                return FileDecision(file: file, action: .scan(reason))
            }
        }
    }

    /// `plan` with tuples, as the scan holds them.
    package func plan(files: [(path: String, size: Int64, hash: String)], rulePackHash: String, referenceHash: String,
                     full: Bool = false) throws -> [FileDecision] {
        try plan(files: files.map { PlannedFile(path: $0.path, size: $0.size, hash: $0.hash) },
                 rulePackHash: rulePackHash, referenceHash: referenceHash, full: full)
    }

    // MARK: - Retention

    /// The cut-off `months` calendar months before `now` (UTC; day clamped to the month's length).
    package static func retentionCutoff(now: Int64, months: Int = defaultRetentionMonths) -> Int64 {
        let days = Int(CivilTime.floorDiv(now, 86_400))
        let secs = now - Int64(days) * 86_400
        let (y, m, d) = CivilTime.civilFromDays(days)
        let total = y * 12 + (m - 1) - months
        let ny = Int(CivilTime.floorDiv(Int64(total), 12))
        let nm = total - ny * 12 + 1
        let nd = min(d, CivilTime.daysInMonth(year: ny, month: nm))
        return Int64(CivilTime.daysFromCivil(year: ny, month: nm, day: nd)) * 86_400 + secs
    }

    /// Deletes findings not seen or changed since `cutoff` and run records started before it
    /// (never the live run). File-ledger rows of purged runs are kept, detached from the run:
    /// they hold path, size, hash and counts only, and keep unchanged old exports from being
    /// audited again. Called at the start of each run.
    @discardableResult
    package func purge(olderThan cutoff: Int64) throws -> PurgeResult {
        try db.write { db in
            try db.execute(sql: "DELETE FROM finding WHERE updated_at < ?", arguments: [cutoff])
            let findings = db.changesCount
            let detached = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM input_file WHERE run_id IN
                  (SELECT id FROM run WHERE started < ? AND status != 'running')
                """, arguments: [cutoff]) ?? 0
            try db.execute(sql: "DELETE FROM run WHERE started < ? AND status != 'running'", arguments: [cutoff])
            let runs = db.changesCount
            return PurgeResult(runs: runs, findings: findings, filesDetached: detached)
        }
    }
}
