import Foundation
import GRDB
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening a store only when it can be trusted: a damaged, foreign or unexpectedly empty file is
/// named as such (`StateError.damaged` / `.foreign`) and never silently recreated, and a new
/// store is created 0600 whatever the umask (it holds pseudonyms and file names).
extension StateStore {
    /// `PRAGMA application_id` of a Trennwand store: "TRNW".
    static let applicationID: Int32 = 0x5452_4E57
    /// Tables every store of schema v1 has; an older store without an application id is accepted
    /// when it has them and the migration table.
    static let expectedTables: Set<String> = ["run", "input_file", "finding", "finding_norm", "finding_file", "run_finding"]
    /// Stores up to this size get the full `integrity_check` on open (it also compares index and
    /// table content, which `quick_check` does not); larger ones get `quick_check`.
    static let fullCheckLimit: Int64 = 256 << 20

    /// What the file at `path` is before SQLite touches it.
    enum FileState { case missing, empty, present(size: Int64) }

    /// Checks the file before it is opened: an empty file is a new store only when nothing beside
    /// it shows an earlier use; a file that does not start with the SQLite header is damaged.
    static func inspect(path: String) throws -> FileState {
        var st = stat()
        if stat(path, &st) != 0 {
            let err = errno
            if err == ENOENT { return .missing }
            throw StateError.io(path: path, detail: systemReason(err))
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw StateError.damaged(path: path, detail: Localized(de: "keine reguläre Datei", en: "not a regular file"))
        }
        if st.st_size == 0 {
            // The lock is created by the first run, after the schema was committed; a journal
            // beside it means SQLite wrote to it. Either way the file held a store and lost it.
            let evidence = [".lock", "-wal", "-journal"].first { FileManager.default.fileExists(atPath: path + $0) }
            if let evidence {
                throw StateError.damaged(path: path, detail: Localized(
                    de: "Datei ist leer (0 Byte), aber \((path + evidence as NSString).lastPathComponent) daneben zeigt, dass sie schon benutzt wurde",
                    en: "file is empty (0 bytes) but \((path + evidence as NSString).lastPathComponent) beside it shows it was used before"))
            }
            return .empty
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StateError.io(path: path, detail: systemReason(errno)) }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 16)
        let n = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, 16) }
        if n != 16 || header != Array("SQLite format 3\0".utf8) {
            throw StateError.damaged(path: path, detail: Localized(de: "keine SQLite-Datenbank (Dateikopf fehlt oder ist zerstört)",
                                                                     en: "not an SQLite database (missing or destroyed header)"))
        }
        return .present(size: Int64(st.st_size))
    }

    /// Creates an empty file for a new store with mode 0600 (`fchmod`: independent of the umask),
    /// or tightens an empty placeholder to 0600. SQLite gives `-wal` and `-shm` the same mode.
    static func createPrivate(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateError.io(path: path, detail: systemReason(errno)) }
        defer { close(fd) }
        if fchmod(fd, 0o600) != 0 { throw StateError.io(path: path, detail: systemReason(errno)) }
    }

    /// Integrity, identity and schema of an opened store (before any migration writes to it).
    /// Returns true when the store is empty (a new store that needs its application id).
    static func verify(_ db: Database, path: String, size: Int64) throws -> Bool {
        let check = size <= fullCheckLimit ? "integrity_check(20)" : "quick_check(20)"
        let problems = try String.fetchAll(db, sql: "PRAGMA \(check)")
            .flatMap { $0.split(separator: "\n").map(String.init) }
            .filter { $0 != "ok" && !$0.hasPrefix("***") }
        if !problems.isEmpty {
            let shown = problems.prefix(3).joined(separator: "; ")
            throw StateError.damaged(path: path, detail: Localized(de: "Integritätsprüfung: \(shown)", en: "integrity check: \(shown)"))
        }
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        if appID != 0 && appID != applicationID { throw StateError.foreign(path: path) }
        if tables.isEmpty {
            // A blank SQLite file is a new store unless another program has marked it as its own.
            if try Int32.fetchOne(db, sql: "PRAGMA user_version") ?? 0 != 0 { throw StateError.foreign(path: path) }
            return true
        }
        if appID == 0 && !(tables.contains("grdb_migrations") && expectedTables.isSubset(of: tables)) {
            throw StateError.foreign(path: path)
        }
        return false
    }

    /// Columns each table of the current schema must have (a store made by a development build
    /// with another v1 lacks some: "table run has no column named config_hash").
    static func verifyColumns(_ db: Database, path: String) throws {
        let required: [String: [String]] = [
            "run": ["id", "started", "finished", "status", "tool_version", "config_hash", "rule_pack_hash", "reference_hash",
                    "full", "inputs", "files_scanned", "files_skipped", "files_failed", "exit_code"],
            "input_file": ["id", "run_id", "path", "size", "content_hash", "rule_pack_hash", "reference_hash", "file_error",
                           "findings", "first_of_content", "scanned_at"],
            "finding": ["fingerprint", "rule_id", "severity", "class", "source_path", "status", "first_run", "last_run",
                        "updated_at", "evidence"],
            "finding_file": ["fingerprint", "path", "occurrences"],
            "run_finding": ["run_id", "fingerprint", "status", "file_id"],
        ]
        for (table, columns) in required.sorted(by: { $0.key < $1.key }) {
            let have = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String })
            if let missing = columns.first(where: { !have.contains($0) }) {
                throw StateError.schemaMismatch(path: path, detail: "\(table).\(missing)")
            }
        }
    }

    static func systemReason(_ err: Int32) -> Localized { SystemErrorText.describe(err) }
}

