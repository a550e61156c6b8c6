import Foundation
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors of the state store, with German and English messages for the operator.
package enum StateError: Error, Sendable, CustomStringConvertible {
    /// Another process holds the run lock (a scan is running on this store).
    case locked(lockFile: String, holder: String, waited: Double)
    /// The lock file could not be opened.
    case lockFile(path: String, errno: Int32)
    /// The store does not exist (read-only commands do not create one).
    case notFound(path: String)
    /// The store was written by a newer Trennwand (unknown migrations) or is not migrated.
    case schema(path: String, detail: String)
    /// `commitFile`/`finishRun` for a run that is not the live run.
    case runNotActive(runID: Int64)
    /// The same path committed twice in one run.
    case duplicateFile(runID: Int64, path: String)
    /// The file is damaged: not an SQLite database, fails the integrity check, or is empty while
    /// a lock or journal beside it shows it held a store before.
    case damaged(path: String, detail: Localized)
    /// An SQLite database, but not a Trennwand store (another application id, other tables).
    case foreign(path: String)
    /// A store whose tables do not match this version's schema (made by another version).
    case schemaMismatch(path: String, detail: String)
    /// Reading or writing the store failed (disk full, permissions, I/O error).
    case io(path: String, detail: Localized)

    /// Stable machine-readable code, shown as ` [code]` after the message.
    package var code: String {
        switch self {
        case .locked: return "state.locked"
        case .lockFile: return "state.lock-file"
        case .notFound: return "state.not-found"
        case .schema: return "state.schema-newer"
        case .runNotActive: return "state.internal"
        case .duplicateFile: return "state.duplicate-file"
        case .damaged: return "state.damaged"
        case .foreign: return "state.foreign"
        case .schemaMismatch: return "state.schema-mismatch"
        case .io: return "state.io"
        }
    }

    /// True when the store file itself is unusable (damaged or foreign): exit 3 with recovery steps.
    package var isDamage: Bool {
        switch self {
        case .damaged, .foreign: return true
        default: return false
        }
    }

    /// What the operator can do about a damaged or foreign store.
    static func recovery(_ path: String) -> Localized {
        Localized(
            de: "Abhilfe: die Datei beiseite legen (mv \"\(path)\" \"\(path).defekt\", ebenso .lock, -wal und -shm daneben), dann eine Sicherung zurückspielen oder mit einem neuen Pfad (--state) neu beginnen (Verlauf und Befundstatus beginnen dann von vorn)",
            en: "to recover: move the file aside (mv \"\(path)\" \"\(path).damaged\", likewise .lock, -wal and -shm beside it), then restore a backup or start fresh with a new path (--state) (history and finding status then start over)")
    }

    package var message: Localized {
        switch self {
        case let .damaged(path, detail):
            let r = Self.recovery(path)
            return Localized(de: "Zustandsspeicher \(path) ist beschädigt (\(detail.de)); er wird nicht verwendet und nicht neu angelegt. \(r.de)",
                             en: "state store \(path) is damaged (\(detail.en)); it is neither used nor recreated. \(r.en)")
        case let .foreign(path):
            return Localized(de: "\(path) ist eine SQLite-Datenbank, aber kein Trennwand-Zustandsspeicher (fremde Tabellen oder Anwendungskennung); sie wird nicht verändert. Abhilfe: den Pfad (--state, state: in audit.yaml) prüfen und auf den eigenen Zustandsspeicher oder einen neuen Pfad zeigen lassen",
                             en: "\(path) is an SQLite database but no Trennwand state store (foreign tables or application id); it is left unchanged. To recover: check the path (--state, state: in audit.yaml) and point it at the store of its own or at a new path")
        case let .schemaMismatch(path, detail):
            return Localized(de: "Zustandsspeicher \(path) passt nicht zum Schema dieser Version (\(detail)); mit der Version öffnen, die ihn angelegt hat, oder mit einem neuen Pfad (--state) neu beginnen",
                             en: "state store \(path) does not match this version's schema (\(detail)); open it with the version that made it, or start fresh with a new path (--state)")
        case let .io(path, detail):
            return Localized(de: "Zustandsspeicher \(path): Lesen oder Schreiben fehlgeschlagen (\(detail.de)); Speicherplatz und Rechte prüfen, dann erneut starten – abgeschlossene Dateien bleiben erhalten",
                             en: "state store \(path): reading or writing failed (\(detail.en)); check free space and permissions, then run again – files already committed are kept")
        case let .locked(lockFile, holder, waited):
            let w = String(format: "%.0f", waited)
            return Localized(
                de: "Zustandsspeicher gesperrt: ein anderer Prüflauf läuft (\(holder)); nach \(w) s aufgegeben. Sperrdatei: \(lockFile)",
                en: "state store locked: another scan is running (\(holder)); gave up after \(w) s. Lock file: \(lockFile)")
        case let .lockFile(path, err):
            let text = SystemErrorText.describe(err)
            return Localized(de: "Sperrdatei \(path) nicht nutzbar: \(text.de); Rechte des Ordners prüfen",
                             en: "cannot use lock file \(path): \(text.en); check the folder's permissions")
        case let .notFound(path):
            return Localized(de: "Zustandsspeicher \(path) nicht gefunden; Pfad prüfen – angelegt wird er vom ersten „scan --state“",
                             en: "state store \(path) not found; check the path – the first 'scan --state' creates it")
        case let .schema(path, detail):
            return Localized(de: "Zustandsspeicher \(path): unbekanntes Schema (\(detail)); mit einer neueren Trennwand-Version öffnen oder mit einem neuen Pfad (--state) neu beginnen",
                             en: "state store \(path): unknown schema (\(detail)); open it with a newer Trennwand or start fresh with a new path (--state)")
        case let .runNotActive(id):
            return Localized(de: "Lauf \(id) ist nicht der laufende Prüflauf", en: "run \(id) is not the live run")
        case let .duplicateFile(id, path):
            return Localized(de: "Datei \(path) in Lauf \(id) doppelt erfasst", en: "file \(path) recorded twice in run \(id)")
        }
    }

    package var description: String { message.en }

    /// The message in `language` with its code appended (` [state.damaged]`).
    package func text(_ language: Language) -> String { message.text(language) + " [\(code)]" }
}

