import Foundation
import TrennwandFindings
import TrennwandOutputs
import XCTest
@testable import TrennwandScan

/// A scan's report reads a merged finding's records back only as far as one of its formats lists them.
final class ReportDeliveryTests: XCTestCase {
    /// Seven records merged into one finding, all but the first spilled to disk.
    private func mergedFinding() -> FindingList {
        var collector = FindingCollector(keepInMemory: 0, othersInMemory: 0)
        let fp = String(repeating: "a", count: 32)
        for i in 0..<7 { collector.add(finding("TW201", index: i, fingerprint: fp), fileOrder: 0) }
        return collector.sorted()
    }

    private func listed(_ formats: [OutputFormat]) -> [Finding] {
        let delivery = ReportDelivery(targets: formats.map { OutputTarget($0, .file("/dev/null")) }, sourceRoot: "/", colorStandardOutput: false)
        let list = mergedFinding()
        return ReportDelivery.entries(list, contexts: list.map { _ in FindingContext() },
                                      occurrencesUpTo: delivery.occurrencesListed).map(\.0)
    }

    func testSummaryAloneReadsOnlyTheFirstRecordAndKeepsTheCount() throws {
        let f = try XCTUnwrap(listed([.text, .metrics]).first)
        XCTAssertEqual(f.occurrences, 7)
        XCTAssertTrue(f.others.isEmpty)
        XCTAssertEqual(f.locator.index, 0)
    }

    func testAFormatListingRecordsGetsThemAll() throws {
        for format in [OutputFormat.jsonl, .html, .csv, .junit, .baselineJSONL] {
            let f = try XCTUnwrap(listed([.text, format]).first)
            XCTAssertEqual(f.occurrences, 7, "\(format)")
            XCTAssertEqual(f.others.map(\.locator.index), [1, 2, 3, 4, 5, 6], "\(format)")
            XCTAssertFalse(f.occurrencesTruncated, "\(format)")
        }
    }

    func testSARIFListsUpToGitHubsLimit() {
        XCTAssertEqual(OutputFormat.sarif.occurrencesListed, SARIFWriter.githubLocationLimit)
        XCTAssertEqual(OutputFormat.baselineSARIF.occurrencesListed, SARIFWriter.githubLocationLimit)
        XCTAssertEqual(listed([.sarif]).first?.others.count, 6)
    }
}
