import Foundation
import GRDB
import TrennwandRecords

/// Accounts, one-time setup links and sessions of the review workspace.
extension ReviewStore {
    /// Why an account change was refused.
    package enum AccountProblem: Error, Sendable, Hashable {
        case nameTaken
        case unknownAccount
    }

    package func accounts() async throws -> [ReviewAccount] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY name").map(Self.account) }
    }

    package func account(named name: String) async throws -> ReviewAccount? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM account WHERE name = ?", arguments: [name]).map(Self.account) }
    }

    /// Creates an account without a password and issues its setup link (stored as `tokenHash`).
    package func createAccount(name: String, role: ReviewRole, tokenHash: String, expires: Int64, by actor: String,
                               at now: Int64) async throws -> ReviewAccount {
        try await write { db in
            if try Row.fetchOne(db, sql: "SELECT id FROM account WHERE name = ?", arguments: [name]) != nil {
                throw AccountProblem.nameTaken
            }
            try db.execute(sql: "INSERT INTO account (name, role, created) VALUES (?, ?, ?)", arguments: [name, role.rawValue, now])
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO setup_token (token_hash, account_id, created, expires) VALUES (?, ?, ?, ?)",
                           arguments: [tokenHash, id, now, expires])
            try AuditTrail.append(db, at: now, account: actor, action: .accountCreated, object: "account:\(name)", detail: "role=\(role.rawValue)")
            return ReviewAccount(id: id, name: name, role: role, passwordHash: nil, created: now, disabled: false)
        }
    }

    /// `serve --init-admin`: creates the account `name` with role admin when it does not exist,
    /// else (a forgotten password) issues a new setup link for it; either way the earlier unused
    /// links of that account stop working. Synchronous: called by the CLI before the server runs.
    package func initAdmin(name: String, tokenHash: String, expires: Int64, at now: Int64) throws -> ReviewAccount {
        try writeSync { db in
            var account = try Row.fetchOne(db, sql: "SELECT * FROM account WHERE name = ?", arguments: [name]).map(Self.account)
            if account == nil {
                try db.execute(sql: "INSERT INTO account (name, role, created) VALUES (?, 'admin', ?)", arguments: [name, now])
                account = ReviewAccount(id: db.lastInsertedRowID, name: name, role: .admin, passwordHash: nil, created: now, disabled: false)
                try AuditTrail.append(db, at: now, account: "-", action: .accountCreated, object: "account:\(name)",
                                      detail: "role=admin via=init-admin")
            }
            guard let account, account.role == .admin else { throw AccountProblem.nameTaken }
            try db.execute(sql: "UPDATE setup_token SET used = ? WHERE account_id = ? AND used IS NULL", arguments: [now, account.id])
            try db.execute(sql: "INSERT INTO setup_token (token_hash, account_id, created, expires) VALUES (?, ?, ?, ?)",
                           arguments: [tokenHash, account.id, now, expires])
            try AuditTrail.append(db, at: now, account: "-", action: .accountSetupIssued, object: "account:\(name)", detail: "via=init-admin")
            return account
        }
    }

    /// The account a setup link belongs to, while the link is unused and not expired.
    package func setupAccount(tokenHash: String, at now: Int64) async throws -> ReviewAccount? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT a.* FROM setup_token t JOIN account a ON a.id = t.account_id
                WHERE t.token_hash = ? AND t.used IS NULL AND t.expires > ? AND a.disabled = 0
                """, arguments: [tokenHash, now]).map(Self.account)
        }
    }

    /// Uses a setup link once: sets the password hash; nil when the link is unknown, used or expired.
    package func redeemSetup(tokenHash: String, passwordHash: String, at now: Int64) async throws -> ReviewAccount? {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT a.* FROM setup_token t JOIN account a ON a.id = t.account_id
                WHERE t.token_hash = ? AND t.used IS NULL AND t.expires > ? AND a.disabled = 0
                """, arguments: [tokenHash, now]) else { return nil }
            var account = Self.account(row)
            try db.execute(sql: "UPDATE setup_token SET used = ? WHERE token_hash = ?", arguments: [now, tokenHash])
            try db.execute(sql: "UPDATE account SET password_hash = ? WHERE id = ?", arguments: [passwordHash, account.id])
            // A new password ends every session of the account.
            try db.execute(sql: "DELETE FROM review_session WHERE account_id = ?", arguments: [account.id])
            try AuditTrail.append(db, at: now, account: account.name, action: .passwordSet, object: "account:\(account.name)")
            account.passwordHash = passwordHash
            return account
        }
    }

    /// Disables an account and ends its sessions.
    package func disableAccount(name: String, by actor: String, at now: Int64) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE account SET disabled = 1 WHERE name = ?", arguments: [name])
            guard db.changesCount == 1 else { throw AccountProblem.unknownAccount }
            try db.execute(sql: "DELETE FROM review_session WHERE account_id = (SELECT id FROM account WHERE name = ?)", arguments: [name])
            try AuditTrail.append(db, at: now, account: actor, action: .accountDisabled, object: "account:\(name)")
        }
    }

    // MARK: - Sessions

    /// Records a new session after a successful login (and the login in the trail).
    package func createSession(idHash: String, account: ReviewAccount, csrf: String, language: Language?, at now: Int64) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO review_session (id_hash, account_id, csrf, created, last_seen, lang) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [idHash, account.id, csrf, now, now, language?.rawValue])
            try AuditTrail.append(db, at: now, account: account.name, action: .login, object: "account:\(account.name)")
        }
    }

    /// The live session with this id hash: not idle for `idle` seconds, not older than `maximum`,
    /// its account not disabled. Stale sessions are deleted on the way; `last_seen` is refreshed
    /// at most once a minute (a page view is a read, not a write).
    package func session(idHash: String, at now: Int64, idle: Int64, maximum: Int64) async throws -> ReviewSession? {
        let found: ReviewSession? = try await read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.id_hash, s.csrf, s.created AS s_created, s.last_seen, s.lang, a.* FROM review_session s
                JOIN account a ON a.id = s.account_id WHERE s.id_hash = ?
                """, arguments: [idHash]) else { return nil }
            return ReviewSession(idHash: row["id_hash"], account: Self.account(row), csrf: row["csrf"], created: row["s_created"],
                                 lastSeen: row["last_seen"], language: (row["lang"] as String?).flatMap(Language.init(rawValue:)))
        }
        guard let s = found else { return nil }
        if s.account.disabled || now - s.lastSeen >= idle || now - s.created >= maximum {
            try await write { db in try db.execute(sql: "DELETE FROM review_session WHERE id_hash = ?", arguments: [idHash]) }
            return nil
        }
        if now - s.lastSeen >= 60 {
            try await write { db in
                try db.execute(sql: "UPDATE review_session SET last_seen = ? WHERE id_hash = ?", arguments: [now, idHash])
            }
        }
        return s
    }

    package func setSessionLanguage(idHash: String, language: Language) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE review_session SET lang = ? WHERE id_hash = ?", arguments: [language.rawValue, idHash])
        }
    }

    /// Ends a session (logout) and records it.
    package func endSession(idHash: String, account: String, at now: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM review_session WHERE id_hash = ?", arguments: [idHash])
            try AuditTrail.append(db, at: now, account: account, action: .logout, object: "account:\(account)")
        }
    }

    static func account(_ row: Row) -> ReviewAccount {
        ReviewAccount(id: row["id"], name: row["name"], role: ReviewRole(rawValue: row["role"]) ?? .reader,
                      passwordHash: row["password_hash"], created: row["created"], disabled: row["disabled"])
    }
}
