import Foundation
import TrennwandRecords
@testable import TrennwandReaders
import XCTest

/// Compressed exports: gzip files and zip members read like the plain file (same records, same
/// lines), every broken or hostile archive a file-level rejection with a code, never a crash.
final class CompressedInputTests: XCTestCase {
    private let plainIDs = ["TN-2025-0001", "TN-2025-0001"]

    private func code(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do { try body() } catch let e as InputError { return e.rejection.reason.code } catch {
            XCTFail("not an InputError: \(error)", file: file, line: line)
        }
        return nil
    }

    /// All bytes of an input through `InputFile.openStream`.
    private func drain(_ path: String, limits: ArchiveLimits = .standard) throws -> [UInt8] {
        var stream = try InputFile.openStream(path, limits: limits)
        var out: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = try block.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { return out }
            out += block[0..<n]
        }
    }

    private func archive(_ members: [Compressed.Member], name: String = "export.zip", directoryOffset: UInt32? = nil,
                         entries: UInt16? = nil) -> String {
        Hostile.write(Compressed.zip(members, directoryOffset: directoryOffset, entries: entries), name: name)
    }

    // MARK: Good files

    func testGzipReadsLikeThePlainFile() throws {
        let plain = Hostile.ingest(Hostile.write(Hostile.goodCSV, name: "a.csv"))
        XCTAssertNil(plain.fileCode)
        // By magic number, not by name: the second copy is called .csv.
        for name in ["a.csv.gz", "renamed.csv"] {
            let path = Hostile.write(Compressed.gzip(Hostile.goodCSV), name: name)
            let o = Hostile.ingest(path)
            XCTAssertNil(o.fileCode, name)
            XCTAssertEqual(o.account.profile, "traeger-zugriffe")
            XCTAssertEqual(o.records.map(\.locator.line), plain.records.map(\.locator.line))
            XCTAssertEqual(o.records.map(\.locator.file), Array(repeating: path, count: 3))
            XCTAssertEqual(Hostile.ids(o.records, "person"), Hostile.ids(plain.records, "person"))
            XCTAssertEqual(try drain(path), Hostile.goodCSV)
        }
        let xml = Hostile.ingest(Hostile.write(Compressed.gzip(Array(Hostile.goodXML.utf8)), name: "d.xml.gz"))
        XCTAssertNil(xml.fileCode)
        XCTAssertEqual(xml.account.profile, "traeger-dokumentation")
        XCTAssertEqual(xml.account.normalised, 2)
    }

    func testMultiMemberGzipIsOneInput() throws {
        let bytes = Hostile.goodCSV
        let gz = Compressed.gzip(Array(bytes[0..<100])) + Compressed.gzip(Array(bytes[100...]))
        let path = Hostile.write(gz, name: "multi.csv.gz")
        XCTAssertEqual(try drain(path), bytes)
        let o = Hostile.ingest(path)
        XCTAssertNil(o.fileCode)
        XCTAssertEqual(o.account.normalised, 3)
    }

    func testZipMembersReadLikeThePlainFiles() throws {
        let path = archive([
            .init(name: "inner/", data: [], deflate: false),
            .init(name: "inner/a.csv", data: Hostile.goodCSV),
            .init(name: "d.XML", data: Array(Hostile.goodXML.utf8), deflate: false),
            .init(name: "liesmich.txt", data: Array("x".utf8)),
        ])
        XCTAssertEqual(ZipArchive.memberInputs(path), [path + "!/d.XML", path + "!/inner/a.csv"])
        let csv = Hostile.ingest(path + "!/inner/a.csv")
        XCTAssertNil(csv.fileCode)
        XCTAssertEqual(csv.records.map(\.locator.line), [2, 3, 4])
        XCTAssertEqual(csv.records.first?.locator.file, path + "!/inner/a.csv")
        XCTAssertEqual(csv.account.bytes, Int64(Hostile.goodCSV.count))
        let xml = Hostile.ingest(path + "!/d.XML")
        XCTAssertNil(xml.fileCode)
        XCTAssertEqual(xml.account.normalised, 2)
        XCTAssertEqual(try drain(path + "!/inner/a.csv"), Hostile.goodCSV)
        XCTAssertEqual(code { _ = try InputFile.openStream(path) }, "archive.needs-member")
        XCTAssertEqual(code { _ = try InputFile.openStream(path + "!/nicht-da.csv") }, "archive.member-missing")
        XCTAssertNil(ZipArchive.memberInputs(Hostile.write(Hostile.goodCSV, name: "plain.zip")))
        let empty = archive([.init(name: "liesmich.txt", data: Array("x".utf8))])
        XCTAssertNil(ZipArchive.memberInputs(empty))
        XCTAssertEqual(Hostile.ingest(empty).fileCode, "archive.no-members")
    }

    func testCompressedInputsAreNeverChunked() throws {
        let gz = Hostile.write(Compressed.gzip(Hostile.goodCSV), name: "a.csv.gz")
        XCTAssertEqual(code { _ = try CSVChunkSource(path: gz, dialect: CSVDialect()) }, "input.not-seekable")
        XCTAssertNoThrow(try CSVChunkSource(path: Hostile.write(Hostile.goodCSV, name: "a.csv"), dialect: CSVDialect()))
    }

    func testOtherCompressionsStayRefused() {
        let xz = Hostile.write([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0, 0], name: "a.csv.xz")
        XCTAssertEqual(Hostile.ingest(xz).fileCode, "input.compressed")
    }

    // MARK: Truncated and corrupt

    func testEveryCutOfAGzipIsARejection() {
        let gz = Compressed.gzip(Hostile.goodCSV)
        for cut in 2..<gz.count {
            let o = Hostile.ingest(Hostile.write(Array(gz[0..<cut]), name: "cut.csv.gz"))
            XCTAssertTrue(o.fileCode?.hasPrefix("archive.") == true, "cut \(cut): \(o.fileCode ?? "no error")")
        }
    }

    func testEveryCutOfAZipIsARejection() {
        let zip = Compressed.zip([.init(name: "a.csv", data: Hostile.goodCSV)])
        for cut in 0..<zip.count {
            let path = Hostile.write(Array(zip[0..<cut]), name: "cut.zip")
            XCTAssertNil(ZipArchive.memberInputs(path))
            let c = code { _ = try drain(path + "!/a.csv") }
            XCTAssertTrue(c?.hasPrefix("archive.") == true, "cut \(cut): \(c ?? "no error")")
        }
    }

    func testGzipChecksumSizeAndTrailer() {
        let gz = Compressed.gzip(Hostile.goodCSV)
        var badCRC = gz
        badCRC[gz.count - 8] ^= 0xFF
        XCTAssertEqual(Hostile.ingest(Hostile.write(badCRC, name: "a.csv.gz")).fileCode, "archive.crc")
        var badSize = gz
        badSize[gz.count - 4] ^= 0x01
        XCTAssertEqual(Hostile.ingest(Hostile.write(badSize, name: "a.csv.gz")).fileCode, "archive.size-mismatch")
        var method = gz
        method[2] = 7
        XCTAssertEqual(code { _ = try drain(Hostile.write(method, name: "a.csv.gz")) }, "archive.unsupported-method")
        XCTAssertEqual(code { _ = try drain(Hostile.write(gz + Array("Datum,Uhrzeit\n".utf8), name: "a.csv.gz")) },
                       "archive.trailing-data")
        var body = gz
        for i in 12..<min(40, gz.count - 8) { body[i] = 0xFF }
        XCTAssertEqual(code { _ = try drain(Hostile.write(body, name: "a.csv.gz")) }.map { $0.hasPrefix("archive.") }, true)
    }

    func testZipChecksumMethodEncryptionAndSizes() {
        let data = Hostile.goodCSV
        func member(_ m: Compressed.Member) -> String? {
            code { _ = try drain(archive([m]) + "!/" + m.name) }
        }
        XCTAssertNil(member(.init(name: "a.csv", data: data)))
        XCTAssertEqual(member(.init(name: "a.csv", data: data, crc: 0x1234_5678)), "archive.crc")
        XCTAssertEqual(member(.init(name: "a.csv", data: data, deflate: false, crc: 0x1234_5678)), "archive.crc")
        XCTAssertEqual(member(.init(name: "a.csv", data: data, method: 12)), "archive.unsupported-method")
        XCTAssertEqual(member(.init(name: "a.csv", data: data, flags: 1)), "archive.encrypted")
        XCTAssertEqual(member(.init(name: "a.csv", data: data, size: UInt32(data.count - 1))), "archive.size-mismatch")
        XCTAssertEqual(member(.init(name: "a.csv", data: data, size: UInt32(data.count + 1))), "archive.size-mismatch")
        // The central directory points outside the file (or over its own end record).
        XCTAssertEqual(code { _ = try ZipArchive(path: archive([.init(name: "a.csv", data: data)], directoryOffset: 0x7FFF_0000)) },
                       "archive.corrupt")
        XCTAssertEqual(code { _ = try ZipArchive(path: archive([.init(name: "a.csv", data: data)], entries: 3)) }, "archive.corrupt")
        XCTAssertEqual(code { _ = try ZipArchive(path: archive([.init(name: "a.csv", data: data)], entries: 0xFFFF)) },
                       "archive.unsupported")
        XCTAssertEqual(code { _ = try ZipArchive(path: archive([.init(name: "a.csv", data: data), .init(name: "a.csv", data: data)])) },
                       "archive.corrupt")
    }

    func testUnsafeMemberNamesRefuseTheArchive() {
        let names: [[UInt8]] = [
            Array("../a.csv".utf8), Array("x/../../a.csv".utf8), Array("/etc/a.csv".utf8), Array("C:/a.csv".utf8),
            Array("x\\..\\a.csv".utf8), Array("a.csv".utf8) + [0] + Array(".txt".utf8), Array("x/..".utf8),
        ]
        for raw in names {
            let path = archive([.init(name: "a.csv", data: Hostile.goodCSV), .init(name: "b", data: [1], rawName: raw)])
            XCTAssertNil(ZipArchive.memberInputs(path))
            XCTAssertEqual(code { _ = try ZipArchive(path: path) }, "archive.member-name", String(decoding: raw, as: UTF8.self))
            XCTAssertEqual(Hostile.ingest(path + "!/a.csv").fileCode, "archive.member-name")
        }
    }

    // MARK: Bombs

    func testDeclaredSizeBombIsRefusedBeforeInflating() {
        let data = [UInt8](repeating: 0x30, count: 4096)
        let start = Date()
        let c = code { _ = try drain(archive([.init(name: "a.csv", data: data, size: 0xFFFF_FFF0)]) + "!/a.csv") }
        XCTAssertEqual(c, "archive.too-large")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testGzipOfZerosStopsAtTheRatioWithBoundedMemory() {
        // 256 MiB of zeros are about 250 KiB of gzip: 1000 : 1.
        let gz = Compressed.shell("head -c 268435456 /dev/zero | /usr/bin/gzip -n -c")
        XCTAssertLessThan(gz.count, 1 << 20)
        let path = Hostile.write(gz, name: "bomb.csv.gz")
        let before = Hostile.maxRSS()
        let start = Date()
        let o = Hostile.ingest(path)
        XCTAssertEqual(o.fileCode, "archive.too-large")
        XCTAssertLessThan(o.account.bytes, 4 << 20, "stopped soon after the first MiB, not at the end")
        XCTAssertTrue(o.account.fileError?.reason.message.de.contains(":1") == true)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertLessThan(Hostile.maxRSS() - before, 64 << 20)
        // A zip member that inflates beyond its declared size is stopped there.
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let lying = archive([.init(name: "a.csv", data: zeros, size: 1000)])
        XCTAssertEqual(code { _ = try drain(lying + "!/a.csv") }, "archive.size-mismatch")
    }

    func testLoweredSizeLimitNamesTheLimit() throws {
        var text = Hostile.csvHeader
        for i in 0..<40_000 { text += "03.02.2025,08:55,TR-M-\(i),Träger,Coach,Akte,anlegen,TN-2025-\(i),PC,LAN,Zweck\n" }
        let path = Hostile.write(Compressed.gzip(Array(text.utf8)), name: "big.csv.gz")
        let limits = ArchiveLimits(maxExpandedBytes: 1 << 20)
        XCTAssertEqual(try drain(path).count, text.utf8.count)
        do {
            let reader = try CSVReader(path: path, limits: limits)
            try reader.forEachRecord({ _ in }, rejected: { _ in })
            XCTFail("no error")
        } catch let e as InputError {
            XCTAssertEqual(e.rejection.reason.code, "archive.too-large")
            XCTAssertTrue(e.rejection.reason.message.de.contains("entpackt über 1 MiB"), e.rejection.reason.message.de)
        }
        let zip = archive([.init(name: "a.csv", data: Array(text.utf8))])
        XCTAssertEqual(code { _ = try drain(zip + "!/a.csv", limits: limits) }, "archive.too-large")
        XCTAssertEqual(try drain(zip + "!/a.csv").count, text.utf8.count)
    }
}
