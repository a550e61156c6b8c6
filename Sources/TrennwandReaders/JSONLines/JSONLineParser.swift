// A strict RFC 8259 parser for one JSON Lines line, on bytes and without recursion: containers
// live on an explicit stack with a depth limit, so a line of ten thousand `[` is a rejection, not
// a stack overflow. It does not build a tree: while it walks the line it follows the profile's
// paths (`JSONPathTree`) and copies the scalar values found at them into one byte arena.
import TrennwandRecords

/// Why a line is not a record, with the 1-based byte column where the parser stopped.
struct JSONLineProblem: Error, Equatable {
    enum Kind: Equatable {
        case invalidJSON(String)
        case notObject
        case duplicateKey
        case tooDeep
        case invalidUTF8
        /// An object or a nested array where the profile's path `source` wants a value.
        case wrongType(source: Int, found: String)
    }

    var kind: Kind
    var column: Int
}

final class JSONLineParser {
    /// Deepest nesting of objects and arrays accepted (the top-level object is depth 1).
    static let defaultMaxDepth = 64

    let tree: JSONPathTree
    let maxDepth: Int
    /// Reject objects and nested arrays at a path (reading); detection only notes presence.
    let strict: Bool

    /// Values found by the last `parse`: bytes in `arena`, one entry per occurrence, in line order.
    private(set) var arena: [UInt8] = []
    private(set) var occurrences: [(source: Int, start: Int, count: Int)] = []
    /// Sources whose path was present in the last line (any value, null included).
    private(set) var present: [Bool]

    private struct Frame {
        var isObject: Bool
        /// Tree node of this container (-1: not followed).
        var node: Int
        /// Arrays: the node whose sources take the elements (-1: none).
        var elementNode: Int
        var keyStart: Int
        var keyArenaStart: Int
        var empty = true
    }

    private var stack: [Frame] = []
    private var keyArena: [UInt8] = []
    private var keys: [(hash: UInt64, start: Int, count: Int)] = []

    init(tree: JSONPathTree, maxDepth: Int = JSONLineParser.defaultMaxDepth, strict: Bool = true) {
        self.tree = tree
        self.maxDepth = maxDepth
        self.strict = strict
        self.present = Array(repeating: false, count: tree.sourceCount)
    }

    /// Parses one line (without its LF; a CR before it is whitespace).
    func parse(_ line: UnsafeRawBufferPointer) -> JSONLineProblem? {
        arena.removeAll(keepingCapacity: true)
        occurrences.removeAll(keepingCapacity: true)
        for i in present.indices { present[i] = false }
        stack.removeAll(keepingCapacity: true)
        keyArena.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        if let bad = Self.firstInvalidUTF8(line) { return JSONLineProblem(kind: .invalidUTF8, column: bad + 1) }
        guard let base = line.baseAddress, line.count > 0 else {
            return JSONLineProblem(kind: .invalidJSON("leere Zeile|empty line"), column: 1)
        }
        let p = base.assumingMemoryBound(to: UInt8.self)
        return run(p, line.count)
    }

    /// Whitespace only (a blank line: no record).
    static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    // MARK: - Core

