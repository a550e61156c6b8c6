// JSON Lines reading: the file (or a byte range of it) split at LF into lines, each line parsed by
// `JSONLineParser`. A line is a record unless it is blank; a line longer than `maxLineBytes` is
// rejected without being buffered (the reader skips to the next LF). The last line needs no LF.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// One line handed to the consumer: valid only inside the callback.
struct JSONLine {
    /// The line's bytes without its LF.
    var bytes: UnsafeRawBufferPointer
    /// 1-based physical line (chunk-local when reading a chunk).
    var line: Int
    var byteOffset: Int64
    /// 1-based record index (blank lines do not count; rejected lines do).
    var index: Int
}

final class JSONLinesReader {
    /// 1 MiB: a log event is a few KiB; a longer line is rejected (`jsonl.line-too-long`).
    static let defaultMaxLineBytes = 1 << 20

    let path: String
    let maxLineBytes: Int
    /// A plain file is read with `pread` (chunks start anywhere); a compressed input (gzip, zip
    /// member) through its decompressing stream, from the start only.
    private let input: InputFile.Opened
    private(set) var bytesRead: Int64 = 0
    /// Line number of the next line and records seen so far.
    private(set) var line = 1
    private(set) var records = 0
    /// File offset after the last line consumed.
    private(set) var position: Int64

    /// Opens `path` at `start` (0: the file's start, where a UTF-8 BOM is skipped and a UTF-16/32
    /// BOM refused).
    init(path: String, start: Int64 = 0, maxLineBytes: Int = JSONLinesReader.defaultMaxLineBytes) throws {
        self.path = path
        self.maxLineBytes = max(16, maxLineBytes)
        input = try InputFile.openForReading(path)
        position = start
        if case .stream = input, start != 0 {
            throw InputFile.notSeekable(path)
        }
        if start == 0 {
            let head = try InputFile.head(path: path, count: 4)
            // deinit closes the input when this throws.
            if let bom = InputFile.wideBOM(head) { throw JSONLinesFormat.unsupportedEncoding(path, bom: bom) }
            if head.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        }
        if case .stream(var stream) = input, position > 0 {
            // Skip the BOM in the decompressed bytes.
            var skip = [UInt8](repeating: 0, count: Int(position))
            var got = 0
            while got < skip.count {
                let n = try skip.withUnsafeMutableBytes { try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
                if n == 0 { break }
                got += n
            }
        }
    }

    deinit { if case .plain(let fd) = input { _ = close(fd) } }

    /// Reads the next bytes at `offset` (plain files) or the stream's next bytes.
    private func read(_ buffer: UnsafeMutableRawPointer, _ count: Int, at offset: Int64) throws -> Int {
        switch input {
        case .plain(let fd):
            let n = pread(fd, buffer, count, off_t(offset))
            if n < 0 { return -Int(errno) }
            return n
        case .stream(var stream):
            return try stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: count))
        }
    }

    /// Offset of the first line: after a UTF-8 BOM.
    static func dataStart(path: String) throws -> Int64 {
        let head = try InputFile.head(path: path, count: 4)
        if let bom = InputFile.wideBOM(head) { throw JSONLinesFormat.unsupportedEncoding(path, bom: bom) }
        return head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Calls `body` for every non-blank line that starts before `stop`, `tooLong` for each line over
    /// the limit (with its offset, line and index); stops early when `body` returns false.
    func forEachLine(before stop: Int64 = .max, blockSize: Int = 256 << 10, _ body: (JSONLine) throws -> Bool,
                     tooLong: (JSONLine) throws -> Void) throws {
        let capacity = maxLineBytes + max(4096, blockSize)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0      // bytes in buffer
        var lineStart = 0   // start of the current line in buffer
        var scanned = 0     // bytes of the current line already searched for LF
        var fileOffset = position  // file offset of buffer[0]
        var eof = false
        var skipping = false       // inside a line over the limit, already reported
        while true {
            // Find the LF of the current line.
            var lf = -1
            let k = lineStart + scanned
            if k < filled, let hit = memchr(buffer + k, 0x0A, filled - k) { lf = buffer.distance(to: hit) }
            if lf < 0 {
                scanned = filled - lineStart
                if !eof && !skipping && scanned > maxLineBytes {
                    // Report once, then drop what is buffered and keep looking for the LF.
                    records += 1
                    try tooLong(JSONLine(bytes: UnsafeRawBufferPointer(start: nil, count: 0), line: line,
                                         byteOffset: fileOffset + Int64(lineStart), index: records))
                    skipping = true
                }
                if skipping && !eof {
                    fileOffset += Int64(filled)
                    filled = 0; lineStart = 0; scanned = 0
                } else if !eof && lineStart > 0 {
                    buffer.copyMemory(from: buffer + lineStart, byteCount: filled - lineStart)
                    fileOffset += Int64(lineStart)
                    filled -= lineStart
                    lineStart = 0
                }
                if eof {
                    // The last line, without LF.
                    if filled > lineStart && !skipping {
                        let bytes = UnsafeRawBufferPointer(start: buffer + lineStart, count: filled - lineStart)
                        if bytes.count > maxLineBytes {
                            records += 1
                            try tooLong(JSONLine(bytes: UnsafeRawBufferPointer(start: nil, count: 0), line: line,
                                                 byteOffset: fileOffset + Int64(lineStart), index: records))
                        } else if !JSONLineParser.isBlank(bytes) {
                            records += 1
                            _ = try body(JSONLine(bytes: bytes, line: line, byteOffset: fileOffset + Int64(lineStart), index: records))
                        }
                    }
                    position = fileOffset + Int64(filled)
                    return
                }
                let n = try read(buffer + filled, capacity - filled, at: fileOffset + Int64(filled))
                if n < 0 {
                    let code = Int32(-n)
                    if code == EINTR { continue }
                    throw CSVReader.unreadable(path, errno: code, byteOffset: fileOffset + Int64(filled))
                }
                if n == 0 { eof = true } else { filled += n; bytesRead += Int64(n) }
                continue
            }
            // A whole line in buffer[lineStart..<lf].
            let offset = fileOffset + Int64(lineStart)
            if skipping {
                skipping = false
            } else {
                let bytes = UnsafeRawBufferPointer(start: buffer + lineStart, count: lf - lineStart)
                if bytes.count > maxLineBytes {
                    records += 1
                    try tooLong(JSONLine(bytes: UnsafeRawBufferPointer(start: nil, count: 0), line: line, byteOffset: offset, index: records))
                } else if !JSONLineParser.isBlank(bytes) {
                    records += 1
                    if try !body(JSONLine(bytes: bytes, line: line, byteOffset: offset, index: records)) {
                        line += 1
                        position = fileOffset + Int64(lf + 1)
                        return
                    }
                }
            }
            line += 1
            lineStart = lf + 1
            scanned = 0
            position = fileOffset + Int64(lineStart)
            if position >= stop { return }
        }
    }
}
