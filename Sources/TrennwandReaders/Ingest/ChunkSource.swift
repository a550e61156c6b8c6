// Chunked reading, format-independent part: a format whose records can be found from an offset
// (CSV: candidates verified by the parser, JSON Lines: every line, XML: record start tags at line
// starts with the open ancestors replayed) offers a `ChunkSource`; the scan cuts the file at
// `boundaries` and reads each chunk with `Ingest.runChunk` on its own thread.
// Line numbers and record indices are chunk-local (first line 1, first index 1): the consumer,
// which merges chunks in order, adds `lineBreaks` and `records` of the chunks before, and re-reads
// a chunk from the previous chunk's `end` (with its `endContext`) when that differs from the
// chunk's candidate start (or its `startContext`). `ChunkChain` is that consumer's bookkeeping.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// A file prepared for chunked reading (its header, if any, read once).
public protocol ChunkSource: Sendable {
    var path: String { get }
    /// Byte offset of the first record (after a header or BOM).
    var dataStart: Int64 { get }
    /// Physical line number (1-based) at `dataStart`.
    var firstLine: Int { get }
    var fileSize: Int64 { get }
    /// Candidate chunk starts, ascending, the first one `dataStart`; each about as far from the
    /// one before as `schedule` says for that position.
    func boundaries(_ schedule: ChunkSchedule) throws -> [Int64]
    /// The profile compiled for this file (throws what the whole-file path would).
    func normaliser(profile: SourceProfile) throws -> ProfileNormaliser
    /// Reads the records that start in `[start, end)`; keeps `progress` current even when it throws.
    func read(from start: Int64, before end: Int64, blockSize: Int, normaliser: ProfileNormaliser,
              progress: inout ChunkProgress, _ body: (NormaliseOutcome) throws -> Void,
              rejected: (Rejection) throws -> Void) throws
    /// Like `read(from:before:…)`, for formats whose parser carries state from one record to the
    /// next (XML: the open elements and their namespaces). `context`: the state at `start` as the
    /// previous chunk reported it (`ChunkOutcome.endContext`); nil: the source guesses it (and
    /// reports the guess as `progress.startContext`). `skipping`: the first records not to
    /// deliver (the sequential re-read from the file start skips those already merged).
    /// The default (line formats) has no state: `context` must be nil and `skipping` 0.
    func read(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
              normaliser: ProfileNormaliser, progress: inout ChunkProgress, _ body: (NormaliseOutcome) throws -> Void,
              rejected: (Rejection) throws -> Void) throws
    /// Like `read(from:context:skipping:…)`, with the records in column batches of `capacity`
    /// (`RecordSource.forEachBatch`); `batch` is reused, `body` must copy what it keeps.
    func readBatches(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
                     normaliser: ProfileNormaliser, symbols: SymbolTable, capacity: Int, progress: inout ChunkProgress,
                     _ body: (RecordBatch) throws -> Void, rejected: (Rejection) throws -> Void) throws
    /// Whether a chunk that ends in a file error is read again as part of one sequential read from
    /// the file start (XML: libxml2's messages may cite state from before the chunk, e.g. the line
    /// of an element opened earlier). False: the chunk's error stands (CSV, JSON Lines).
    var errorsNeedSequentialRead: Bool { get }
    /// Most bytes of distinct names (`ChunkProgress.names`) the chunks of one file may report
    /// before the rest of the file is read sequentially; nil: the format reports none.
    var nameBudget: Int? { get }
}

extension ChunkSource {
    public func read(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
                     normaliser: ProfileNormaliser, progress: inout ChunkProgress, _ body: (NormaliseOutcome) throws -> Void,
                     rejected: (Rejection) throws -> Void) throws {
        precondition(context == nil && skipping == 0, "\(Self.self) keeps no parser state between records")
        try read(from: start, before: end, blockSize: blockSize, normaliser: normaliser, progress: &progress, body, rejected: rejected)
    }

    /// Formats without a batch reader of their own: their records written into columns.
    public func readBatches(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
                            normaliser: ProfileNormaliser, symbols: SymbolTable, capacity: Int, progress: inout ChunkProgress,
                            _ body: (RecordBatch) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        let batch = RecordBatch(kind: normaliser.kind, file: normaliser.file, capacity: capacity)
        var p = progress
        defer { progress = p }
        try BatchDelivery.run(batch: { batch }, body: body) { deliver in
            try read(from: start, context: context, skipping: skipping, before: end, blockSize: blockSize, normaliser: normaliser,
                     progress: &p, { outcome in
                switch outcome {
                case .record(let r):
                    batch.append(r, symbols: symbols)
                    if batch.isFull { try deliver(batch) }
                case .rejected(let rejection):
                    try rejected(rejection)
                }
            }, rejected: rejected)
        }
    }

    public var errorsNeedSequentialRead: Bool { false }
    public var nameBudget: Int? { nil }
}

