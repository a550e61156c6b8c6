import XCTest
@testable import TrennwandOutputs

/// The byte-wise JSON string escaper against the scalar-by-scalar one it replaced (kept here as the
/// oracle), on random strings of every kind of character that matters: quotes, backslashes, every
/// control, DEL, U+2028/U+2029 and their neighbours, German text, emoji.
final class JSONQuoteTests: XCTestCase {
    static func reference(_ s: String) -> String {
        var out = "\""
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
        return out + "\""
    }

    func testSameAsTheScalarEscaper() {
        var pool: [Unicode.Scalar] = (0...0x7F).map { Unicode.Scalar(UInt8($0)) }
        pool += ["ä", "ß", "Ü", "„", "“", "–", "…", "€", "\u{2027}", "\u{2028}", "\u{2029}", "\u{202A}", "\u{80}", "😀", "\u{FEFF}"]
        var rng = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 5, 17, 64] {
            for _ in 0..<400 {
                var s = String.UnicodeScalarView()
                for _ in 0..<length { s.append(pool[Int.random(in: 0..<pool.count, using: &rng)]) }
                let text = String(s)
                XCTAssertEqual(JSON.quote(text), Self.reference(text), "\(Array(text.unicodeScalars.map(\.value)))")
            }
        }
        XCTAssertEqual(JSON.quote("plain Müller"), "\"plain Müller\"")
        XCTAssertEqual(JSON.quote("a\u{2028}\u{1}\u{7F}\"\\"), #""a\u2028\u0001\u007f\"\\""#)
    }
}
