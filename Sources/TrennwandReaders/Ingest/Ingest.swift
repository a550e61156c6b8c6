// Ingest: one input file → profile (given or detected) → reader → normaliser → records, with
// every record accounted for. The scan and gate commands and `trennwand ingest` all go through it.
import TrennwandRecords

/// What ingesting one file produced besides the records themselves.
public struct IngestResult: Sendable {
    /// read = normalised + rejected, every rejection with locator and reason; `fileError` for a
    /// file that could not be read, is malformed, or matches no profile. `account.profile` is the
    /// chosen profile id.
    public var account: InputAccount
    /// CSV columns the profile does not use, in file order (informational).
    public var unusedColumns: [String] = []
    /// CSV: the encoding and delimiter the reader used (given by the profile or detected).
    public var encoding: TextEncoding?
    public var delimiter: UInt8?

    public init(account: InputAccount) { self.account = account }
}

/// Runs one file through its profile. Never throws for bad input: it accounts for it.
public enum Ingest {
    /// Reads `file` with `profile` (nil: detect from `catalog`) and calls `body` for every
    /// normalised record in file order. An error thrown by `body` stops the file; it is recorded
    /// as `fileError` with code `ingest.consumer-error` (the record itself counts as normalised).
    public static func run(file: String, profile: SourceProfile?, catalog: ProfileCatalog,
                           body: (Record) throws -> Void) -> IngestResult {
        var result = IngestResult(account: InputAccount(file: file))
        do {
            let chosen = try profile ?? catalog.detect(file: file)
            result.account.profile = chosen.id
            let actual = try ProfileCatalog.sniffFormat(path: file)
            guard actual == chosen.format else {
                throw ProfileIssue.wrongFormat(file: file, profile: chosen.id, format: chosen.format)
            }
            switch chosen.format {
            case .csv: try runCSV(file: file, profile: chosen, result: &result, body: body)
            case .xml: try runXML(file: file, profile: chosen, result: &result, body: body)
            }
        } catch let e as InputError {
            result.account.fileError = e.rejection
        } catch let e as ConsumerError {
            result.account.fileError = Rejection(
                locator: e.locator,
                reason: RejectReason(code: "ingest.consumer-error",
                                     de: "Verarbeitung abgebrochen: \(e.underlying)",
                                     en: "processing stopped: \(e.underlying)"))
        } catch let e as ConfigError {
            result.account.fileError = Rejection(
                locator: Locator(file: file, line: 0, byteOffset: 0, index: 0),
                reason: RejectReason(code: e.code, de: e.text(.de), en: e.text(.en)))
        } catch {
            result.account.fileError = Rejection(
                locator: Locator(file: file, line: 0, byteOffset: 0, index: 0),
                reason: RejectReason(code: "input.error", de: "Datei nicht lesbar: \(error)", en: "file not readable: \(error)"))
        }
        return result
    }

    private struct ConsumerError: Error {
        let locator: Locator
        let underlying: any Error
    }

    private static func deliver(_ outcome: NormaliseOutcome, _ account: inout InputAccount,
                                _ body: (Record) throws -> Void) throws {
        switch outcome {
        case .record(let r):
            account.countNormalised()
            do { try body(r) } catch { throw ConsumerError(locator: r.locator, underlying: error) }
        case .rejected(let rejection):
            account.reject(rejection)
        }
    }

    private static func runCSV(file: String, profile: SourceProfile, result: inout IngestResult,
                               body: (Record) throws -> Void) throws {
        let reader = try CSVReader(path: file, dialect: CSVDialect(delimiter: profile.delimiter, encoding: profile.encoding))
        result.encoding = reader.encoding
        result.delimiter = reader.delimiter
        let normaliser = try ProfileNormaliser(profile: profile, header: reader.header, file: file)
        result.unusedColumns = normaliser.unusedColumns
        var account = result.account
        defer {
            account.bytes = reader.bytesRead
            result.account = account
        }
        try reader.forEachRecord({ row in
            try deliver(normaliser.normalise(row), &account, body)
        }, rejected: { account.reject($0) })
    }

    private static func runXML(file: String, profile: SourceProfile, result: inout IngestResult,
                               body: (Record) throws -> Void) throws {
        let normaliser = try ProfileNormaliser(profile: profile, file: file)
        guard let spec = normaliser.xmlSpec else { return }
        let reader = try XMLRecordReader(path: file, spec: spec)
        var account = result.account
        defer {
            account.bytes = reader.bytesRead
            result.account = account
        }
        try reader.forEachRecord({ view in
            try deliver(normaliser.normalise(view), &account, body)
        }, rejected: { account.reject($0) })
    }
}
