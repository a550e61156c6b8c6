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
    /// Like `forEachRecord`, but the normalised records arrive as column batches of at most
    /// `capacity` records (the last one may be smaller; `body` must copy what it keeps, the batch
    /// is reused), symbols interned into `symbols`. Rejections, the normaliser's and the reader's,
    /// go to `rejected` in file order as they happen.
    func forEachBatch(symbols: SymbolTable, capacity: Int, _ body: (RecordBatch) throws -> Void,
                      rejected: (Rejection) throws -> Void) throws
}

extension RecordSource {
    public func describe(_ result: inout IngestResult) {}

    /// Formats without a batch reader of their own: their records written into columns.
    public func forEachBatch(symbols: SymbolTable, capacity: Int, _ body: (RecordBatch) throws -> Void,
                             rejected: (Rejection) throws -> Void) throws {
        var batch: RecordBatch?
        try BatchDelivery.run(batch: { batch }, body: body) { deliver in
            try forEachRecord({ outcome in
                switch outcome {
                case .record(let r):
                    let b = batch ?? RecordBatch(kind: r.kind, file: r.locator.file, capacity: capacity)
                    batch = b
                    b.append(r, symbols: symbols)
                    if b.isFull { try deliver(b) }
                case .rejected(let rejection):
                    try rejected(rejection)
                }
            }, rejected: rejected)
        }
    }
}

