// Ingest: one input file → profile (given or detected) → its format's `RecordSource` (reader +
// normaliser) → records, with every record accounted for; one loop for every format.
// The scan and gate commands and `trennwand ingest` all go through it.
import Foundation
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
            let source = try open(file: file, profile: profile, catalog: catalog, into: &result)
            var account = result.account
            defer {
                account.bytes = source.bytesRead
                result.account = account
            }
            try source.forEachRecord({ outcome in
                switch outcome {
                case .record(let r):
                    account.countNormalised()
                    do { try body(r) } catch { throw ConsumerError(locator: r.locator, underlying: error) }
                case .rejected(let rejection):
                    account.reject(rejection)
                }
            }, rejected: { account.reject($0) })
        } catch {
            result.account.fileError = fileError(error, file: file)
        }
        return result
    }

    /// Like `run`, with the normalised records in column batches (`RecordSource.forEachBatch`).
    /// The accounting is the same; a consumer's error is located at the batch's first record.
    public static func runBatches(file: String, profile: SourceProfile?, catalog: ProfileCatalog, symbols: SymbolTable,
                                  capacity: Int = RecordBatch.defaultCapacity,
                                  body: (RecordBatch) throws -> Void) -> IngestResult {
        var result = IngestResult(account: InputAccount(file: file))
        do {
            let source = try open(file: file, profile: profile, catalog: catalog, into: &result)
            var account = result.account
            defer {
                account.bytes = source.bytesRead
                result.account = account
            }
            try source.forEachBatch(symbols: symbols, capacity: capacity, { batch in
                account.countNormalised(batch.count)
                do { try body(batch) } catch { throw ConsumerError(locator: batch.locator(0), underlying: error) }
            }, rejected: { account.reject($0) })
        } catch {
            result.account.fileError = fileError(error, file: file)
        }
        return result
    }

    /// The file's profile (given or detected) checked against the file's format, and its source
    /// opened; the profile and what the reader learnt go into `result`.
    private static func open(file: String, profile: SourceProfile?, catalog: ProfileCatalog,
                             into result: inout IngestResult) throws -> any RecordSource {
        let chosen = try profile ?? catalog.detect(file: file)
        result.account.profile = chosen.id
        let actual = try ProfileCatalog.sniffFormat(path: file)
        guard actual == chosen.format else {
            throw ProfileIssue.wrongFormat(file: file, profile: chosen.id, format: chosen.format)
        }
        let source = try chosen.format.spec.open(file: file, profile: chosen)
        source.describe(&result)
        return source
    }

    struct ConsumerError: Error {
        let locator: Locator
        let underlying: any Error
    }

    /// The rejection that stops a file: the reader's `InputError`, a consumer's error, a profile
    /// that does not fit (`ConfigError`), anything else as `input.error`.
    static func fileError(_ error: any Error, file: String) -> Rejection {
        switch error {
        case let e as InputError:
            return e.rejection
        case let e as ConsumerError:
            return Rejection(locator: e.locator,
                             reason: RejectReason(code: "ingest.consumer-error",
                                                  de: "Verarbeitung abgebrochen: \(e.underlying)",
                                                  en: "processing stopped: \(e.underlying)"))
        case let e as ConfigError:
            return Rejection(locator: Locator(file: file, line: 0, byteOffset: 0, index: 0),
                             reason: RejectReason(code: e.code, de: e.text(.de), en: e.text(.en)))
        default:
            // Never a Foundation/NSError text: the system error in our words, or a fixed text.
            let cause = systemErrno(error).map { SystemErrorText.describe($0) }
                ?? Localized(de: "unbekannte Ursache", en: "unknown cause")
            return Rejection(locator: Locator(file: file, line: 0, byteOffset: 0, index: 0),
                             reason: RejectReason(code: "input.error",
                                                  de: "Datei nicht lesbar: \(cause.de) – Pfad, Berechtigungen und Datenträger prüfen",
                                                  en: "file not readable: \(cause.en) – check the path, permissions and the disk"))
        }
    }
}

/// The POSIX error code behind a Foundation error (`NSPOSIXErrorDomain`, or a Cocoa file error
/// with a POSIX underlying error), if any.
func systemErrno(_ error: any Error) -> Int32? {
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return Int32(underlying.code)
    }
    return nil
}
