// libFuzzer target: arbitrary bytes as a gzip file (through GzipStream) or a zip archive (through
// ZipArchive and every member's stream). Only `InputError`s may come out, never a crash, and no
// stream may deliver more than its limit.
// Built only by Fuzz/build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM build.
#if canImport(Glibc)
import Glibc
#endif
@testable import TrennwandReaders
import TrennwandRecords

private let limits = ArchiveLimits(maxExpandedBytes: 4 << 20, maxRatio: 200, ratioGrace: 64 << 10)

/// Reads `stream` to its end in small blocks; returns the bytes delivered.
private func drain(_ stream: inout any ByteStream) throws -> Int64 {
    var block = [UInt8](repeating: 0, count: 1000)
    var total: Int64 = 0
    while true {
        let n = try block.withUnsafeMutableBytes { try stream.read(into: $0) }
        precondition(n >= 0 && n <= block.count)
        if n == 0 { return total }
        total += Int64(n)
        precondition(total <= limits.maxExpandedBytes, "stream delivered beyond the limit")
    }
}

private let scratch = "/tmp/trennwand-fuzz-archive-\(getpid()).zip"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        if data[0] & 1 == 0 {
            var stream: any ByteStream = try GzipStream(MemoryByteStream(bytes), name: "fuzz.gz", limits: limits, blockSize: 17)
            _ = try drain(&stream)
        } else {
            let fd = open(scratch, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            precondition(fd >= 0)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            let archive = try ZipArchive(path: scratch)
            for entry in archive.entries where !entry.isDirectory {
                do {
                    var stream = try archive.openMember(entry.name, inputName: "fuzz.zip!/" + entry.name, limits: limits)
                    _ = try drain(&stream)
                } catch is InputError {}
            }
        }
    } catch is InputError {
        return 0
    } catch {
        fatalError("threw a non-InputError: \(error)")
    }
    return 0
}
