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

    deinit { try? flush() }
}
