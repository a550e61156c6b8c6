import TrennwandRecords
import XCTest
@testable import TrennwandReaders

/// Random inputs over a hostile alphabet (quotes, CR, LF, delimiter, multi-byte UTF-8, invalid
/// bytes) give identical rows, rejections, lines and offsets for every block size.
final class CSVBlockInvarianceTests: XCTestCase {
    func testResultsDoNotDependOnBlockSize() throws {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33) % bound
        }
        let alphabet: [[UInt8]] = [
            [0x61], [0x62], [0x2C], [0x2C], [0x22], [0x22, 0x22], [0x0A], [0x0D], [0x0D, 0x0A],
            [0xC3, 0xA4], [0xE2, 0x82, 0xAC], [0xFF], [0x00], [0x20],
        ]
        for round in 0..<300 {
            var bytes = Array("h1,h2,h3\n".utf8)
            for _ in 0..<(5 + next(120)) { bytes += alphabet[next(alphabet.count)] }
            let encoding: TextEncoding = round % 2 == 0 ? .utf8 : .windows1252
            let dialect = CSVDialect(encoding: encoding)
            let reference = try readCSV(bytes, dialect: dialect)
            XCTAssertEqual(reference.rows.count + reference.rejections.count, reference.recordCount)
            for blockSize in [1, 2, 3, 4, 7, 9, 16] {
                let small = try readCSV(bytes, dialect: dialect, blockSize: blockSize)
                XCTAssertEqual(small.rows, reference.rows, "round \(round) block \(blockSize)")
                XCTAssertEqual(small.lines, reference.lines, "round \(round) block \(blockSize)")
                XCTAssertEqual(small.offsets, reference.offsets, "round \(round) block \(blockSize)")
                XCTAssertEqual(small.indices, reference.indices, "round \(round) block \(blockSize)")
                XCTAssertEqual(small.rejections, reference.rejections, "round \(round) block \(blockSize)")
            }
        }
    }
}
