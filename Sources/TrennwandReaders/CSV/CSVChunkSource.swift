// Parallel CSV reading: one large file split into chunks at record boundaries, each chunk parsed
// by its own reader on its own thread.
//
// How boundaries agree with the parser (quotes, stray quotes inside unquoted fields, line ends in
// quoted fields): the chunker only proposes *candidates* — the byte after the first LF at or after
// every `chunkBytes`, moved past any further CR/LF bytes (blank lines), so a candidate is always
// the first byte of a non-blank line. Whether it really is the start of a record is not decided
// by looking at the bytes around it (a quoted field may hold whole lines that look like records);
// it is decided by the parser itself, by induction:
//
// - chunk 0 starts right after the header: a true record boundary;
// - a chunk reader parses every record that *starts* before its chunk's end (a record may run past
//   it) and reports where it stopped, `ChunkProgress.end` — after its last record and any blank
//   lines, i.e. exactly where the sequential reader would parse the next record;
// - if that position equals the next chunk's candidate, the next chunk started at a true boundary
//   and its result stands; otherwise (the candidate was inside a quoted field, or a record ran over
//   a whole chunk) the consumer throws the speculative result away and parses that chunk again from
//   the true position (`start` = previous `end`), which again yields a true `end`.
//
// So the records, rejections, line numbers and indices are exactly those of one sequential read,
// whatever the content; a wrong guess costs one re-parse of a chunk, never a wrong result.
// Line numbers and record indices are chunk-local (see Ingest/ChunkSource.swift, which also holds
// the format-independent `Ingest.runChunk`).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// A CSV file prepared for chunked reading: its header has been read once.
public struct CSVChunkSource: ChunkSource {
    public let path: String
    public let header: [String]
    public let delimiter: UInt8
    public let encoding: TextEncoding
    /// Byte offset of the first byte after the header line.
    public let dataStart: Int64
    /// Physical line number (1-based) at `dataStart`.
    public let firstLine: Int
    public let fileSize: Int64

    /// Reads the header (same detection rules as `CSVReader`). Throws what `CSVReader` throws,
    /// and `input.not-seekable` for a compressed input (gzip, zip member): it is read whole.
    public init(path: String, dialect: CSVDialect) throws {
        let reader = try CSVReader(path: path, dialect: dialect)
        if reader.isCompressed {
            throw InputFile.notSeekable(path)
        }
        self.path = path
        header = reader.header
        delimiter = reader.delimiter
        encoding = reader.encoding
        dataStart = reader.input.fileOffset + Int64(reader.input.position)
        firstLine = reader.line
        let fd = try CSVReader.openFile(path)
        defer { _ = close(fd) }
        var info = stat()
        _ = fstat(fd, &info)
        fileSize = Int64(info.st_size)
    }

    /// Candidate chunk starts, ascending, the first one `dataStart` (see the file comment), spaced by `schedule`.
    public func boundaries(_ schedule: ChunkSchedule) throws -> [Int64] {
        try LineBoundaries.starts(path: path, dataStart: dataStart, fileSize: fileSize, schedule: schedule,
                                  skippingLineBreaks: true)
    }
}

extension CSVReader {
    /// Like `forEachRecord`, but only records that start before the file offset `stop`.
    /// Returns the offset where the next record would start and the number of data records seen.
    func forEachRecord(before stop: Int64, _ body: (CSVRow) throws -> Void,
                       rejected: (Rejection) throws -> Void) throws -> (end: Int64, records: Int) {
        try readRecords(before: stop, learnFieldCount: false, body, rejected: rejected)
        return (input.fileOffset &+ Int64(input.position), recordCount)
    }
}

extension CSVChunkSource {
    /// The profile compiled against this file's header (`profile.missing-column` when it does not fit).
    public func normaliser(profile: SourceProfile) throws -> ProfileNormaliser {
        try ProfileNormaliser(profile: profile, header: header, file: path)
    }

    /// The CSV batch path: rows normalised straight into the batch's columns (`BatchFill`).
    public func readBatches(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
                            normaliser: ProfileNormaliser, symbols: SymbolTable, capacity: Int, progress: inout ChunkProgress,
                            _ body: (RecordBatch) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        precondition(context == nil && skipping == 0, "CSV keeps no parser state between records")
        let reader = try self.reader(at: start, blockSize: blockSize)
        defer { progress.lineBreaks = reader.line - 1 }
        let fill = BatchFill(normaliser: normaliser, symbols: symbols, capacity: capacity)
        var p = progress
        defer { progress.end = p.end; progress.records = p.records }
        try BatchDelivery.run(batch: { fill.batch }, body: body) { deliver in
            (p.end, p.records) = try reader.forEachRecord(before: end, { row in
                try fill.add(row, rejected: rejected, deliver: deliver)
            }, rejected: rejected)
        }
    }

    /// A reader of this file positioned at `start` (a record boundary).
    private func reader(at start: Int64, blockSize: Int) throws -> CSVReader {
        let fd = try CSVReader.openFile(path)
        if lseek(fd, off_t(start), SEEK_SET) < 0 {
            let code = errno
            _ = close(fd)
            throw CSVReader.unreadable(path, errno: code, byteOffset: start)
        }
        return CSVReader(chunkOf: self, descriptor: fd, start: start, blockSize: blockSize)
    }

    public func read(from start: Int64, before end: Int64, blockSize: Int, normaliser: ProfileNormaliser,
                     progress: inout ChunkProgress, _ body: (NormaliseOutcome) throws -> Void,
                     rejected: (Rejection) throws -> Void) throws {
        let reader = try self.reader(at: start, blockSize: blockSize)
        defer { progress.lineBreaks = reader.line - 1 }
        (progress.end, progress.records) = try reader.forEachRecord(before: end, { row in
            try body(normaliser.normalise(row))
        }, rejected: rejected)
    }
}
