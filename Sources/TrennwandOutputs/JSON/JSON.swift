// JSON text shared by the JSON outputs (JSON Lines, SARIF): one string escaper for the whole target.

/// JSON text building with the one JSON string escaper of this target.
enum JSON {
    /// A JSON string literal: `"`, `\` and every control character below U+0020 escaped (short forms
    /// where JSON has them, `\u00XX` otherwise); U+2028/U+2029 escaped too so lines stay safe in JS.
    static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
        return out
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
