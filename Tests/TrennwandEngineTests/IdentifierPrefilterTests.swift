import CTrennwandVectorscan
import Foundation
import XCTest
import TrennwandRecords
@testable import TrennwandEngine

/// The identifier prefilter: which pattern bytes it derives (and which patterns it refuses), the
/// runs it finds, and that detection with it equals detection over whole texts.
final class IdentifierPrefilterTests: XCTestCase {
    private func bytes(_ s: String) -> Set<UInt8> { Set(s.utf8) }
    private let digits = "0123456789", capitals = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    func testAlphabetOfBuiltInPatterns() {
        XCTAssertEqual(PatternAlphabet.bytes(of: "[1-9](?: ?[0-9]){10}", caseless: false), bytes(digits + " "))
        XCTAssertEqual(PatternAlphabet.bytes(of: "[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?", caseless: false),
                       bytes(capitals + digits + " "))
        XCTAssertEqual(PatternAlphabet.bytes(of: "[CFGHJKLMNPRTVWXYZ0-9]{9}[0-9]", caseless: false), bytes("CFGHJKLMNPRTVWXYZ" + digits))
        XCTAssertEqual(PatternAlphabet.bytes(of: "[0-9]{5}BG[0-9]{7}", caseless: false), bytes(digits + "BG"))
        XCTAssertEqual(PatternAlphabet.bytes(of: #"\d{3}\.\d{3}-[a\-z]"#, caseless: false), bytes(digits + ".-az"))
        XCTAssertEqual(PatternAlphabet.bytes(of: "ab[]x]", caseless: true), bytes("abABx]X"))
        XCTAssertEqual(PatternAlphabet.bytes(of: #"x{2,}y\x41"#, caseless: false), bytes("xyA"))
        // A brace that is no quantifier is a literal; counting its bytes is on the safe side.
        XCTAssertEqual(PatternAlphabet.bytes(of: "a{b}", caseless: false), bytes("a{b}"))
        XCTAssertEqual(PatternAlphabet.bytes(of: "[a-]", caseless: false), bytes("a-"))
    }

    func testPatternsItCannotBoundAreRefused() {
        for p in [".{10}", "[^0-9]{10}", #"\b[0-9]{10}\b"#, "^[0-9]{10}", "[0-9]{10}$", "(?i)[a-z]{10}",
                  "(?=x)[0-9]{10}", #"\p{L}{10}"#, "[[:digit:]]{10}", #"([0-9])\1{9}"#, #"\D{10}"#, "[z-a]", "[abc",
                  #"[0-9]\"#] {
            XCTAssertNil(PatternAlphabet.bytes(of: p, caseless: false), p)
        }
    }

    func testNoPrefilterWhenOnePatternIsRefusedOrCanBeEmpty() {
        let som = UInt32(HS_FLAG_SOM_LEFTMOST)
        XCTAssertNotNil(IdentifierPrefilter(patterns: ["[0-9]{10}", "[A-Z][0-9]{9}"], flags: [som, som]))
        XCTAssertEqual(IdentifierPrefilter(patterns: ["[0-9]{10}", "[A-Z][0-9]{4}"], flags: [som, som])?.minWidth, 5)
        XCTAssertNil(IdentifierPrefilter(patterns: ["[0-9]{10}", ".{4}"], flags: [som, som]))
        XCTAssertNil(IdentifierPrefilter(patterns: ["[0-9]{10}", "x?[0-9]{0,3}"], flags: [som, som]))
        XCTAssertNil(IdentifierPrefilter(patterns: [], flags: []))
    }

    /// The probing run search finds exactly the maximal member runs of at least minWidth bytes.
    func testRunsEqualALinearSearch() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aB1 .".utf8)
        for width in [1, 2, 3, 7, 10, 40] {
            let som = UInt32(HS_FLAG_SOM_LEFTMOST)
            let prefilter = try XCTUnwrap(IdentifierPrefilter(patterns: ["[B1 ]{\(width)}"], flags: [som]))
            XCTAssertEqual(prefilter.minWidth, width)
            for _ in 0..<400 {
                let n = Int.random(in: 0...120, using: &rng)
                let text = (0..<n).map { _ in alphabet[Int.random(in: 0..<(Bool.random() ? 3 : alphabet.count), using: &rng)] }
                var expected: [Range<Int>] = []
                var i = 0
                while i < n {
                    guard prefilter.member[Int(text[i])] else { i += 1; continue }
                    let start = i
                    while i < n, prefilter.member[Int(text[i])] { i += 1 }
                    if i - start >= width { expected.append(start..<i) }
                }
                var found: [Range<Int>] = []
                text.withUnsafeBufferPointer { prefilter.forEachRun(in: $0) { found.append($0) } }
                XCTAssertEqual(found, expected, "width \(width): \(String(decoding: text, as: UTF8.self))")
            }
        }
    }

    /// Detection with the prefilter equals detection over whole texts, on prose mixed with valid
    /// identifiers, near misses, long runs of capitals and digits, and deep indentation.
    func testSameHitsAsWholeTextScan() throws {
        let rules = TestPaths.rules
        let with = try DetectorSet(detectorsFile: rules.appendingPathComponent("detectors.yaml").path,
                                   listsDirectory: rules.appendingPathComponent("lists").path, prefilter: true)
        let without = try DetectorSet(detectorsFile: rules.appendingPathComponent("detectors.yaml").path,
                                      listsDirectory: rules.appendingPathComponent("lists").path, prefilter: false)
        XCTAssertNotNil(with.prefilter)
        XCTAssertNil(without.prefilter)
        let parts = [
            "Gespräch zur beruflichen Orientierung geführt. ", "Steuer-ID 36 574 261 809", "IBAN DE89 3704 0044 0532 0130 00",
            "DE89370400440532013000", "RV-Nr. 15 070649 C103", "KVNR K220645122", "Ausweisnummer LZ6311T475",
            "Kd.-Nr. 123A456789", "BG-Nr. 12345BG1234567", "Rechnung 36574261890", "AB12 DE89 3704 0044 0532 0130 00",
            "XX365742618099", "TEILNEHMER ABC DEF GHI JKL", "            ", "\n", "ä36574261809", "_36574261809",
            "36574261809ü", "Schulden und Gutachten", "Sucht", "1234567890 1234567890 1234567890", "K2206451220",
        ]
        var rng = SystemRandomNumberGenerator()
        var total = 0
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 1...12, using: &rng)).map { _ in parts.randomElement(using: &rng)! }
                .joined(separator: Bool.random(using: &rng) ? " " : "")
            let pieces = [ByteString(Array(text.utf8)), ByteString(Array("Notiz: \(text)".utf8))]
            let a = with.makeScanner().scan(pieces).hits, b = without.makeScanner().scan(pieces).hits
            XCTAssertEqual(a, b, text)
            total += a.count
        }
        XCTAssertGreaterThan(total, 300)
    }
}
