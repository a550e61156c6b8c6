import CTrennwandVectorscan
import Foundation

/// Finds the stretches of a text in which an identifier candidate can lie, so that Vectorscan
/// scans those and not the whole text.
///
/// Why: the identifier candidate patterns have no literal for Vectorscan to look for
/// (`[1-9](?: ?[0-9]){10}`, `[A-Z][0-9]{9}`, …), so its automata step through every byte; in
/// German prose every capital letter starts a candidate. Yet every candidate consists only of
/// bytes from a small alphabet (capitals, digits, space) and is at least `minWidth` bytes long,
/// so it lies inside a run of such bytes of at least that length — and such runs are rare in
/// prose. Probing every `minWidth`-th byte finds all of them: a run of `minWidth` bytes covers one
/// probe. Patterns without assertions or anchors match inside a run exactly as in the whole text
/// (every match lies in one run), so the candidates, and the hits after validation, are the same.
///
/// Built only when every identifier pattern is understood by `PatternAlphabet` (built-in
/// patterns and the usual configured ones); otherwise the whole text is scanned, as before.
struct IdentifierPrefilter: Sendable {
    /// Bit b: byte b can be part of a candidate. Four words, not a `[Bool]`: the prefilter is
    /// shared by every scan worker's scanner, and reading an array's storage per text retained
    /// and released it on a cache line the workers contended for.
    let bits: SIMD4<UInt64>

    /// `member[b]`: byte b can be part of a candidate.
    var member: [Bool] { (0..<256).map { contains(UInt8($0)) } }

    @inline(__always)
    func contains(_ b: UInt8) -> Bool { bits[Int(b >> 6)] & (1 << UInt64(b & 63)) != 0 }
    /// Shortest candidate of all patterns, in bytes (≥ 1).
    let minWidth: Int

    /// The prefilter for `patterns` compiled with `flags`, or nil when one of them is not
    /// understood or can match fewer than one byte.
    init?(patterns: [String], flags: [UInt32]) {
        var member = [Bool](repeating: false, count: 256)
        var minWidth = Int.max
        for (pattern, flag) in zip(patterns, flags) {
            guard let bytes = PatternAlphabet.bytes(of: pattern, caseless: flag & UInt32(HS_FLAG_CASELESS) != 0),
                  let width = Self.minimumWidth(pattern, flags: flag), width >= 1 else { return nil }
            for b in bytes { member[Int(b)] = true }
            minWidth = min(minWidth, width)
        }
        guard minWidth != Int.max else { return nil }
        var bits = SIMD4<UInt64>(repeating: 0)
        for b in 0..<256 where member[b] { bits[b >> 6] |= 1 << UInt64(b & 63) }
        self.bits = bits
        self.minWidth = minWidth
    }

    /// Vectorscan's own minimum match width of a pattern (nil when it cannot tell).
    private static func minimumWidth(_ pattern: String, flags: UInt32) -> Int? {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var err: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = hs_expression_info(pattern, flags, &info, &err)
        if let err { hs_free_compile_error(err) }
        guard rc == HS_SUCCESS, let info else { return nil }
        defer { free(info) }
        if info.pointee.matches_at_eod != 0 || info.pointee.matches_only_at_eod != 0 { return nil }
        return Int(info.pointee.min_width)
    }

    /// Calls `body` with every maximal run of member bytes of at least `minWidth` bytes, in order.
    @inline(__always)
    func forEachRun(in b: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let n = b.count, w = minWidth
        // Invariant: every qualifying run that starts at or after `unexplored` covers a probe.
        var unexplored = 0
        var probe = w - 1
        while probe < n {
            if !contains(b[probe]) { probe += w; continue }
            var start = probe
            while start > unexplored, contains(b[start - 1]) { start -= 1 }
            var end = probe + 1
            while end < n, contains(b[end]) { end += 1 }
            if end - start >= w { body(start..<end) }
            unexplored = end + 1
            probe = end + w
        }
    }
}