    private func run(_ p: UnsafePointer<UInt8>, _ n: Int) -> JSONLineProblem? {
        var i = skipWS(p, 0, n)
        guard i < n, p[i] == UInt8(ascii: "{") else {
            if i < n, "[\"-0123456789tfn".utf8.contains(p[i]) { return JSONLineProblem(kind: .notObject, column: i + 1) }
            return JSONLineProblem(kind: .invalidJSON(i < n ? "kein JSON-Wert|not a JSON value" : "leere Zeile|empty line"),
                                   column: i + 1)
        }
        if let e = push(isObject: true, node: 0, elementNode: -1, at: i) { return e }
        i += 1
        while true {
            i = skipWS(p, i, n)
            guard i < n else { return syntax("Zeile endet vorzeitig|line ends early", i) }
            let top = stack[stack.count - 1]
            let c = p[i]
            // Close, or a separator, or the first member.
            if c == (top.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                pop()
                i += 1
                if stack.isEmpty {
                    i = skipWS(p, i, n)
                    return i == n ? nil : syntax("Daten nach dem Objekt|data after the object", i)
                }
                continue
            }
            if !top.empty {
                guard c == UInt8(ascii: ",") else { return syntax("Komma oder Klammer erwartet|comma or bracket expected", i) }
                i = skipWS(p, i + 1, n)
                guard i < n else { return syntax("Zeile endet vorzeitig|line ends early", i) }
            }
            stack[stack.count - 1].empty = false
            var node: Int
            var inArray = false
            if top.isObject {
                guard p[i] == UInt8(ascii: "\"") else { return syntax("Schlüssel erwartet|key expected", i) }
                let keyColumn = i
                let keyStart = keyArena.count
                if let e = decodeString(p, &i, n, into: &keyArena, keep: true) { return e }
                if isDuplicateKey(from: keyStart, frame: top) { return JSONLineProblem(kind: .duplicateKey, column: keyColumn + 1) }
                node = keyArena.withUnsafeBytes { a in
                    tree.child(of: top.node, key: UnsafeRawBufferPointer(rebasing: a[keyStart...]))
                }
                i = skipWS(p, i, n)
                guard i < n, p[i] == UInt8(ascii: ":") else { return syntax("Doppelpunkt erwartet|colon expected", i) }
                i = skipWS(p, i + 1, n)
                guard i < n else { return syntax("Zeile endet vorzeitig|line ends early", i) }
            } else {
                node = top.elementNode
                inArray = true
            }
            // The value.
            let sources = node >= 0 ? tree.nodes[node].sources : []
            for s in sources { present[s] = true }
            let v = p[i]
            if v == UInt8(ascii: "{") || v == UInt8(ascii: "[") {
                let isObject = v == UInt8(ascii: "{")
                if strict, let s = sources.first {
                    if isObject || inArray {
                        return JSONLineProblem(kind: .wrongType(source: s, found: isObject ? "object" : "array"), column: i + 1)
                    }
                }
                // Objects are followed below a key; arrays hand their scalar elements to the key's sources.
                let childNode = inArray ? -1 : node
                if let e = push(isObject: isObject, node: isObject ? childNode : -1,
                                elementNode: isObject ? -1 : (sources.isEmpty ? -1 : childNode), at: i) { return e }
                i += 1
                continue
            }
            if let e = scalar(p, &i, n, sources: sources) { return e }
        }
    }

    private func syntax(_ what: String, _ i: Int) -> JSONLineProblem {
        JSONLineProblem(kind: .invalidJSON(what), column: i + 1)
    }

    private func push(isObject: Bool, node: Int, elementNode: Int, at i: Int) -> JSONLineProblem? {
        guard stack.count < maxDepth else { return JSONLineProblem(kind: .tooDeep, column: i + 1) }
        stack.append(Frame(isObject: isObject, node: node, elementNode: elementNode, keyStart: keys.count,
                           keyArenaStart: keyArena.count))
        return nil
    }

    private func pop() {
        let f = stack.removeLast()
        keys.removeSubrange(f.keyStart...)
        keyArena.removeSubrange(f.keyArenaStart...)
    }

    /// Records the key just decoded at `keyArena[from...]`; true when the object already has it.
    /// Up to 16 keys an object's keys are compared linearly (by hash first), beyond that through a
    /// hash index per depth, so that a line of 100 000 keys stays linear.
    private func isDuplicateKey(from: Int, frame: Frame) -> Bool {
        var h: UInt64 = 0xcbf29ce484222325
        for k in from..<keyArena.count { h = (h ^ UInt64(keyArena[k])) &* 0x100000001b3 }
        let count = keyArena.count - from
        let seen = keys.count - frame.keyStart
        func same(_ e: (hash: UInt64, start: Int, count: Int)) -> Bool {
            guard e.hash == h && e.count == count else { return false }
            return count == 0 || keyArena.withUnsafeBytes { memcmpBytes($0.baseAddress! + e.start, $0.baseAddress! + from, count) }
        }
        var dup = false
        if seen < 16 {
            dup = keys[frame.keyStart...].contains(where: same)
        } else {
            let depth = stack.count - 1
            while keyIndexes.count <= depth { keyIndexes.append([:]) }
            if seen == 16 {
                keyIndexes[depth].removeAll(keepingCapacity: true)
                for j in frame.keyStart..<keys.count { keyIndexes[depth][keys[j].hash, default: []].append(j) }
            }
            dup = keyIndexes[depth][h]?.contains { same(keys[$0]) } ?? false
            keyIndexes[depth][h, default: []].append(keys.count)
        }
        keys.append((h, from, count))
        return dup
    }

    private var keyIndexes: [[UInt64: [Int]]] = []

