import Foundation
import TrennwandFindings
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#endif

extension ContentHash {
    /// Streams a file through SHA-256 in 1 MiB blocks (constant memory for exports of any size).
    /// Returns the size in bytes and the lower-case hex digest.
    public static func file(atPath path: String) throws -> (size: Int64, hash: String) {
        let fd = SystemPath.openFile(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? handle.close() }
        var hasher = ContentHash()
        var size: Int64 = 0
        while true {
            guard let block = try handle.read(upToCount: 1 << 20), !block.isEmpty else { break }
            hasher.update(block)
            size += Int64(block.count)
        }
        return (size, hasher.hex())
    }

    /// One hash over several hashes (e.g. the reference tables), independent of their order.
    public static func combine(_ hashes: [String]) -> String {
        var hasher = ContentHash()
        for h in hashes.sorted() { hasher.update(Data((h + "\n").utf8)) }
        return hasher.hex()
    }
}