extension StateError {
    /// `from(_:path:)` for database errors; any other error is returned unchanged.
    package static func mapped(_ error: Error, path: String) -> Error {
        error is DatabaseError ? from(error, path: path) : error
    }

    /// Our message for an error out of SQLite/GRDB or the file system while using the store at
    /// `path`: never the raw "SQLite error 13 … COMMIT TRANSACTION".
    package static func from(_ error: Error, path: String) -> StateError {
        if let e = error as? StateError { return e }
        guard let db = error as? DatabaseError else {
            return .io(path: path, detail: Localized(de: "unerwarteter Fehler", en: "unexpected error"))
        }
        switch db.resultCode.primaryResultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return .damaged(path: path, detail: Localized(de: "SQLite meldet eine beschädigte Datenbank", en: "SQLite reports a corrupt database"))
        case .SQLITE_FULL:
            return .io(path: path, detail: Localized(de: "Datenträger voll", en: "disk full"))
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return .io(path: path, detail: Localized(de: "keine Schreibrechte", en: "no write permission"))
        case .SQLITE_CANTOPEN:
            return .io(path: path, detail: Localized(de: "Datei lässt sich nicht öffnen", en: "cannot open the file"))
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .io(path: path, detail: Localized(de: "Datenbank von einem anderen Prozess belegt", en: "database busy in another process"))
        case .SQLITE_IOERR:
            return .io(path: path, detail: Localized(de: "Ein-/Ausgabefehler", en: "I/O error"))
        case .SQLITE_ERROR:
            let m = db.message ?? ""
            if m.contains("no such table") || m.contains("no column named") || m.contains("no such column") {
                return .schemaMismatch(path: path, detail: m.contains("table") ? "missing table or column" : "missing column")
            }
            return .io(path: path, detail: Localized(de: "SQLite-Fehler \(db.extendedResultCode.rawValue)", en: "SQLite error \(db.extendedResultCode.rawValue)"))
        default:
            return .io(path: path, detail: Localized(de: "SQLite-Fehler \(db.extendedResultCode.rawValue)", en: "SQLite error \(db.extendedResultCode.rawValue)"))
        }
    }
}
