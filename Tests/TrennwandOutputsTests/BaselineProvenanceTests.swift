import Foundation
import TrennwandFindings
@testable import TrennwandOutputs
import TrennwandRecords
import XCTest

/// A baseline remembers the rule pack and the key id of the run that wrote it; another pack or
/// key is warned about. A missing file has its own code.
final class BaselineProvenanceTests: XCTestCase {
    func sarif(pack: String, key: String?) -> Data {
        let keyPart = key.map { ",\"trennwand/keyID\":\"\($0)\"" } ?? ""
        return Data("""
            {"version":"2.1.0","runs":[{"results":[{"ruleId":"TW101","partialFingerprints":{"trennwandFingerprint/v1":"abc"}}],
            "properties":{"trennwand/rulePack":"\(pack)"\(keyPart)}}]}
            """.utf8)
    }

    func testSARIFProvenanceIsReadAndCompared() throws {
        let b = try Baseline.parse(sarif(pack: "pack-1", key: "K-1"), path: "b.sarif")
        XCTAssertEqual(b.rulePackHash, "pack-1")
        XCTAssertEqual(b.keyID, "K-1")
        XCTAssertEqual(b.provenanceWarnings(rulePackHash: "pack-1", keyID: "K-1"), [])
        XCTAssertEqual(b.provenanceWarnings(rulePackHash: "pack-2", keyID: "K-1").map(\.rejection.reason.code), ["baseline.foreign-pack"])
        XCTAssertEqual(b.provenanceWarnings(rulePackHash: "pack-1", keyID: "K-2").map(\.rejection.reason.code), ["baseline.foreign-key"])
        // Older outputs without a key id: nothing to compare, no warning.
        let old = try Baseline.parse(sarif(pack: "pack-1", key: nil), path: "b.sarif")
        XCTAssertEqual(old.provenanceWarnings(rulePackHash: "pack-1", keyID: "K-2"), [])
    }

    func testJSONLinesSummaryCarriesProvenance() throws {
        let text = """
            {"type":"finding","fingerprint":"abc","rule_id":"TW101"}
            {"type":"summary","rule_pack":"pack-1","key_id":"K-1"}
            """
        let b = try Baseline.parse(Data(text.utf8), path: "b.jsonl")
        XCTAssertEqual(b.keyID, "K-1")
        XCTAssertEqual(b.provenanceWarnings(rulePackHash: "pack-9", keyID: "K-9").map(\.rejection.reason.code),
                       ["baseline.foreign-key", "baseline.foreign-pack"])
    }

    func testKeyIDDependsOnTheKeyAndHidesIt() {
        let a = PseudonymKey(bytes: Array("key-a-0123456789abcdef".utf8), origin: "t")
        let b = PseudonymKey(bytes: Array("key-b-0123456789abcdef".utf8), origin: "t")
        XCTAssertNotEqual(a.keyID, b.keyID)
        XCTAssertEqual(a.keyID, PseudonymKey(bytes: Array("key-a-0123456789abcdef".utf8), origin: "u").keyID)
        XCTAssertFalse(a.keyID.contains("6b65792d61"))  // "key-a" in hex
    }

    func testMissingBaselineHasItsOwnCode() {
        XCTAssertThrowsError(try Baseline.load(path: "/nonexistent/baseline.sarif")) { error in
            XCTAssertEqual((error as? InputError)?.rejection.reason.code, "baseline.missing")
        }
    }
}
