import Foundation
import GRDB
import TrennwandFindings

/// Open findings by severity after one stored run (the report's stacked bar chart).
package struct OpenAfterRun: Sendable, Hashable {
    package var runID: Int64
    /// UTC epoch seconds when the run started.
    package var started: Int64
    package var open: [Severity: Int]
}

extension StateStore {
    /// Open findings by severity after each of the last `limit` runs, oldest first.
    ///
    /// A finding counts as open after run R when its latest lifecycle event (`run_finding`) at or
    /// before R is `new`, `open` or `reopened`: a finding in a file R skipped as unchanged keeps
    /// its earlier status, a resolved or waived one drops out. Runs are never left out for having
    /// no events, so a quiet run shows the same bar as the one before.
    package func openBySeverityHistory(limit: Int = 30) throws -> [OpenAfterRun] {
        try db.read { db in try Self.openBySeverityHistory(db, limit: limit) }
    }

    /// `openBySeverityHistory` inside a read the caller holds (the review workspace's runs page).
    static func openBySeverityHistory(_ db: Database, limit: Int) throws -> [OpenAfterRun] {
        do {
            let runs = try Row.fetchAll(db, sql: "SELECT id, started FROM run ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map { (id: $0["id"] as Int64, started: $0["started"] as Int64) }.reversed()
            guard let lastRun = runs.last?.id else { return [] }
            // One pass over the lifecycle events in run order (the table's primary key), keeping
            // each finding's latest status: after the events of a listed run, the counters are
            // that run's bar. Was one correlated query per run and finding (20 s for 6 runs over
            // 100,000 findings); this is linear in the events.
            var severity: [String: Severity] = [:]
            let findings = try Row.fetchCursor(db, sql: "SELECT fingerprint, severity FROM finding")
            while let row = try findings.next() { severity[row["fingerprint"]] = Severity(rawValue: row["severity"]) ?? .info }
            var isOpen: [String: Bool] = [:]
            var counts: [Severity: Int] = [:]
            var out: [OpenAfterRun] = []
            func emit(through runID: Int64) {
                for run in runs where run.id <= runID && !out.contains(where: { $0.runID == run.id }) {
                    out.append(OpenAfterRun(runID: run.id, started: run.started, open: counts.filter { $0.value > 0 }))
                }
            }
            var current: Int64?
            let events = try Row.fetchCursor(db, sql: """
                SELECT run_id, fingerprint, status FROM run_finding WHERE run_id <= ? ORDER BY run_id
                """, arguments: [lastRun])
            while let row = try events.next() {
                let runID: Int64 = row["run_id"]
                if let c = current, c != runID { emit(through: runID - 1) }
                current = runID
                let fp: String = row["fingerprint"]
                guard let sev = severity[fp] else { continue }
                let open = (FindingStatus(rawValue: row["status"]) ?? .resolved).isOpen
                let was = isOpen[fp] ?? false
                if open != was {
                    counts[sev, default: 0] += open ? 1 : -1
                    isOpen[fp] = open
                }
            }
            emit(through: lastRun)
            return out
        }
    }
}
