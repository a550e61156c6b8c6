import TrennwandRecords

/// How every batch reader hands its batches over: full batches as they fill, then the last,
/// partial one — also when the reader stops with an error.
///
/// Why: the record path delivers every record read before a file error (a broken line, an XML
/// error, an unreadable block); a batch reader that only flushed on success would drop up to a
/// batch of them, and their findings, without a word. A consumer's own error is passed on as it
/// is, without delivering the batch it failed on a second time.
enum BatchDelivery {
    /// Runs `read`, which calls the `deliver` it is given with each full batch (reset afterwards);
    /// then `body` receives what is left in `batch()`.
    static func run(batch: () -> RecordBatch?, body: (RecordBatch) throws -> Void,
                    _ read: (_ deliver: (RecordBatch) throws -> Void) throws -> Void) throws {
        var consumerFailed = false
        try withoutActuallyEscaping(body) { body in
            let deliver: (RecordBatch) throws -> Void = { b in
                do { try body(b) } catch {
                    consumerFailed = true
                    throw error
                }
                b.reset()
            }
            do {
                try read(deliver)
            } catch {
                if !consumerFailed, let b = batch(), !b.isEmpty { try body(b) }
                throw error
            }
            if let b = batch(), !b.isEmpty { try body(b) }
        }
    }
}
