import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

extension StateStore {
    /// The stored finding with this fingerprint (lower-case hex), or nil; read-only.
    ///
    /// For `trennwand waive`: the comment above a new waiver names the rule title and the masked
    /// evidence summary of what is waived, looked up without scanning again.
    package func finding(fingerprint: String) throws -> StoredFinding? {
        try db.read { db in
            let fp = fingerprint.lowercased()
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM finding WHERE fingerprint = ?", arguments: [fp]) else {
                return nil
            }
            let norms = try String.fetchAll(db, sql: "SELECT citation FROM finding_norm WHERE fingerprint = ? ORDER BY citation",
                                            arguments: [fp])
            return StoredFinding(
                fingerprint: row["fingerprint"], ruleID: row["rule_id"], severity: Severity(rawValue: row["severity"]) ?? .info,
                findingClass: FindingClass(rawValue: row["class"]) ?? .violation, norms: norms, sourcePath: row["source_path"],
                status: FindingStatus(rawValue: row["status"]) ?? .open, firstRun: row["first_run"], lastRun: row["last_run"],
                firstSeen: row["first_seen"], lastSeen: row["last_seen"], resolvedRun: row["resolved_run"],
                occurrences: row["occurrences"], seenCount: row["seen_count"], evidence: row["evidence"],
                recordTime: row["record_time"])
        }
    }
}
