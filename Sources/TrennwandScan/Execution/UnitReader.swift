import Foundation
import TrennwandReaders
import TrennwandRecords

/// Every call of the scan into the readers, in one place: choosing a profile, reading a file
/// whole, cutting a CSV file into chunks and reading one chunk.
enum UnitReader {
    /// The profile an input names, else the one detected from its header or root element.
    static func profile(for input: ScanInput, catalog: ProfileCatalog) throws -> SourceProfile {
        if let id = input.profile { return try catalog.require(id: id) }
        return try catalog.detect(file: input.path)
    }

    /// Reads a file whole; its records go to `body`. Errors are in the account.
    static func readWhole(path: String, profile: SourceProfile, catalog: ProfileCatalog, body: (Record) -> Void) -> InputAccount {
        Ingest.run(file: path, profile: profile, catalog: catalog, body: body).account
    }

    /// A CSV file cut at candidate record boundaries about `chunkBytes` apart, or nil when the file
    /// is not one that can be read in chunks (then it is read whole).
    static func chunks(_ path: String, profile: SourceProfile, chunkBytes: Int) -> (source: CSVChunkSource, starts: [Int64])? {
        guard profile.format == .csv, let source = chunkSource(path, profile: profile),
              let starts = try? source.boundaries(chunkBytes: chunkBytes) else { return nil }
        return (source, starts)
    }

    /// A CSV file that can be read in chunks: right format, readable header, profile columns
    /// present. Anything else is read whole by `Ingest.run`, which accounts for the error.
    static func chunkSource(_ path: String, profile: SourceProfile) -> CSVChunkSource? {
        guard (try? ProfileCatalog.sniffFormat(path: path)) == .csv,
              let source = try? CSVChunkSource(path: path, dialect: CSVDialect(delimiter: profile.delimiter, encoding: profile.encoding)),
              (try? ProfileNormaliser(profile: profile, header: source.header, file: path)) != nil
        else { return nil }
        return source
    }

    /// Reads the records of one chunk (`start..<end`); the normaliser is built once per file.
    static func readChunk(_ source: CSVChunkSource, profile: SourceProfile, start: Int64, end: Int64,
                          normalisers: inout [String: ProfileNormaliser], body: (Record) -> Void) -> CSVChunkOutcome {
        let normaliser: ProfileNormaliser
        if let n = normalisers[source.path] {
            normaliser = n
        } else {
            // chunkSource checked that this does not throw.
            normaliser = try! ProfileNormaliser(profile: profile, header: source.header, file: source.path)
            normalisers = [source.path: normaliser]
        }
        return Ingest.runCSVChunk(source, normaliser: normaliser, start: start, end: end, body: body)
    }
}