/// Exclusive run lock: `flock(2)` on the sidecar file `<store>.lock`.
///
/// The kernel releases a `flock` when its process dies, SIGKILL included, so a killed scan never
/// leaves a stale lock behind (a lock row in the database would). The holder's pid, host and start
/// time are written into the file for the message a waiting scan prints. The file is never deleted:
/// deleting a lock file races with a process that has just opened it.
final class RunLock {
    let path: String
    private var fd: Int32 = -1

    init(path: String) {
        self.path = path
    }

    deinit { release() }

    /// Waits up to `timeout` seconds for the lock, polling every 50 ms; throws `.locked` after that.
    func acquire(timeout: Double, note: String) throws {
        if fd >= 0 { return }
        let f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard f >= 0 else { throw StateError.lockFile(path: path, errno: errno) }
        // 0600 whatever the umask: it names the host and start time of the holder.
        _ = fchmod(f, 0o600)
        let start = Date()
        while flock(f, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            guard err == EWOULDBLOCK || err == EINTR else {
                close(f)
                throw StateError.lockFile(path: path, errno: err)
            }
            let waited = Date().timeIntervalSince(start)
            if waited >= timeout {
                let holder = Self.readHolder(path: path)
                close(f)
                throw StateError.locked(lockFile: path, holder: holder, waited: waited)
            }
            usleep(50_000)
        }
        fd = f
        let text = "pid=\(getpid()) \(note)\n"
        _ = ftruncate(f, 0)
        _ = text.withCString { pwrite(f, $0, strlen($0), 0) }
    }

    func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    private static func readHolder(path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? "?" : text
    }
}
