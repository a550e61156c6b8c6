import Foundation
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors of the state store, with German and English messages for the operator.
public enum StateError: Error, Sendable, CustomStringConvertible {
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

    public var message: Localized {
        switch self {
        case let .locked(lockFile, holder, waited):
            let w = String(format: "%.0f", waited)
            return Localized(
                de: "Zustandsspeicher gesperrt: ein anderer Prüflauf läuft (\(holder)); nach \(w) s aufgegeben. Sperrdatei: \(lockFile)",
                en: "state store locked: another scan is running (\(holder)); gave up after \(w) s. Lock file: \(lockFile)")
        case let .lockFile(path, err):
            let text = String(cString: strerror(err))
            return Localized(de: "Sperrdatei \(path) nicht nutzbar: \(text)", en: "cannot use lock file \(path): \(text)")
        case let .notFound(path):
            return Localized(de: "Zustandsspeicher \(path) nicht gefunden", en: "state store \(path) not found")
        case let .schema(path, detail):
            return Localized(de: "Zustandsspeicher \(path): unbekanntes Schema (\(detail))",
                             en: "state store \(path): unknown schema (\(detail))")
        case let .runNotActive(id):
            return Localized(de: "Lauf \(id) ist nicht der laufende Prüflauf", en: "run \(id) is not the live run")
        case let .duplicateFile(id, path):
            return Localized(de: "Datei \(path) in Lauf \(id) doppelt erfasst", en: "file \(path) recorded twice in run \(id)")
        }
    }

    public var description: String { message.en }
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

    var isHeld: Bool { fd >= 0 }

    /// Waits up to `timeout` seconds for the lock, polling every 50 ms; throws `.locked` after that.
    func acquire(timeout: Double, note: String) throws {
        if fd >= 0 { return }
        let f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard f >= 0 else { throw StateError.lockFile(path: path, errno: errno) }
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
