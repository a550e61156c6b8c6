import Foundation
import TrennwandRecords
@testable import TrennwandReaders
import XCTest

/// One 100 MB field: read in bounded memory, the record delivered whole, the next record read.
final class HostileLargeFieldTests: XCTestCase {
    func testHundredMegabyteFieldInBoundedMemory() throws {
        let fieldSize = 100 << 20
        let url = Hostile.directory().appendingPathComponent("big.csv")
        // Generated on the fly in 1 MiB pieces: the test itself never holds the whole field.
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        handle.write(Data((Hostile.csvHeader + Hostile.csvRows[0]).utf8))
        handle.write(Data("03.02.2025,09:30,TR-M-0101,Träger,Familiencoach,Teilnehmerakte,anlegen,TN-1,PC,Träger-LAN,".utf8))
        let piece = Data(repeating: UInt8(ascii: "z"), count: 1 << 20)
        for _ in 0..<(fieldSize >> 20) { handle.write(piece) }
        handle.write(Data(("\n" + Hostile.csvRows[2]).utf8))
        try handle.close()
        defer { try? FileManager.default.removeItem(at: url) }

        let before = Hostile.maxRSS()
        var sizes: [Int] = []
        let result = Ingest.run(file: url.path, profile: Hostile.profile("traeger-zugriffe"), catalog: Hostile.catalog) {
            sizes.append($0["purpose"].stringValue?.count ?? -1)
        }
        let growth = Hostile.maxRSS() - before
        XCTAssertNil(result.account.fileError)
        XCTAssertTrue(result.account.isBalanced)
        XCTAssertEqual(sizes, ["Aufnahme".utf8.count, fieldSize, "Anmeldung".utf8.count])
        XCTAssertLessThan(growth, 3 * fieldSize, "peak RSS grew by \(growth >> 20) MiB for a \(fieldSize >> 20) MiB field")
        print("hostile: 100 MiB field, peak RSS growth \(growth >> 20) MiB")
    }
}
