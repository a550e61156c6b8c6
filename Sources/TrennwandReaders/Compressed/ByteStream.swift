// Compressed exports: one byte stream per input, whatever it is stored as — a plain file, a gzip
// file or a member of a zip archive. Readers pull decompressed bytes through `ByteStream`; the
// plain-file fast path of the CSV reader keeps its own `read(2)` loop (no extra copy).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// A source of bytes read front to back, once.
public protocol ByteStream {
    /// Fills the front of `buffer` and returns how many bytes it wrote; 0 means end of stream
    /// (never returned for an empty `buffer` before the end). Throws `InputError`.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a plain file through an open descriptor; closes it when released.
final class FileByteStream: ByteStream {
    private var fd: Int32
    let name: String
    private var offset: Int64 = 0

    init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    deinit { if fd >= 0 { _ = systemClose(fd) } }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard fd >= 0, buffer.count > 0 else { return 0 }
        while true {
            let n = systemRead(fd, buffer.baseAddress!, buffer.count)
            if n >= 0 {
                offset += Int64(n)
                return n
            }
            let code = errno
            if code != EINTR { throw CSVReader.unreadable(name, errno: code, byteOffset: offset) }
        }
    }
}

/// Reads bytes held in memory (tests and fuzzing of the decompressors).
final class MemoryByteStream: ByteStream {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }
}

@inline(__always)
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

@inline(__always)
private func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
