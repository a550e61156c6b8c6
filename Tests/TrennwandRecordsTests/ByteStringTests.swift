import XCTest
@testable import TrennwandRecords

/// The inline representation (≤ 15 bytes) must behave exactly like the array one: equality,
/// hashing, order, bytes and case folding across the 15/16-byte boundary.
final class ByteStringTests: XCTestCase {
    private func samples() -> [[UInt8]] {
        var out: [[UInt8]] = [[], [0], [0, 0], Array("a".utf8), Array("JC-M-1235".utf8), Array("Übertragungsweg".utf8)]
        for n in [14, 15, 16, 17, 31, 64] {
            out.append((0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
            out.append(Array(repeating: 0, count: n))
        }
        return out
    }

    func testRoundTripAndCount() {
        for b in samples() {
            let s = ByteString(b)
            XCTAssertEqual(s.bytes, b)
            XCTAssertEqual(s.count, b.count)
            XCTAssertEqual(s.isEmpty, b.isEmpty)
            XCTAssertEqual(s.withUnsafeBytes { Array($0) }, b)
            for i in b.indices { XCTAssertEqual(s[i], b[i]) }
            XCTAssertEqual(b.withUnsafeBytes { ByteString($0) }, s)
        }
    }

    func testEqualityHashAndOrderMatchTheBytes() {
        let all = samples()
        for a in all {
            for b in all {
                let x = ByteString(a), y = ByteString(b)
                XCTAssertEqual(x == y, a == b, "\(a) vs \(b)")
                if a == b { XCTAssertEqual(x.hashValue, y.hashValue) }
                XCTAssertEqual(x < y, a.lexicographicallyPrecedes(b))
            }
        }
        // Trailing zero bytes must not compare equal to a shorter string (count is part of the key).
        XCTAssertNotEqual(ByteString([0x41]), ByteString([0x41, 0]))
        XCTAssertEqual(Set([ByteString("abc"), ByteString(Array("abc".utf8)), ByteString("abcd")]).count, 2)
    }

    func testCaseFoldingOnBothSidesOfTheInlineLimit() {
        XCTAssertEqual(ByteString("ÄRZTLICHES").caseFolded, ByteString("ärztliches"))
        XCTAssertEqual(ByteString("GESUNDHEITSZUSTAND ÜBER").caseFolded, ByteString("gesundheitszustand über"))
        XCTAssertEqual(ByteString("A×B").caseFolded, ByteString("a×b"))
        XCTAssertTrue(ByteString("Jobcenter").equalsIgnoringASCIICase(ByteString("JOBCENTER")))
        XCTAssertFalse(ByteString("Jobcenter").equalsIgnoringASCIICase(ByteString("JOBCENTE")))
    }

    func testSmallMapBehavesLikeADictionaryBelowAndAboveTheLinearLimit() {
        var map = SmallByteStringMap<Int>()
        var reference: [ByteString: Int] = [:]
        for n in 0..<40 {
            let k = ByteString("key-\(n % 23)-" + String(repeating: "x", count: n % 3 == 0 ? 20 : 1))
            map[k] = n
            reference[k] = n
            if n % 7 == 0 { map[k] = nil; reference[k] = nil }
            XCTAssertEqual(map.count, reference.count)
            for (rk, rv) in reference { XCTAssertEqual(map[rk], rv) }
            XCTAssertNil(map[ByteString("absent")])
        }
        // Optional values: "maps to nothing" is a present key.
        var optional = SmallByteStringMap<ByteString?>()
        optional[ByteString("leer")] = .some(nil)
        XCTAssertNotNil(optional[ByteString("leer")] as ByteString??)
        XCTAssertNil(optional[ByteString("x")] as ByteString??)
    }

    /// Every length around the inline limit, from a buffer inside a larger one (the packer's
    /// overlapping loads must neither read outside nor mix bytes).
    func testPackingEveryLengthFromABuffer() {
        let big: [UInt8] = (0..<64).map { UInt8(truncatingIfNeeded: 200 &- $0 &* 7) }
        for offset in [0, 1, 5] {
            for n in 0...20 {
                let slice = Array(big[offset..<(offset + n)])
                let s = big.withUnsafeBytes { ByteString(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + n)])) }
                XCTAssertEqual(s.bytes, slice, "n=\(n) offset=\(offset)")
                XCTAssertEqual(s, ByteString(slice))
                XCTAssertEqual(s.count, n)
            }
        }
    }

    func testRecordKindOrdinalsFollowAllCases() {
        for (i, kind) in RecordKind.allCases.enumerated() {
            XCTAssertEqual(kind.ordinal, i)
            XCTAssertEqual(kind.fieldCount, kind.schema.count)
        }
    }
}
