/// One field of a `RecordBatch`: the values of up to `capacity` records, stored by type without a
/// `Value` box per record.
///
/// Why fixed-capacity buffers owned by a class: the normaliser writes every field of every record,
/// and appending to Swift arrays nested in an array of structs cost a uniqueness check, a capacity
/// check and reference counting per field (about a fifth of the batch reader, docs/executor.md).
/// Here a value is one store at index `row`; a missing value is simply not written (its presence
/// bit stays clear after `reset`), so missing fields cost nothing.
/// - `symbol`: `ints` holds the `SymbolTable` id.
/// - `timestamp`: `ints` holds seconds since the epoch (UTC).
/// - `bool`: `ints` holds 0 or 1.
/// - `number`: `doubles`.
/// - `string`: row `i` is `length[i]` bytes at `start[i]` in the column's byte buffer.
/// - `runs` (`text`, `list`): row `i` has `length[i]` runs from run `start[i]` on; run `j` is
///   `runLength[j]` bytes at `runStart[j]` in the byte buffer.
/// A column belongs to one batch on one thread at a time.
public final class BatchColumn: @unchecked Sendable {
    public enum Storage: Sendable, Hashable {
        case symbol, timestamp, bool, number, string, runs

        /// How a field of `type` is stored.
        public init(_ type: FieldType) {
            switch type {
            case .symbol: self = .symbol
            case .timestamp: self = .timestamp
            case .bool: self = .bool
            case .number: self = .number
            case .string: self = .string
            case .text, .list: self = .runs
            }
        }
    }

    public let storage: Storage
    public let capacity: Int
    public let present: UnsafeMutablePointer<UInt64>
    public let ints: UnsafeMutablePointer<Int64>
    public let doubles: UnsafeMutablePointer<Double>
    public let start: UnsafeMutablePointer<UInt32>
    public let length: UnsafeMutablePointer<UInt32>
    public private(set) var bytes: UnsafeMutableRawPointer
    public private(set) var byteCount = 0
    private var byteCapacity: Int
    public private(set) var runStart: UnsafeMutablePointer<UInt32>
    public private(set) var runLength: UnsafeMutablePointer<UInt32>
    public private(set) var runCount = 0
    private var runCapacity: Int

    private var presentWords: Int { (capacity + 63) / 64 }

    public init(_ type: FieldType, capacity: Int) {
        storage = Storage(type)
        self.capacity = capacity
        present = .allocate(capacity: (capacity + 63) / 64)
        present.initialize(repeating: 0, count: (capacity + 63) / 64)
        // Only the arrays of this storage get room; the others stay at one element.
        let scalars = storage == .symbol || storage == .timestamp || storage == .bool
        ints = .allocate(capacity: scalars ? capacity : 1)
        doubles = .allocate(capacity: storage == .number ? capacity : 1)
        let ranged = storage == .string || storage == .runs
        start = .allocate(capacity: ranged ? capacity : 1)
        length = .allocate(capacity: ranged ? capacity : 1)
        byteCapacity = ranged ? capacity * 16 : 0
        bytes = .allocate(byteCount: max(byteCapacity, 1), alignment: 8)
        runCapacity = storage == .runs ? capacity : 0
        runStart = .allocate(capacity: max(runCapacity, 1))
        runLength = .allocate(capacity: max(runCapacity, 1))
    }

    deinit {
        present.deallocate()
        ints.deallocate()
        doubles.deallocate()
        start.deallocate()
        length.deallocate()
        bytes.deallocate()
        runStart.deallocate()
        runLength.deallocate()
    }

    /// Empties the column for the next batch: every presence bit clear, the byte buffer empty.
    public func reset() {
        present.update(repeating: 0, count: presentWords)
        byteCount = 0
        runCount = 0
    }

    // MARK: - Writing row `row`

    @inline(__always)
    private func setPresent(_ row: Int) { present[row >> 6] |= 1 << UInt64(row & 63) }

    /// Clears row `row` (a record rejected after some of its fields were written); the bytes it
    /// wrote stay unused in the buffer until `reset`.
    @inline(__always)
    public func clear(_ row: Int) { present[row >> 6] &= ~(1 << UInt64(row & 63)) }

    /// A symbol id, a time, or a bool as 0/1.
    @inline(__always)
    public func set(_ row: Int, int v: Int64) {
        ints[row] = v
        setPresent(row)
    }

    @inline(__always)
    public func set(_ row: Int, number v: Double) {
        doubles[row] = v
        setPresent(row)
    }

    @inline(__always)
    private func appendToBuffer(_ v: UnsafeRawBufferPointer) -> UInt32 {
        let at = byteCount
        if at + v.count > byteCapacity {
            var n = max(byteCapacity * 2, 64)
            while n < at + v.count { n *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 8)
            grown.copyMemory(from: bytes, byteCount: at)
            bytes.deallocate()
            bytes = grown
            byteCapacity = n
        }
        if let base = v.baseAddress, v.count > 0 { (bytes + at).copyMemory(from: base, byteCount: v.count) }
        byteCount = at + v.count
        return UInt32(at)
    }

