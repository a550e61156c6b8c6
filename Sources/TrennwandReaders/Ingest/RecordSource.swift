import TrennwandRecords

/// One input file opened by its format's reader with the profile compiled against it: what
/// `Ingest.run` loops over, whatever the format.
public protocol RecordSource: AnyObject {
    /// The compiled profile (CSV: resolved against the file's header).
    var normaliser: ProfileNormaliser { get }
    /// Bytes of the file consumed so far (the account's `bytes` after the loop).
    var bytesRead: Int64 { get }
    /// Calls `body` with every record, normalised or rejected by the profile, in file order;
    /// records the reader itself refuses go to `rejected`. A broken file throws `InputError`
    /// after the records before the break were delivered.
    func forEachRecord(_ body: (NormaliseOutcome) throws -> Void, rejected: (Rejection) throws -> Void) throws
    /// Adds what the reader learnt about the file (encoding, delimiter, unused columns).
    func describe(_ result: inout IngestResult)
}

extension RecordSource {
    public func describe(_ result: inout IngestResult) {}
}
