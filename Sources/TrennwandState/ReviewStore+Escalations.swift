import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// An Art. 33 escalation of one finding: the 72-hour clock from its detection (issue #18 item 3).
/// At most one is open per finding; recording a `reported_art33` decision closes it (reported),
/// and so does the documented decision that no risk exists (Art. 33(1)).
package struct Escalation: Sendable, Hashable {
    /// How an escalation was closed.
    package enum Outcome: String, Sendable {
        /// Notified under Art. 33 (a `reported_art33` decision).
        case reported
        /// Documented: no risk to the persons concerned, no notification (Art. 33(1)).
        case noRisk = "no_risk"
    }

    /// Art. 33(1): 72 hours after becoming aware of the breach.
    package static let window: Int64 = 72 * 3600

    package var id: Int64
    package var fingerprint: String
    package var ruleID: String
    /// UTC epoch seconds the finding was first detected (the store's `first_seen`): the clock's start.
    package var detected: Int64
    package var deadline: Int64 { detected + Self.window }
    package var openedBy: String
    package var openedAt: Int64
    package var closedBy: String?
    package var closedAt: Int64?
    package var outcome: Outcome?
    /// The reason of a no-risk decision, or the decision that reported it.
    package var note: String?

    package var isOpen: Bool { closedAt == nil }
}

extension ReviewStore {
    /// Opens the escalation of a finding (the one already open is returned unchanged).
    package func escalate(fingerprint: String, ruleID: String, detected: Int64, by account: String, at now: Int64) async throws -> Escalation {
        let fp = fingerprint.lowercased()
        return try await write { db in
            if let open = try Self.openEscalation(db, fingerprint: fp) { return open }
            try db.execute(sql: """
                INSERT INTO escalation (fingerprint, rule_id, detected, opened_by, opened_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [fp, ruleID, detected, account, now])
            try AuditTrail.append(db, at: now, account: account, action: .escalationOpened, object: "finding:\(fp)",
                                  detail: "rule=\(ruleID) detected=\(detected) deadline=\(detected + Escalation.window)")
            return try Self.openEscalation(db, fingerprint: fp)!
        }
    }

    /// Closes the open escalation of a finding as no risk (Art. 33(1)) with its reason; false when none is open.
    package func closeEscalationNoRisk(fingerprint: String, reason: String, by account: String, at now: Int64) async throws -> Bool {
        try await write { db in
            try Self.close(db, fingerprint: fingerprint.lowercased(), outcome: .noRisk, note: reason, by: account, at: now)
        }
    }

    /// Open escalations, the nearest deadline first.
    package func openEscalations() async throws -> [Escalation] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM escalation WHERE closed_at IS NULL ORDER BY detected, id").map(Self.escalation)
        }
    }

    /// Every escalation of a finding, newest first.
    package func escalations(fingerprint: String) async throws -> [Escalation] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM escalation WHERE fingerprint = ? ORDER BY id DESC",
                             arguments: [fingerprint.lowercased()]).map(Self.escalation)
        }
    }

    static func openEscalation(_ db: Database, fingerprint: String) throws -> Escalation? {
        try Row.fetchOne(db, sql: "SELECT * FROM escalation WHERE fingerprint = ? AND closed_at IS NULL", arguments: [fingerprint])
            .map(escalation)
    }

    /// Closes the open escalation of `fingerprint` with its audit row; false when none is open.
    static func close(_ db: Database, fingerprint: String, outcome: Escalation.Outcome, note: String, by account: String,
                      at now: Int64) throws -> Bool {
        guard let open = try openEscalation(db, fingerprint: fingerprint) else { return false }
        try db.execute(sql: "UPDATE escalation SET closed_by = ?, closed_at = ?, outcome = ?, note = ? WHERE id = ?",
                       arguments: [account, now, outcome.rawValue, note, open.id])
        let late = now > open.deadline ? " late_by_seconds=\(now - open.deadline)" : ""
        try AuditTrail.append(db, at: now, account: account, action: .escalationClosed, object: "finding:\(fingerprint)",
                              detail: "outcome=\(outcome.rawValue)\(late) note=\(note)")
        return true
    }

    static func escalation(_ row: Row) -> Escalation {
        Escalation(id: row["id"], fingerprint: row["fingerprint"], ruleID: row["rule_id"], detected: row["detected"],
                   openedBy: row["opened_by"], openedAt: row["opened_at"], closedBy: row["closed_by"], closedAt: row["closed_at"],
                   outcome: (row["outcome"] as String?).flatMap(Escalation.Outcome.init(rawValue:)), note: row["note"])
    }
}
