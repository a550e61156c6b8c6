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
            var out: [OpenAfterRun] = []
            for run in runs {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT f.severity AS severity, COUNT(*) AS n FROM finding f
                    JOIN run_finding e ON e.fingerprint = f.fingerprint
                     AND e.run_id = (SELECT MAX(x.run_id) FROM run_finding x WHERE x.fingerprint = f.fingerprint AND x.run_id <= ?)
                    WHERE e.status IN ('new', 'open', 'reopened')
                    GROUP BY f.severity
                    """, arguments: [run.id])
                var open: [Severity: Int] = [:]
                for row in rows {
                    if let s = Severity(rawValue: row["severity"]) { open[s] = row["n"] }
                }
                out.append(OpenAfterRun(runID: run.id, started: run.started, open: open))
            }
            return out
        }
    }
}
