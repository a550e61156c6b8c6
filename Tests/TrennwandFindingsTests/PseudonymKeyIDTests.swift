import Foundation
import XCTest
@testable import TrennwandFindings

/// The key's public name: `K-` and 16 lower-case hex digits of HMAC(key, "trennwand-key-id/v1"),
/// the same for the same key, different for another.
final class PseudonymKeyIDTests: XCTestCase {
    func testKeyIDIsTheFirstEightMACBytesInHex() throws {
        let key = PseudonymKey(bytes: Array(repeating: 0xAB, count: 32), origin: "test")
        let mac = key.mac([Array("trennwand-key-id/v1".utf8)])
        let expected = "K-" + mac.prefix(8).map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(key.keyID, expected)
        XCTAssertEqual(key.keyID.count, 18)
        XCTAssertTrue(key.keyID.dropFirst(2).allSatisfy { "0123456789abcdef".contains($0) }, key.keyID)
        let other = PseudonymKey(bytes: Array(repeating: 0xCD, count: 32), origin: "test")
        XCTAssertNotEqual(other.keyID, key.keyID)
    }
}
