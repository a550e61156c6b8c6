import Foundation
import TrennwandRecords
@testable import TrennwandReaders
import XCTest

/// The bad-input matrix: every broken or crafted file is rejected with locator and reason, the good
/// records before (and where possible after) the damage are still delivered, and the accounting
/// adds up (read == normalised + rejected; checked in `Hostile.ingest`).
final class HostileInputTests: XCTestCase {
    // MARK: Truncated CSV

    func testCSVCutMidRecordRejectsOnlyTheLastRecord() {
        let text = Hostile.csvHeader + Hostile.csvRows[0] + Hostile.csvRows[1] + "05.02.2025,10:05,JC-M-00"
        for profile in ["traeger-zugriffe", nil] {
            let o = Hostile.ingest(Hostile.write(text, name: "cut.csv"), profile: profile)
            XCTAssertNil(o.fileCode)
            XCTAssertEqual(o.account.profile, "traeger-zugriffe")
            XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [3, 2, 1])
            XCTAssertEqual(o.codes, ["csv.ragged-row"])
            XCTAssertEqual(o.account.rejections.first?.locator.line, 4)
            XCTAssertEqual(o.account.rejections.first?.locator.index, 3)
            XCTAssertEqual(o.account.rejections.first?.reason.message.en, "record has 3 fields, expected 11")
            XCTAssertEqual(Hostile.ids(o.records, "actor"), ["TR-M-0101", "TR-M-0101"])
        }
    }

    func testCSVCutMidQuoteRejectsTheRestAsOneRecord() {
        let text = Hostile.csvHeader + Hostile.csvRows[0] + "03.02.2025,09:30,TR-M-0101,Träger,\"Familien"
        let o = Hostile.ingest(Hostile.write(text, name: "quote.csv"), profile: "traeger-zugriffe")
        XCTAssertNil(o.fileCode)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [2, 1, 1])
        XCTAssertEqual(o.codes, ["csv.unterminated-quote"])
        XCTAssertEqual(o.account.rejections.first?.locator.line, 3)
        XCTAssertEqual(o.account.rejections.first?.locator.byteOffset,
                       Int64((Hostile.csvHeader + Hostile.csvRows[0]).utf8.count))
        XCTAssertEqual(o.records.count, 1)
    }

    func testCSVCutMidUTF8SequenceRejectsTheLastRecordAsInvalidUTF8() {
        // "Erstgespräch" cut after the first byte of "ä" (0xC3 0xA4).
        var bytes = Array((Hostile.csvHeader + Hostile.csvRows[0] + Hostile.csvRows[2]).utf8)
        bytes += Array("03.02.2025,09:30,TR-M-0101,Träger,Familiencoach,Beratungsdokumentation,anlegen,TN-1,TR-PC-03,Träger-LAN,Erstgespr".utf8)
        bytes.append(0xC3)
        let o = Hostile.ingest(Hostile.write(bytes, name: "utf8cut.csv"), profile: "traeger-zugriffe")
        XCTAssertNil(o.fileCode)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [3, 2, 1])
        XCTAssertEqual(o.codes, ["csv.invalid-utf8"])
        XCTAssertEqual(o.account.rejections.first?.reason.message.en, "invalid UTF-8 in field 11")
        XCTAssertEqual(o.account.rejections.first?.locator.line, 4)
    }

    // MARK: Encodings

    func testInvalidUTF8InAUTF8CSVRejectsThatRecordOnly() {
        var bytes = Array((Hostile.csvHeader + Hostile.csvRows[0]).utf8)
        bytes += Array("03.02.2025,09:30,TR-M-0101,Träger,Familiencoach,Beratungsdokumentation,anlegen,TN-1,TR-PC-03,Träger-LAN,".utf8)
        bytes += [0x41, 0xFF, 0xFE, 0x42, 0x0A]
        bytes += Array(Hostile.csvRows[2].utf8)
        let o = Hostile.ingest(Hostile.write(bytes, name: "bad.csv"), profile: "traeger-zugriffe")
        XCTAssertNil(o.fileCode)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [3, 2, 1])
        XCTAssertEqual(o.codes, ["csv.invalid-utf8"])
        XCTAssertEqual(o.account.rejections.first?.locator.line, 3)
        XCTAssertEqual(o.account.rejections.first?.locator.index, 2)
        XCTAssertEqual(Hostile.ids(o.records, "actor"), ["TR-M-0101", "JC-M-0042"], "the record after the bad one is read")
    }

    func testWindows1252FileUnderUTF8ProfileRejectsEveryNonASCIIRecordCounted() throws {
        // The profile says utf-8; the export is cp1252: "Träger" is 0x54 0x72 0xE4 ...
        let text = Hostile.csvHeader + Hostile.csvRows.joined() + "05.02.2025,10:05,JC-M-0042,Jobcenter,Lotsin,Anmeldung,anmelden,,PC,VPN,Anmeldung\n"
        let bytes = try XCTUnwrap(text.data(using: .windowsCP1252))
        let o = Hostile.ingest(Hostile.write([UInt8](bytes), name: "cp1252.csv"), profile: "traeger-zugriffe")
        XCTAssertNil(o.fileCode)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [4, 1, 3])
        XCTAssertEqual(o.account.rejectedByReason, ["csv.invalid-utf8": 3])
        XCTAssertEqual(o.account.rejections.map(\.locator.line), [2, 3, 4])
        XCTAssertEqual(o.account.rejections.first?.reason.message.de, "ungültiges UTF-8 in Feld 4")
        XCTAssertEqual(Hostile.ids(o.records, "network"), ["extern"])
    }

    func testUTF8BOMIsStrippedAndDetectionStillWorks() {
        let o = Hostile.ingest(Hostile.write([0xEF, 0xBB, 0xBF] + Hostile.goodCSV, name: "bom.csv"))
        XCTAssertNil(o.fileCode)
        XCTAssertEqual(o.account.profile, "traeger-zugriffe")
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [3, 3, 0])
        XCTAssertEqual(o.result.encoding, .utf8)
    }

    func testUTF16And32BOMCSVIsAClearFileError() throws {
        let text = Hostile.csvHeader + Hostile.csvRows.joined()
        let variants: [(String, [UInt8])] = [
            ("UTF-16LE", [0xFF, 0xFE] + [UInt8](try XCTUnwrap(text.data(using: .utf16LittleEndian)))),
            ("UTF-16BE", [0xFE, 0xFF] + [UInt8](try XCTUnwrap(text.data(using: .utf16BigEndian)))),
            ("UTF-32LE", [0xFF, 0xFE, 0x00, 0x00] + [UInt8](try XCTUnwrap(text.data(using: .utf32LittleEndian)))),
            ("UTF-32BE", [0x00, 0x00, 0xFE, 0xFF] + [UInt8](try XCTUnwrap(text.data(using: .utf32BigEndian)))),
        ]
        for (bom, bytes) in variants {
            for profile in ["traeger-zugriffe", nil] {
                let o = Hostile.ingest(Hostile.write(bytes, name: "wide.csv"), profile: profile)
                XCTAssertEqual(o.fileCode, "input.unsupported-encoding", "\(bom) \(profile ?? "detect")")
                XCTAssertEqual(o.account.read, 0)
                XCTAssertTrue(o.account.fileError?.reason.message.en.contains("\(bom)-encoded") ?? false, bom)
            }
        }
    }

    func testUTF16XMLWithBOMIsReadLikeUTF8() throws {
        let text = Hostile.goodXML.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"UTF-16\"")
        let bytes = [0xFF, 0xFE] + [UInt8](try XCTUnwrap(text.data(using: .utf16LittleEndian)))
        let o = Hostile.ingest(Hostile.write(bytes, name: "wide.xml"))
        XCTAssertNil(o.fileCode)
        XCTAssertEqual(o.account.profile, "traeger-dokumentation")
        XCTAssertEqual(Hostile.ids(o.records, "record_id"), ["V-1", "V-2"])
    }

    func testNULBytesAreKeptInTextAndFailMappedValues() {
        var bytes = Array((Hostile.csvHeader + Hostile.csvRows[0]).utf8)
        // NUL inside free text (Zweck) stays, byte for byte; NUL inside a mapped value (Aktion) is unmapped.
        bytes += Array("03.02.2025,09:30,TR-M-0101,Träger,Familiencoach,Teilnehmerakte,anlegen,TN-1,PC,Träger-LAN,Auf".utf8) + [0] + Array("nahme\n".utf8)
        bytes += Array("03.02.2025,09:30,TR-M-0101,Träger,Familiencoach,Teilnehmerakte,an".utf8) + [0] + Array("legen,TN-1,PC,Träger-LAN,X\n".utf8)
        let o = Hostile.ingest(Hostile.write(bytes, name: "nul.csv"), profile: "traeger-zugriffe")
        XCTAssertNil(o.fileCode)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [3, 2, 1])
        XCTAssertEqual(o.codes, ["profile.unmapped-value"])
        XCTAssertEqual(o.account.rejections.first?.locator.line, 4)
        XCTAssertEqual(o.records.last?["purpose"].stringValue?.bytes, Array("Auf".utf8) + [0] + Array("nahme".utf8))
    }

    // MARK: Size and shape

    /// More rejections than `InputAccount.detailLimit`: details stop at the limit, counts do not.
    func testManyRejectionsAreAllCounted() {
        let bad = "03.02.2025,08:55,TR-M-0101,Träger,Familiencoach,Teilnehmerakte,zaubern,TN-1,PC,Träger-LAN,X\n"
        let text = Hostile.csvHeader + String(repeating: bad, count: 12_000) + Hostile.csvRows[0]
        let o = Hostile.ingest(Hostile.write(text, name: "many.csv"), profile: "traeger-zugriffe")
        XCTAssertNil(o.fileCode)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [12_001, 1, 12_000])
        XCTAssertEqual(o.account.rejections.count, InputAccount.detailLimit)
        XCTAssertEqual(o.account.rejectedByReason, ["profile.unmapped-value": 12_000])
        XCTAssertEqual(o.account.rejections.last?.locator.line, InputAccount.detailLimit + 1)
    }


    func testTenThousandColumns() {
        let extra = (1...9_989).map { "X\($0)" }
        let header = String(Hostile.csvHeader.dropLast()) + "," + extra.joined(separator: ",") + "\n"
        let filler = "," + extra.map { _ in "v" }.joined(separator: ",")
        let rows = Hostile.csvRows.map { String($0.dropLast()) + filler + "\n" }.joined()
        let ragged = String(Hostile.csvRows[0].dropLast()) + ",v\n"  // 12 fields instead of 10,000
        let o = Hostile.ingest(Hostile.write(header + rows + ragged, name: "wide.csv"))
        XCTAssertNil(o.fileCode)
        XCTAssertEqual(o.account.profile, "traeger-zugriffe")
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [4, 3, 1])
        XCTAssertEqual(o.account.rejections.first?.reason.message.en, "record has 12 fields, expected 10000")
        XCTAssertEqual(o.result.unusedColumns.count, 9_989)
    }

    func testDeepXMLNestingIsRejectedWithoutCrash() {
        let depth = 100_000
        var text = Hostile.xmlHead + Hostile.vermerk("V-1")
        text += "    <doku:Vermerk id=\"V-2\" typ=\"Vermerk\">\n      <doku:Text>"
        text += String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        text += "</doku:Text>\n    </doku:Vermerk>\n" + Hostile.vermerk("V-3") + Hostile.xmlTail
        let o = Hostile.ingest(Hostile.write(text, name: "deep.xml"))
        XCTAssertEqual(o.fileCode, "xml.malformed")
        XCTAssertTrue(o.account.fileError?.reason.message.en.contains("Excessive depth") ?? false)
        XCTAssertEqual(o.codes, ["xml.record-cut"])
        XCTAssertEqual(o.account.rejections.first?.locator.index, 2)
        XCTAssertEqual(o.account.rejections.first?.locator.line, 10)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [2, 1, 1])
        XCTAssertEqual(Hostile.ids(o.records, "record_id"), ["V-1"])
    }

    // MARK: Truncated XML

    func testXMLCutMidTagKeepsTheRecordsBefore() {
        let text = Hostile.xmlHead + Hostile.vermerk("V-1") + "    <doku:Vermerk id=\"V-2\" ty"
        let o = Hostile.ingest(Hostile.write(text, name: "cut.xml"), profile: "traeger-dokumentation")
        XCTAssertEqual(o.fileCode, "xml.malformed")
        XCTAssertEqual(o.account.fileError?.locator.line, 10)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [1, 1, 0])
        XCTAssertEqual(Hostile.ids(o.records, "record_id"), ["V-1"])
    }

    func testXMLCutMidRecordRejectsTheCutRecord() {
        let full = Hostile.xmlHead + Hostile.vermerk("V-1") + Hostile.vermerk("V-2")
        let text = String(full.dropLast(60))  // inside V-2's <doku:Text>
        let o = Hostile.ingest(Hostile.write(text, name: "cut.xml"))
        XCTAssertEqual(o.account.profile, "traeger-dokumentation")
        XCTAssertEqual(o.fileCode, "xml.malformed")
        XCTAssertEqual(o.codes, ["xml.record-cut"])
        XCTAssertEqual(o.account.rejections.first?.locator.line, 10)
        XCTAssertEqual([o.account.read, o.account.normalised, o.account.rejected], [2, 1, 1])
    }

    // MARK: Entity and DOCTYPE attacks through Ingest

    func testXMLAttackSamplesThroughIngest() throws {
        let folder = TestPaths.testsuites.appendingPathComponent("xml-attacks")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 14)
        let harmless: Set<String> = ["simple.xml", "simple-ns.xml"]
        for file in files {
            let path = folder.appendingPathComponent(file).path
            // Given the XML profile: refused before any record (harmless files: no record matches).
            let given = Hostile.ingest(path, profile: "traeger-dokumentation")
            let expected = harmless.contains(file) ? nil : file == "harem.dtd" ? "xml.malformed" : "xml.doctype-forbidden"
            XCTAssertEqual(given.fileCode, expected, file)
            XCTAssertEqual(given.account.read, 0, file)
            // Detected: the DOCTYPE stops detection itself; harmless files match no profile.
            let detected = Hostile.ingest(path)
            XCTAssertEqual(detected.fileCode, expected ?? "profile.no-match", file)
            XCTAssertEqual(detected.account.read, 0, file)
        }
    }

    // MARK: Empty, non-regular, unreadable, compressed

    func testEmptyFiles() {
        let cases: [(String, [UInt8], String?, String)] = [
            ("empty.csv", [], "traeger-zugriffe", "csv.empty"),
            ("empty.csv", [], nil, "csv.empty"),
            ("blank.csv", Array("\n\r\n\n".utf8), "traeger-zugriffe", "csv.empty"),
            ("bom-only.csv", [0xEF, 0xBB, 0xBF], nil, "csv.empty"),
            ("header-only.csv", Array(Hostile.csvHeader.utf8), nil, ""),
            ("empty.xml", Array("<?xml version=\"1.0\"?>\n".utf8), "traeger-dokumentation", "xml.empty"),
            ("empty.xml", Array("<?xml version=\"1.0\"?>\n".utf8), nil, "xml.empty"),
        ]
        for (name, bytes, profile, code) in cases {
            let o = Hostile.ingest(Hostile.write(bytes, name: name), profile: profile)
            XCTAssertEqual(o.fileCode ?? "", code, "\(name) \(profile ?? "detect")")
            XCTAssertEqual(o.account.read, 0, name)
        }
    }

    func testDirectoryIsUnreadable() {
        let dir = Hostile.directory().path
        for profile in ["traeger-zugriffe", nil] {
            let o = Hostile.ingest(dir, profile: profile)
            XCTAssertEqual(o.fileCode, "input.unreadable")
            XCTAssertEqual(o.account.fileError?.reason.message.de, "Eingabedatei kann nicht gelesen werden: ist ein Verzeichnis, keine Datei")
        }
    }

    /// A FIFO without a writer used to block `open(2)` forever; it is refused as not a regular file.
    func testFIFOIsRefusedWithoutHanging() throws {
        let path = Hostile.directory().appendingPathComponent("pipe.csv").path
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        for profile in ["traeger-zugriffe", "traeger-dokumentation", nil] {
            let done = DispatchSemaphore(value: 0)
            let box = OutcomeBox()
            let thread = Thread {
                box.code = Ingest.run(file: path, profile: profile.map(Hostile.profile), catalog: Hostile.catalog) { _ in }
                    .account.fileError?.reason.code
                done.signal()
            }
            thread.start()
            if done.wait(timeout: .now() + 10) == .timedOut {
                // Unblock the reader so the test process can finish, then fail.
                let fd = open(path, O_WRONLY | O_NONBLOCK)
                if fd >= 0 { close(fd) }
                _ = done.wait(timeout: .now() + 5)
                XCTFail("ingest of a FIFO hangs (\(profile ?? "detect"))")
                return
            }
            XCTAssertEqual(box.code, "input.not-regular-file", profile ?? "detect")
        }
        XCTAssertThrowsError(try CSVReader(path: path)) { error in
            XCTAssertEqual((error as? InputError)?.rejection.reason.code, "input.not-regular-file")
        }
        let spec = XMLRecordSpec(recordPath: "/a", fieldPaths: ["."])
        XCTAssertThrowsError(try XMLRecordReader(path: path, spec: spec)) { error in
            XCTAssertEqual((error as? InputError)?.rejection.reason.code, "input.not-regular-file")
        }
    }

    func testCharacterDeviceIsRefused() {
        // /dev/zero would never end.
        let o = Hostile.ingest("/dev/zero", profile: "traeger-zugriffe")
        XCTAssertEqual(o.fileCode, "input.not-regular-file")
        XCTAssertEqual(o.account.fileError?.reason.message.en, "input is a character device, not a regular file; only regular files are read")
    }

    func testUnreadableFile() throws {
        let path = Hostile.write(Hostile.goodCSV, name: "secret.csv")
        XCTAssertEqual(chmod(path, 0), 0)
        defer { chmod(path, 0o600) }
        if access(path, R_OK) == 0 {
            throw XCTSkip("running as root (uid \(geteuid())): chmod 000 does not stop reading, the case cannot be produced here")
        }
        let o = Hostile.ingest(path, profile: "traeger-zugriffe")
        XCTAssertEqual(o.fileCode, "input.unreadable")
        XCTAssertEqual(o.account.fileError?.reason.message.de, "Eingabedatei kann nicht gelesen werden: Zugriff verweigert")
    }

    func testMissingFile() {
        let o = Hostile.ingest(Hostile.directory().appendingPathComponent("nope.csv").path)
        XCTAssertEqual(o.fileCode, "input.unreadable")
        XCTAssertEqual(o.account.fileError?.reason.message.de,
                       "Eingabedatei kann nicht gelesen werden: Datei oder Verzeichnis nicht gefunden")
    }

    /// A gzip file is read by its magic number, whatever its name; zip bytes given as a file are an
    /// archive (here a cut one); xz, zstd and bzip2 stay refused (`input.compressed`).
    func testCompressedGivenAsCSVIsReadOrRefused() throws {
        let dir = Hostile.directory()
        let plain = dir.appendingPathComponent("log.csv")
        try Data(Hostile.goodCSV).write(to: plain)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(plain.path)' > '\(dir.path)/log.csv.gz' && mv '\(dir.path)/log.csv.gz' '\(plain.path)'"]
        try gzip.run()
        gzip.waitUntilExit()
        XCTAssertEqual(gzip.terminationStatus, 0)
        let head = try XCTUnwrap(FileManager.default.contents(atPath: plain.path)).prefix(2)
        XCTAssertEqual(Array(head), [0x1F, 0x8B])
        for profile in ["traeger-zugriffe", nil] {
            let o = Hostile.ingest(plain.path, profile: profile)
            XCTAssertNil(o.fileCode, profile ?? "detect")
            XCTAssertEqual(o.account.read, 3)
        }
        XCTAssertEqual(Hostile.ingest(plain.path, profile: "traeger-dokumentation").fileCode, "profile.wrong-format")
        let zip = Hostile.ingest(Hostile.write([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], name: "x.csv"))
        XCTAssertEqual(zip.fileCode, "archive.truncated")
        let bzip2 = Hostile.ingest(Hostile.write(Array("BZh9".utf8) + [0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0, 0], name: "y.csv"))
        XCTAssertEqual(bzip2.fileCode, "input.compressed")
        XCTAssertEqual(bzip2.account.fileError?.reason.message.en, "file is bzip2-compressed; decompress it first")
        let zstd = Hostile.ingest(Hostile.write([0x28, 0xB5, 0x2F, 0xFD, 0, 0], name: "y.csv"))
        XCTAssertEqual(zstd.account.fileError?.reason.message.en, "file is zstd-compressed; decompress it first")
        // Text that merely starts like a magic number is not refused.
        let text = Hostile.ingest(Hostile.write("BZh1;Anbieter\nx;y\n", name: "z.csv"))
        XCTAssertEqual(text.fileCode, "profile.no-match")
    }

    func testWrongProfileNamesProfileAndColumn() {
        // A UTF-8 export in another format: the first mapped column that is missing is named.
        let o = Hostile.ingest(ProfileFixtures.sample("Plattform-Datenfluesse.csv"), profile: "traeger-zugriffe")
        XCTAssertEqual(o.fileCode, "profile.missing-column")
        XCTAssertEqual(o.account.fileError?.reason.message.en, "profile 'traeger-zugriffe': column 'Datum' is missing in the file")
        XCTAssertEqual(o.account.fileError?.reason.message.de, "Profil „traeger-zugriffe“: Spalte „Datum“ fehlt in der Datei")
        XCTAssertEqual(o.account.fileError?.locator.line, 1)
        XCTAssertEqual(o.account.read, 0)
        // The right format with one column renamed: detection finds nothing, the given profile names it.
        let renamed = Hostile.write(Hostile.csvHeader.replacingOccurrences(of: "Uhrzeit", with: "Zeit") + Hostile.csvRows.joined(),
                                    name: "renamed.csv")
        XCTAssertEqual(Hostile.ingest(renamed).fileCode, "profile.no-match")
        let given = Hostile.ingest(renamed, profile: "traeger-zugriffe")
        XCTAssertEqual(given.account.fileError?.reason.message.en, "profile 'traeger-zugriffe': column 'Uhrzeit' is missing in the file")
        // A cp1252 export with ";" under a UTF-8 "," profile fails already in the header (one column).
        let cp = Hostile.ingest(ProfileFixtures.sample("Jobcenter-Zugriffe.csv"), profile: "traeger-zugriffe")
        XCTAssertEqual(cp.fileCode, "csv.invalid-utf8")
        XCTAssertEqual(cp.account.fileError?.reason.message.en, "header line: invalid UTF-8 in column 1")
        // A CSV under an XML profile.
        XCTAssertEqual(Hostile.ingest(ProfileFixtures.sample("Traeger-Zugriffe.csv"), profile: "traeger-dokumentation").fileCode,
                       "profile.wrong-format")
    }

    /// Several bad files and one good one, as the CLI loops over them: each file gets its own
    /// account, the good one is complete whatever came before.
    func testMultiFileIngestContinuesAfterBadFiles() {
        let bad = [
            Hostile.write([0x1F, 0x8B, 0x08, 0x00], name: "a.csv"),
            Hostile.directory().path,
            Hostile.write(Hostile.xmlHead + "<doku:Vermerk", name: "b.xml"),
            Hostile.write([], name: "c.csv"),
        ]
        let good = Hostile.write(Hostile.goodCSV, name: "good.csv")
        var total = 0
        for path in bad + [good] {
            let o = Hostile.ingest(path)
            total += o.records.count
            if path == good {
                XCTAssertNil(o.fileCode)
                XCTAssertEqual(o.account.normalised, 3)
            } else {
                XCTAssertNotNil(o.fileCode, path)
            }
        }
        XCTAssertEqual(total, 3)
    }
}

/// Result slot for the FIFO watchdog thread.
private final class OutcomeBox: @unchecked Sendable {
    var code: String?
}
