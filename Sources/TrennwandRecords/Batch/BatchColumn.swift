/// One field of a `RecordBatch`: the values of up to a batch's worth of records, stored by type
/// without a `Value` box per record.
///
/// Why one struct rather than an enum with payloads: a column is appended to row by row while a
/// batch fills, and mutating an array inside an enum payload copies it; here each type uses the
/// arrays it needs and leaves the others empty.
/// - `symbol`: `ints` holds the `SymbolTable` id.
/// - `timestamp`: `ints` holds seconds since the epoch (UTC).
/// - `bool`: `ints` holds 0 or 1.
/// - `number`: `doubles`.
/// - `string`: the bytes of row `i` are `bytes[ends[i-1]..<ends[i]]` (one buffer, no per-value
///   allocation).
/// - `text`, `list`: several byte runs per row: run `j` is `bytes[ends[j-1]..<ends[j]]`, and the
///   runs of row `i` are `runEnds[i-1]..<runEnds[i]`.
/// Presence is a bitmap: a missing value has its bit clear (and an empty entry in the arrays, so
/// that row `i` is always at index `i`).
public struct BatchColumn: Sendable {
    public enum Storage: Sendable, Hashable {
        case symbol, timestamp, bool, number, string, runs
    }

    public let storage: Storage
    public private(set) var present: [UInt64] = []
    public private(set) var ints: [Int64] = []
    public private(set) var doubles: [Double] = []
    public private(set) var bytes: [UInt8] = []
    public private(set) var ends: [UInt32] = []
    public private(set) var runEnds: [UInt32] = []
    public private(set) var count = 0

    public init(_ type: FieldType) {
        switch type {
        case .symbol: storage = .symbol
        case .timestamp: storage = .timestamp
        case .bool: storage = .bool
        case .number: storage = .number
        case .string: storage = .string
        case .text, .list: storage = .runs
        }
    }

    public mutating func reserve(_ rows: Int, bytesPerRow: Int = 16) {
        present.reserveCapacity((rows + 63) / 64)
        switch storage {
        case .symbol, .timestamp, .bool: ints.reserveCapacity(rows)
        case .number: doubles.reserveCapacity(rows)
        case .string:
            ends.reserveCapacity(rows)
            bytes.reserveCapacity(rows * bytesPerRow)
        case .runs:
            runEnds.reserveCapacity(rows)
            ends.reserveCapacity(rows)
            bytes.reserveCapacity(rows * bytesPerRow)
        }
    }

    /// Empties the column keeping its capacity (a batch is reused for the next records).
    public mutating func removeAll() {
        present.removeAll(keepingCapacity: true)
        ints.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        runEnds.removeAll(keepingCapacity: true)
        count = 0
    }

    // MARK: - Appending one row

    @inline(__always)
    private mutating func markPresent(_ yes: Bool) {
        if count & 63 == 0 { present.append(0) }
        if yes { present[count >> 6] |= 1 << UInt64(count & 63) }
        count += 1
    }

    /// Appends a missing value.
    @inline(__always)
    public mutating func appendMissing() {
        switch storage {
        case .symbol, .timestamp, .bool: ints.append(0)
        case .number: doubles.append(0)
        case .string: ends.append(UInt32(bytes.count))
        case .runs: runEnds.append(UInt32(ends.count))
        }
        markPresent(false)
    }

    /// Appends a symbol id, a time, or a bool as 0/1.
    @inline(__always)
    public mutating func appendInt(_ v: Int64) {
        ints.append(v)
        markPresent(true)
    }

    @inline(__always)
    public mutating func appendNumber(_ v: Double) {
        doubles.append(v)
        markPresent(true)
    }

    /// Appends one string value (`string` storage).
    @inline(__always)
    public mutating func appendBytes(_ v: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: v)
        ends.append(UInt32(bytes.count))
        markPresent(true)
    }

    /// Appends one run to the row being built (`runs` storage); `closeRow` ends the row.
    @inline(__always)
    public mutating func appendRun(_ v: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: v)
        ends.append(UInt32(bytes.count))
    }

    /// Ends a `runs` row: present when it got at least one run.
    @inline(__always)
    public mutating func closeRow() {
        let start = runEnds.last.map(Int.init) ?? 0
        runEnds.append(UInt32(ends.count))
        markPresent(ends.count > start)
    }

    /// Drops runs appended since the last `closeRow` (a row rejected half-way).
    public mutating func discardOpenRuns() {
        guard storage == .runs else { return }
        let start = runEnds.last.map(Int.init) ?? 0
        guard ends.count > start else { return }
        bytes.removeSubrange(Int(start == 0 ? 0 : ends[start - 1])...)
        ends.removeSubrange(start...)
    }

    /// Removes the last row (a record rejected after some of its columns were written).
    public mutating func removeLast() {
        precondition(count > 0)
        count -= 1
        switch storage {
        case .symbol, .timestamp, .bool: ints.removeLast()
        case .number: doubles.removeLast()
        case .string:
            ends.removeLast()
            bytes.removeSubrange(Int(ends.last ?? 0)...)
        case .runs:
            runEnds.removeLast()
            let keepRuns = Int(runEnds.last ?? 0)
            bytes.removeSubrange(Int(keepRuns == 0 ? 0 : ends[keepRuns - 1])...)
            ends.removeSubrange(keepRuns...)
        }
        present[count >> 6] &= ~(1 << UInt64(count & 63))
        if count & 63 == 0 { present.removeLast() }
    }

    // MARK: - Reading

    @inline(__always)
    public func isPresent(_ row: Int) -> Bool { present[row >> 6] & (1 << UInt64(row & 63)) != 0 }

    /// The bytes of a `string` row (empty when missing).
    @inline(__always)
    public func withBytes<R>(_ row: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = row == 0 ? 0 : Int(ends[row - 1]), end = Int(ends[row])
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    /// The runs of a `runs` row.
    public func runs(_ row: Int) -> [ByteString] {
        let first = row == 0 ? 0 : Int(runEnds[row - 1]), last = Int(runEnds[row])
        return bytes.withUnsafeBytes { b in
            (first..<last).map { j in
                let s = j == 0 ? 0 : Int(ends[j - 1])
                return ByteString(UnsafeRawBufferPointer(rebasing: b[s..<Int(ends[j])]))
            }
        }
    }

    /// The value of row `row` as the row engine holds it (tests, and the bridge to the record
    /// evaluator while it remains).
    public func value(_ row: Int, symbols: SymbolTable) -> Value {
        guard isPresent(row) else { return .missing }
        switch storage {
        case .symbol: return .string(symbols[UInt32(ints[row])])
        case .timestamp: return .time(ints[row])
        case .bool: return .bool(ints[row] != 0)
        case .number: return .number(doubles[row])
        case .string: return .string(withBytes(row) { ByteString($0) })
        case .runs: return .list(runs(row))
        }
    }
}