/// The parser state at a chunk boundary that the next chunk must start from, in a form that
/// compares byte for byte (XML: the open ancestors' start tags as libxml2 parsed them, written
/// out canonically). Equal contexts mean the parser continues identically.
public struct ChunkContext: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// A guess that could not be made or parsed: equal to no boundary's context.
    public static let unusable = ChunkContext(bytes: [])
}

/// Where a chunk's reader stopped and what it passed.
public struct ChunkProgress: Sendable {
    /// Where the next record would start: the true start of the next chunk.
    public var end: Int64
    /// Physical line ends consumed (the next chunk's first line is `firstLine + lineBreaks`).
    public var lineBreaks = 0
    /// Data records seen (delivered and rejected).
    public var records = 0
    /// The parser context this chunk started from (guessed or given); nil: none (line formats, file start).
    public var startContext: ChunkContext?
    /// The parser context at `end`, for the next chunk; nil: none.
    public var endContext: ChunkContext?
    /// Distinct names the chunk's parser took into a per-parse table with a size limit (XML:
    /// libxml2's name dictionary), in first-seen order.
    public var names: [[UInt8]] = []
    /// Bytes read from the file (a sequential re-read reports what a whole-file read would).
    public var bytesRead: Int64 = 0

    public init(end: Int64) { self.end = end }
}

/// What reading one chunk produced besides the records.
public struct ChunkOutcome: Sendable {
    /// Chunk-local counts, rejections (chunk-local line and index) and, on a read error or a
    /// consumer error, `fileError`: the file stops there.
    public var account: InputAccount
    /// Where the chunk's reader stopped: the true start of the next chunk.
    public var end: Int64
    /// Physical line ends consumed (the next chunk's first line is `firstLine + lineBreaks`).
    public var lineBreaks: Int
    /// Data records seen (delivered and rejected).
    public var records: Int
    /// See `ChunkProgress`.
    public var startContext: ChunkContext?
    public var endContext: ChunkContext?
    public var names: [[UInt8]] = []
    public var bytesRead: Int64 = 0
}

extension Ingest {
    /// `path` prepared for chunked reading with `profile`, or nil: the file is read whole by
    /// `Ingest.run` (a format without chunking, a file of another format, a header the profile
    /// does not fit — `Ingest.run` then accounts for the error).
    public static func chunkSource(path: String, profile: SourceProfile) -> (any ChunkSource)? {
        guard (try? ProfileCatalog.sniffFormat(path: path)) == profile.format else { return nil }
        return profile.format.spec.chunkSource(path: path, profile: profile)
    }

    /// Like `runChunk`, with the records in column batches (`ChunkSource.readBatches`); the
    /// accounting is the same, a consumer's error is located at the batch's first record.
    public static func runChunkBatches(_ source: any ChunkSource, normaliser: ProfileNormaliser, start: Int64, end: Int64,
                                       context: ChunkContext? = nil, skipping: Int = 0, blockSize: Int = 256 << 10,
                                       symbols: SymbolTable, capacity: Int = RecordBatch.defaultCapacity,
                                       body: (RecordBatch) throws -> Void) -> ChunkOutcome {
        chunkOutcome(source, normaliser: normaliser, start: start, end: end, context: context) { progress, account in
            try source.readBatches(from: start, context: context, skipping: skipping, before: end, blockSize: blockSize,
                                   normaliser: normaliser, symbols: symbols, capacity: capacity, progress: &progress, { batch in
                account.countNormalised(batch.count)
                do { try body(batch) } catch { throw ConsumerError(locator: batch.locator(0), underlying: error) }
            }, rejected: { account.reject($0) })
        }
    }

    /// Reads the records of `source` that start in `[start, end)` (`start` must be a record
    /// boundary) through `normaliser`, calling `body` for each in order. `context` and `skipping`:
    /// see `ChunkSource.read(from:context:skipping:…)`.
    /// Never throws: errors end up in `account.fileError`.
    public static func runChunk(_ source: any ChunkSource, normaliser: ProfileNormaliser, start: Int64, end: Int64,
                                context: ChunkContext? = nil, skipping: Int = 0, blockSize: Int = 256 << 10,
                                body: (Record) throws -> Void) -> ChunkOutcome {
        chunkOutcome(source, normaliser: normaliser, start: start, end: end, context: context) { progress, account in
            try source.read(from: start, context: context, skipping: skipping, before: end, blockSize: blockSize,
                            normaliser: normaliser, progress: &progress, { result in
                switch result {
                case .record(let r):
                    account.countNormalised()
                    do { try body(r) } catch { throw ConsumerError(locator: r.locator, underlying: error) }
                case .rejected(let rejection):
                    account.reject(rejection)
                }
            }, rejected: { account.reject($0) })
        }
    }

