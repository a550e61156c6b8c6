import Foundation
import TrennwandRecords
import XCTest
@testable import TrennwandReaders

final class CSVReaderTests: XCTestCase {
    // MARK: Encodings

    func testWindows1252GermanExport() throws {
        // "Zeitpunkt;Benutzerkennung;Kunden-Nr.;Maßnahme" and umlauts, ß, € in cp1252.
        var bytes = Array("Zeitpunkt;Benutzerkennung;Kunden-Nr.;Ma".utf8) + [0xDF] + Array("nahme\r\n".utf8)
        bytes += Array("2024-03-01T08:15:00;jc-test01;K000001;Gespr".utf8) + [0xE4] + Array("ch ".utf8)
        bytes += [0xFC, 0x62, 0x65, 0x72, 0x20, 0x80, 0x20, 0x53, 0x74, 0x72, 0x61, 0xDF, 0x65] + Array("\r\n".utf8)
        bytes += Array("2024-03-01T08:16:00;tr-test02;K000002;\"".utf8) + [0xC4, 0xD6, 0xDC, 0x3B, 0x93, 0x78, 0x94] + Array("\"\r\n".utf8)
        let result = try readCSV(bytes)
        XCTAssertEqual(result.header, ["Zeitpunkt", "Benutzerkennung", "Kunden-Nr.", "Maßnahme"])
        XCTAssertEqual(result.rows, [
            ["2024-03-01T08:15:00", "jc-test01", "K000001", "Gespräch über € Straße"],
            ["2024-03-01T08:16:00", "tr-test02", "K000002", "ÄÖÜ;“x”"],
        ])
        let reader = try CSVReader(bytes: bytes, name: "x.csv")
        XCTAssertEqual(reader.encoding, .windows1252)
        XCTAssertEqual(reader.delimiter, UInt8(ascii: ";"))
    }

    func testWindows1252UndefinedBytesBecomeReplacementCharacter() throws {
        let bytes = Array("a;b\n".utf8) + [0x81, 0x3B, 0x8D, 0x8F, 0x90, 0x9D, 0x0A]
        let result = try readCSV(bytes, dialect: CSVDialect(encoding: .windows1252))
        XCTAssertEqual(result.rows, [["\u{FFFD}", "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"]])
        XCTAssertEqual(result.rejections, [])
    }

    func testISO885915Euro() throws {
        let bytes = Array("Betrag;Name\n".utf8) + [0x31, 0x30, 0x20, 0xA4, 0x3B, 0xA6, 0xBD, 0xE9, 0x0A]
        let result = try readCSV(bytes, dialect: CSVDialect(encoding: .iso885915))
        XCTAssertEqual(result.rows, [["10 €", "Šœé"]])
    }

