#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// Where a writer's bytes go: a file descriptor or, in tests, memory.
///
/// A reference type so the caller keeps a handle (to read a buffer back, or to close a file) while
/// the writer owns the stream. Not `Sendable`: one sink belongs to one writer on one task.
package protocol OutputSink: AnyObject {
    /// Appends UTF-8 text.
    func write(_ text: String) throws
    /// Appends UTF-8 bytes (writers that build their output as bytes, e.g. JSON Lines).
    func write(bytes: [UInt8]) throws
    /// Pushes buffered bytes to their destination.
    func flush() throws
}

/// Collects everything in memory; for tests and for callers that post-process the output.
package final class MemorySink: OutputSink {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    package func write(_ text: String) throws { bytes.append(contentsOf: text.utf8) }
    package func write(bytes: [UInt8]) throws { self.bytes.append(contentsOf: bytes) }
    package func flush() throws {}

    /// The collected output as text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A report that could not be created, written, synced or renamed into place, with `errno`.
///
/// Carries a stable `code` (`output.create`, `output.write`, `output.sync`, `output.rename`,
/// `output.temporary`) and a German and English text naming the path and what to do, so the CLI never
/// shows a raw `strerror` text alone.
package struct OutputError: Error, Sendable, CustomStringConvertible {
    package enum Step: String, Sendable {
        case create, write, sync, rename, temporary
    }
    package var step: Step
    /// The report's path (not the temporary name); empty when the CLI names it (stdout).
    package var path: String
    package var errno: Int32

    package init(_ step: Step, path: String, errno: Int32) {
        self.step = step
        self.path = path
        self.errno = errno
    }

    package var code: String { "output." + step.rawValue }

    /// The cause in plain words (errno mapped; unknown ones with their number).
    var cause: Localized {
        switch errno {
        case EACCES, EPERM: return Localized(de: "keine Schreibberechtigung", en: "permission denied")
        case ENOENT: return Localized(de: "Verzeichnis existiert nicht", en: "directory does not exist")
        case EISDIR: return Localized(de: "Pfad ist ein Verzeichnis", en: "path is a directory")
        case EBADF: return Localized(de: "Ausgabe ist geschlossen", en: "the output is closed")
        case EEXIST, ELOOP: return Localized(de: "temporäre Datei konnte nicht sicher angelegt werden", en: "temporary file could not be created safely")
        default: return SystemErrorText.describe(errno)
        }
    }

    package var message: Localized {
        let target = path.isEmpty || path == "-" ? Localized(de: "Standardausgabe", en: "standard output") : Localized(de: path, en: path)
        let what: Localized
        switch step {
        case .create: what = Localized(de: "nicht schreibbar", en: "cannot be written")
        case .write: what = Localized(de: "Schreiben fehlgeschlagen", en: "write failed")
        case .sync: what = Localized(de: "Sichern auf den Datenträger fehlgeschlagen", en: "sync to disk failed")
        case .rename: what = Localized(de: "konnte nicht an seinen Platz gestellt werden", en: "could not be moved into place")
        case .temporary: what = Localized(de: "temporäre Datei nicht anlegbar", en: "temporary file cannot be created")
        }
        let todo = Localized(de: "Pfad, Berechtigungen und freien Platz prüfen, dann erneut prüfen",
                             en: "check the path, permissions and free space, then run again")
        return Localized(de: "Ausgabe \(target.de): \(what.de) (\(cause.de)) – \(todo.de) [\(code)]",
                         en: "output \(target.en): \(what.en) (\(cause.en)) – \(todo.en) [\(code)]")
    }

    package func text(_ language: Language) -> String { message.text(language) }
    package var description: String { text(.de) }
}

/// A report file that appears complete or not at all: bytes go to a temporary file beside the
/// target, `commit()` flushes, fsyncs, renames it over the target and fsyncs the directory. Without
/// `commit()` (an error, a crash) the target is untouched and `discard()` removes the temporary file.
///
/// The temporary file is `.<name>.<16 random hex digits>.tmp` in the target's folder, created with
/// `O_EXCL|O_NOFOLLOW` (mode 0600; a planted file or symlink at that name is never opened, the next
/// random name is tried). The rename replaces a symlink standing at the target itself, never the
/// file it points to. The finished report keeps `mode` (default 0600: reports hold pseudonymised
/// but sensitive facts).
package final class AtomicFileSink: OutputSink {
    package let path: String
    package let temporaryPath: String
    private let sink: FileDescriptorSink
    private var done = false

    /// How often a new random name is tried when one exists already.
    static let attempts = 8

    package init(path: String, mode: mode_t = 0o600) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        Self.sweepStale(dir: dir, name: name)
        var generator = SystemRandomNumberGenerator()
        var lastError: Int32 = EEXIST
        let pid = getpid()
        for _ in 0..<Self.attempts {
            let digits = String(generator.next() as UInt64, radix: 16)
            let random = String(repeating: "0", count: 16 - digits.count) + digits
            let candidate = dir + ".\(name).\(pid)-\(random).tmp"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 {
                if mode != 0o600 { fchmod(fd, mode) }
                temporaryPath = candidate
                sink = FileDescriptorSink(fd: fd, path: path)
                return
            }
            lastError = errno
            if lastError != EEXIST && lastError != ELOOP { break }
        }
        throw OutputError(lastError == EEXIST || lastError == ELOOP ? .temporary : .create, path: path, errno: lastError)
    }

    /// A temporary of a dead scan is removed after this many seconds (a killed nightly run left
    /// one per report and night; the age guards a live scan on another host sharing the folder,
    /// whose pid means nothing here).
    static let staleAge: Int = 3600

    /// Removes `.<name>.<pid>-<random>.tmp` files of this report whose process is gone and that are
    /// older than `staleAge`: only regular files of our own user (`lstat`, so a planted symlink is
    /// left alone and never followed). Best effort; errors are ignored.
    static func sweepStale(dir: String, name: String, now: time_t = time(nil)) {
        guard let d = opendir(dir.isEmpty ? "." : dir) else { return }
        defer { closedir(d) }
        let prefix = ".\(name).", suffix = ".tmp"
        while let entry = readdir(d) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard entryName.hasPrefix(prefix), entryName.hasSuffix(suffix),
                  entryName.count > prefix.count + suffix.count else { continue }
            let middle = entryName.dropFirst(prefix.count).dropLast(suffix.count)
            guard let dash = middle.firstIndex(of: "-"), let owner = pid_t(middle[..<dash]), owner > 0,
                  owner != getpid(), middle[middle.index(after: dash)...].count == 16 else { continue }
            guard kill(owner, 0) != 0 && errno == ESRCH else { continue }
            let full = dir + entryName
            var st = stat()
            guard lstat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == geteuid(),
                  now - st.st_mtim.tv_sec > staleAge else { continue }
            unlink(full)
        }
    }

    package func write(_ text: String) throws { try sink.write(text) }
    package func write(bytes: [UInt8]) throws { try sink.write(bytes: bytes) }
    package func flush() throws { try sink.flush() }

    /// Makes the file visible under its name (after everything was written successfully).
    package func commit() throws {
        guard !done else { return }
        done = true
        do {
            try sink.flush()
            guard fsync(sink.fd) == 0 else { throw OutputError(.sync, path: path, errno: errno) }
            guard close(sink.fd) == 0 else { throw OutputError(.write, path: path, errno: errno) }
            guard rename(temporaryPath, path) == 0 else { throw OutputError(.rename, path: path, errno: errno) }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Drops the temporary file; the target keeps its previous content.
    package func discard() {
        guard !done else { return }
        done = true
        sink.dropBuffer()
        close(sink.fd)
        unlink(temporaryPath)
    }

    deinit { discard() }
}

/// Writes to a file descriptor (a file opened by the CLI, or stdout) through a 64 KiB buffer.
///
/// Does not close the descriptor; its owner does.
package final class FileDescriptorSink: OutputSink {
    package let fd: Int32
    /// The path named in errors ("-" for stdout).
    package let path: String
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16

    package init(fd: Int32, path: String = "-") {
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(capacity)
    }

    /// Opens (creates or truncates) `path` with mode 0600: reports hold pseudonymised but sensitive facts.
    /// Writes in place, for devices and FIFOs (`/dev/null`); for report files use `AtomicFileSink`.
    package convenience init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError(.create, path: path, errno: errno) }
        self.init(fd: fd, path: path)
    }

    package func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { try flush() }
    }

    package func write(bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    package func flush() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                #else
                Darwin.write(fd, raw.baseAddress! + done, raw.count - done)
                #endif
            }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                buffer.removeAll(keepingCapacity: true)
                throw OutputError(.write, path: path, errno: code)
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Forgets buffered bytes (the owner is abandoning the file).
    func dropBuffer() { buffer.removeAll() }

    deinit { try? flush() }
}
