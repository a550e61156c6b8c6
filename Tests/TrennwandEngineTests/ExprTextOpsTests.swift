import XCTest
import TrennwandRecords
@testable import TrennwandEngine

/// The memchr/memcmp and case-insensitive substring searches against a naive oracle.
final class ExprTextOpsTests: XCTestCase {
    private func naive(_ s: [UInt8], _ p: [UInt8], ci: Bool) -> Bool {
        if p.isEmpty { return true }
        guard p.count <= s.count else { return false }
        let f: (UInt8) -> UInt8 = { ci ? asciiLower($0) : $0 }
        for i in 0...(s.count - p.count) where (0..<p.count).allSatisfy({ f(s[i + $0]) == f(p[$0]) }) { return true }
        return false
    }

    func testContainsAgreesWithNaiveSearch() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aAbB ä".utf8)
        for _ in 0..<20_000 {
            let s = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let p = (0..<Int.random(in: 0...5, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            for ci in [false, true] {
                XCTAssertEqual(ExprTextOps.match(.contains, ByteString(s), ByteString(p), ci: ci), naive(s, p, ci: ci),
                               "\(s) \(p) ci=\(ci)")
            }
        }
    }

    func testStartsEndsAndWithin() {
        XCTAssertTrue(ExprTextOps.match(.startswith, ByteString("Gesundheitsamt"), ByteString("GESUND"), ci: true))
        XCTAssertFalse(ExprTextOps.match(.startswith, ByteString("Gesundheitsamt"), ByteString("GESUND"), ci: false))
        XCTAssertTrue(ExprTextOps.match(.endswith, ByteString("Kontoverbindung für die Erstattung"), ByteString("Erstattung"), ci: false))
        XCTAssertTrue(ExprTextOps.isWithin(ByteString("sozial.leistung"), ByteString("sozial")))
        XCTAssertTrue(ExprTextOps.isWithin(ByteString("gesundheit.diagnose.psychisch"), ByteString("gesundheit.diagnose")))
        XCTAssertFalse(ExprTextOps.isWithin(ByteString("sozialx"), ByteString("sozial")))
        XCTAssertFalse(ExprTextOps.isWithin(ByteString("sozial"), ByteString("sozial.leistung")))
    }
}
