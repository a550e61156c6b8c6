import Foundation
import TrennwandRecords
import XCTest
@testable import TrennwandReaders

/// Chunk sizes along a file (`ChunkSchedule`): constant without a tail; with one, shrinking
/// towards the end of the file to a quarter of the size, never growing, and applied by every
/// format's boundary search (CSV, JSON Lines, XML) on the same record starts a fixed size finds.
final class ChunkScheduleTests: XCTestCase {
    func testWithoutATailEveryChunkHasTheGivenSize() {
        for workers in [0, 1] {
            let s = ChunkSchedule(chunkBytes: 8 << 20, tailWorkers: workers)
            XCTAssertEqual(s.size(at: 0, fileSize: 1 << 30), 8 << 20)
            XCTAssertEqual(s.size(at: (1 << 30) - 100, fileSize: 1 << 30), 8 << 20)
        }
    }

    func testGuidedTailShrinksToAQuarterAndNeverGrows() {
        let s = ChunkSchedule(chunkBytes: 8 << 20, tailWorkers: 2)
        let file: Int64 = 256 << 20
        XCTAssertEqual(s.size(at: 0, fileSize: file), 8 << 20, "far from the end: the full size")
        // Less than 2 × workers × size left: the rest shared by 2 × workers.
        XCTAssertEqual(s.size(at: file - (20 << 20), fileSize: file), 5 << 20)
        XCTAssertEqual(s.size(at: file - (3 << 20), fileSize: file), 2 << 20, "at least a quarter of the size")
        XCTAssertEqual(s.size(at: file - 10, fileSize: file), 2 << 20)
        var previous = Int.max
        for position in stride(from: Int64(0), to: file, by: 1 << 20) {
            let size = s.size(at: position, fileSize: file)
            XCTAssertLessThanOrEqual(size, previous, "at \(position)")
            XCTAssertGreaterThanOrEqual(size, 2 << 20)
            previous = size
        }
        // Four workers start the tail earlier and share it in eighths.
        XCTAssertEqual(ChunkSchedule(chunkBytes: 8 << 20, tailWorkers: 4).size(at: file - (40 << 20), fileSize: file), 5 << 20)
        XCTAssertEqual(ChunkSchedule(chunkBytes: 3, tailWorkers: 2).size(at: 99, fileSize: 100), 1, "never below one byte")
    }

    /// `boundaries` of a guided schedule: ascending record starts, the first chunks as far apart as
    /// with the fixed size, the last ones closer (but not closer than a quarter of the size, apart
    /// from the final rest), and every start is one the fixed schedule's reader would accept — the
    /// XML parts read with these starts give the whole-file read.
    func testEveryFormatCutsItsTailCloser() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-schedule-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let xml = try CraftedXMLExports.write(CraftedXMLExports.document(.init(participants: 400)), name: "guided.xml")
        let xmlSource = try XCTUnwrap(Ingest.chunkSource(path: xml, profile: XMLChunkTests.profile))
        let size = Int(xmlSource.fileSize / 24)
        try assertGuided(xmlSource, chunkBytes: size, file: "XML")
        let (parts, _) = try XMLChunkTests.chunked(xml, schedule: ChunkSchedule(chunkBytes: size, tailWorkers: 2))
        XCTAssertEqual(parts, XMLChunkTests.whole(xml), "guided parts read like the whole file")

        // Samples' access log (Windows-1252, as exported), its data rows repeated.
        let csvProfile = try XCTUnwrap(ProfileFixtures.catalog.profile(id: "jobcenter-zugriffe"))
        let sample = try Data(contentsOf: TestPaths.samples.appendingPathComponent("Jobcenter-Zugriffe.csv"))
        let header = sample.prefix(through: try XCTUnwrap(sample.firstIndex(of: 0x0A)))
        var csv = Data(header)
        while csv.count < 400_000 { csv.append(sample.dropFirst(header.count)) }
        let csvPath = dir.appendingPathComponent("zugriffe.csv").path
        try csv.write(to: URL(fileURLWithPath: csvPath))
        let csvSource = try XCTUnwrap(Ingest.chunkSource(path: csvPath, profile: csvProfile), "CSV not cut")
        try assertGuided(csvSource, chunkBytes: Int(csvSource.fileSize / 24), file: "CSV")

        var jsonl = ""
        for i in 0..<4_000 { jsonl += #"{"@timestamp":"2025-03-01T10:00:00Z","user":{"name":"Person \#(i)"},"event":{"action":"anzeigen"}}"# + "\n" }
        let jsonlPath = dir.appendingPathComponent("zugriffe.jsonl").path
        try Data(jsonl.utf8).write(to: URL(fileURLWithPath: jsonlPath))
        let jsonlSource = try XCTUnwrap(Ingest.chunkSource(path: jsonlPath, profile: JSONLinesReaderTests.access))
        try assertGuided(jsonlSource, chunkBytes: Int(jsonlSource.fileSize / 24), file: "JSON Lines")
    }

    private func assertGuided(_ source: any ChunkSource, chunkBytes: Int, file label: String) throws {
        let fixed = try source.boundaries(chunkBytes: chunkBytes)
        let guided = try source.boundaries(ChunkSchedule(chunkBytes: chunkBytes, tailWorkers: 2))
        XCTAssertEqual(guided, guided.sorted(), label)
        XCTAssertEqual(Set(guided).count, guided.count, label)
        XCTAssertGreaterThan(guided.count, fixed.count + 2, "\(label): more, smaller chunks at the end")
        // Far from the end both schedules cut at the same places.
        let tailStart = source.fileSize - Int64(4 * chunkBytes)
        XCTAssertEqual(guided.filter { $0 < tailStart - Int64(chunkBytes) }, fixed.filter { $0 < tailStart - Int64(chunkBytes) }, label)
        let gaps = zip(guided.dropFirst(), guided).map { $0 - $1 }
        let quarter = Int64(chunkBytes / 4)
        for gap in gaps { XCTAssertGreaterThanOrEqual(gap, quarter, "\(label): no chunk shorter than a quarter") }
        XCTAssertLessThan(gaps.last!, Int64(chunkBytes) * 3 / 4, "\(label): the last chunks are short")
    }
}
