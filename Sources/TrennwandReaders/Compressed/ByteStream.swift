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
package protocol ByteStream {
    /// Fills the front of `buffer` and returns how many bytes it wrote; 0 means end of stream
    /// (never returned for an empty `buffer` before the end). Throws `InputError`.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// How far a compressed input may expand before it is refused as a decompression bomb
/// (`archive.too-large`). A real export compresses text about 5–20 : 1; a bomb of zeros
/// about 1000 : 1 (deflate's maximum is 1032 : 1).
public struct ArchiveLimits: Sendable, Equatable {
    /// Most decompressed bytes of one input (a gzip file or one zip member). Default 4 GiB.
    public var maxExpandedBytes: Int64
    /// Most decompressed bytes per compressed byte, checked once `ratioGrace` bytes are out
    /// (tiny files legitimately have high ratios). Default 200.
    public var maxRatio: Int64
    /// Decompressed bytes before the ratio is checked. Default 1 MiB.
    public var ratioGrace: Int64

    public init(maxExpandedBytes: Int64 = 4 << 30, maxRatio: Int64 = 200, ratioGrace: Int64 = 1 << 20) {
        self.maxExpandedBytes = maxExpandedBytes
        self.maxRatio = maxRatio
        self.ratioGrace = ratioGrace
    }

    public static let standard = ArchiveLimits()

    /// Throws `archive.too-large` when `expanded` bytes from `consumed` compressed bytes break a limit.
    @inline(__always)
    func check(expanded: Int64, consumed: Int64, name: String) throws {
        if expanded > maxExpandedBytes {
            throw ArchiveError.tooLarge(name, expanded: expanded, limit: self, byRatio: false)
        }
        if expanded > ratioGrace, expanded / max(consumed, 1) > maxRatio {
            throw ArchiveError.tooLarge(name, expanded: expanded, limit: self, byRatio: true)
        }
    }
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

/// The rejections of compressed inputs: one stable code each, German and English text with
/// byte offsets and sizes only (never a byte of the content).
enum ArchiveError {
    static func corrupt(_ name: String, at offset: Int64, de: String, en: String) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.corrupt",
                   de: "Archiv beschädigt bei Byte \(offset): \(de)", en: "archive corrupt at byte \(offset): \(en)")
    }

    static func truncated(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.truncated",
                   de: "komprimierte Daten enden vorzeitig bei Byte \(offset) (Datei abgeschnitten?)",
                   en: "compressed data ends early at byte \(offset) (file cut off?)")
    }

    static func crc(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.crc",
                   de: "Prüfsumme (CRC-32) der entpackten Daten stimmt nicht (Byte \(offset))",
                   en: "checksum (CRC-32) of the decompressed data does not match (byte \(offset))")
    }

    static func sizeMismatch(_ name: String, at offset: Int64, declared: Int64, actual: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.size-mismatch",
                   de: "entpackte Größe \(actual) Byte, angegeben \(declared) Byte",
                   en: "decompressed size is \(actual) bytes, declared \(declared) bytes")
    }

    static func unsupportedMethod(_ name: String, method: Int, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.unsupported-method",
                   de: "Kompressionsverfahren \(method) wird nicht unterstützt (nur gespeichert 0 und Deflate 8)",
                   en: "compression method \(method) is not supported (only stored 0 and deflate 8)")
    }

    static func encrypted(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.encrypted",
                   de: "Archivmitglied ist verschlüsselt; bitte unverschlüsselt exportieren",
                   en: "archive member is encrypted; please export it unencrypted")
    }

    static func trailingData(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.trailing-data",
                   de: "nach dem Ende der gzip-Daten folgen ab Byte \(offset) weitere Bytes, die kein gzip sind",
                   en: "bytes that are not gzip follow the end of the gzip data at byte \(offset)")
    }

    static func tooLarge(_ name: String, expanded: Int64, limit: ArchiveLimits, byRatio: Bool) -> InputError {
        if byRatio {
            return InputError(file: name, code: "archive.too-large",
                              de: "entpackt mehr als \(limit.maxRatio):1 (nach \(expanded) Byte); als Dekompressionsbombe abgelehnt",
                              en: "expands by more than \(limit.maxRatio):1 (after \(expanded) bytes); refused as a decompression bomb")
        }
        let size = sizeText(limit.maxExpandedBytes)
        return InputError(file: name, code: "archive.too-large",
                          de: "entpackt über \(size.de); als Dekompressionsbombe abgelehnt",
                          en: "expands beyond \(size.en); refused as a decompression bomb")
    }

    static func memberName(_ name: String, entry: Int, reason: (de: String, en: String)) -> InputError {
        InputError(file: name, code: "archive.member-name",
                   de: "Mitglied Nr. \(entry) hat einen unsicheren Namen (\(reason.de)); Archiv abgelehnt",
                   en: "member no. \(entry) has an unsafe name (\(reason.en)); archive refused")
    }

    static func unsupported(_ name: String, de: String, en: String) -> InputError {
        InputError(file: name, code: "archive.unsupported", de: "Archivformat nicht unterstützt: \(de)",
                   en: "archive format not supported: \(en)")
    }

    static func sizeText(_ bytes: Int64) -> (de: String, en: String) {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return ("\(bytes >> 30) GiB", "\(bytes >> 30) GiB") }
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return ("\(bytes >> 20) MiB", "\(bytes >> 20) MiB") }
        return ("\(bytes) Byte", "\(bytes) bytes")
    }
}

@inline(__always)
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

@inline(__always)
private func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
