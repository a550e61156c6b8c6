import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// The review workspace's view of a state store (issue #18): accounts, setup links, sessions,
/// decisions and the audit trail, plus the finding queries of its pages.
///
/// Sendable (it holds only the database connection and the list cache), so the server's request
/// handlers share one. `trennwand serve` opens it over a connection pool (`concurrentReview()`):
/// WAL readers run side by side, so 32 browsers reading do not queue behind one connection.
/// Every change that the audit trail records is written in the same transaction as its audit
/// row: an account, a session or a decision never exists without its trail entry.
/// Tokens (session ids, setup links) arrive here already hashed; the store never sees them.
package final class ReviewStore: Sendable {
    package let path: String
    let db: any DatabaseWriter
    /// The findings list view (grouped list, rule lists, facets, overview counts), rebuilt when a
    /// scan or a decision changed the store (`FindingIndex`).
    let listCache = FindingIndexCache()

    init(db: any DatabaseWriter, path: String) {
        self.db = db
        self.path = path
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        do { return try await db.read(body) } catch { throw StateError.mapped(error, path: path) }
    }

    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        defer { listCache.changed() }
        do { return try await db.write(body) } catch { throw StateError.mapped(error, path: path) }
    }

    func readSync<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch { throw StateError.mapped(error, path: path) }
    }

    func writeSync<T>(_ body: (Database) throws -> T) throws -> T {
        defer { listCache.changed() }
        do { return try db.write(body) } catch { throw StateError.mapped(error, path: path) }
    }

    /// Runs, newest first (the runs page).
    package func runs(limit: Int = 100) async throws -> [RunRecord] {
        try await read { db in try StateStore.history(db, limit: limit) }
    }

    /// Open findings by severity after each of the last `limit` runs, oldest first (the chart).
    package func openBySeverityHistory(limit: Int = 30) async throws -> [OpenAfterRun] {
        try await read { db in try StateStore.openBySeverityHistory(db, limit: limit) }
    }

    // MARK: - Audit trail

    /// Appends one event on its own.
    @discardableResult
    package func audit(at: Int64, account: String, action: AuditAction, object: String, detail: String = "") async throws -> AuditEvent {
        try await write { try AuditTrail.append($0, at: at, account: account, action: action, object: object, detail: detail) }
    }

    /// Recomputes the chain (`trennwand audit verify`).
    package func verifyAuditTrail() throws -> AuditTrail.Verification {
        try readSync { try AuditTrail.verify($0) }
    }

    /// The newest `limit` events, newest first.
    package func auditEvents(limit: Int = 200) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_event ORDER BY seq DESC LIMIT ?", arguments: [limit]).map(Self.event)
        }
    }

    /// Events about one object (a finding's history), oldest first.
    package func auditEvents(object: String) async throws -> [AuditEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_event WHERE object = ? ORDER BY seq", arguments: [object]).map(Self.event)
        }
    }

    static func event(_ row: Row) -> AuditEvent {
        AuditEvent(seq: row["seq"], at: row["at"], account: row["account"], action: row["action"], object: row["object"],
                   detail: row["detail"], prevHash: row["prev_hash"], hash: row["hash"])
    }
}

extension StateStore {
    /// The review workspace over this store (same database connection).
    package var review: ReviewStore { ReviewStore(db: db, path: path) }

    /// The review workspace over a pool of connections to this store (`trennwand serve`): reads run
    /// concurrently beside one writer. The store is migrated already (this store's own open).
    package func concurrentReview() throws -> ReviewStore {
        do {
            return ReviewStore(db: try DatabasePool(path: path, configuration: Self.configuration(readOnly: false, lockTimeout: lockTimeout)),
                               path: path)
        } catch {
            throw StateError.from(error, path: path)
        }
    }
}
