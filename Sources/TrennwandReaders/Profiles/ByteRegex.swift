import TrennwandRecords

/// A small anchored regular expression for value-map patterns, matched on UTF-8 bytes.
///
/// Compiled once (at profile load) to a Thompson NFA and run by state-set simulation: time linear
/// in value length times pattern size, no backtracking, so no pattern can hang a scan. It matches
/// the whole value (anchored; a leading `^` and a trailing `$` are accepted and change nothing) and
/// case-insensitively like map keys (the value arrives case-folded; letters of the pattern are
/// folded the same way). Supported (docs/profiles.md):
///
/// - literal characters (UTF-8), `\` before a punctuation character for that character
/// - `.` any one character; `\d` digit, `\w` letter/digit/underscore (ASCII), `\s` space or tab
/// - `[abc]`, `[a-z0-9äöü]`, `[^0-9]` (negated classes: ASCII members only)
/// - groups `( … )` with alternation `|` (also at the top level)
/// - `?`, `*`, `+`, `{m}`, `{m,}`, `{m,n}` (m, n ≤ 100)
///
/// Not supported (a load error): back-references, look-around, lazy quantifiers, `(?…)` flags,
/// anchors inside the pattern, other escapes.
public struct ByteRegex: Sendable {
    /// The source text as written.
    public let source: String
    private let kinds: [Kind]
    private let out1: [Int32]
    private let out2: [Int32]
    private let sets: [ByteSet]
    private let start: Int

    enum Kind: UInt8, Sendable { case byte, split, accept }

    /// A problem in the pattern: a reason and the 1-based character offset in the pattern.
    public struct SyntaxError: Error, Sendable, Equatable {
        public let offset: Int
        public let reason: Localized
    }

    /// Most NFA states a pattern may compile to (bounded memory and time per value).
    static let maxStates = 5_000
    static let maxRepeat = 100

    /// Compiles `pattern`; throws `SyntaxError` for what the subset does not support.
    public init(_ pattern: String) throws {
        var parser = Parser(Array(pattern.unicodeScalars))
        let tree = try parser.parseAll()
        var b = Builder()
        let accept = b.add(.accept, set: -1)
        let start = try b.compile(tree, next: accept)
        self.source = pattern
        self.kinds = b.kinds
        self.out1 = b.out1
        self.out2 = b.out2
        self.sets = b.sets
        self.start = start
    }

    /// Whether the whole of `input` (case-folded UTF-8) matches.
    public func matches(_ input: UnsafeRawBufferPointer) -> Bool {
        var current: [Int] = [], next: [Int] = []
        current.reserveCapacity(kinds.count)
        next.reserveCapacity(kinds.count)
        var seen = [Int](repeating: -1, count: kinds.count)
        var stack: [Int] = []
        func add(_ s: Int, _ gen: Int, _ list: inout [Int]) {
            stack.append(s)
            while let t = stack.popLast() {
                if seen[t] == gen { continue }
                seen[t] = gen
                switch kinds[t] {
                case .split:
                    stack.append(Int(out2[t]))
                    stack.append(Int(out1[t]))
                case .byte, .accept:
                    list.append(t)
                }
            }
        }
        add(start, 0, &current)
        var gen = 0
        for b in input {
            gen += 1
            next.removeAll(keepingCapacity: true)
            for s in current where kinds[s] == .byte && sets[Int(out2[s])].contains(b) {
                add(Int(out1[s]), gen, &next)
            }
            if next.isEmpty { return false }
            swap(&current, &next)
        }
        return current.contains { kinds[$0] == .accept }
    }

    /// Whether the whole of `text` matches (tests, examples).
    public func matches(_ text: String) -> Bool {
        ByteString(text).caseFolded.withUnsafeBytes { matches($0) }
    }
}

/// 256 bits: the bytes one NFA transition accepts.
struct ByteSet: Sendable, Equatable {
    private var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static func == (a: ByteSet, b: ByteSet) -> Bool { a.w == b.w }

    init() {}
    init(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }

