import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// The hash chain of the audit trail (table `audit_event`, issue #18).
///
/// Each row's `hash` is SHA-256 (lower-case hex) over the canonical encoding of the row: its
/// fields seq, at, account, action, object, detail and prev_hash, each as `<byte length>:<UTF-8
/// bytes>;` in that order (so no field can spill into the next). `prev_hash` is the previous
/// row's `hash`, 64 zeros for the first row. Rows are numbered from 1 without gaps.
///
/// `verify` walks the rows by `seq` and names the first that breaks the chain: a changed row
/// (its content no longer matches its hash), a removed row (a gap, or a `prev_hash` that is not
/// the previous row's hash) or rows moved to other numbers. What a chain cannot show alone is
/// the loss of its last rows; `verify` therefore reports the head (count and last hash), which
/// an operator can note elsewhere and compare (docs/serve.md).
package enum AuditTrail {
    /// `prev_hash` of the first row.
    package static let genesis = String(repeating: "0", count: 64)

    /// The canonical bytes a row's hash is computed over.
    package static func canonical(seq: Int64, at: Int64, account: String, action: String, object: String, detail: String,
                                  prevHash: String) -> [UInt8] {
        var out: [UInt8] = []
        for field in [String(seq), String(at), account, action, object, detail, prevHash] {
            let bytes = Array(field.utf8)
            out += Array(String(bytes.count).utf8)
            out.append(UInt8(ascii: ":"))
            out += bytes
            out.append(UInt8(ascii: ";"))
        }
        return out
    }

    /// The hash of a row with these fields.
    package static func hash(seq: Int64, at: Int64, account: String, action: String, object: String, detail: String,
                             prevHash: String) -> String {
        var h = ContentHash()
        h.update(canonical(seq: seq, at: at, account: account, action: action, object: object, detail: detail, prevHash: prevHash))
        return h.hex()
    }

    /// Appends a row inside the caller's write transaction (so the event and what it records
    /// commit together) and returns it.
    @discardableResult
    package static func append(_ db: Database, at: Int64, account: String, action: AuditAction, object: String,
                               detail: String = "") throws -> AuditEvent {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last?["seq"] as Int64? ?? 0) + 1
        let prev: String = last?["hash"] ?? genesis
        let line = { (s: String) in Masking.neutralised(s) }
        let event = AuditEvent(seq: seq, at: at, account: line(account), action: action.rawValue, object: line(object),
                               detail: line(detail), prevHash: prev, hash: "")
        var e = event
        e.hash = hash(seq: seq, at: at, account: e.account, action: e.action, object: e.object, detail: e.detail, prevHash: prev)
        try db.execute(sql: """
            INSERT INTO audit_event (seq, at, account, action, object, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [e.seq, e.at, e.account, e.action, e.object, e.detail, e.prevHash, e.hash])
        return e
    }

    /// What `verify` found.
    package struct Verification: Sendable, Hashable {
        /// How a row breaks the chain.
        package enum Break: Sendable, Hashable {
            /// The row's content does not match its hash (changed, or moved to another number).
            case changed(seq: Int64)
            /// Rows before this one are missing (a gap in the numbers, or the first row is not 1).
            case removed(before: Int64)
            /// The row's `prev_hash` is not the hash of the row before it (a row removed or moved).
            case unlinked(seq: Int64)

            package var seq: Int64 {
                switch self {
                case .changed(let s), .removed(let s), .unlinked(let s): return s
                }
            }

            package var message: Localized {
                switch self {
                case .changed(let s):
                    return Localized(de: "Zeile \(s): Inhalt passt nicht zu ihrem Hash (geändert oder verschoben)",
                                     en: "row \(s): content does not match its hash (changed or moved)")
                case .removed(let s):
                    return Localized(de: "vor Zeile \(s) fehlen Zeilen (entfernt)", en: "rows missing before row \(s) (removed)")
                case .unlinked(let s):
                    return Localized(de: "Zeile \(s): Verweis auf die vorige Zeile stimmt nicht (Zeile entfernt, eingefügt oder umsortiert)",
                                     en: "row \(s): link to the previous row does not match (row removed, inserted or reordered)")
                }
            }
        }

        /// Rows read.
        package var rows: Int
        /// The first break, nil when the chain is intact.
        package var firstBreak: Break?
        /// `seq` and hash of the last row (the head), nil for an empty trail.
        package var head: (seq: Int64, hash: String)? { headSeq.map { ($0, headHash ?? "") } }
        package var headSeq: Int64?
        package var headHash: String?

        package var intact: Bool { firstBreak == nil }
    }

    /// Recomputes the chain in `seq` order and stops at the first break.
    package static func verify(_ db: Database) throws -> Verification {
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT seq, at, account, action, object, detail, prev_hash, hash FROM audit_event ORDER BY seq
            """)
        var expectedSeq: Int64 = 1
        var prev = genesis
        var rows = 0
        var result = Verification(rows: 0, firstBreak: nil, headSeq: nil, headHash: nil)
        while let row = try cursor.next() {
            rows += 1
            let seq: Int64 = row["seq"]
            let stored: String = row["hash"]
            let prevHash: String = row["prev_hash"]
            result.headSeq = seq
            result.headHash = stored
            guard result.firstBreak == nil else { continue }
            if seq != expectedSeq {
                result.firstBreak = seq > expectedSeq ? .removed(before: seq) : .changed(seq: seq)
            } else if hash(seq: seq, at: row["at"], account: row["account"], action: row["action"], object: row["object"],
                           detail: row["detail"], prevHash: prevHash) != stored {
                result.firstBreak = .changed(seq: seq)
            } else if prevHash != prev {
                result.firstBreak = .unlinked(seq: seq)
            }
            expectedSeq = seq + 1
            prev = stored
        }
        result.rows = rows
        return result
    }
}
