import TrennwandRecords

/// Byte-level string predicates used by compiled conditions (no `String` on the hot path).
enum ExprTextOps {
    /// Lower case for ASCII and the Latin-1 capitals (Ä Ö Ü …, UTF-8 `C3 80`–`C3 9E` except ×).
    static func lower(_ s: ByteString) -> ByteString {
        var out = s.bytes
        var i = 0
        while i < out.count {
            let b = out[i]
            if b >= 0x41 && b <= 0x5A {
                out[i] = b | 0x20
            } else if b == 0xC3, i + 1 < out.count, out[i + 1] >= 0x80, out[i + 1] <= 0x9E, out[i + 1] != 0x97 {
                out[i + 1] += 0x20
                i += 1
            }
            i += 1
        }
        return ByteString(out)
    }

    @inline(__always)
    static func byteEqual(_ a: UInt8, _ b: UInt8, _ ci: Bool) -> Bool { ci ? asciiLower(a) == asciiLower(b) : a == b }

    static func startsWith(_ s: [UInt8], _ p: [UInt8], ci: Bool) -> Bool {
        guard p.count <= s.count else { return false }
        for i in 0..<p.count where !byteEqual(s[i], p[i], ci) { return false }
        return true
    }

    static func endsWith(_ s: [UInt8], _ p: [UInt8], ci: Bool) -> Bool {
        guard p.count <= s.count else { return false }
        let off = s.count - p.count
        for i in 0..<p.count where !byteEqual(s[off + i], p[i], ci) { return false }
        return true
    }

    static func contains(_ s: [UInt8], _ p: [UInt8], ci: Bool) -> Bool {
        if p.isEmpty { return true }
        guard p.count <= s.count else { return false }
        let first = p[0]
        var i = 0
        let last = s.count - p.count
        while i <= last {
            if byteEqual(s[i], first, ci) {
                var j = 1
                while j < p.count, byteEqual(s[i + j], p[j], ci) { j += 1 }
                if j == p.count { return true }
            }
            i += 1
        }
        return false
    }

    static func match(_ op: ExprStringOp, _ s: [UInt8], _ p: [UInt8], ci: Bool) -> Bool {
        switch op {
        case .contains: return contains(s, p, ci: ci)
        case .startswith: return startsWith(s, p, ci: ci)
        case .endswith: return endsWith(s, p, ci: ci)
        }
    }

    /// `category` equals `ancestor` or lies below it (`a.b` within `a`), on bytes.
    @inline(__always)
    static func isWithin(_ category: [UInt8], _ ancestor: [UInt8]) -> Bool {
        if category.count == ancestor.count { return category == ancestor }
        guard category.count > ancestor.count, category[ancestor.count] == UInt8(ascii: ".") else { return false }
        for i in 0..<ancestor.count where category[i] != ancestor[i] { return false }
        return true
    }
}