    /// A string, number or literal at `i`; its text goes to the arena for each of `sources`.
    private func scalar(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int, sources: [Int]) -> JSONLineProblem? {
        let start = i
        let c = p[i]
        let valueStart = arena.count
        if c == UInt8(ascii: "\"") {
            if let e = decodeString(p, &i, n, into: &arena, keep: !sources.isEmpty) { return e }
        } else if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
            if let e = number(p, &i, n) { return e }
            if !sources.isEmpty { arena.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start)) }
        } else if let word = literal(p, i, n) {
            i += word.count
            if word == "null" { return nil }
            if !sources.isEmpty { arena.append(contentsOf: word.utf8) }
        } else {
            return syntax("Wert erwartet|value expected", i)
        }
        for s in sources { occurrences.append((s, valueStart, arena.count - valueStart)) }
        return nil
    }

    private func literal(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> String? {
        for word in ["true", "false", "null"] {
            let w = Array(word.utf8)
            if i + w.count <= n && (0..<w.count).allSatisfy({ p[i + $0] == w[$0] }) { return word }
        }
        return nil
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private func number(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int) -> JSONLineProblem? {
        @inline(__always) func digit(_ k: Int) -> Bool { k < n && p[k] >= 0x30 && p[k] <= 0x39 }
        if p[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return syntax("ungültige Zahl|invalid number", i) }
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if digit(i) { return syntax("führende Null|leading zero", i) }
        } else {
            while digit(i) { i += 1 }
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return syntax("ungültige Zahl|invalid number", i) }
            while digit(i) { i += 1 }
        }
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            if i < n && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return syntax("ungültige Zahl|invalid number", i) }
            while digit(i) { i += 1 }
        }
        return nil
    }

    /// Decodes the string at `i` (its opening quote) into `out`, leaves `i` after the closing quote.
    /// With `keep` false the string is only checked.
    private func decodeString(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ n: Int, into out: inout [UInt8],
                              keep: Bool) -> JSONLineProblem? {
        i += 1
        while true {
            // Copy the plain run up to a quote, backslash or control character.
            let runStart = i
            while i < n {
                let b = p[i]
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
                i += 1
            }
            if keep && i > runStart { out.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart)) }
            guard i < n else { return syntax("Zeichenkette nicht beendet|unterminated string", i) }
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return nil
            }
            if b < 0x20 { return syntax("Steuerzeichen in Zeichenkette|control character in string", i) }
            // Escape.
            guard i + 1 < n else { return syntax("Zeichenkette nicht beendet|unterminated string", i) }
            let e = p[i + 1]
            var escaped: UInt8 = 0
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escaped = e
            case UInt8(ascii: "b"): escaped = 0x08
            case UInt8(ascii: "f"): escaped = 0x0C
            case UInt8(ascii: "n"): escaped = 0x0A
            case UInt8(ascii: "r"): escaped = 0x0D
            case UInt8(ascii: "t"): escaped = 0x09
            case UInt8(ascii: "u"):
                guard var scalar = hex4(p, i + 2, n) else { return syntax("ungültiges \\u-Escape|invalid \\u escape", i) }
                var used = 6
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard i + 7 < n, p[i + 6] == UInt8(ascii: "\\"), p[i + 7] == UInt8(ascii: "u"),
                          let low = hex4(p, i + 8, n), low >= 0xDC00 && low <= 0xDFFF
                    else { return syntax("einzelnes Surrogat|lone surrogate", i) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    used = 12
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    return syntax("einzelnes Surrogat|lone surrogate", i)
                }
                if keep { appendUTF8(scalar, &out) }
                i += used
                continue
            default:
                return syntax("ungültiges Escape|invalid escape", i)
            }
            if keep { out.append(escaped) }
            i += 2
        }
    }

    private func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> UInt32? {
        guard i + 4 <= n else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private func appendUTF8(_ s: UInt32, _ out: inout [UInt8]) {
        switch s {
        case 0..<0x80: out.append(UInt8(s))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (s >> 6)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (s >> 12)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (s >> 18)))
            out.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    @inline(__always)
    private func skipWS(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        var i = i
        while i < n {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { break }
            i += 1
        }
        return i
    }

    /// Offset of the first byte that is not part of well-formed UTF-8 (no overlongs, no
    /// surrogates, at most U+10FFFF), or nil.
    static func firstInvalidUTF8(_ v: UnsafeRawBufferPointer) -> Int? {
        let n = v.count
        var i = 0
        while i < n {
            let b = v[i]
            if b < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            guard i + need < n else { return i }
            let c1 = v[i + 1]
            guard c1 >= lo && c1 <= hi else { return i }
            for k in 2...max(2, need) where k <= need {
                guard v[i + k] & 0xC0 == 0x80 else { return i }
            }
            i += need + 1
        }
        return nil
    }
}
