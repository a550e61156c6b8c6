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

    /// Integers written as bytes read as `String(v)` does, at the edges and at random.
    func testIntegersAsStringWritesThem() {
        var values: [Int] = [0, 1, -1, 9, 10, -10, 99, 100, Int.max, Int.min, Int.max - 1, Int.min + 1]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(Int.random(in: Int.min...Int.max, using: &rng) >> Int.random(in: 0..<63, using: &rng)) }
        for v in values {
            var out: [UInt8] = []
            JSON.appendInt(v, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), String(v))
        }
    }

    /// A built object: members in order, nested objects and arrays, null and booleans.
    func testObjectBytes() {
        var o = JSONObject()
        o.string("s", nil)
        o.int("n", -42)
        o.bool("t", true)
        o.bool("f", false)
        o.null("z")
        o.object("o") { $0.string("a", "x\"y") }
        o.array("l", [1, 2]) { v, x in x.int("v", v) }
        o.array("e", [Int]()) { _, _ in }
        o.object("empty") { _ in }
        XCTAssertEqual(o.text, #"{"s":null,"n":-42,"t":true,"f":false,"z":null,"o":{"a":"x\"y"},"l":[{"v":1},{"v":2}],"e":[],"empty":{}}"#)
        XCTAssertEqual(JSONObject().text, "{}")
        // Written at the end of a buffer that already holds a line.
        var buffer = Array("x\n".utf8)
        JSONObject.write(into: &buffer) { $0.int("k", 1); $0.object("m") { $0.null("n") } }
        XCTAssertEqual(String(decoding: buffer, as: UTF8.self), "x\n{\"k\":1,\"m\":{\"n\":null}}")
    }
}
