import XCTest
@testable import TrennwandFindings

/// `Masking.needsNeutralising` is exact: true for a text precisely when the scalar-by-scalar
/// replacement changes it (the writers skip the replacement, and the copy, when it says false).
final class MaskingTests: XCTestCase {
    func testPreCheckIsExactOnRandomTexts() {
        var pool: [Unicode.Scalar] = (0...0x7F).map { Unicode.Scalar(UInt8($0)) }
        // Every replaced character and its neighbours in UTF-8, German punctuation (E2 lead), emoji.
        pool += [0x80, 0x9F, 0xA0, 0xC4, 0x061B, 0x061C, 0x061D, 0x0600, 0x200D, 0x200E, 0x200F, 0x2010,
                 0x2029, 0x202A, 0x202E, 0x202F, 0x2065, 0x2066, 0x2069, 0x206A, 0x201E, 0x201C, 0x2013,
                 0x2026, 0x2028, 0x20AC, 0x1F600, 0xFEFF].map { Unicode.Scalar($0)! }
        var rng = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 4, 9, 33] {
            for _ in 0..<600 {
                var s = String.UnicodeScalarView()
                for _ in 0..<length { s.append(pool[Int.random(in: 0..<pool.count, using: &rng)]) }
                let text = String(s)
                XCTAssertEqual(Masking.needsNeutralising(text.utf8), Masking.rewritten(text) != text,
                               "\(Array(text.unicodeScalars.map(\.value)))")
            }
        }
    }

    func testKnownTexts() {
        XCTAssertFalse(Masking.needsNeutralising("„Zugriff“ – außerhalb…".utf8))
        XCTAssertTrue(Masking.needsNeutralising("a\u{202E}b".utf8))
        XCTAssertTrue(Masking.needsNeutralising("a\u{2066}".utf8))
        XCTAssertTrue(Masking.needsNeutralising("\u{85}".utf8))
        XCTAssertTrue(Masking.needsNeutralising("\u{061C}".utf8))
        XCTAssertTrue(Masking.needsNeutralising("\u{1B}[31m".utf8))
        XCTAssertFalse(Masking.needsNeutralising("tab\tand\nnewline".utf8))
        XCTAssertEqual(Masking.neutralised("x\u{202E}y\u{7}"), "x<U+202E>y\u{2407}")
        XCTAssertEqual(Masking.neutralised("„ok“"), "„ok“")
    }
}
