// `trennwand-bench idscan FILE`: identifier detection (Vectorscan candidates + check digits and
// context words, the identifier detectors of Rules/detectors.yaml only) over a file, next to
// which `make bench` runs ripgrep with the same candidate patterns (`idscan --patterns`).
import Foundation
import TrennwandEngine

enum IdentifierScanBench {
    /// Prints the identifier candidate patterns, one per line (for `rg -f`).
    static func printPatterns(rulesDirectory: String) throws {
        let set = try DetectorSet(detectorsFile: (rulesDirectory as NSString).appendingPathComponent("detectors.yaml"),
                                  listsDirectory: nil)
        for p in set.identifierPatterns { print(p.pattern) }
    }

    /// Scans FILE in 4 MiB blocks cut after a newline (an identifier never spans lines), the way
    /// ripgrep searches a buffer, and prints the number of validated hits and lines with a hit.
    static func run(file: String, rulesDirectory: String) throws {
        let set = try DetectorSet(detectorsFile: (rulesDirectory as NSString).appendingPathComponent("detectors.yaml"),
                                  listsDirectory: nil)
        let scanner = set.makeScanner()
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: file]) }
        defer { close(fd) }
        // One reused buffer: [0, kept) holds the unfinished last line of the previous block.
        let blockSize = 4 << 20
        var buffer = [UInt8](repeating: 0, count: 2 * blockSize)
        var kept = 0, hits = 0, bytes = 0
        while true {
            if kept == buffer.count { buffer += [UInt8](repeating: 0, count: blockSize) }   // a line longer than the buffer
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + kept, min(blockSize, $0.count - kept)) }
            guard n >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: file]) }
            bytes += n
            let filled = kept + n
            let end = n == 0 ? filled : (buffer[kept..<filled].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0)
            if end > 0 {
                buffer.withUnsafeBufferPointer { hits += scanner.scan(UnsafeBufferPointer(rebasing: $0[0..<end])).count }
            }
            if n == 0 { break }
            buffer.withUnsafeMutableBytes { b in
                if filled > end { b.baseAddress!.copyMemory(from: b.baseAddress! + end, byteCount: filled - end) }
            }
            kept = filled - end
        }
        print("\(hits) validated identifiers in \(bytes) bytes (\(set.identifierPatterns.count) candidate patterns)")
    }
}
