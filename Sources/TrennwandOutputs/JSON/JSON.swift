// JSON text shared by the JSON outputs (JSON Lines, SARIF): one string escaper for the whole target.

/// JSON text building with the one JSON string escaper of this target.
enum JSON {
    /// A JSON string literal: `"`, `\` and every control character below U+0020 escaped (short forms
    /// where JSON has them, `\u00XX` otherwise); U+2028/U+2029 escaped too so lines stay safe in JS.
    static func quote(_ s: String) -> String {
        var s = s
        return s.withUTF8 { b in
            // Most values need no escape: one pass over the bytes, then the string as it is.
            if !b.contains(where: needsEscapeCheck) {
                return "\"" + String(decoding: b, as: UTF8.self) + "\""
            }
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 8)
            appendQuoted(b, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Appends the JSON string literal of `s` (as `quote`) to `out`, without an intermediate String.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendQuoted($0, to: &out) }
    }

    /// Bytes that may need an escape: controls, `"`, `\`, DEL, and 0xE2, which leads U+2028/U+2029
    /// (and also „ “ – …, which are copied as they are after the check).
    @inline(__always)
    private static func needsEscapeCheck(_ c: UInt8) -> Bool {
        c < 0x20 || c == 0x22 || c == 0x5C || c == 0x7F || c == 0xE2
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// The JSON string literal of valid UTF-8 `b`, runs without escapes copied at once (a String is
    /// valid UTF-8, so this is the scalar-by-scalar escaping): `"` `\\` and the controls with short
    /// escapes, other controls and DEL as `\u00xx`, U+2028/U+2029 as `\u2028`/`\u2029` (they end a
    /// line for JavaScript), everything else as it is.
    private static func appendQuoted(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(0x22)
        var i = 0, start = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if !needsEscapeCheck(c) {
                i += 1
                continue
            }
            if i > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i])) }
            switch c {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0xE2 where i + 2 < n && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9):
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x32, 0x30, 0x32, b[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9")])
                i += 3
                start = i
                continue
            case 0xE2:
                out.append(c)
            default: // the other controls and DEL
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
            }
            i += 1
            start = i
        }
        if n > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<n])) }
        out.append(0x22)
    }

    /// Appends the decimal digits of `v` (with `-`), as `String(v)` writes them.
    static func appendInt(_ v: Int, to out: inout [UInt8]) {
        if v < 0 {
            out.append(UInt8(ascii: "-"))
            if v == .min {
                out.append(contentsOf: String(v).utf8.dropFirst())
                return
            }
        }
        var m = v.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[count] = UInt8(truncatingIfNeeded: m % 10) + 0x30
                m /= 10
                count += 1
            } while m > 0
            while count > 0 {
                count -= 1
                out.append(d[count])
            }
        }
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}

/// An ordered JSON object under construction, as UTF-8 bytes; nil values become `null`.
///
/// Bytes, not a list of Strings joined at the end: JSON Lines writes one object per finding with
/// nested objects and arrays, and String concatenation per member was most of its cost
/// (docs/executor.md). Nested objects and arrays are written into the same buffer (`object(_:_:)`
/// and `array(_:_:_:)` hand it to the child and take it back), and `write(into:_:)` builds an
/// object at the end of a caller's buffer: a finding line is one growing array, not one per
/// member — the allocations of several encoding threads contended in malloc.
struct JSONObject {
    private var body: [UInt8]
    private var first = true

    init() { body = [0x7B] }

    /// Builds an object at the end of `buffer` (no buffer of its own).
    static func write(into buffer: inout [UInt8], _ build: (inout JSONObject) -> Void) {
        var o = JSONObject(taking: &buffer)
        build(&o)
        o.body.append(0x7D)
        swap(&o.body, &buffer)
    }

    /// An object that continues `buffer` (moved in; `{` appended).
    private init(taking buffer: inout [UInt8]) {
        body = []
        swap(&body, &buffer)
        body.append(0x7B)
    }

    private mutating func key(_ key: String) {
        if first { first = false } else { body.append(0x2C) }
        JSON.appendQuoted(key, to: &body)
        body.append(0x3A)
    }

    mutating func raw(_ key: String, _ json: String) {
        self.key(key)
        body.append(contentsOf: json.utf8)
    }

    mutating func string(_ key: String, _ value: String?) {
        self.key(key)
        if let value { JSON.appendQuoted(value, to: &body) } else { appendNull() }
    }

    mutating func int(_ key: String, _ value: Int?) {
        self.key(key)
        if let value { JSON.appendInt(value, to: &body) } else { appendNull() }
    }

    mutating func bool(_ key: String, _ value: Bool) {
        self.key(key)
        body.append(contentsOf: value ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
    }

    mutating func null(_ key: String) {
        self.key(key)
        appendNull()
    }

    /// A nested object built by `build` in this object's buffer.
    mutating func object(_ key: String, _ build: (inout JSONObject) -> Void) {
        self.key(key)
        JSONObject.write(into: &body, build)
    }

    /// An array of objects, built by `each` for every element in this object's buffer.
    mutating func array<S: Sequence>(_ key: String, _ items: S, _ each: (S.Element, inout JSONObject) -> Void) {
        self.key(key)
        body.append(0x5B)
        var firstItem = true
        for item in items {
            if firstItem { firstItem = false } else { body.append(0x2C) }
            JSONObject.write(into: &body) { each(item, &$0) }
        }
        body.append(0x5D)
    }

    private mutating func appendNull() { body.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    /// The finished object as bytes.
    var bytes: [UInt8] {
        var out = body
        out.append(0x7D)
        return out
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