    /// One string value (`string` storage).
    @inline(__always)
    public func set(_ row: Int, bytes v: UnsafeRawBufferPointer) {
        start[row] = appendToBuffer(v)
        length[row] = UInt32(v.count)
        setPresent(row)
    }

    /// Starts row `row` of a `runs` column; `appendRun` adds to it.
    @inline(__always)
    public func beginRuns(_ row: Int) {
        start[row] = UInt32(runCount)
        length[row] = 0
    }

    /// One more run for row `row` (after `beginRuns`); the row is present from its first run on.
    @inline(__always)
    public func appendRun(_ row: Int, _ v: UnsafeRawBufferPointer) {
        if runCount == runCapacity {
            let n = max(runCapacity * 2, 16)
            let s = UnsafeMutablePointer<UInt32>.allocate(capacity: n), l = UnsafeMutablePointer<UInt32>.allocate(capacity: n)
            s.update(from: runStart, count: runCount)
            l.update(from: runLength, count: runCount)
            runStart.deallocate()
            runLength.deallocate()
            runStart = s
            runLength = l
            runCapacity = n
        }
        runStart[runCount] = appendToBuffer(v)
        runLength[runCount] = UInt32(v.count)
        runCount += 1
        length[row] += 1
        setPresent(row)
    }

    /// Bytes into a symbol, string or runs column (a symbol interned in `symbols`).
    @inline(__always)
    public func set(_ row: Int, text v: UnsafeRawBufferPointer, symbols: SymbolTable) {
        switch storage {
        case .symbol: set(row, int: Int64(symbols.intern(v)))
        case .string: set(row, bytes: v)
        case .runs:
            beginRuns(row)
            appendRun(row, v)
        default: preconditionFailure("bytes written into a \(storage) column")
        }
    }

    /// A record engine value (its case follows from the field's type, so a mismatch is a defect
    /// of ours, not of the input); `.missing` writes nothing.
    public func set(_ row: Int, value v: Value, symbols: SymbolTable) {
        switch (v, storage) {
        case (.missing, _): break
        case (.string(let s), _): s.withUnsafeBytes { set(row, text: $0, symbols: symbols) }
        case (.time(let t), .timestamp): set(row, int: t)
        case (.bool(let b), .bool): set(row, int: b ? 1 : 0)
        case (.number(let d), .number): set(row, number: d)
        case (.list(let items), .runs):
            beginRuns(row)
            for item in items { item.withUnsafeBytes { appendRun(row, $0) } }
        default: preconditionFailure("value \(v) written into a \(storage) column")
        }
    }

    // MARK: - Reading

    @inlinable @inline(__always)
    public func isPresent(_ row: Int) -> Bool { present[row >> 6] & (1 << UInt64(row & 63)) != 0 }

    /// The bytes of a present `string` row (valid until the column is written again).
    @inlinable @inline(__always)
    public func bytes(_ row: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bytes + Int(start[row]), count: Int(length[row]))
    }

    /// How many runs row `row` of a `runs` column has (0 when missing).
    @inlinable @inline(__always)
    public func runCount(_ row: Int) -> Int { isPresent(row) ? Int(length[row]) : 0 }

    /// Run `j` (0..<`runCount(row)`) of row `row` of a `runs` column: bytes in the column's buffer,
    /// valid until the column is written again. Reading runs without making a `ByteString` each
    /// (the detectors scan every text of a batch).
    @inlinable @inline(__always)
    public func run(_ row: Int, _ j: Int) -> UnsafeRawBufferPointer {
        let k = Int(start[row]) + j
        return UnsafeRawBufferPointer(start: bytes + Int(runStart[k]), count: Int(runLength[k]))
    }

    /// The runs of a `runs` row.
    public func runs(_ row: Int) -> [ByteString] {
        guard isPresent(row) else { return [] }
        let first = Int(start[row])
        return (first..<first + Int(length[row])).map { j in
            ByteString(UnsafeRawBufferPointer(start: bytes + Int(runStart[j]), count: Int(runLength[j])))
        }
    }

    /// The value of row `row` as the record engine holds it (tests, and the bridge to the record
    /// evaluator while it remains).
    public func value(_ row: Int, symbols: SymbolTable) -> Value {
        guard isPresent(row) else { return .missing }
        switch storage {
        case .symbol: return .string(symbols[UInt32(ints[row])])
        case .timestamp: return .time(ints[row])
        case .bool: return .bool(ints[row] != 0)
        case .number: return .number(doubles[row])
        case .string: return .string(ByteString(bytes(row)))
        case .runs: return .list(runs(row))
        }
    }
}
