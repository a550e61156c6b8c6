import Foundation
import TrennwandRecords

/// Byte-level string predicates used by compiled conditions (no `String` on the hot path, no
/// allocation: inline `ByteString`s are read through `withUnsafeBytes`).
enum ExprTextOps {
    /// Lower case for ASCII and the Latin-1 capitals (Ä Ö Ü …); see `ByteString.foldCase`.
    static func lower(_ s: ByteString) -> ByteString { s.caseFolded }

    @inline(__always)
    static func byteEqual(_ a: UInt8, _ b: UInt8, _ ci: Bool) -> Bool { ci ? asciiLower(a) == asciiLower(b) : a == b }

    static func startsWith(_ s: UnsafeRawBufferPointer, _ p: UnsafeRawBufferPointer, ci: Bool) -> Bool {
        guard p.count <= s.count else { return false }
        for i in 0..<p.count where !byteEqual(s[i], p[i], ci) { return false }
        return true
    }

    static func endsWith(_ s: UnsafeRawBufferPointer, _ p: UnsafeRawBufferPointer, ci: Bool) -> Bool {
        guard p.count <= s.count else { return false }
        let off = s.count - p.count
        for i in 0..<p.count where !byteEqual(s[off + i], p[i], ci) { return false }
        return true
    }

    /// Substring search: `memchr` + `memcmp` when case matters; otherwise a scan for the needle's first byte
    /// in either ASCII case, then a case-insensitive compare of the rest.
    static func contains(_ s: UnsafeRawBufferPointer, _ p: UnsafeRawBufferPointer, ci: Bool) -> Bool {
        if p.isEmpty { return true }
        guard p.count <= s.count, let sb = s.baseAddress, let pb = p.baseAddress else { return false }
        if !ci {
            // memchr for the first byte, memcmp for the rest (glibc's memmem is not exported to Swift).
            var from = sb, left = s.count - p.count + 1
            while left > 0, let hit = memchr(from, Int32(p[0]), left) {
                if memcmp(hit, pb, p.count) == 0 { return true }
                let step = UnsafeRawPointer(hit) - from + 1
                from += step
                left -= step
            }
            return false
        }
        let first = asciiLower(p[0])
        let s8 = sb.assumingMemoryBound(to: UInt8.self), p8 = pb.assumingMemoryBound(to: UInt8.self)
        let last = s.count - p.count
        var i = 0
        while i <= last {
            if asciiLower(s8[i]) == first {
                var j = 1
                while j < p.count, asciiLower(s8[i + j]) == asciiLower(p8[j]) { j += 1 }
                if j == p.count { return true }
            }
            i += 1
        }
        return false
    }

    static func match(_ op: ExprStringOp, _ s: UnsafeRawBufferPointer, _ p: UnsafeRawBufferPointer, ci: Bool) -> Bool {
        switch op {
        case .contains: return contains(s, p, ci: ci)
        case .startswith: return startsWith(s, p, ci: ci)
        case .endswith: return endsWith(s, p, ci: ci)
        }
    }

    @inline(__always)
    static func match(_ op: ExprStringOp, _ s: ByteString, _ p: ByteString, ci: Bool) -> Bool {
        s.withUnsafeBytes { sb in p.withUnsafeBytes { pb in match(op, sb, pb, ci: ci) } }
    }

    /// `category` equals `ancestor` or lies below it (`a.b` within `a`), on bytes.
    @inline(__always)
    static func isWithin(_ category: UnsafeRawBufferPointer, _ ancestor: UnsafeRawBufferPointer) -> Bool {
        if category.count == ancestor.count { return category.elementsEqual(ancestor) }
        guard category.count > ancestor.count, category[ancestor.count] == UInt8(ascii: ".") else { return false }
        for i in 0..<ancestor.count where category[i] != ancestor[i] { return false }
        return true
    }

    @inline(__always)
    static func isWithin(_ category: ByteString, _ ancestor: ByteString) -> Bool {
        if category.count == ancestor.count { return category == ancestor }
        return category.withUnsafeBytes { c in ancestor.withUnsafeBytes { a in isWithin(c, a) } }
    }
}

extension ExprStringOp {
    /// Whether `s` contains / starts with / ends with `p` (`ci`: ASCII case-insensitive) — the
    /// closure evaluator's reading, shared with the batch executor.
    package func matches(_ s: ByteString, _ p: ByteString, ci: Bool) -> Bool { ExprTextOps.match(self, s, p, ci: ci) }

    /// `category` equals `ancestor` or lies below it (`a.b` within `a`).
    package static func isWithin(_ category: ByteString, _ ancestor: ByteString) -> Bool {
        ExprTextOps.isWithin(category, ancestor)
    }
}
