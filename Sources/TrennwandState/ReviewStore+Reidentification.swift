import Foundation
import GRDB
import TrennwandFindings

/// A request of a `dpo` for the identity behind one pseudonym of one finding (issue #18 item 5,
/// four-eyes): open until a different `personalrat` approves or refuses it; an approved request
/// reveals the identity to its requester until `expires`. The identity itself is never stored.
package struct Reidentification: Sendable, Hashable {
    /// How a request was decided.
    package enum Outcome: String, Sendable {
        case approved
        case refused
    }

    package var id: Int64
    package var fingerprint: String
    package var pseudonym: String
    package var reason: String
    package var requestedBy: String
    package var requestedAt: Int64
    package var decidedBy: String?
    package var decidedAt: Int64?
    package var outcome: Outcome?
    package var note: String?
    /// UTC epoch seconds until which an approved request reveals (nil before approval).
    package var expires: Int64?

    package var isOpen: Bool { outcome == nil }

    /// Whether `account` may see the identity at `now`: the requester of an approved, unexpired request.
    package func reveals(to account: String, at now: Int64) -> Bool {
        outcome == .approved && account == requestedBy && (expires.map { now < $0 } ?? false)
    }
}

/// Why a re-identification step was refused by the store (the server turns these into messages).
package enum ReidentificationRefusal: Error, Sendable, Hashable {
    case unknownRequest
    case alreadyDecided
    case selfApproval
}

extension ReviewStore {
    /// Records a request (with its audit row); the open request of the same account for the same
    /// pseudonym and finding is returned unchanged instead of a second one.
    package func requestReidentification(fingerprint: String, pseudonym: String, reason: String, by account: String,
                                         at now: Int64) async throws -> Reidentification {
        let fp = fingerprint.lowercased()
        return try await write { db in
            if let open = try Row.fetchOne(db, sql: """
                SELECT * FROM reidentification WHERE fingerprint = ? AND pseudonym = ? AND requested_by = ? AND outcome IS NULL
                """, arguments: [fp, pseudonym, account]) {
                return Self.reidentification(open)
            }
            try db.execute(sql: """
                INSERT INTO reidentification (fingerprint, pseudonym, reason, requested_by, requested_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [fp, pseudonym, reason, account, now])
            let id = db.lastInsertedRowID
            try AuditTrail.append(db, at: now, account: account, action: .reidentificationRequested, object: "finding:\(fp)",
                                  detail: "request=\(id) pseudonym=\(pseudonym) reason=\(reason)")
            return try Self.reidentification(db, id: id)!
        }
    }

    /// Approves (valid for `validity` seconds from now) or refuses an open request, with its audit
    /// row. The requester cannot decide their own request; the role is checked by the caller.
    package func decideReidentification(id: Int64, approve: Bool, note: String, validity: Int64, by account: String,
                                        at now: Int64) async throws -> Reidentification {
        try await write { db in
            guard let r = try Self.reidentification(db, id: id) else { throw ReidentificationRefusal.unknownRequest }
            guard r.isOpen else { throw ReidentificationRefusal.alreadyDecided }
            guard r.requestedBy != account else { throw ReidentificationRefusal.selfApproval }
            let outcome: Reidentification.Outcome = approve ? .approved : .refused
            let expires: Int64? = approve ? now + validity : nil
            try db.execute(sql: "UPDATE reidentification SET decided_by = ?, decided_at = ?, outcome = ?, note = ?, expires = ? WHERE id = ?",
                           arguments: [account, now, outcome.rawValue, note, expires, id])
            let until = expires.map { " expires=\($0)" } ?? ""
            try AuditTrail.append(db, at: now, account: account, action: approve ? .reidentificationApproved : .reidentificationRefused,
                                  object: "finding:\(r.fingerprint)", detail: "request=\(id) pseudonym=\(r.pseudonym)\(until) note=\(note)")
            return try Self.reidentification(db, id: id)!
        }
    }

    /// Requests of one finding, oldest first.
    package func reidentifications(fingerprint: String) async throws -> [Reidentification] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reidentification WHERE fingerprint = ? ORDER BY id",
                             arguments: [fingerprint.lowercased()]).map(Self.reidentification)
        }
    }

    /// Requests waiting for a decision, oldest first (the personalrat's list).
    package func openReidentifications() async throws -> [Reidentification] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reidentification WHERE outcome IS NULL ORDER BY id").map(Self.reidentification)
        }
    }

    package func reidentification(id: Int64) async throws -> Reidentification? {
        try await read { db in try Self.reidentification(db, id: id) }
    }

    static func reidentification(_ db: Database, id: Int64) throws -> Reidentification? {
        try Row.fetchOne(db, sql: "SELECT * FROM reidentification WHERE id = ?", arguments: [id]).map(reidentification)
    }

    static func reidentification(_ row: Row) -> Reidentification {
        Reidentification(id: row["id"], fingerprint: row["fingerprint"], pseudonym: row["pseudonym"], reason: row["reason"],
                         requestedBy: row["requested_by"], requestedAt: row["requested_at"], decidedBy: row["decided_by"],
                         decidedAt: row["decided_at"], outcome: (row["outcome"] as String?).flatMap(Reidentification.Outcome.init(rawValue:)),
                         note: row["note"], expires: row["expires"])
    }
}