    mutating func insert(_ b: UInt8) {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: w.0 |= bit
        case 1: w.1 |= bit
        case 2: w.2 |= bit
        default: w.3 |= bit
        }
    }

    @inline(__always)
    func contains(_ b: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(b & 63)
        switch b >> 6 {
        case 0: return w.0 & bit != 0
        case 1: return w.1 & bit != 0
        case 2: return w.2 & bit != 0
        default: return w.3 & bit != 0
        }
    }
}

/// The parsed pattern, already at byte level (a UTF-8 character is a sequence of byte sets).
indirect enum RegexNode {
    case bytes(ByteSet)
    case sequence([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?)
}

extension RegexNode {
    /// Any one UTF-8 character (ASCII, or a lead byte with its continuation bytes).
    static func anyCharacter(ascii: ByteSet = ByteSet(0x00...0x7F)) -> RegexNode {
        let cont = RegexNode.bytes(ByteSet(0x80...0xBF))
        return .alternation([
            .bytes(ascii),
            .sequence([.bytes(ByteSet(0xC2...0xDF)), cont]),
            .sequence([.bytes(ByteSet(0xE0...0xEF)), cont, cont]),
            .sequence([.bytes(ByteSet(0xF0...0xF4)), cont, cont, cont]),
        ])
    }

    /// One literal character, case-folded like value-map keys.
    static func literal(_ c: Unicode.Scalar) -> RegexNode {
        let bytes = Array(String(c).utf8)
        let f = bytes.withUnsafeBytes { ByteString.foldCase($0) }.bytes
        if f.count == 1 { return .bytes(ByteSet(f[0]...f[0])) }
        return .sequence(f.map { .bytes(ByteSet($0...$0)) })
    }
}

extension ByteRegex {
    /// Recursive descent over the pattern's Unicode scalars.
    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0

        init(_ s: [Unicode.Scalar]) { self.s = s }

        func fail(_ de: String, _ en: String, at: Int? = nil) -> SyntaxError {
            SyntaxError(offset: (at ?? i) + 1, reason: Localized(de: de, en: en))
        }

        mutating func parseAll() throws -> RegexNode {
            if i < s.count, s[i] == "^" { i += 1 }
            let node = try parseAlternation()
            if i < s.count, s[i] == "$", i == s.count - 1 { i += 1 }
            if i < s.count {
                if s[i] == ")" { throw fail("„)“ ohne „(“", "')' without '('") }
                throw fail("„\(s[i])“ hier nicht unterstützt", "'\(s[i])' not supported here")
            }
            return node
        }

        mutating func parseAlternation() throws -> RegexNode {
            var branches = [try parseSequence()]
            while i < s.count, s[i] == "|" {
                i += 1
                branches.append(try parseSequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseSequence() throws -> RegexNode {
            var items: [RegexNode] = []
            while i < s.count, s[i] != "|", s[i] != ")" {
                if s[i] == "$" && i == s.count - 1 { break }
                let atom = try parseAtom()
                items.append(try parseQuantifiers(atom))
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        mutating func parseQuantifiers(_ atom: RegexNode) throws -> RegexNode {
            var node = atom
            var quantified = false
            while i < s.count {
                let at = i
                var bounds: (Int, Int?)
                switch s[i] {
                case "?": bounds = (0, 1); i += 1
                case "*": bounds = (0, nil); i += 1
                case "+": bounds = (1, nil); i += 1
                case "{": bounds = try parseBraces()
                default: return node
                }
                if quantified {
                    throw fail("doppelter Quantor (auch „lazy“ wie *? wird nicht unterstützt)",
                               "double quantifier (lazy ones like *? are not supported either)", at: at)
                }
                quantified = true
                node = .repetition(node, min: bounds.0, max: bounds.1)
            }
            return node
        }

        mutating func parseBraces() throws -> (Int, Int?) {
            let open = i
            i += 1
            func number() -> Int? {
                var n = 0, digits = 0
                while i < s.count, s[i].value >= 0x30, s[i].value <= 0x39 {
                    n = n * 10 + Int(s[i].value - 0x30)
                    digits += 1
                    i += 1
                    if n > ByteRegex.maxRepeat { return n }
                }
                return digits > 0 ? n : nil
            }
            guard let lo = number() else { throw fail("Zahl nach „{“ erwartet", "number expected after '{'", at: open) }
            var hi: Int? = lo
            if i < s.count, s[i] == "," {
                i += 1
                hi = number()
            }
            guard i < s.count, s[i] == "}" else { throw fail("„}“ erwartet", "'}' expected", at: open) }
            i += 1
            if lo > ByteRegex.maxRepeat || (hi ?? 0) > ByteRegex.maxRepeat {
                throw fail("Wiederholung höchstens \(ByteRegex.maxRepeat)", "repetition at most \(ByteRegex.maxRepeat)", at: open)
            }
            if let hi, hi < lo { throw fail("{m,n} mit n < m", "{m,n} with n < m", at: open) }
            return (lo, hi)
        }

        mutating func parseAtom() throws -> RegexNode {
            let c = s[i]
            switch c {
            case "(":
                let open = i
                i += 1
                if i < s.count, s[i] == "?" { throw fail("„(?…)“ (Flags, Look-around) nicht unterstützt", "'(?…)' (flags, look-around) not supported") }
                let inner = try parseAlternation()
                guard i < s.count, s[i] == ")" else { throw fail("„(“ ohne „)“", "'(' without ')'", at: open) }
                i += 1
                return inner
            case "[":
                return try parseClass()
            case ".":
                i += 1
                return .anyCharacter()
            case "\\":
                return try parseEscape(inClass: false).node
            case "?", "*", "+", "{":
                throw fail("Quantor „\(c)“ ohne Zeichen davor", "quantifier '\(c)' without a character before it")
            case "^", "$":
                throw fail("„\(c)“ nur am Anfang bzw. Ende (das Muster gilt immer für den ganzen Wert)",
                           "'\(c)' only at the start or end (the pattern always covers the whole value)")
            case "]", "}":
                throw fail("„\(c)“ ohne öffnende Klammer (als Zeichen: \\\(c))", "'\(c)' without an opening bracket (as a character: \\\(c))")
            default:
                i += 1
                return .literal(c)
            }
        }

        /// `\d`, `\w`, `\s`, or an escaped punctuation character.
        mutating func parseEscape(inClass: Bool) throws -> (node: RegexNode, ascii: ByteSet?, scalar: Unicode.Scalar?) {
            let at = i
            i += 1
            guard i < s.count else { throw fail("„\\“ am Ende", "'\\' at the end", at: at) }
            let e = s[i]
            i += 1
            var set = ByteSet()
            switch e {
            case "d":
                set = ByteSet(0x30...0x39)
            case "w":
                set = ByteSet(0x30...0x39)
                for b in UInt8(0x61)...0x7A { set.insert(b) }
                for b in UInt8(0x41)...0x5A { set.insert(b) }
                set.insert(0x5F)
            case "s":
                set.insert(0x20)
                set.insert(0x09)
            default:
                guard e.isASCII, !(e.properties.isAlphabetic || e.properties.numericType != nil) else {
                    throw fail("Escape „\\\(e)“ nicht unterstützt (nur \\d, \\w, \\s und \\ vor Satzzeichen)",
                               "escape '\\\(e)' not supported (only \\d, \\w, \\s and \\ before punctuation)", at: at)
                }
                return (.literal(e), nil, e)
            }
            return (.bytes(set), set, nil)
        }

        /// `[…]` and `[^…]`: ASCII members and ranges in one byte set, other characters as
        /// alternatives; ranges only between ASCII characters.
        mutating func parseClass() throws -> RegexNode {
            let open = i
            i += 1
            var negated = false
            if i < s.count, s[i] == "^" { negated = true; i += 1 }
            var ascii = ByteSet()
            var others: [RegexNode] = []
            var first = true
            while true {
                guard i < s.count else { throw fail("„[“ ohne „]“", "'[' without ']'", at: open) }
                if s[i] == "]" && !first { i += 1; break }
                first = false
                var lo: Unicode.Scalar
                if s[i] == "\\" {
                    let e = try parseEscape(inClass: true)
                    if let set = e.ascii {
                        for b in UInt8(0)...0x7F where set.contains(b) { ascii.insert(b) }
                        continue
                    }
                    lo = e.scalar!
                } else {
                    lo = s[i]
                    i += 1
                }
                if i + 1 < s.count, s[i] == "-", s[i + 1] != "]" {
                    var hi = s[i + 1]
                    i += 2
                    if hi == "\\" {
                        i -= 1
                        guard let h = try parseEscape(inClass: true).scalar else {
                            throw fail("Bereich mit \\d, \\w oder \\s", "range with \\d, \\w or \\s", at: open)
                        }
                        hi = h
                    }
                    guard lo.isASCII, hi.isASCII else {
                        throw fail("Bereiche nur zwischen ASCII-Zeichen (Umlaute einzeln aufzählen)",
                                   "ranges only between ASCII characters (list umlauts one by one)", at: open)
                    }
                    guard lo.value <= hi.value else { throw fail("Bereich rückwärts", "range backwards", at: open) }
                    for v in lo.value...hi.value { ascii.insert(UInt8(v)) }
                } else if lo.isASCII {
                    ascii.insert(UInt8(lo.value))
                } else {
                    if negated {
                        throw fail("verneinte Klasse [^…] nur mit ASCII-Zeichen", "negated class [^…] with ASCII characters only", at: open)
                    }
                    others.append(.literal(lo))
                }
            }
            // Case-insensitive: the value is folded, so a capital in the class stands for its small letter.
            for b in UInt8(0x41)...0x5A where ascii.contains(b) { ascii.insert(b | 0x20) }
            if negated {
                var complement = ByteSet()
                for b in UInt8(0)...0x7F where !ascii.contains(b) { complement.insert(b) }
                return .anyCharacter(ascii: complement)
            }
            if others.isEmpty { return .bytes(ascii) }
            return .alternation([.bytes(ascii)] + others)
        }
    }

    /// Thompson construction, backwards from the accepting state.
    struct Builder {
        var kinds: [Kind] = []
        var out1: [Int32] = []
        var out2: [Int32] = []
        var sets: [ByteSet] = []

        mutating func add(_ kind: Kind, set: Int, out1 a: Int = -1, out2 b: Int = -1) -> Int {
            kinds.append(kind)
            out1.append(Int32(a))
            out2.append(Int32(kind == .byte ? set : b))
            return kinds.count - 1
        }

        mutating func compile(_ node: RegexNode, next: Int) throws -> Int {
            guard kinds.count <= ByteRegex.maxStates else {
                throw SyntaxError(offset: 1, reason: Localized(de: "Muster zu groß (höchstens \(ByteRegex.maxStates) Zustände)",
                                                               en: "pattern too large (at most \(ByteRegex.maxStates) states)"))
            }
            switch node {
            case .bytes(let set):
                let index = sets.firstIndex(of: set) ?? { sets.append(set); return sets.count - 1 }()
                return add(.byte, set: index, out1: next)
            case .sequence(let items):
                var cur = next
                for item in items.reversed() { cur = try compile(item, next: cur) }
                return cur
            case .alternation(let branches):
                var starts: [Int] = []
                for b in branches { starts.append(try compile(b, next: next)) }
                var cur = starts.last ?? next
                for s in starts.dropLast().reversed() { cur = add(.split, set: -1, out1: s, out2: cur) }
                return cur
            case .repetition(let inner, let min, let max):
                var cur = next
                if let max {
                    for _ in 0..<(max - min) {
                        let body = try compile(inner, next: cur)
                        cur = add(.split, set: -1, out1: body, out2: next)
                    }
                } else {
                    // A loop: split → (body → split) | next.
                    let loop = add(.split, set: -1, out1: -1, out2: next)
                    let body = try compile(inner, next: loop)
                    out1[loop] = Int32(body)
                    cur = loop
                }
                for _ in 0..<min { cur = try compile(inner, next: cur) }
                return cur
            }
        }
    }
}
