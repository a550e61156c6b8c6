import TrennwandRecords

/// How far a compressed input may expand before it is refused as a decompression bomb
/// (`archive.too-large`). A real export compresses text about 5–20 : 1; a bomb of zeros
/// about 1000 : 1 (deflate's maximum is 1032 : 1).
public struct ArchiveLimits: Sendable, Equatable {
    /// Most decompressed bytes of one input (a gzip file or one zip member). Default 4 GiB.
    public var maxExpandedBytes: Int64
    /// Most decompressed bytes per compressed byte, checked once `ratioGrace` bytes are out
    /// (tiny files legitimately have high ratios). Default 200.
    public var maxRatio: Int64
    /// Decompressed bytes before the ratio is checked. Default 1 MiB.
    public var ratioGrace: Int64

    public init(maxExpandedBytes: Int64 = 4 << 30, maxRatio: Int64 = 200, ratioGrace: Int64 = 1 << 20) {
        self.maxExpandedBytes = maxExpandedBytes
        self.maxRatio = maxRatio
        self.ratioGrace = ratioGrace
    }

    public static let standard = ArchiveLimits()

    /// Throws `archive.too-large` when `expanded` bytes from `consumed` compressed bytes break a limit.
    @inline(__always)
    func check(expanded: Int64, consumed: Int64, name: String) throws {
        if expanded > maxExpandedBytes {
            throw ArchiveError.tooLarge(name, expanded: expanded, limit: self, byRatio: false)
        }
        if expanded > ratioGrace, expanded / max(consumed, 1) > maxRatio {
            throw ArchiveError.tooLarge(name, expanded: expanded, limit: self, byRatio: true)
        }
    }
}
