import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

extension StateStore {
    /// Runs, newest first (at most `limit`), with their lifecycle events and counters.
    package func history(limit: Int? = nil) throws -> [RunRecord] {
        try db.read { db in try Self.history(db, limit: limit) }
    }

    /// `history` inside a read the caller holds (the review workspace's runs page).
    static func history(_ db: Database, limit: Int?) throws -> [RunRecord] {
        do {
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.* FROM run r ORDER BY r.id DESC LIMIT ?
                """, arguments: [limit ?? -1])
            // Lifecycle events per run and status: one range scan of the run's events (primary key
            // run_id, fingerprint) per run, not one per status.
            return try rows.map { row in
                var events: [String: Int] = [:]
                for e in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM run_finding WHERE run_id = ? GROUP BY status",
                                          arguments: [row["id"] as Int64]) {
                    events[e["status"]] = e["n"]
                }
                let inputsJSON: String = row["inputs"]
                let inputs = (try? JSONDecoder().decode([String].self, from: Data(inputsJSON.utf8))) ?? []
                var sev: [String: Int] = [:]
                for s in Severity.allCases {
                    let n: Int = row["sev_\(s.rawValue)"]
                    if n > 0 { sev[s.rawValue] = n }
                }
                return RunRecord(
                    id: row["id"], started: row["started"], finished: row["finished"],
                    status: RunStatus(rawValue: row["status"]) ?? .interrupted, toolVersion: row["tool_version"],
                    configHash: row["config_hash"], rulePackHash: row["rule_pack_hash"], referenceHash: row["reference_hash"],
                    full: row["full"], inputs: inputs, filesScanned: row["files_scanned"], filesSkipped: row["files_skipped"],
                    filesFailed: row["files_failed"], recordsRead: row["records_read"], recordsEvaluated: row["records_evaluated"],
                    recordsRejected: row["records_rejected"], accessRecords: row["access_records"],
                    new: events["new"] ?? 0, open: events["open"] ?? 0, reopened: events["reopened"] ?? 0,
                    resolved: events["resolved"] ?? 0, waived: events["waived"] ?? 0, bySeverity: sev, violations: row["violations"], gaps: row["gaps"],
                    exitCode: row["exit_code"])
            }
        }
    }

    /// All stored findings ordered by fingerprint (optionally only those with `status`).
    package func findings(status: FindingStatus? = nil) throws -> [StoredFinding] {
        try db.read { db in
            let norms = Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT fingerprint, citation FROM finding_norm ORDER BY citation"),
                                   by: { $0["fingerprint"] as String })
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM finding WHERE ? IS NULL OR status = ? ORDER BY fingerprint
                """, arguments: [status?.rawValue, status?.rawValue])
            return rows.map { row in
                let fp: String = row["fingerprint"]
                return StoredFinding(
                    fingerprint: fp, ruleID: row["rule_id"], severity: Severity(rawValue: row["severity"]) ?? .info,
                    findingClass: FindingClass(rawValue: row["class"]) ?? .violation,
                    norms: (norms[fp] ?? []).map { $0["citation"] }, sourcePath: row["source_path"],
                    status: FindingStatus(rawValue: row["status"]) ?? .open, firstRun: row["first_run"], lastRun: row["last_run"],
                    firstSeen: row["first_seen"], lastSeen: row["last_seen"], resolvedRun: row["resolved_run"],
                    occurrences: row["occurrences"], seenCount: row["seen_count"], evidence: row["evidence"],
                    recordTime: row["record_time"])
            }
        }
    }

    /// Findings first detected per period and key, with rates per 1,000 access records.
    ///
    /// A finding counts once, in the period of the run that first saw it (`new`). The
    /// denominator of a period is the number of access records in the file contents evaluated
    /// for the first time in that period (a re-scan of the same content after a rule change does
    /// not count twice). Periods are UTC; only periods of runs still retained are shown.
    package func trend(by: TrendPeriod, per: TrendDimension) throws -> Trend {
        try db.read { db in
            var accesses: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT scanned_at, access_records FROM input_file WHERE first_of_content = 1 AND run_id IS NOT NULL
                """) {
                accesses[by.label(row["scanned_at"]), default: 0] += row["access_records"] as Int
            }
            let keySQL: String
            switch per {
            case .rule: keySQL = "SELECT f.first_seen AS t, f.rule_id AS k FROM finding f"
            case .severity: keySQL = "SELECT f.first_seen AS t, f.severity AS k FROM finding f"
            case .norm: keySQL = "SELECT f.first_seen AS t, n.citation AS k FROM finding f JOIN finding_norm n ON n.fingerprint = f.fingerprint"
            }
            var counts: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(db, sql: keySQL) {
                counts[by.label(row["t"]), default: [:]][row["k"] as String, default: 0] += 1
            }
            let periods = Set(accesses.keys).union(counts.keys).sorted()
            var keys = Set<String>()
            for c in counts.values { keys.formUnion(c.keys) }
            let orderedKeys: [String]
            if per == .severity {
                orderedKeys = Severity.allCases.reversed().map(\.rawValue).filter(keys.contains)
            } else {
                orderedKeys = keys.sorted()
            }
            var rows: [TrendRow] = []
            for p in periods {
                let a = accesses[p] ?? 0
                for k in orderedKeys {
                    guard let n = counts[p]?[k], n > 0 else { continue }
                    rows.append(TrendRow(period: p, key: k, count: n, accesses: a,
                                         ratePer1000: a > 0 ? Double(n) * 1000 / Double(a) : nil))
                }
            }
            return Trend(by: by, per: per, periods: periods, keys: orderedKeys, accessesByPeriod: accesses, rows: rows)
        }
    }
}
