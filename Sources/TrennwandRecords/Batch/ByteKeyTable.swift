/// A hash table from byte strings to small integers for the per-value lookups of the batch
/// normaliser (value maps, symbol interning), and as a set (`insert`, `removeAll`) for the
/// aggregates' group interning and distinct values.
///
/// Why not `Dictionary<ByteString, …>`: Swift's per-process seeded SipHash cost more than the
/// lookup itself (`Hasher` was ~8 % of the batch reader, docs/executor.md). Keys of at most 15
/// bytes — nearly every symbol — are the two words of an inline `ByteString`, hashed with two
/// multiplications and found by linear probing; longer keys go to a `Dictionary`. Hash flooding is
/// not a concern for tables whose keys come from the data (interning) either: the table only grows
/// with distinct values, and probing stays short while it is at most half full.
///
/// A class over raw buffers: it lives inside other objects (`SymbolTable`, a value map) and a
/// struct of arrays there was copied — four retains and releases — on every lookup.
/// Not thread-safe: one owner at a time.
public final class ByteKeyTable: @unchecked Sendable {
    private var keys0: UnsafeMutablePointer<UInt64>
    private var keys1: UnsafeMutablePointer<UInt64>   // 0 marks an empty bucket: an inline key always has its count byte set, except ""
    private var values: UnsafeMutablePointer<Int32>
    private var mask: Int
    private var used = 0
    private var emptyKeyValue: Int32?
    private var long: [ByteString: Int32] = [:]

    public init(capacity: Int = 64) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        (keys0, keys1, values) = Self.allocate(n)
        mask = n - 1
    }

    deinit {
        keys0.deallocate()
        keys1.deallocate()
        values.deallocate()
    }

    private static func allocate(_ n: Int) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<Int32>) {
        let k0 = UnsafeMutablePointer<UInt64>.allocate(capacity: n), k1 = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let v = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        k0.initialize(repeating: 0, count: n)
        k1.initialize(repeating: 0, count: n)
        v.initialize(repeating: 0, count: n)
        return (k0, k1, v)
    }

    public var count: Int { used + long.count + (emptyKeyValue == nil ? 0 : 1) }

    /// The first bucket to probe for an inline key's two words in a table of `mask + 1` buckets.
    @inlinable @inline(__always)
    static func bucket(_ w0: UInt64, _ w1: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: WordHash.mix(w0, w1)) & mask
    }

    @inline(__always)
    public func value(for key: ByteString) -> Int32? {
        guard let (w0, w1) = key.inlineWords else { return long[key] }
        if w1 == 0 { return emptyKeyValue }
        let i = find(w0, w1)
        return keys1[i] == 0 ? nil : values[i]
    }

    public func set(_ value: Int32, for key: ByteString) {
        store(value, for: key, overwrite: true)
    }

    /// Adds `key` (with value 0) if it is absent; true if it was added. The table as a set.
    @inline(__always)
    public func insert(_ key: ByteString) -> Bool {
        store(0, for: key, overwrite: false)
    }

    /// Stores `value` for `key` if the key is new, or over its value when `overwrite`; true if
    /// the key was new. The one writing path of `set` and `insert`.
    @inline(__always) @discardableResult
    private func store(_ value: Int32, for key: ByteString, overwrite: Bool) -> Bool {
        guard let (w0, w1) = key.inlineWords else {
            let isNew = long[key] == nil
            if isNew || overwrite { long[key] = value }
            return isNew
        }
        if w1 == 0 {
            let isNew = emptyKeyValue == nil
            if isNew || overwrite { emptyKeyValue = value }
            return isNew
        }
        if (used + 1) * 2 > mask + 1 { grow() }
        let i = find(w0, w1)
        let isNew = keys1[i] == 0
        if isNew {
            keys0[i] = w0
            keys1[i] = w1
            used += 1
        }
        if isNew || overwrite { values[i] = value }
        return isNew
    }

    /// The bucket holding the inline key `(w0, w1)`, or the empty bucket where it would go: the
    /// one probing loop of lookups and writes.
    @inline(__always)
    private func find(_ w0: UInt64, _ w1: UInt64) -> Int {
        var i = Self.bucket(w0, w1, mask)
        while true {
            let k1 = keys1[i]
            if k1 == 0 || (k1 == w1 && keys0[i] == w0) { return i }
            i = (i + 1) & mask
        }
    }

    /// Empties the table, keeping its storage (a bucket slot reused for the next window does not
    /// allocate again).
    public func removeAll() {
        if used > 0 {
            keys1.update(repeating: 0, count: mask + 1)
            used = 0
        }
        emptyKeyValue = nil
        if !long.isEmpty { long.removeAll(keepingCapacity: true) }
    }

    private func grow() {
        let (o0, o1, ov, on) = (keys0, keys1, values, mask + 1)
        let n = on * 2
        (keys0, keys1, values) = Self.allocate(n)
        mask = n - 1
        for i in 0..<on where o1[i] != 0 {
            var j = Self.bucket(o0[i], o1[i], mask)
            while keys1[j] != 0 { j = (j + 1) & mask }
            keys0[j] = o0[i]
            keys1[j] = o1[i]
            values[j] = ov[i]
        }
        o0.deallocate()
        o1.deallocate()
        ov.deallocate()
    }
}

extension ByteString {
    /// The two words of an inline string (at most 15 bytes, count in the top byte of the second),
    /// nil for a longer one: a cheap, exact key for hash tables.
    @inline(__always)
    public var inlineWords: (UInt64, UInt64)? {
        if case .small(let w0, let w1) = storage { return (w0, w1) }
        return nil
    }
}
