import Foundation
import TrennwandReaders
import TrennwandRecords

/// Every call of the scan into the readers, in one place: choosing a profile, reading a file
/// whole, cutting a file into chunks and reading one chunk. `package` for `trennwand export`,
/// which reads its inputs the way the scan does.
package enum UnitReader {
    /// The profile an input names, else the one detected from its header or root element.
    static func profile(for input: ScanInput, catalog: ProfileCatalog) throws -> SourceProfile {
        if let id = input.profile { return try catalog.require(id: id) }
        return try catalog.detect(file: input.path)
    }

    /// The profile of an input, or (`failure`) the account of an input without a usable profile,
    /// its file error as the scan reports it. Other errors are thrown.
    package static func resolve(_ input: ScanInput, catalog: ProfileCatalog) throws -> (profile: SourceProfile?, failure: InputAccount?) {
        do {
            return (try profile(for: input, catalog: catalog), nil)
        } catch let e as InputError {
            var a = InputAccount(file: input.path)
            a.fileError = e.rejection
            return (nil, a)
        } catch let e as ConfigError {
            var a = InputAccount(file: input.path)
            a.fileError = Rejection(locator: Locator(file: input.path, line: 0, byteOffset: 0, index: 0),
                                    reason: RejectReason(code: e.code, de: e.text(.de), en: e.text(.en)))
            return (nil, a)
        }
    }

    /// Reads a file whole; its records go to `body`. Errors are in the account.
    package static func readWhole(path: String, profile: SourceProfile, catalog: ProfileCatalog, body: (Record) -> Void) -> InputAccount {
        guard let report = ReadProgress.sink else { return Ingest.run(file: path, profile: profile, catalog: catalog, body: body).account }
        let size = ReadProgress.plainSize(path)
        var records = 0
        let account = Ingest.run(file: path, profile: profile, catalog: catalog) { record in
            records += 1
            if records % ReadProgress.recordStride == 0 {
                report(ReadProgress(path: path, bytes: Int64(record.locator.byteOffset), size: size, records: records))
            }
            body(record)
        }.account
        report(ReadProgress(path: path, bytes: size ?? account.bytes, size: size, records: account.read))
        return account
    }

    /// Reads a file whole in column batches (symbols interned into `symbols`); errors are in the account.
    static func readWholeBatches(path: String, profile: SourceProfile, catalog: ProfileCatalog, symbols: SymbolTable,
                                 body: (RecordBatch) -> Void) -> InputAccount {
        guard let report = ReadProgress.sink else {
            return Ingest.runBatches(file: path, profile: profile, catalog: catalog, symbols: symbols, body: body).account
        }
        let size = ReadProgress.plainSize(path)
        var records = 0, reported = 0
        let account = Ingest.runBatches(file: path, profile: profile, catalog: catalog, symbols: symbols) { batch in
            records += batch.count
            if records - reported >= ReadProgress.recordStride {
                reported = records
                report(ReadProgress(path: path, bytes: batch.byteOffsets[batch.count - 1], size: size, records: records))
            }
            body(batch)
        }.account
        report(ReadProgress(path: path, bytes: size ?? account.bytes, size: size, records: account.read))
        return account
    }

    /// A file cut at candidate record boundaries spaced by `schedule` (the format's
    /// `ChunkSource`: CSV, JSON Lines, XML), or nil when the file cannot be read in chunks
    /// (compressed inputs, a header the profile does not fit, XML the split cannot reproduce
    /// exactly — see XMLChunkSource.swift); then it is read whole, which accounts for errors.
    /// An XML file of one chunk is read whole too: then its parsing is pipelined with evaluation
    /// on two threads (`RecordPipe`), which one chunk is not.
    static func chunks(_ path: String, profile: SourceProfile, schedule: ChunkSchedule) -> (source: any ChunkSource, starts: [Int64])? {
        guard let source = Ingest.chunkSource(path: path, profile: profile),
              (try? source.normaliser(profile: profile)) != nil,
              let starts = try? source.boundaries(schedule) else { return nil }
        if starts.count == 1 && profile.format == .xml { return nil }
        return (source, starts)
    }

    /// The normaliser of a chunked file, built once per file (the last file's is kept).
    private static func normaliser(_ source: any ChunkSource, profile: SourceProfile,
                                   normalisers: inout [String: ProfileNormaliser]) -> ProfileNormaliser {
        if let n = normalisers[source.path] { return n }
        // chunks(_:profile:chunkBytes:) checked that this does not throw.
        let n = try! source.normaliser(profile: profile)
        normalisers = [source.path: n]
        return n
    }

    /// Reads the records of one chunk (`start..<end`) in column batches.
    static func readChunkBatches(_ source: any ChunkSource, profile: SourceProfile, start: Int64, end: Int64, context: ChunkContext? = nil,
                                 skipping: Int = 0, normalisers: inout [String: ProfileNormaliser], symbols: SymbolTable,
                                 body: (RecordBatch) -> Void) -> ChunkOutcome {
        let n = normaliser(source, profile: profile, normalisers: &normalisers)
        return Ingest.runChunkBatches(source, normaliser: n, start: start, end: end, context: context, skipping: skipping,
                                      symbols: symbols, body: body)
    }

    /// Reads the records of one chunk (`start..<end`); the normaliser is built once per file.
    static func readChunk(_ source: any ChunkSource, profile: SourceProfile, start: Int64, end: Int64, context: ChunkContext? = nil,
                          skipping: Int = 0, normalisers: inout [String: ProfileNormaliser], body: (Record) -> Void) -> ChunkOutcome {
        let normaliser = normaliser(source, profile: profile, normalisers: &normalisers)
        return Ingest.runChunk(source, normaliser: normaliser, start: start, end: end, context: context, skipping: skipping, body: body)
    }
}
