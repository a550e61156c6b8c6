// Byte-level text helpers for detector post-processing: Unicode-aware word boundaries and
// German case folding on UTF-8 bytes, without decoding whole texts.

enum TextBytes {
    /// Decodes the scalar that starts at `i` (nil at the end or on invalid UTF-8).
    static func scalar(at i: Int, in b: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        guard i < b.count else { return nil }
        let b0 = b[i]
        if b0 < 0x80 { return Unicode.Scalar(b0) }
        let len: Int
        var v: UInt32
        if b0 & 0xE0 == 0xC0 { len = 2; v = UInt32(b0 & 0x1F) }
        else if b0 & 0xF0 == 0xE0 { len = 3; v = UInt32(b0 & 0x0F) }
        else if b0 & 0xF8 == 0xF0 { len = 4; v = UInt32(b0 & 0x07) }
        else { return nil }
        guard i + len <= b.count else { return nil }
        for k in 1..<len {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            v = v << 6 | UInt32(c & 0x3F)
        }
        return Unicode.Scalar(v)
    }

    /// Start index of the scalar that ends just before `i` (i > 0).
    static func scalarStart(before i: Int, in b: UnsafeBufferPointer<UInt8>) -> Int {
        var j = i - 1
        var steps = 0
        while j > 0, b[j] & 0xC0 == 0x80, steps < 3 { j -= 1; steps += 1 }
        return j
    }

    @inline(__always)
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            let c = UInt8(s.value)
            return (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
        }
        if s.value == 0xAD { return true } // soft hyphen joins a word
        return s.properties.isAlphabetic || s.properties.numericType != nil
    }

    /// Whether a word character (letter or digit, any script) ends just before `i`.
    static func wordCharBefore(_ i: Int, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard i > 0 else { return false }
        let c = b[i - 1]
        if c < 0x80 { return isWordScalar(Unicode.Scalar(c)) }
        guard let s = scalar(at: scalarStart(before: i, in: b), in: b) else { return true }
        return isWordScalar(s)
    }

    /// Whether a word character (letter or digit, any script) starts at `i`.
    static func wordCharAt(_ i: Int, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard i < b.count else { return false }
        let c = b[i]
        if c < 0x80 { return isWordScalar(Unicode.Scalar(c)) }
        guard let s = scalar(at: i, in: b) else { return true }
        return isWordScalar(s)
    }

    /// Extends `range` to the enclosing word boundaries.
    static func enclosingWord(_ range: Range<Int>, in b: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo > 0, wordCharBefore(lo, in: b) { lo = scalarStart(before: lo, in: b) }
        while hi < b.count, wordCharAt(hi, in: b) {
            let c = b[hi]
            hi += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2
        }
        return lo..<min(hi, b.count)
    }

    /// Case folding for comparisons: ASCII letters and Latin-1 letters (UTF-8 `C3 80–9E`, except
    /// `×`) to lower case; `ẞ` to `ß`. Other bytes unchanged.
    static func fold<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var prevC3 = false
        for c in bytes {
            if prevC3 {
                out.append(c >= 0x80 && c <= 0x9E && c != 0x97 ? c | 0x20 : c)
                prevC3 = false
                continue
            }
            if c == 0xC3 { out.append(c); prevC3 = true; continue }
            out.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c)
        }
        // ẞ (E1 BA 9E) → ß (C3 9F)
        var i = 0
        while i + 2 < out.count {
            if out[i] == 0xE1, out[i + 1] == 0xBA, out[i + 2] == 0x9E {
                out.replaceSubrange(i..<(i + 3), with: [0xC3, 0x9F])
            }
            i += 1
        }
        return out
    }
}