    /// The outcome of reading one chunk with `read` (records or batches), which keeps `progress`
    /// and the chunk's account current; a thrown error becomes the account's file error.
    private static func chunkOutcome(_ source: any ChunkSource, normaliser: ProfileNormaliser, start: Int64, end: Int64,
                                     context: ChunkContext?,
                                     _ read: (inout ChunkProgress, inout InputAccount) throws -> Void) -> ChunkOutcome {
        var outcome = ChunkOutcome(account: InputAccount(file: source.path, profile: normaliser.profile.id),
                                   end: start, lineBreaks: 0, records: 0)
        // Nothing starts here (a re-read whose true start is at or past its end): the chunk ends
        // where it starts, in the context it was given.
        outcome.startContext = context
        outcome.endContext = context
        if start >= end || start >= source.fileSize { return outcome }
        var account = outcome.account
        var progress = ChunkProgress(end: start)
        do {
            try read(&progress, &account)
        } catch {
            account.fileError = fileError(error, file: source.path)
        }
        outcome.end = progress.end
        outcome.lineBreaks = progress.lineBreaks
        outcome.records = progress.records
        outcome.startContext = progress.startContext
        outcome.endContext = progress.endContext
        outcome.names = progress.names
        outcome.bytesRead = progress.bytesRead
        outcome.account = account
        return outcome
    }
}

extension ChunkSource {
    /// Candidate chunk starts about `chunkBytes` apart.
    public func boundaries(chunkBytes: Int) throws -> [Int64] { try boundaries(ChunkSchedule(chunkBytes: chunkBytes)) }
}

/// How far apart a file's chunks are cut: `chunkBytes`, and with a guided tail smaller towards the
/// end of the file.
///
/// Why a tail: the workers take chunks in order, and the scan ends when the last chunk is done. With
/// equal chunks one worker is still on its last chunk while the others have nothing left — on the
/// 256 MB XML bench export with two threads and 8 MiB chunks the two threads finished 3–45 ms apart
/// (issue 20, fourteenth stop). Guided: once less than `tailWorkers × 2 × chunkBytes` is left, a
/// chunk is the rest divided by `2 × tailWorkers`, but at least a quarter of `chunkBytes`, so the last
/// chunks are short and the workers end together, at the cost of a few more chunk starts.
public struct ChunkSchedule: Sendable, Equatable {
    public var chunkBytes: Int
    /// Workers the tail is shared by; 0 or 1: no tail (every chunk `chunkBytes`).
    public var tailWorkers: Int

    public init(chunkBytes: Int, tailWorkers: Int = 0) {
        self.chunkBytes = chunkBytes
        self.tailWorkers = tailWorkers
    }

    /// The size of the chunk that starts at `position` of a file of `fileSize` bytes.
    public func size(at position: Int64, fileSize: Int64) -> Int {
        guard tailWorkers > 1, chunkBytes > 0 else { return chunkBytes }
        let rest = fileSize - position
        let guided = rest / Int64(2 * tailWorkers)
        guard guided < Int64(chunkBytes) else { return chunkBytes }
        return Swift.max(Int(guided), Swift.max(1, chunkBytes / 4))
    }
}

/// Chunk boundaries of the line-based formats (CSV, JSON Lines).
enum LineBoundaries {
    /// From `dataStart`, every chunk size of `schedule`: the offset just after the first LF at or
    /// after that point (`skippingLineBreaks`: also past the CR/LF bytes that follow, as the CSV
    /// parser skips blank lines between records). Ascending, the first one `dataStart`.
    static func starts(path: String, dataStart: Int64, fileSize: Int64, schedule: ChunkSchedule,
                       skippingLineBreaks: Bool) throws -> [Int64] {
        var starts: [Int64] = [dataStart]
        let chunkBytes = schedule.chunkBytes
        guard chunkBytes > 0, fileSize - dataStart > Int64(chunkBytes) else { return starts }
        let fd = try InputFile.open(path)
        defer { _ = close(fd) }
        let window = 64 << 10
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: window, alignment: 16)
        defer { buffer.deallocate() }
        var target = dataStart + Int64(schedule.size(at: dataStart, fileSize: fileSize))
        search: while target < fileSize {
            var pos = target
            var sawLF = false
            while pos < fileSize {
                let n = pread(fd, buffer, window, off_t(pos))
                if n <= 0 { break search }
                let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
                var i = 0
                if !sawLF {
                    guard let hit = memchr(buffer, 0x0A, n) else {
                        pos += Int64(n)
                        continue
                    }
                    sawLF = true
                    i = buffer.distance(to: hit) + 1
                    if !skippingLineBreaks {
                        pos += Int64(i)
                        break
                    }
                }
                while i < n && (bytes[i] == 0x0A || bytes[i] == 0x0D) { i += 1 }
                pos += Int64(i)
                if i < n { break }
            }
            guard sawLF, pos < fileSize else { break }
            if pos > starts[starts.count - 1] { starts.append(pos) }
            target = pos + Int64(schedule.size(at: pos, fileSize: fileSize))
        }
        return starts
    }
}
