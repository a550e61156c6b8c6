/// Records of one kind from one file, stored as columns: what the normaliser writes and the batch
/// executor reads (issue 20, docs/executor.md).
///
/// Why columns: the record engine spent its time on per-record `Value` boxes, a heap array per
/// record, a `ByteString` per field and reference counting on every copy (docs/performance.md);
/// a batch holds one fixed-capacity buffer per field for a few thousand records, reused from batch
/// to batch, and symbols are integers of the worker's `SymbolTable`. Row `i` of every column is
/// record `i`. A class: a batch is filled and read in place, handed over whole, never copied.
public final class RecordBatch: @unchecked Sendable {
    public let kind: RecordKind
    public let file: String
    private let recordIDSlot: Int?
    public let capacity: Int
    public let columns: [BatchColumn]
    /// Locator parts per row (the file is the batch's).
    public let lines: UnsafeMutablePointer<Int>
    public let byteOffsets: UnsafeMutablePointer<Int64>
    public let indices: UnsafeMutablePointer<Int>
    /// XML: the start tag's column (0 for formats without one).
    public let locatorColumns: UnsafeMutablePointer<Int>
    public private(set) var hasLocatorColumns = false
    /// Rows written and kept.
    public private(set) var count = 0

    public init(kind: RecordKind, file: String, capacity: Int = RecordBatch.defaultCapacity) {
        precondition(capacity > 0)
        self.kind = kind
        self.file = file
        recordIDSlot = RecordKind.recordIDSlot(kind)
        self.capacity = capacity
        columns = kind.schema.fields.map { BatchColumn($0.type, capacity: capacity) }
        lines = .allocate(capacity: capacity)
        byteOffsets = .allocate(capacity: capacity)
        indices = .allocate(capacity: capacity)
        locatorColumns = .allocate(capacity: capacity)
    }

    deinit {
        lines.deallocate()
        byteOffsets.deallocate()
        indices.deallocate()
        locatorColumns.deallocate()
    }

    /// Records per batch: large enough that per-batch work (dispatch, selection setup) is noise,
    /// small enough that a batch's columns stay in the L2 cache.
    public static let defaultCapacity = 2048

    public var isEmpty: Bool { count == 0 }
    public var isFull: Bool { count == capacity }

    /// Starts the next row (index `count`) at its place in the file; the caller writes its fields
    /// into the columns at that index, then `commitRow` keeps it or `discardRow` drops it.
    @inline(__always)
    public func beginRow(line: Int, byteOffset: Int64, index: Int, column: Int? = nil) -> Int {
        precondition(count < capacity, "batch full")
        lines[count] = line
        byteOffsets[count] = byteOffset
        indices[count] = index
        if let column {
            locatorColumns[count] = column
            hasLocatorColumns = true
        }
        return count
    }

    @inline(__always)
    public func commitRow() { count += 1 }

    /// Drops the row being written (a rejected record): the fields it wrote are cleared.
    public func discardRow() {
        for c in columns { c.clear(count) }
    }

    /// Counts `reset()`s: a reader of the batch may cache what it computed per row (detector
    /// results) under the batch's identity and generation.
    public private(set) var generation: UInt64 = 0

    /// Empties the batch keeping its buffers.
    public func reset() {
        for c in columns { c.reset() }
        generation &+= 1
        count = 0
        hasLocatorColumns = false
    }

    /// Appends a record of the record engine as the next row (formats without a batch reader of
    /// their own, rule examples, tests).
    public func append(_ r: Record, symbols: SymbolTable) {
        let row = beginRow(line: r.locator.line, byteOffset: r.locator.byteOffset, index: r.locator.index, column: r.locator.column)
        for (slot, v) in r.values.enumerated() { columns[slot].set(row, value: v, symbols: symbols) }
        commitRow()
    }

    public func locator(_ row: Int) -> Locator {
        Locator(file: file, line: lines[row], column: hasLocatorColumns ? locatorColumns[row] : nil,
                byteOffset: byteOffsets[row], index: indices[row])
    }

    /// Row `row` as a `Record` of the record engine (tests compare the two normalisers with it).
    /// The record id (documentation `record_id`, flow `flow_id`, agreement `id`) is set as the
    /// record normaliser sets it.
    public func record(_ row: Int, symbols: SymbolTable) -> Record {
        Record(kind: kind, values: columns.map { $0.value(row, symbols: symbols) }, locator: recordLocator(row, symbols: symbols))
    }

    /// Row `row`'s locator as the record normaliser sets it: with the record id of its kind.
    public func recordLocator(_ row: Int, symbols: SymbolTable) -> Locator {
        var l = locator(row)
        l.recordID = recordID(row, symbols: symbols)
        return l
    }

    /// Row `row`'s record id (nil for kinds without one, or when the row has none).
    public func recordID(_ row: Int, symbols: SymbolTable) -> String? {
        guard let slot = recordIDSlot, case .string(let id) = columns[slot].value(row, symbols: symbols) else { return nil }
        return id.string
    }
}
