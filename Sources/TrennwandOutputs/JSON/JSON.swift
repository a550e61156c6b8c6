// JSON text shared by the JSON outputs (JSON Lines, SARIF): one string escaper for the whole target.

/// JSON text building with the one JSON string escaper of this target.
enum JSON {
    /// A JSON string literal: `"`, `\` and every control character below U+0020 escaped (short forms
    /// where JSON has them, `\u00XX` otherwise); U+2028/U+2029 escaped too so lines stay safe in JS.
    static func quote(_ s: String) -> String {
        var s = s
        return s.withUTF8 { b in
            // Most values need no escape: one pass over the bytes, then the string as it is.
            // (0xE2 leads U+2028/U+2029, and also „ “ – …: those take the escaping pass.)
            if !b.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xE2 }) {
                return "\"" + String(decoding: b, as: UTF8.self) + "\""
            }
            return escaped(b)
        }
    }

    /// The JSON string literal of valid UTF-8 `b`, byte by byte (a String is valid UTF-8, so this
    /// is the scalar-by-scalar escaping): `"` `\\` and the controls with short escapes, other
    /// controls and DEL as `\u00xx`, U+2028/U+2029 as `\u2028`/`\u2029` (they end a line for
    /// JavaScript), everything else as it is.
    private static let hex = Array("0123456789abcdef".utf8)

    private static func escaped(_ b: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 8)
        out.append(0x22)
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0xE2 where i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9):
                out += Array("\\u202".utf8)
                out.append(b[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                i += 3
                continue
            case 0..<0x20, 0x7F:
                out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]]
            default:
                out.append(c)
            }
            i += 1
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}

/// An ordered JSON object under construction; nil values become `null`.
struct JSONObject {
    private var parts: [String] = []

    mutating func raw(_ key: String, _ json: String) { parts.append(JSON.quote(key) + ":" + json) }
    mutating func string(_ key: String, _ value: String?) { raw(key, value.map(JSON.quote) ?? "null") }
    mutating func int(_ key: String, _ value: Int?) { raw(key, value.map(String.init) ?? "null") }

    var text: String { "{" + parts.joined(separator: ",") + "}" }
}
