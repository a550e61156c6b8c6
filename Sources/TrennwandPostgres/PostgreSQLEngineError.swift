import TrennwandRecords

/// Why `scan --engine` could not get results from the server, each with its own code (the CLI
/// exits 3 and names the server by `PostgreSQLEngineURL.shown`, never with the password).
package struct PostgreSQLEngineError: Error, Sendable {
    package enum Kind: Sendable, Equatable {
        /// The server could not be reached (no socket, connection refused, TLS, closed early).
        case connect
        /// The server refused the login (wrong password, no such role, pg_hba).
        case auth
        /// The database does not exist.
        case database
        /// Loading an exported file failed (the file relative to the export directory).
        case load(file: String)
        /// A statement failed (the rule whose query it was, nil for DDL and housekeeping).
        case query(rule: String?)
        /// A result file could not be written.
        case write(path: String)
    }

    package var kind: Kind
    /// The server's message (or the transport's), our words around it.
    package var detail: String

    package init(_ kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    package var code: String {
        switch kind {
        case .connect: return "engine.connect"
        case .auth: return "engine.auth"
        case .database: return "engine.database"
        case .load: return "engine.load"
        case .query: return "engine.query"
        case .write: return "engine.write"
        }
    }

    /// The message for `server` (`PostgreSQLEngineURL.shown`), with the code.
    package func text(_ language: Language, server: String) -> String {
        let l = { (de: String, en: String) in language == .de ? de : en }
        let what: String
        switch kind {
        case .connect: what = l("PostgreSQL-Server \(server) nicht erreichbar", "PostgreSQL server \(server) not reachable")
        case .auth: what = l("Anmeldung an \(server) abgelehnt (Benutzer oder Passwort)", "login to \(server) refused (user or password)")
        case .database: what = l("Datenbank auf \(server) existiert nicht", "database on \(server) does not exist")
        case .load(let file): what = l("Laden von \(file) nach \(server) fehlgeschlagen", "loading \(file) into \(server) failed")
        case .query(let rule?): what = l("Abfrage der Regel \(rule) auf \(server) fehlgeschlagen", "query of rule \(rule) failed on \(server)")
        case .query(nil): what = l("SQL-Anweisung auf \(server) fehlgeschlagen", "SQL statement failed on \(server)")
        case .write(let path): what = l("Ergebnisdatei \(path) nicht schreibbar", "cannot write result file \(path)")
        }
        return detail.isEmpty ? "\(what) [\(code)]" : "\(what): \(detail) [\(code)]"
    }
}
