import Foundation
import TrennwandFindings
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#endif

extension ContentHash {
    /// Streams a file through SHA-256 in 1 MiB blocks (constant memory for exports of any size).
    /// Returns the size in bytes and the lower-case hex digest.
    package static func file(atPath path: String) throws -> (size: Int64, hash: String) {
        func unreadable(_ err: Int32) -> InputError {
            let text = SystemErrorText.describe(err)
            return InputError(file: path, code: "input.unreadable",
                              de: "Datei kann nicht gelesen werden: \(text.de)", en: "file cannot be read: \(text.en)")
        }
        let fd = SystemPath.openFile(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw unreadable(errno) }
        defer { close(fd) }
        var hasher = ContentHash()
        var size: Int64 = 0
        var block = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw unreadable(errno)
            }
            block.withUnsafeBytes { hasher.update(Data($0.prefix(n))) }
            size += Int64(n)
        }
        return (size, hasher.hex())
    }

    /// Streams bytes from `read` (which fills its buffer and returns 0 at the end) through
    /// SHA-256 in 1 MiB blocks: a zip member's decompressed bytes. Returns size and hex digest.
    package static func stream(_ read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> (size: Int64, hash: String) {
        var hasher = ContentHash()
        var size: Int64 = 0
        var block = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try block.withUnsafeMutableBytes { try read($0) }
            if n == 0 { break }
            block.withUnsafeBytes { hasher.update(Data($0.prefix(n))) }
            size += Int64(n)
        }
        return (size, hasher.hex())
    }

    /// One hash over several hashes (e.g. the reference tables), independent of their order.
    package static func combine(_ hashes: [String]) -> String {
        var hasher = ContentHash()
        for h in hashes.sorted() { hasher.update(Data((h + "\n").utf8)) }
        return hasher.hex()
    }
}
