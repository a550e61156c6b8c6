/// The hash of the open-addressing tables (`ByteKeyTable`, the aggregate partials' bucket table):
/// two words mixed so that every input bit reaches the low bits a table's mask keeps.
///
/// Why not one multiplication per word: a product's low bits depend only on the factor's low
/// bits, and keys such as account ids share their first bytes (`JC-M-1235`, `JC-M-1236`, …), so
/// the buckets clustered and probes ran long (the group-id probe of the aggregates was 4 % of a CSV
/// scan). SplitMix64's finaliser over the combined words.
@usableFromInline
package enum WordHash {
    @inlinable @inline(__always)
    package static func mix(_ w0: UInt64, _ w1: UInt64) -> UInt64 {
        var h = (w0 &* 0x9E37_79B9_7F4A_7C15) ^ w1
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
