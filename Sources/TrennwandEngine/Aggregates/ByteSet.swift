import TrennwandRecords

/// A set of byte strings for the distinct values of one aggregate bucket.
///
/// Why not `Set<ByteString>`: the set is probed once per counted record, and Swift's seeded
/// SipHash (seed, combine, finalize) cost more than the probe (docs/executor.md). Values of at
/// most 15 bytes — nearly every identifier — are the two words of an inline `ByteString`, hashed
/// with two multiplications (`ByteKeyTable.bucket`) and found by linear probing; longer values go
/// to a `Set`. `removeAll()` keeps the storage, so a bucket slot reused for the next window does
/// not allocate again.
struct ByteSet {
    /// Inline words per bucket; `w1 == 0` marks an empty bucket (an inline non-empty string always
    /// has its count byte set).
    private var w0: [UInt64] = []
    private var w1: [UInt64] = []
    private var used = 0
    private var hasEmpty = false
    private var long: Set<ByteString> = []

    var count: Int { used + long.count + (hasEmpty ? 1 : 0) }

    /// Inserts `value`; true if it was not in the set.
    @inline(__always)
    mutating func insert(_ value: ByteString) -> Bool {
        guard let (a, b) = value.inlineWords else { return long.insert(value).inserted }
        if b == 0 {
            defer { hasEmpty = true }
            return !hasEmpty
        }
        if (used + 1) * 2 > w1.count { grow() }
        let mask = w1.count - 1
        var i = ByteKeyTable.bucket(a, b, mask)
        while true {
            let k = w1[i]
            if k == 0 { break }
            if k == b && w0[i] == a { return false }
            i = (i + 1) & mask
        }
        w0[i] = a
        w1[i] = b
        used += 1
        return true
    }

    /// Room for 8 values before the first growth.
    mutating func reserve() {
        if w1.isEmpty { grow() }
    }

    /// Empties the set, keeping its storage.
    mutating func removeAll() {
        if used > 0 {
            for i in w1.indices { w1[i] = 0 }
        }
        used = 0
        hasEmpty = false
        if !long.isEmpty { long.removeAll(keepingCapacity: true) }
    }

    private mutating func grow() {
        let n = max(16, w1.count * 2)
        let (o0, o1) = (w0, w1)
        w0 = [UInt64](repeating: 0, count: n)
        w1 = [UInt64](repeating: 0, count: n)
        let mask = n - 1
        for j in o1.indices where o1[j] != 0 {
            var i = ByteKeyTable.bucket(o0[j], o1[j], mask)
            while w1[i] != 0 { i = (i + 1) & mask }
            w0[i] = o0[j]
            w1[i] = o1[j]
        }
    }
}