    func testUTF8WithBOMIsStripped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Zeitpunkt,Maßnahme\n1,Prüfung\n".utf8)
        let reader = try CSVReader(bytes: bytes, name: "bom.csv")
        XCTAssertEqual(reader.encoding, .utf8)
        let result = try readCSV(reader)
        XCTAssertEqual(result.header, ["Zeitpunkt", "Maßnahme"])
        XCTAssertEqual(result.rows, [["1", "Prüfung"]])
        XCTAssertEqual(result.offsets, [3 + Int64("Zeitpunkt,Maßnahme\n".utf8.count)])
    }

    func testInvalidUTF8IsRejectedAndReadingGoesOn() throws {
        let bytes = Array("a,b\n1,ok\n2,".utf8) + [0xC3, 0x28] + Array("\n3,ä\n".utf8)
        let result = try readCSV(bytes, dialect: CSVDialect(encoding: .utf8))
        XCTAssertEqual(result.rows, [["1", "ok"], ["3", "ä"]])
        XCTAssertEqual(result.rejections.map(\.reason.code), ["csv.invalid-utf8"])
        XCTAssertEqual(result.rejections.first?.locator.line, 3)
        XCTAssertEqual(result.rejections.first?.locator.index, 2)
        XCTAssertEqual(result.rejections.first?.locator.byteOffset, 9)
    }

    func testEncodingDetectionFallsBackToWindows1252() throws {
        XCTAssertEqual(try CSVReader(bytes: Array("a\nä\n".utf8), name: "u").encoding, .utf8)
        XCTAssertEqual(try CSVReader(bytes: [0x61, 0x0A, 0xE4, 0x0A], name: "w").encoding, .windows1252)
    }

    // MARK: Dialect

    func testDelimiterDetection() throws {
        for delimiter in [",", ";", "\t", "|"] {
            let others = [",", ";", "\t", "|"].filter { $0 != delimiter }
            // The header holds one of each other candidate inside quotes, plus the real delimiters.
            let text = "\"x\(others.joined())\"\(delimiter)b\(delimiter)c\n1\(delimiter)2\(delimiter)3\n"
            let reader = try CSVReader(bytes: Array(text.utf8), name: "d.csv")
            XCTAssertEqual(reader.delimiter, UInt8(ascii: delimiter.unicodeScalars.first!), delimiter)
            XCTAssertEqual(try readCSV(reader).rows, [["1", "2", "3"]], delimiter)
        }
    }

    func testExplicitDialectWins() throws {
        let result = try readCSV("a;b,c\n1;2,3\n", dialect: CSVDialect(delimiter: UInt8(ascii: ";")))
        XCTAssertEqual(result.header, ["a", "b,c"])
        XCTAssertEqual(result.rows, [["1", "2,3"]])
    }

    func testNoHeaderUsesFirstRecordForFieldCount() throws {
        let result = try readCSV("1,2\n3,4,5\n6,7\n", dialect: CSVDialect(hasHeader: false))
        XCTAssertEqual(result.header, [])
        XCTAssertEqual(result.rows, [["1", "2"], ["6", "7"]])
        XCTAssertEqual(result.rejections.map(\.reason.code), ["csv.ragged-row"])
    }

    // MARK: Line ends, lines, offsets

    func testCROnlyLineEnds() throws {
        let result = try readCSV("a,b\r1,2\r\"x\ry\",3\r4,5")
        XCTAssertEqual(result.rows, [["1", "2"], ["x\ry", "3"], ["4", "5"]])
        XCTAssertEqual(result.lines, [2, 3, 5])
    }

    func testEmbeddedNewlineGivesCorrectStartLineOfNextRecord() throws {
        let result = try readCSV("a,b\r\n1,\"two\r\nlines\nand more\"\r\n2,x\n\n3,y\n")
        XCTAssertEqual(result.rows, [["1", "two\r\nlines\nand more"], ["2", "x"], ["3", "y"]])
        XCTAssertEqual(result.lines, [2, 5, 7])
        XCTAssertEqual(result.indices, [1, 2, 3], "blank lines are not records")
    }

    func testLocatorByteOffsetsAreExact() throws {
        let text = "id;name\r\n1;\"a;b\"\r\n\r\n22;c\n333;\"d\"\"e\""
        let result = try readCSV(text)
        XCTAssertEqual(result.rows, [["1", "a;b"], ["22", "c"], ["333", "d\"e"]])
        let bytes = Array(text.utf8)
        for (offset, first) in zip(result.offsets, ["1", "22", "333"]) {
            XCTAssertEqual(String(decoding: bytes[Int(offset)...].prefix(first.count), as: UTF8.self), first)
        }
        XCTAssertEqual(result.offsets, [9, 20, 25])
        XCTAssertEqual(result.lines, [2, 4, 5])
        let reader = try CSVReader(bytes: bytes, name: "loc.csv")
        var locators: [Locator] = []
        try reader.forEachRecord({ locators.append(reader.locator($0)) }, rejected: { XCTFail("\($0)") })
        XCTAssertEqual(locators.last, Locator(file: "loc.csv", line: 5, byteOffset: 25, index: 3))
    }

    func testBlockBoundariesInMemoryAndFile() throws {
        // Quotes, `""`, CRLF (inside and outside quotes) and multi-byte UTF-8 all cross block edges.
        let text = "h1;h2;h3\r\n\"a\"\"b\";\"line\r\nbreak\";ü€\r\n\r\nx;\"\";y\r\n\"q\";r;\"s\"\"\"\r\n"
        let expectedRows = [["a\"b", "line\r\nbreak", "ü€"], ["x", "", "y"], ["q", "r", "s\""]]
        let reference = try readCSV(text)
        XCTAssertEqual(reference.rows, expectedRows)
        XCTAssertEqual(reference.lines, [2, 5, 6])
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("blocks.csv")
        try Data(text.utf8).write(to: file)
        for blockSize in 1...24 {
            let memory = try readCSV(text, blockSize: blockSize)
            let disk = try readCSV(CSVReader(path: file.path, dialect: CSVDialect(), blockSize: blockSize))
            for result in [memory, disk] {
                XCTAssertEqual(result.rows, expectedRows, "block \(blockSize)")
                XCTAssertEqual(result.lines, reference.lines, "block \(blockSize)")
                XCTAssertEqual(result.offsets, reference.offsets, "block \(blockSize)")
            }
        }
    }

    func testNULBytesInsideFields() throws {
        let bytes = Array("a,b\n".utf8) + [0x78, 0x00, 0x79, 0x2C, 0x22, 0x00, 0x22, 0x0A]
        let result = try readCSV(bytes)
        XCTAssertEqual(result.rows, [["x\u{0}y", "\u{0}"]])
    }

    // MARK: Rejections and accounting

    func testRaggedRowRejectedAndFollowingRowsRead() throws {
        let result = try readCSV("a;b;c\n1;2;3\n4;5\n6;7;8;9\n10;11;12\n")
        XCTAssertEqual(result.rows, [["1", "2", "3"], ["10", "11", "12"]])
        XCTAssertEqual(result.rejections.map(\.reason.code), ["csv.ragged-row", "csv.ragged-row"])
        XCTAssertEqual(result.rejections.map(\.locator.line), [3, 4])
        XCTAssertEqual(result.rejections[0].reason.message.en, "record has 2 fields, expected 3")
        XCTAssertEqual(result.rejections[1].reason.message.de, "Datensatz hat 4 Felder, erwartet 3")
    }

    func testUnterminatedQuoteRejectedWithLine() throws {
        let result = try readCSV("a,b\n1,2\n3,\"open\n4,5\n6,7\n")
        XCTAssertEqual(result.rows, [["1", "2"]])
        XCTAssertEqual(result.rejections.count, 1)
        XCTAssertEqual(result.rejections.first?.reason.code, "csv.unterminated-quote")
        XCTAssertEqual(result.rejections.first?.locator.line, 3)
        XCTAssertEqual(result.rejections.first?.locator.byteOffset, 8)
        XCTAssertEqual(result.recordCount, 2)
    }

    func testEveryRecordIsDeliveredOrRejected() throws {
        var text = "Zeitpunkt;Benutzerkennung;Kunden-Nr.;Maßnahme\n"
        var expectedAccepted = 0
        for i in 1...500 {
            switch i % 7 {
            case 0: text += "\(i);x\n"  // ragged
            case 3: text += "\n"  // blank: not a record
            default:
                text += "\(i);\"u\(i)\";K\(i);\"M\"\"\(i)\"\n"
                expectedAccepted += 1
            }
        }
        text += "501;\"never closed\n"
        for blockSize in [7, 4096] {
            let result = try readCSV(text, blockSize: blockSize)
            XCTAssertEqual(result.rows.count, expectedAccepted)
            XCTAssertEqual(result.rows.count + result.rejections.count, result.recordCount)
            let all = (result.indices + result.rejections.map(\.locator.index)).sorted()
            XCTAssertEqual(all, Array(1...result.recordCount))
            XCTAssertEqual(result.rejections.last?.reason.code, "csv.unterminated-quote")
        }
    }

    // MARK: File-level errors

    func testEmptyFileThrowsCSVEmpty() throws {
        for bytes in [[], [0xEF, 0xBB, 0xBF], Array("\r\n\n\r".utf8)] as [[UInt8]] {
            XCTAssertThrowsError(try CSVReader(bytes: bytes, name: "empty.csv")) { error in
                XCTAssertEqual((error as? InputError)?.rejection.reason.code, "csv.empty")
            }
        }
    }

    func testDirectoryAndMissingFileThrowUnreadable() throws {
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for path in [dir.path, dir.appendingPathComponent("missing.csv").path] {
            XCTAssertThrowsError(try CSVReader(path: path)) { error in
                guard let error = error as? InputError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.rejection.reason.code, "input.unreadable")
                XCTAssertEqual(error.rejection.locator.file, path)
                XCTAssertTrue(error.rejection.reason.message.de.hasPrefix("Eingabedatei kann nicht gelesen werden: "))
                XCTAssertTrue(error.rejection.reason.message.en.hasPrefix("cannot read input file: "))
            }
        }
        XCTAssertThrowsError(try CSVReader(path: dir.path)) { error in
            XCTAssertTrue((error as? InputError)?.rejection.reason.message.de.contains("Verzeichnis") ?? false)
        }
    }

    // MARK: Size

    func testTenThousandColumns() throws {
        let header = (1...10_000).map { "c\($0)" }.joined(separator: "|")
        let row = (1...10_000).map { "\($0)" }.joined(separator: "|")
        let result = try readCSV(header + "\n" + row + "\n" + row + "\n", blockSize: 4096)
        XCTAssertEqual(result.header.count, 10_000)
        XCTAssertEqual(result.rows.count, 2)
        XCTAssertEqual(result.rows[1].last, "10000")
    }

    func testFiveMegabyteSingleField() throws {
        let big = String(repeating: "abcdefghi\"", count: 500_000)  // 5 MB with quotes to unescape
        let quoted = big.replacingOccurrences(of: "\"", with: "\"\"")
        let text = "id,text\n1,\"\(quoted)\"\n2,small\n"
        let dir = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("big.csv")
        try Data(text.utf8).write(to: file)
        let reader = try CSVReader(path: file.path, dialect: CSVDialect(), blockSize: 64 << 10)
        var sizes: [Int] = []
        var matches = false
        try reader.forEachRecord({ row in
            sizes.append(row.field(1).count)
            if row.index == 1 { matches = row.string(1) == big }
        }, rejected: { XCTFail("\($0)") })
        XCTAssertEqual(sizes, [5_000_000, 5])
        XCTAssertTrue(matches)
        XCTAssertEqual(reader.bytesRead, Int64(text.utf8.count))
    }
}
