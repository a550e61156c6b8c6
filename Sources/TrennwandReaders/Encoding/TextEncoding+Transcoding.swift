// Byte-level transcoding of legacy single-byte encodings to UTF-8 and UTF-8 validation.
// Used by the CSV reader per field, only when a field holds non-ASCII bytes (ASCII is identical in
// all three encodings and is never copied or checked byte by byte).

extension TextEncoding {
    /// Unicode scalars for bytes 0x80–0xFF, or nil for UTF-8.
    ///
    /// Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined. Decision: they map to
    /// U+FFFD instead of rejecting the record. They never carry text in real exports (at most a
    /// stray control byte); rejecting would drop the whole access record from the audit, while
    /// U+FFFD keeps it evaluable and visible.
    var highHalfScalars: [UInt32]? {
        switch self {
        case .utf8:
            return nil
        case .windows1252:
            let c1: [UInt32] = [
                0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
                0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
            ]
            return c1 + (0xA0...0xFF).map { UInt32($0) }
        case .iso885915:
            var table = (0x80...0xFF).map { UInt32($0) }  // Latin-1 incl. C1 controls
            let differences: [(Int, UInt32)] = [
                (0xA4, 0x20AC), (0xA6, 0x0160), (0xA8, 0x0161), (0xB4, 0x017D),
                (0xB8, 0x017E), (0xBC, 0x0152), (0xBD, 0x0153), (0xBE, 0x0178),
            ]
            for (byte, scalar) in differences { table[byte - 0x80] = scalar }
            return table
        }
    }

    /// A 128-entry table for `transcodeToUTF8`, allocated; the caller deallocates it.
    func makeTranscodeTable() -> UnsafeMutablePointer<UInt32>? {
        guard let scalars = highHalfScalars else { return nil }
        let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 128)
        for (i, s) in scalars.enumerated() {
            let packed: UInt32
            if s < 0x800 {
                packed = (0xC0 | s >> 6) | (0x80 | s & 0x3F) << 8 | 2 << 24
            } else {
                packed = (0xE0 | s >> 12) | (0x80 | (s >> 6) & 0x3F) << 8 | (0x80 | s & 0x3F) << 16 | 3 << 24
            }
            table[i] = packed
        }
        return table
    }
}

/// Transcodes `count` single-byte characters to UTF-8 at `out` (room for `3 * count` bytes).
/// Returns the number of bytes written.
@inline(__always)
func transcodeToUTF8(
    _ src: UnsafeRawPointer, _ count: Int, into out: UnsafeMutableRawPointer, table: UnsafePointer<UInt32>
) -> Int {
    var o = 0
    for i in 0..<count {
        let b = src.load(fromByteOffset: i, as: UInt8.self)
        if b < 0x80 {
            out.storeBytes(of: b, toByteOffset: o, as: UInt8.self)
            o &+= 1
        } else {
            let packed = table[Int(b &- 0x80)]
            let n = Int(packed >> 24)
            out.storeBytes(of: UInt8(truncatingIfNeeded: packed), toByteOffset: o, as: UInt8.self)
            out.storeBytes(of: UInt8(truncatingIfNeeded: packed >> 8), toByteOffset: o &+ 1, as: UInt8.self)
            if n == 3 {
                out.storeBytes(of: UInt8(truncatingIfNeeded: packed >> 16), toByteOffset: o &+ 2, as: UInt8.self)
            }
            o &+= n
        }
    }
    return o
}

/// Offset of the first byte that starts an invalid or truncated UTF-8 sequence, or `count` when
/// all is valid. Strict: no overlong forms, no surrogates, nothing above U+10FFFF.
func firstInvalidUTF8(_ p: UnsafeRawPointer, _ count: Int) -> Int {
    @inline(__always) func at(_ i: Int) -> UInt8 { p.load(fromByteOffset: i, as: UInt8.self) }
    @inline(__always) func isCont(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
    var i = 0
    while i < count {
        if i &+ 8 <= count,
           p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i &+= 8
            continue
        }
        let b0 = at(i)
        if b0 < 0x80 {
            i &+= 1
        } else if b0 < 0xC2 {
            return i
        } else if b0 < 0xE0 {
            guard i &+ 1 < count, isCont(at(i &+ 1)) else { return i }
            i &+= 2
        } else if b0 < 0xF0 {
            guard i &+ 2 < count else { return i }
            let b1 = at(i &+ 1)
            guard isCont(b1), isCont(at(i &+ 2)),
                  !(b0 == 0xE0 && b1 < 0xA0), !(b0 == 0xED && b1 >= 0xA0) else { return i }
            i &+= 3
        } else if b0 < 0xF5 {
            guard i &+ 3 < count else { return i }
            let b1 = at(i &+ 1)
            guard isCont(b1), isCont(at(i &+ 2)), isCont(at(i &+ 3)),
                  !(b0 == 0xF0 && b1 < 0x90), !(b0 == 0xF4 && b1 >= 0x90) else { return i }
            i &+= 4
        } else {
            return i
        }
    }
    return count
}

/// Whether a first block is UTF-8, ignoring a sequence cut off at its end when more input follows.
func looksLikeUTF8(_ p: UnsafeRawPointer, _ count: Int, complete: Bool) -> Bool {
    var cut = count
    if !complete {
        // Back up over at most 3 continuation bytes and their lead byte.
        while cut > 0 && count &- cut < 3 && p.load(fromByteOffset: cut &- 1, as: UInt8.self) & 0xC0 == 0x80 {
            cut &-= 1
        }
        if cut > 0 && p.load(fromByteOffset: cut &- 1, as: UInt8.self) >= 0xC0 { cut &-= 1 }
    }
    return firstInvalidUTF8(p, cut) == cut
}
