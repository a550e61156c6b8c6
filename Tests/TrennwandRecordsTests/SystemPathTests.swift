import TrennwandRecords
import XCTest

/// Names that are not valid UTF-8 are shown as `\xHH` and turn back into their exact bytes.
final class SystemPathTests: XCTestCase {
    func testRoundTripOfInvalidUTF8() {
        let raw: [UInt8] = Array("bad".utf8) + [0xFF, 0xFE] + Array("name-ä.csv".utf8) + [0xC3]
        let s = SystemPath.string(raw)
        XCTAssertEqual(s, "bad\\xFF\\xFEname-ä.csv\\xC3")
        XCTAssertEqual(SystemPath.bytes(s), raw)
    }

    func testValidNamesAreUnchanged() {
        for name in ["a.csv", "Zugriffe März.csv", "dir\\sub.csv", "x\\x41.csv"] {
            XCTAssertEqual(SystemPath.string(Array(name.utf8)), name)
            XCTAssertEqual(SystemPath.bytes(name), Array(name.utf8))
        }
    }
}
