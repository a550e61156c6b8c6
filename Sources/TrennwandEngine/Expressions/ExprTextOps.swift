import TrennwandRecords

/// Byte-level string predicates used by compiled conditions (no `String` on the hot path).
enum ExprTextOps {
    /// Lower case for ASCII and the Latin-1 capitals (Ä Ö Ü …); see `ByteString.foldCase`.
    static func lower(_ s: ByteString) -> ByteString { s.caseFolded }

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
