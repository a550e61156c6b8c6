import XCTest
@testable import TrennwandRecords

/// The batch normaliser's hash table must behave like a dictionary for every key length,
/// including the empty string, keys of exactly 15 and 16 bytes, and across growth.
final class ByteKeyTableTests: XCTestCase {
    func testAgreesWithADictionaryAcrossGrowthAndKeyLengths() {
        let table = ByteKeyTable(capacity: 2)
        var reference: [ByteString: Int32] = [:]
        var keys: [ByteString] = ["", "a", String(repeating: "x", count: 15).byteString, String(repeating: "x", count: 16).byteString]
        for i in 0..<5_000 { keys.append(ByteString("k\(i)\(i % 7 == 0 ? "-ein-langer-schluessel" : "")")) }
        for (i, k) in keys.enumerated() {
            table.set(Int32(i), for: k)
            reference[k] = Int32(i)
        }
        table.set(-1, for: "a")   // overwrite
        reference["a"] = -1
        XCTAssertEqual(table.count, reference.count)
        for k in keys { XCTAssertEqual(table.value(for: k), reference[k], "\(k)") }
        for miss in ["b", "k5000", String(repeating: "x", count: 14), "k7-ein-langer-schluesse"] {
            XCTAssertNil(table.value(for: ByteString(miss)), miss)
        }
    }

    /// As a set (the aggregates' distinct values): `insert` says whether the key is new, for
    /// every key length, across growth and after `removeAll`, which keeps the storage.
    func testAsASetAgreesWithSetAcrossGrowthAndRemoveAll() {
        let table = ByteKeyTable(capacity: 2)
        var keys: [ByteString] = ["", "a", String(repeating: "x", count: 15).byteString, String(repeating: "x", count: 16).byteString]
        for i in 0..<3_000 { keys.append(ByteString("v\(i % 1_000)\(i % 5 == 0 ? "-ein-langer-wert-ueber-15" : "")")) }
        for round in 0..<2 {
            var reference: Set<ByteString> = []
            for k in keys {
                XCTAssertEqual(table.insert(k), reference.insert(k).inserted, "round \(round): \(k)")
            }
            XCTAssertEqual(table.count, reference.count)
            for k in reference { XCTAssertFalse(table.insert(k)) }
            table.removeAll()
            XCTAssertEqual(table.count, 0)
            XCTAssertNil(table.value(for: "a"))
            XCTAssertNil(table.value(for: ""))
        }
    }

    /// Keys that differ only in their last bytes (account ids) spread over the buckets like random
    /// ones: 4,096 keys take about 3,220 of 8,192 buckets. The hash before `WordHash` put the
    /// `JC-M-` ids into 89 buckets, the `962D00` ones into 222 (probes ran long).
    func testKeysSharingAPrefixSpreadOverTheBuckets() {
        let mask = 8_191
        for prefix in ["JC-M-", "TR-", "962D00", ""] {
            var buckets = Set<Int>()
            for i in 0..<4_096 {
                let key = ByteString(prefix + String(i))
                guard let (w0, w1) = key.inlineWords else { continue }
                buckets.insert(Int(truncatingIfNeeded: WordHash.mix(w0, w1)) & mask)
            }
            XCTAssertGreaterThan(buckets.count, 3_000, "prefix \(prefix)")
        }
    }
}

private extension String {
    var byteString: ByteString { ByteString(self) }
}
