import XCTest
@testable import TrennwandEngine

/// All identifier vectors of domain.md §3.
final class IdentifierVectorTests: XCTestCase {
    typealias V = IdentifierValidator
    private func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testSteuerID() {
        for v in ["36574261809", "11234567890", "11123456786", "36 574 261 809"] {
            XCTAssertTrue(V.isValidSteuerID(b(v)), v)
        }
        for v in ["36574261890", "36554266806", "1111234567 8", "06574261809", "3657426180", "365742618090", "3657426180X"] {
            XCTAssertFalse(V.isValidSteuerID(b(v)), v)
        }
    }

    func testMod11_10() {
        XCTAssertTrue(V.isValidMod11_10(b("794623")))
        XCTAssertTrue(V.isValidMod11_10(b("002006673085")))
        XCTAssertFalse(V.isValidMod11_10(b("002006673084")))
        XCTAssertEqual(V.mod11_10CheckDigit(b("79462")), UInt8(ascii: "3"))
        XCTAssertEqual(V.mod11_10CheckDigit(b("00200667308")), UInt8(ascii: "5"))
    }

    func testIBAN() {
        XCTAssertTrue(V.isValidIBAN(b("DE89370400440532013000")))
        XCTAssertTrue(V.isValidIBAN(b("DE89 3704 0044 0532 0130 00")))
        XCTAssertTrue(V.isValidIBAN(b("de89 3704 0044 0532 0130 00")))
        XCTAssertFalse(V.isValidIBAN(b("DE88370400440532013000")))
        XCTAssertFalse(V.isValidIBAN(b("DE8937040044053201300")))   // 21 characters
        XCTAssertEqual(V.ibanCheckDigits(country: "DE", bban: "370400440532013000"), "89")
        XCTAssertEqual(V.ibanLength(country: "DE"), 22)
        XCTAssertEqual(V.ibanLength(country: "NO"), 15)
    }

    func testRVNummer() {
        for v in ["15 070649 C103", "50 150256 W493", "212 40284 M 032", "15070649C103"] {
            XCTAssertTrue(V.isValidRVNummer(b(v)), v)
        }
        for v in ["15 070649 C102", "01 070649 C103", "15 071349 C103", "15070649c103", "15 070649 C1033"] {
            XCTAssertFalse(V.isValidRVNummer(b(v)), v)
        }
    }

    func testKVNR() {
        for v in ["A000500015", "K220645122", "T012345678", "C000500021", "D795870231"] {
            XCTAssertTrue(V.isValidKVNR(b(v)), v)
        }
        for v in ["K220645129", "T012345679", "A005000112", "C000500020", "G995030567", "k220645122"] {
            XCTAssertFalse(V.isValidKVNR(b(v)), v)
        }
    }

    func testAusweis() {
        for v in ["LZ6311T475", "CZ63351X73", "C01X00T478", "T220001293", "2406055684"] {
            XCTAssertTrue(V.isValidAusweis(b(v)), v)
        }
        for v in ["C01X00T470", "LA6311T475", "LZ6311T47"] {
            XCTAssertFalse(V.isValidAusweis(b(v)), v)
        }
    }
}
