#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a writer's bytes go: a file descriptor or, in tests, memory.
///
/// A reference type so the caller keeps a handle (to read a buffer back, or to close a file) while
/// the writer owns the stream. Not `Sendable`: one sink belongs to one writer on one task.
public protocol OutputSink: AnyObject {
    /// Appends UTF-8 text.
    func write(_ text: String) throws
    /// Pushes buffered bytes to their destination.
    func flush() throws
}

/// Collects everything in memory; for tests and for callers that post-process the output.
public final class MemorySink: OutputSink {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public func write(_ text: String) throws { bytes.append(contentsOf: text.utf8) }
    public func flush() throws {}

    /// The collected output as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A failed write to a file descriptor, with `errno`.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var errno: Int32
    public var description: String { "write failed: " + String(cString: strerror(errno)) }
}

/// A report file that appears complete or not at all: bytes go to a temporary file beside the
/// target (mode 0600); `commit()` flushes, fsyncs, renames it over the target and fsyncs the
/// directory. Without `commit()` (an error, a crash) the target is untouched and `discard()` or
/// the next run removes the temporary file.
public final class AtomicFileSink: OutputSink {
    public let path: String
    let temporaryPath: String
    private let sink: FileDescriptorSink
    private var done = false

    public init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError(errno: errno) }
        sink = FileDescriptorSink(fd: fd)
    }

    public func write(_ text: String) throws { try sink.write(text) }
    public func flush() throws { try sink.flush() }

    /// Makes the file visible under its name (after everything was written successfully).
    public func commit() throws {
        guard !done else { return }
        done = true
        do {
            try sink.flush()
            guard fsync(sink.fd) == 0 else { throw OutputError(errno: errno) }
            guard close(sink.fd) == 0 else { throw OutputError(errno: errno) }
            guard rename(temporaryPath, path) == 0 else { throw OutputError(errno: errno) }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Drops the temporary file; the target keeps its previous content.
    public func discard() {
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
public final class FileDescriptorSink: OutputSink {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(capacity)
    }

    /// Opens (creates or truncates) `path` with mode 0600: reports hold pseudonymised but sensitive facts.
    /// Writes in place; for report files prefer `AtomicFileSink`.
    public convenience init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw OutputError(errno: errno) }
        self.init(fd: fd)
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { try flush() }
    }

    public func flush() throws {
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
                throw OutputError(errno: errno)
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Forgets buffered bytes (the owner is abandoning the file).
    func dropBuffer() { buffer.removeAll() }

    deinit { try? flush() }
}
