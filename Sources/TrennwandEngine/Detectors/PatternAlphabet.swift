import Foundation

/// The bytes a Vectorscan pattern can match, for the simple patterns identifiers use: literals,
/// classes without negation, `\d`, `\s`, `\w`, groups, alternation and quantifiers. Anything whose
/// bytes or context it cannot bound (`.`, negated classes, assertions, anchors, inline flags,
/// back-references, Unicode properties) makes it answer nil, i.e. "could be anything".
enum PatternAlphabet {
    static func bytes(of pattern: String, caseless: Bool) -> Set<UInt8>? {
        let p = Array(pattern.utf8)
        var out = Set<UInt8>()
        var i = 0
        while i < p.count {
            let c = p[i]
            switch c {
            case UInt8(ascii: "\\"):
                guard let (set, next) = escape(p, i) else { return nil }
                out.formUnion(set)
                i = next
            case UInt8(ascii: "["):
                guard let (set, next) = characterClass(p, i) else { return nil }
                out.formUnion(set)
                i = next
            case UInt8(ascii: "("):
                // Plain and non-capturing groups only; `(?=`, `(?i)`, `(?<name>` … are refused.
                if i + 1 < p.count, p[i + 1] == UInt8(ascii: "?") {
                    guard i + 2 < p.count, p[i + 2] == UInt8(ascii: ":") else { return nil }
                    i += 3
                } else {
                    i += 1
                }
            case UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                i += 1
            case UInt8(ascii: "{"):
                if let next = quantifier(p, i) { i = next } else { out.insert(c); i += 1 }
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                return nil
            default:
                out.insert(c)
                i += 1
            }
        }
        return caseless ? withOtherCase(out) : out
    }

    /// `{m}`, `{m,}`, `{m,n}` at `i`: the index after it, or nil when it is a literal brace.
    private static func quantifier(_ p: [UInt8], _ i: Int) -> Int? {
        var j = i + 1, digits = 0, commas = 0
        while j < p.count {
            let c = p[j]
            if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { digits += 1 }
            else if c == UInt8(ascii: ","), commas == 0, digits > 0 { commas += 1 }
            else if c == UInt8(ascii: "}"), digits > 0 { return j + 1 }
            else { return nil }
            j += 1
        }
        return nil
    }

    /// An escape at `i` (outside or inside a class): its bytes and the index after it.
    private static func escape(_ p: [UInt8], _ i: Int) -> (Set<UInt8>, Int)? {
        guard i + 1 < p.count else { return nil }
        let c = p[i + 1]
        switch c {
        case UInt8(ascii: "d"): return (Set(UInt8(ascii: "0")...UInt8(ascii: "9")), i + 2)
        case UInt8(ascii: "s"): return ([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20], i + 2)
        case UInt8(ascii: "w"):
            return (Set(UInt8(ascii: "0")...UInt8(ascii: "9")).union(UInt8(ascii: "A")...UInt8(ascii: "Z"))
                .union(UInt8(ascii: "a")...UInt8(ascii: "z")).union([UInt8(ascii: "_")]), i + 2)
        case UInt8(ascii: "t"): return ([0x09], i + 2)
        case UInt8(ascii: "n"): return ([0x0A], i + 2)
        case UInt8(ascii: "r"): return ([0x0D], i + 2)
        case UInt8(ascii: "f"): return ([0x0C], i + 2)
        case UInt8(ascii: "v"): return ([0x0B], i + 2)
        case UInt8(ascii: "x"):
            guard i + 3 < p.count, let hi = hexValue(p[i + 2]), let lo = hexValue(p[i + 3]) else { return nil }
            return ([hi << 4 | lo], i + 4)
        default:
            // An escaped punctuation character is itself; letters and digits are classes,
            // assertions or back-references this analysis does not bound.
            let isAlnum = (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z"))
            guard !isAlnum, c < 0x80 else { return nil }
            return ([c], i + 2)
        }
    }

    /// A class `[...]` at `i`: its bytes and the index after `]`; nil for negated or POSIX classes.
    private static func characterClass(_ p: [UInt8], _ i: Int) -> (Set<UInt8>, Int)? {
        var j = i + 1
        guard j < p.count, p[j] != UInt8(ascii: "^") else { return nil }
        var out = Set<UInt8>()
        var first = true
        while j < p.count {
            if p[j] == UInt8(ascii: "]"), !first { return (out, j + 1) }
            first = false
            if p[j] == UInt8(ascii: "["), j + 1 < p.count, p[j + 1] == UInt8(ascii: ":") { return nil }
            // One element: a single byte (literal or escaped) or a set escape such as \d.
            let lower: UInt8
            if p[j] == UInt8(ascii: "\\") {
                guard let (set, next) = escape(p, j) else { return nil }
                j = next
                guard set.count == 1 else { out.formUnion(set); continue }
                lower = set.first!
            } else {
                lower = p[j]
                j += 1
            }
            // A range `a-z` unless the `-` is last in the class.
            if j + 1 < p.count, p[j] == UInt8(ascii: "-"), p[j + 1] != UInt8(ascii: "]") {
                let upper: UInt8
                if p[j + 1] == UInt8(ascii: "\\") {
                    guard let (set, next) = escape(p, j + 1), set.count == 1 else { return nil }
                    upper = set.first!
                    j = next
                } else {
                    upper = p[j + 1]
                    j += 2
                }
                guard lower <= upper else { return nil }
                out.formUnion(lower...upper)
            } else {
                out.insert(lower)
            }
        }
        return nil
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func withOtherCase(_ s: Set<UInt8>) -> Set<UInt8> {
        var out = s
        for b in s where (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") { out.insert(b ^ 0x20) }
        return out
    }
}
