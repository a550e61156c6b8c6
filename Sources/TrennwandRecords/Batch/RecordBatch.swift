/// Records of one kind from one file, stored as columns: what the normaliser writes and the batch
/// executor reads (issue 20, docs/executor.md).
///
/// Why columns: the row engine spent its time on per-record `Value` boxes, a heap array per
/// record, a `ByteString` per field and reference counting on every copy (docs/performance.md);
/// a batch holds one array per field for a few thousand records, reused from batch to batch, and
/// symbols are integers of the worker's `SymbolTable`. Row `i` of every column is record `i`.
public struct RecordBatch: Sendable {
    public let kind: RecordKind
    public let file: String
    public private(set) var columns: [BatchColumn]
    /// Locator parts per row (the file is the batch's).
    public private(set) var lines: [Int] = []
    public private(set) var byteOffsets: [Int64] = []
    public private(set) var indices: [Int] = []
    /// XML: the start tag's column; empty for CSV and JSON Lines.
    public private(set) var locatorColumns: [Int] = []

    public init(kind: RecordKind, file: String, capacity: Int = RecordBatch.defaultCapacity) {
        self.kind = kind
        self.file = file
        columns = kind.schema.fields.map { BatchColumn($0.type) }
        for i in columns.indices { columns[i].reserve(capacity) }
        lines.reserveCapacity(capacity)
        byteOffsets.reserveCapacity(capacity)
        indices.reserveCapacity(capacity)
    }

    /// Records per batch: large enough that per-batch work (dispatch, selection setup) is noise,
    /// small enough that a batch's columns stay in the L2 cache.
    public static let defaultCapacity = 2048

    public var count: Int { lines.count }
    public var isEmpty: Bool { lines.isEmpty }

    /// Starts a row at `locator`; the caller then writes every column once (`column(_:)`), and
    /// either keeps the row or calls `dropLastRow` (rejected record).
    @inline(__always)
    public mutating func beginRow(line: Int, byteOffset: Int64, index: Int, column: Int? = nil) {
        lines.append(line)
        byteOffsets.append(byteOffset)
        indices.append(index)
        if let column { locatorColumns.append(column) }
    }

    /// Mutable access to column `slot` of the row being written.
    @inline(__always)
    public mutating func withColumn<R>(_ slot: Int, _ body: (inout BatchColumn) throws -> R) rethrows -> R {
        try body(&columns[slot])
    }

    /// Removes the row being written: the columns that already got a value lose it, the others
    /// are untouched.
    public mutating func dropLastRow() {
        let n = lines.count - 1
        lines.removeLast()
        byteOffsets.removeLast()
        indices.removeLast()
        if locatorColumns.count > n { locatorColumns.removeLast() }
        for i in columns.indices {
            if columns[i].count > n { columns[i].removeLast() } else { columns[i].discardOpenRuns() }
        }
    }

    /// Ends the row being written: every column it did not write gets a missing value.
    @inline(__always)
    public mutating func fillMissing() {
        let n = lines.count
        for i in columns.indices where columns[i].count < n { columns[i].appendMissing() }
    }

    /// Empties the batch keeping its capacity.
    public mutating func removeAll() {
        for i in columns.indices { columns[i].removeAll() }
        lines.removeAll(keepingCapacity: true)
        byteOffsets.removeAll(keepingCapacity: true)
        indices.removeAll(keepingCapacity: true)
        locatorColumns.removeAll(keepingCapacity: true)
    }

    public func locator(_ row: Int) -> Locator {
        Locator(file: file, line: lines[row], column: locatorColumns.isEmpty ? nil : locatorColumns[row],
                byteOffset: byteOffsets[row], index: indices[row])
    }

    /// Row `row` as a `Record` of the row engine (tests compare the two normalisers with it).
    /// The record id (documentation `record_id`, flow `flow_id`) is set as the row normaliser sets it.
    public func record(_ row: Int, symbols: SymbolTable) -> Record {
        var record = Record(kind: kind, values: columns.map { $0.value(row, symbols: symbols) }, locator: locator(row))
        if let slot = RecordKind.recordIDSlot(kind), case .string(let id) = record.values[slot] {
            record.locator.recordID = id.string
        }
        return record
    }

}
