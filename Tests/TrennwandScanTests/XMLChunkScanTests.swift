import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest
@testable import TrennwandScan

/// XML exports scanned with two workers in parts give the findings (with every occurrence), the
/// accounts (counts, rejections with line and index, file error, bytes) of the one-thread
/// whole-file scan: Samples' export, a generated corpus's, crafted ones that mislead the split,
/// ones with a fatal error, part sizes down to one record per part.
final class XMLChunkScanTests: XCTestCase {
    /// The scheduler over `files` plus Samples' reference tables.
    func scan(_ files: [String], threads: Int, chunkBytes: Int? = nil, reference: String = Repo.samples.appendingPathComponent("Stammdaten").path)
        throws -> ScanResult {
        let samples = try SamplesFixture()
        let tables = try FileManager.default.contentsOfDirectory(atPath: reference).filter { $0.hasSuffix(".csv") }.sorted()
        let inputs = files.map { ScanInput(path: $0) } + tables.map { ScanInput(path: reference + "/" + $0) }
        return try samples.scan(threads: threads, chunkBytes: chunkBytes, inputs: inputs)
    }

    /// Whole on one thread vs parts on two for each size; returns the chunk counts per size.
    @discardableResult
    func assertSame(_ files: [String], sizes: [Int?], reference: String? = nil, file: StaticString = #filePath, line: UInt = #line)
        throws -> [ChunkCounts] {
        let ref = reference ?? Repo.samples.appendingPathComponent("Stammdaten").path
        let sequential = try scan(files, threads: 1, reference: ref)
        XCTAssertEqual(sequential.chunks, ChunkCounts(), "one thread, no chunk size: whole files", file: file, line: line)
        let expected = SchedulerEquivalenceTests.Snapshot(sequential)
        let occurrences = SchedulerEquivalenceTests.occurrenceLists(sequential)
        var counts: [ChunkCounts] = []
        for size in sizes {
            let parallel = try scan(files, threads: 2, chunkBytes: size, reference: ref)
            counts.append(parallel.chunks)
            let got = SchedulerEquivalenceTests.Snapshot(parallel)
            for (i, (a, b)) in zip(expected.findings, got.findings).enumerated() where a != b {
                XCTFail("chunk \(size ?? 0): finding \(i) differs:\n\(a)\n\(b)", file: file, line: line)
                break
            }
            XCTAssertEqual(got, expected, "chunk \(size ?? 0), \(parallel.chunks)", file: file, line: line)
            XCTAssertEqual(SchedulerEquivalenceTests.occurrenceLists(parallel), occurrences, "chunk \(size ?? 0)", file: file, line: line)
        }
        return counts
    }

    func testSamplesExport() throws {
        let counts = try assertSame([Repo.samples.appendingPathComponent("Traeger-Dokumentation.xml").path], sizes: [1, 512, 2_048])
        XCTAssertGreaterThan(counts[0].merged, 20, "one part per record")
        XCTAssertEqual(counts.map(\.reread), [0, 0, 0])
        XCTAssertEqual(counts.map(\.sequentialRests), [0, 0, 0])
    }

    func testCraftedExports() throws {
        let crafted = try CraftedXMLExports.write(CraftedXMLExports.document(.init()), name: "crafted.xml")
        let whole = try scan([crafted], threads: 1)
        let rules = Dictionary(grouping: Array(whole.findings).filter { $0.locator.file == crafted }, by: \.ruleID).mapValues(\.count)
        XCTAssertGreaterThan(rules["TW201"] ?? 0, 5, "IBANs found")
        XCTAssertGreaterThan(whole.inputs.first { $0.file == crafted }?.rejected ?? 0, 5)
        let counts = try assertSame([crafted], sizes: [1, 700, 4_096])
        XCTAssertGreaterThan(counts[0].reread, 10, "decoys read again")
        XCTAssertEqual(counts.map(\.sequentialRests), [0, 0, 0])

        let crlf = try CraftedXMLExports.write(CraftedXMLExports.document(.init(participants: 30, crlf: true)), name: "crlf.xml")
        try assertSame([crlf], sizes: [1, 2_048])
    }

    /// A fatal error in the middle: the records before it, the record it cuts, the error with the
    /// sequential read's message and line; the rest of that file read sequentially, the other
    /// files in parts as usual.
    func testFatalErrorMidFile() throws {
        let broken = try CraftedXMLExports.write(CraftedXMLExports.document(.init(fatalAt: 31)), name: "broken.xml")
        let clean = try CraftedXMLExports.write(CraftedXMLExports.document(.init(participants: 20)), name: "clean.xml")
        let whole = try scan([broken, clean], threads: 1)
        let accounts = Dictionary(uniqueKeysWithValues: whole.inputs.map { ($0.file, $0) })
        XCTAssertEqual(accounts[broken]?.fileError?.reason.code, "xml.malformed")
        XCTAssertEqual(accounts[broken]?.rejections.last?.reason.code, "xml.record-cut")
        XCTAssertNil(accounts[clean]?.fileError)
        XCTAssertGreaterThan(accounts[clean]?.read ?? 0, 40)
        let counts = try assertSame([broken, clean], sizes: [1, 700, 8_192])
        XCTAssertEqual(counts.map(\.sequentialRests), [1, 1, 1])
    }

    /// `trennwand-bench generate`'s export (the bench's XML input) with its own reference tables.
    /// Without a chunk size an XML file is cut into 8 MiB parts, not CSV's 2 MiB (a unit of XML
    /// costs more to start): a 3 MiB export is one unit on two threads, several parts at 2 MiB,
    /// with the findings of the one-thread scan either way.
    func testXMLDefaultChunkSizeIsLargerThanCSVs() throws {
        let perParticipant = CraftedXMLExports.document(.init(participants: 60)).utf8.count / 60
        let text = CraftedXMLExports.document(.init(participants: (3 << 20) / perParticipant))
        XCTAssertGreaterThan(text.utf8.count, ScanScheduler.defaultChunkBytes)
        XCTAssertLessThan(text.utf8.count, ScanScheduler.defaultChunkBytes(for: .xml))
        let file = try CraftedXMLExports.write(text, name: "three-mib.xml")
        let counts = try assertSame([file], sizes: [nil, ScanScheduler.defaultChunkBytes])
        XCTAssertEqual(counts[0].merged, 0, "no chunk size: one unit, the file is smaller than the XML default")
        XCTAssertGreaterThanOrEqual(counts[1].merged, 2, "at CSV's default the same file is cut")
    }

    func testGeneratedCorpusExport() throws {
        let bench = Repo.root.appendingPathComponent(".build/debug/trennwand-bench").path
        guard FileManager.default.isExecutableFile(atPath: bench) else { throw XCTSkip("trennwand-bench not built") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-xml-corpus-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bench)
        p.arguments = ["generate", "--out", dir.path, "--mb", "4", "--seed", "3"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let xml = dir.appendingPathComponent("Traeger-Dokumentation.xml").path
        let counts = try assertSame([xml], sizes: [16_384, 65_536], reference: dir.appendingPathComponent("Stammdaten").path)
        XCTAssertGreaterThan(counts[0].merged, 30)
        XCTAssertEqual(counts.map(\.reread), [0, 0], "every candidate of the generated export is a record")
        XCTAssertEqual(counts.map(\.sequentialRests), [0, 0])
    }
}
