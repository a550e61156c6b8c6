import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest
@testable import TrennwandScan

/// The scan's last file, cut at the default chunk size, has a guided tail (`ChunkSchedule`: the
/// workers finish together) and gives the one-thread scan's findings; an explicit chunk size is
/// kept as given.
final class GuidedTailTests: XCTestCase {
    func testLastFileHasAGuidedTailAndTheSameFindings() throws {
        let samples = try SamplesFixture()
        // 3 MiB of Samples' access log (data rows repeated): two chunks at CSV's 2 MiB default.
        let sample = try Data(contentsOf: Repo.samples.appendingPathComponent("Jobcenter-Zugriffe.csv"))
        let header = sample.prefix(through: try XCTUnwrap(sample.firstIndex(of: 0x0A)))
        var csv = Data(header)
        while csv.count < 3 << 20 { csv.append(sample.dropFirst(header.count)) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-tail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("Jobcenter-Zugriffe.csv").path
        try csv.write(to: URL(fileURLWithPath: path))
        let reference = Repo.samples.appendingPathComponent("Stammdaten").path
        let tables = try FileManager.default.contentsOfDirectory(atPath: reference).filter { $0.hasSuffix(".csv") }.sorted()
        let inputs = [ScanInput(path: path)] + tables.map { ScanInput(path: reference + "/" + $0) }

        let sequential = try samples.scan(threads: 1, inputs: inputs)
        let guided = try samples.scan(threads: 2, inputs: inputs)
        let explicit = try samples.scan(threads: 2, chunkBytes: ScanScheduler.defaultChunkBytes, inputs: inputs)
        XCTAssertEqual(explicit.chunks.merged, 2, "an explicit size: 2 MiB + the rest")
        XCTAssertGreaterThanOrEqual(guided.chunks.merged, 4, "the default size: the tail in shorter chunks")
        XCTAssertFalse(sequential.findings.isEmpty)
        XCTAssertEqual(SchedulerEquivalenceTests.Snapshot(guided), SchedulerEquivalenceTests.Snapshot(sequential))
        XCTAssertEqual(SchedulerEquivalenceTests.occurrenceLists(guided), SchedulerEquivalenceTests.occurrenceLists(sequential))
    }
}
