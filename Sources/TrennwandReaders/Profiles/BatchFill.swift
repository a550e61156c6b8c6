import TrennwandRecords

/// Raw records normalised straight into a batch's columns (`ProfileNormaliser+Batch`): the one
/// loop body of every batch reader — CSV and XML, whole file and parts. Each format adds an
/// `add` for its own record type (`CSVFormat.swift`, `XMLFormat.swift`) that names its locator.
struct BatchFill {
    let normaliser: ProfileNormaliser
    let symbols: SymbolTable
    let batch: RecordBatch
    let steps: [BatchStep]

    init(normaliser: ProfileNormaliser, symbols: SymbolTable, capacity: Int) {
        self.normaliser = normaliser
        self.symbols = symbols
        batch = RecordBatch(kind: normaliser.kind, file: normaliser.file, capacity: capacity)
        steps = normaliser.batchSteps(for: batch)
    }

    /// Writes the record as the batch's next row, or hands its rejection to `rejected`; a full batch goes to `deliver`.
    @inline(__always)
    func add<R: BufferedRawRecord>(_ raw: R, line: Int, byteOffset: Int64, index: Int, column: Int? = nil,
                                   rejected: (Rejection) throws -> Void, deliver: (RecordBatch) throws -> Void) throws {
        if let rejection = normaliser.normalise(raw, into: batch, steps: steps, symbols: symbols,
                                                line: line, byteOffset: byteOffset, index: index, column: column) {
            try rejected(rejection)
        } else if batch.isFull {
            try deliver(batch)
        }
    }
}
