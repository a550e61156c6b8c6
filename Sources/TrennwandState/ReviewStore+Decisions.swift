import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// Decisions on record: one row per decision, the newest per fingerprint is in force. Every
/// decision is written with its audit row in one transaction.
extension ReviewStore {
    /// Records decisions (one per finding; a group decision is one per finding of the group).
    /// `action` is `.decision` for the workspace, `.decisionImported` for a waiver-file import.
    @discardableResult
    package func record(_ decisions: [ReviewDecision], action: AuditAction = .decision) async throws -> [ReviewDecision] {
        try await write { db in try Self.insert(db, decisions, action: action, actor: nil) }
    }

    /// `record` without async (the CLI import). `actor` is who imported, in the trail; the
    /// decision keeps the approver the file names.
    @discardableResult
    package func recordSync(_ decisions: [ReviewDecision], action: AuditAction = .decisionImported, actor: String) throws -> [ReviewDecision] {
        try writeSync { db in try Self.insert(db, decisions, action: action, actor: actor) }
    }

    static func insert(_ db: Database, _ decisions: [ReviewDecision], action: AuditAction, actor: String?) throws -> [ReviewDecision] {
        var out: [ReviewDecision] = []
        for var d in decisions {
            try db.execute(sql: """
                INSERT INTO decision (fingerprint, rule_id, kind, reason, assignee, expires, reported_on, authority_reference,
                                      ticket, decided_by, decided_at, origin)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [d.fingerprint, d.ruleID, d.kind.rawValue, d.reason, d.assignee, d.expires, d.reportedOn,
                                 d.authorityReference, d.ticket, d.decidedBy, d.decidedAt, d.origin.rawValue])
            d.id = db.lastInsertedRowID
            var detail = "kind=\(d.kind.rawValue) rule=\(d.ruleID) expires=\(d.expires)"
            if let a = d.assignee { detail += " assignee=\(a)" }
            if let r = d.authorityReference { detail += " authority_reference=\(r)" }
            detail += " reason=\(d.reason)"
            if actor != nil { detail += " approver=\(d.decidedBy)" }
            try AuditTrail.append(db, at: d.decidedAt, account: actor ?? d.decidedBy, action: action, object: "finding:\(d.fingerprint)",
                                  detail: detail)
            // The notification is on record: the Art. 33 clock of this finding stops.
            if d.kind == .reportedArt33 {
                _ = try close(db, fingerprint: d.fingerprint, outcome: .reported, note: "decision \(d.id)", by: actor ?? d.decidedBy,
                              at: d.decidedAt)
            }
            out.append(d)
        }
        return out
    }

    /// The decision in force per fingerprint (the newest), ordered by rule and fingerprint.
    package func currentDecisions() async throws -> [ReviewDecision] {
        try await read { db in try Self.current(db) }
    }

    /// `currentDecisions` without async (the CLI export).
    package func currentDecisionsSync() throws -> [ReviewDecision] {
        try readSync { db in try Self.current(db) }
    }

    /// Appends an event to the trail on its own, synchronously (CLI commands).
    package func auditSync(at: Int64, account: String, action: AuditAction, object: String, detail: String = "") throws {
        try writeSync { db in _ = try AuditTrail.append(db, at: at, account: account, action: action, object: object, detail: detail) }
    }

    static func current(_ db: Database) throws -> [ReviewDecision] {
        try Row.fetchAll(db, sql: """
            SELECT d.* FROM decision d WHERE d.id = (SELECT MAX(x.id) FROM decision x WHERE x.fingerprint = d.fingerprint)
            ORDER BY d.rule_id, d.fingerprint
            """).map(decision)
    }

    static func decisions(_ db: Database, fingerprint: String) throws -> [ReviewDecision] {
        try Row.fetchAll(db, sql: "SELECT * FROM decision WHERE fingerprint = ? ORDER BY id DESC", arguments: [fingerprint]).map(decision)
    }

    static func decision(_ row: Row) -> ReviewDecision {
        ReviewDecision(id: row["id"], fingerprint: row["fingerprint"], ruleID: row["rule_id"],
                       kind: WaiverDecision(rawValue: row["kind"]) ?? .acceptedRisk, reason: row["reason"], assignee: row["assignee"],
                       expires: row["expires"], reportedOn: row["reported_on"], authorityReference: row["authority_reference"],
                       ticket: row["ticket"], decidedBy: row["decided_by"], decidedAt: row["decided_at"],
                       origin: ReviewDecision.Origin(rawValue: row["origin"]) ?? .serve)
    }
}
