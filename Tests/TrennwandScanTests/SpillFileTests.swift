import Foundation
import XCTest
@testable import TrennwandScan

/// Spilled findings read back through the read-ahead block give exactly the bytes written.
final class SpillFileTests: XCTestCase {
    func testReadsGiveTheWrittenBytesInAnyOrderAndAcrossBlocks() throws {
        let spill = try XCTUnwrap(SpillFile())
        var generator = SystemRandomNumberGenerator()
        var written: [(offset: Int64, bytes: [UInt8])] = []
        // Parts of every size, some larger than a block, to a file several blocks long.
        var total = 0
        while total < 3 * SpillFile.readBlock {
            let n = written.count % 97 == 5 ? SpillFile.readBlock + 17 : Int.random(in: 0...900, using: &generator)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let offset = try XCTUnwrap(spill.append(Data(bytes)))
            XCTAssertEqual(offset, Int64(total))
            written.append((offset, bytes))
            total += n
        }
        // In order (the report's usual pattern), then shuffled, then backwards.
        for order in [Array(written.indices), written.indices.shuffled(), written.indices.reversed()] {
            for i in order {
                XCTAssertEqual(spill.read(offset: written[i].offset, length: written[i].bytes.count), written[i].bytes, "part \(i)")
            }
        }
        // A part appended after reading started is read too (the block never holds stale bytes).
        let late: [UInt8] = [1, 2, 3]
        let at = try XCTUnwrap(spill.append(Data(late)))
        XCTAssertEqual(spill.read(offset: at, length: 3), late)
        XCTAssertEqual(spill.read(offset: at - 2, length: 5), Array(written.last!.bytes.suffix(2)) + late)
    }

    func testReadsOutsideTheFileFail() throws {
        let spill = try XCTUnwrap(SpillFile())
        _ = spill.append(Data([9, 8, 7]))
        XCTAssertNil(spill.read(offset: 2, length: 2))
        XCTAssertNil(spill.read(offset: -1, length: 1))
        XCTAssertEqual(spill.read(offset: 3, length: 0), [])
    }
}
