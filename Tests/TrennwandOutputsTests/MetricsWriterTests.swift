import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import XCTest

/// The Prometheus text of the fixture run: every family has HELP and TYPE, every sample line is
/// `name{labels} value`, label values are escaped, and the numbers are the summary's.
final class MetricsWriterTests: XCTestCase {
    private func text() throws -> (String, RunSummary) {
        let sink = MemorySink()
        var writer = MetricsWriter(sink: sink)
        let summary = try OutputFixtures.stream(&writer)
        return (String(decoding: sink.bytes, as: UTF8.self), summary)
    }

    func testFamiliesAndSamplesAreWellFormed() throws {
        let (text, _) = try text()
        XCTAssertTrue(text.hasSuffix("\n"))
        var declared: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# HELP ") { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                XCTAssertEqual(parts.count, 4, String(line))
                XCTAssertEqual(parts.last, "gauge")
                declared.insert(String(parts[2]))
                continue
            }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            XCTAssertTrue(declared.contains(name), "sample before its TYPE: \(line)")
            XCTAssertTrue(name.hasPrefix("trennwand_"), name)
            XCTAssertNotNil(line.range(of: #"^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? -?[0-9.e+]+$"#, options: .regularExpression), String(line))
        }
    }

    func testNumbersAreTheSummarys() throws {
        let (text, summary) = try text()
        XCTAssertTrue(text.contains("trennwand_records{stage=\"read\"} \(summary.recordsRead)\n"))
        XCTAssertTrue(text.contains("trennwand_records{stage=\"rejected\"} \(summary.recordsRejected)\n"))
        for (severity, tally) in summary.bySeverity {
            XCTAssertTrue(text.contains("trennwand_findings_open{severity=\"\(severity.rawValue)\"} \(tally.open)\n"), severity.rawValue)
            XCTAssertTrue(text.contains("trennwand_findings_waived{severity=\"\(severity.rawValue)\"} \(tally.waived)\n"), severity.rawValue)
        }
        XCTAssertEqual(text.components(separatedBy: "trennwand_rule_findings_open{").count - 1, summary.byRule.count)
        XCTAssertTrue(text.contains("trennwand_run_duration_seconds \(OutputFixtures.finished - OutputFixtures.started)\n"))
    }

    func testLabelValuesAreEscapedAndOutcomeKeepsLastSuccess() {
        XCTAssertEqual(MetricsText.escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd")
        let failed = MetricsText.outcome(exitCode: 3, now: 200, lastSuccess: 100)
        XCTAssertTrue(failed.contains("trennwand_exit_code 3\n"))
        XCTAssertEqual(MetricsText.value(of: "trennwand_last_success_timestamp_seconds", in: failed), 100)
        XCTAssertFalse(MetricsText.outcome(exitCode: 2, now: 200, lastSuccess: nil).contains("last_success"))
    }
}
