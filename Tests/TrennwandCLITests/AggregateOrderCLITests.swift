import Foundation
import XCTest

/// Aggregate rules evaluate their windows as the records stream by (memory bounded by keys). A
/// record older than a window already evaluated cannot be counted any more: the scan must say so
/// (`aggregate.late-records`, with the rule, the count and the first such record), and `--strict`
/// makes it exit 3, never a silently smaller result.
final class AggregateOrderCLITests: XCTestCase {
    /// An access export in the Samples' layout: one account reads 40 different customers within
    /// 52 minutes (TW402), and — when `unsorted` — the same account's access of the next day comes first.
    private func export(unsorted: Bool, in dir: URL) throws -> String {
        let header = try String(contentsOf: TestPaths.samples.appendingPathComponent("Jobcenter-Zugriffe-Sammelabrufe.csv"),
                                encoding: .isoLatin1).components(separatedBy: .newlines)[0]
        func row(_ time: String, _ subject: Int) -> String {
            "\(time);JC-M-0091;JC;Integrationsfachkraft;VerBIS;Lesen;;962D\(String(format: "%06d", subject));Teilnahme;JC-PC-0901;JC-Netz;;;;Beratung;"
        }
        var rows = (0..<40).map { row(String(format: "15.07.2025 18:%02d:00", $0 * 4 / 3), 400 + $0) }
        let nextDay = row("16.07.2025 09:00:00", 999)
        rows = unsorted ? [nextDay] + rows : rows + [nextDay]
        let path = dir.appendingPathComponent("Jobcenter-Zugriffe-\(unsorted ? "unsortiert" : "sortiert").csv").path
        try Data(([String(header)] + rows).joined(separator: "\n").appending("\n").data(using: .isoLatin1)!).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testLateRecordsAreReportedAndStrictExitsThree() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stammdaten = TestPaths.samples.appendingPathComponent("Stammdaten").path
        let now = "2025-12-31T12:00:00+01:00"

        let sorted = try export(unsorted: false, in: dir)
        let ok = try CLI.run(["scan", sorted, stammdaten, "--now", now, "--rule", "TW402", "--format", "jsonl=-"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("\"rule_id\":\"TW402\""), ok.stdout)
        XCTAssertFalse(ok.stderr.contains("aggregate.late-records"), ok.stderr)

        let unsorted = try export(unsorted: true, in: dir)
        for threads in ["1", "2"] {
            let late = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--threads", threads,
                                    "--chunk-bytes", "1024", "--format", "jsonl=-"])
            XCTAssertEqual(late.status, 0, late.stderr)
            XCTAssertFalse(late.stdout.contains("\"rule_id\":\"TW402\""), "records were counted after all: \(late.stdout)")
            let warning = try XCTUnwrap(late.stderr.split(separator: "\n").first { $0.hasSuffix("[aggregate.late-records]") },
                                        late.stderr)
            XCTAssertTrue(warning.contains("TW402: 40 "), String(warning))
            XCTAssertTrue(warning.contains("Jobcenter-Zugriffe-unsortiert.csv:3"), String(warning))
        }
        let strict = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--strict", "--format", "text=/dev/null"])
        XCTAssertEqual(strict.status, 3, strict.stderr)
        let en = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--lang", "en", "--format", "text=/dev/null"])
        XCTAssertTrue(en.stderr.contains("records were older than a time window already evaluated"), en.stderr)
    }
}
