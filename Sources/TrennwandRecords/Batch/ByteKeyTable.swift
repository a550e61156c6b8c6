/// A hash table from byte strings to small integers for the per-value lookups of the batch
/// normaliser (value maps, symbol interning).
///
/// Why not `Dictionary<ByteString, …>`: Swift's per-process seeded SipHash cost more than the
/// lookup itself (`Hasher` was ~8 % of the batch reader, docs/executor.md). Keys of at most 15
/// bytes — nearly every symbol — are the two words of an inline `ByteString`, hashed with two
/// multiplications and found by linear probing; longer keys go to a `Dictionary`. Hash flooding is
/// not a concern for tables whose keys come from the data (interning) either: the table only grows
/// with distinct values, and probing stays short while it is at most half full.
public struct ByteKeyTable: Sendable {
    private var keys0: [UInt64]
    private var keys1: [UInt64]   // 0 marks an empty bucket: an inline key always has its count byte set, except ""
    private var values: [Int32]
    private var mask: Int
    private var used = 0
    private var emptyKeyValue: Int32?
    private var long: [ByteString: Int32] = [:]

    public init(capacity: Int = 64) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys0 = Array(repeating: 0, count: n)
        keys1 = Array(repeating: 0, count: n)
        values = Array(repeating: 0, count: n)
        mask = n - 1
    }

    public var count: Int { used + long.count + (emptyKeyValue == nil ? 0 : 1) }

    @inline(__always)
    private static func bucket(_ w0: UInt64, _ w1: UInt64, _ mask: Int) -> Int {
        let h = (w0 &* 0x9E37_79B9_7F4A_7C15) ^ (w1 &* 0xC2B2_AE3D_27D4_EB4F)
        return Int(truncatingIfNeeded: (h ^ (h >> 29)) >> 7) & mask
    }

    @inline(__always)
    public func value(for key: ByteString) -> Int32? {
        guard let (w0, w1) = key.inlineWords else { return long[key] }
        if w1 == 0 { return emptyKeyValue }
        var i = Self.bucket(w0, w1, mask)
        while true {
            let k1 = keys1[i]
            if k1 == 0 { return nil }
            if k1 == w1 && keys0[i] == w0 { return values[i] }
            i = (i + 1) & mask
        }
    }

    public mutating func set(_ value: Int32, for key: ByteString) {
        guard let (w0, w1) = key.inlineWords else { long[key] = value; return }
        if w1 == 0 { emptyKeyValue = value; return }
        if (used + 1) * 2 > keys1.count { grow() }
        var i = Self.bucket(w0, w1, mask)
        while keys1[i] != 0 {
            if keys1[i] == w1 && keys0[i] == w0 { values[i] = value; return }
            i = (i + 1) & mask
        }
        keys0[i] = w0
        keys1[i] = w1
        values[i] = value
        used += 1
    }

    private mutating func grow() {
        let old = (keys0, keys1, values)
        let n = keys1.count * 2
        keys0 = Array(repeating: 0, count: n)
        keys1 = Array(repeating: 0, count: n)
        values = Array(repeating: 0, count: n)
        mask = n - 1
        used = 0
        for i in old.1.indices where old.1[i] != 0 {
            var j = Self.bucket(old.0[i], old.1[i], mask)
            while keys1[j] != 0 { j = (j + 1) & mask }
            keys0[j] = old.0[i]
            keys1[j] = old.1[i]
            values[j] = old.2[i]
            used += 1
        }
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
