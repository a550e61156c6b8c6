import Foundation
import XCTest

/// Aggregate rules evaluate their windows as the records stream by (memory bounded by keys). A
/// record older than a window already evaluated cannot be counted in that pass; the scan then
/// evaluates the rule again, exactly, over the records in time order (a second pass), so an
/// unsorted export gives the same finding as a sorted one, without a warning. Only beyond the
/// reorder limit does pass 1's result stand: the scan says so (`aggregate.reorder-limit`, with the
/// rule, the count and the first such record) and `--strict` exits 3, never a silently smaller result.
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

    /// The TW402 findings of a JSON Lines report: fingerprint, line, measure and window.
    private func tw402(_ stdout: String) throws -> [(fingerprint: String, line: Int, detail: String)] {
        try stdout.split(separator: "\n").compactMap { line in
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard obj["rule_id"] as? String == "TW402" else { return nil }
            return (obj["fingerprint"] as? String ?? "", obj["line"] as? Int ?? 0, obj["detail"] as? String ?? "")
        }
    }

    func testUnsortedExportIsEvaluatedExactlyInTimeOrder() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stammdaten = TestPaths.samples.appendingPathComponent("Stammdaten").path
        let now = "2025-12-31T12:00:00+01:00"

        let sorted = try export(unsorted: false, in: dir)
        let ok = try CLI.run(["scan", sorted, stammdaten, "--now", now, "--rule", "TW402", "--format", "jsonl=-"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let expected = try tw402(ok.stdout)
        XCTAssertEqual(expected.count, 1, ok.stdout)
        XCTAssertEqual(expected.first?.line, 2)
        XCTAssertFalse(ok.stderr.contains("[aggregate."), ok.stderr)

        let unsorted = try export(unsorted: true, in: dir)
        for threads in ["1", "2"] {
            for chunk in [[], ["--chunk-bytes", "1024"]] {
                let r = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--threads", threads]
                                    + chunk + ["--format", "jsonl=-"])
                XCTAssertEqual(r.status, 0, r.stderr)
                XCTAssertFalse(r.stderr.contains("[aggregate."), r.stderr)
                let found = try tw402(r.stdout)
                XCTAssertEqual(found.count, 1, "threads \(threads) \(chunk): \(r.stdout)")
                // The same finding as in the sorted export; its evidence is the real line of the first record read.
                XCTAssertEqual(found.first?.fingerprint, expected.first?.fingerprint)
                XCTAssertEqual(found.first?.detail, expected.first?.detail)
                XCTAssertEqual(found.first?.line, 3)
            }
        }
        let strict = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--strict", "--format", "text=/dev/null"])
        XCTAssertEqual(strict.status, 0, strict.stderr)
    }

    /// 41 records pass TW402's filter: a limit of 41 still allows the exact evaluation, 40 does not.
    func testBeyondTheReorderLimitPassOneStandsWithAWarningAndStrictExitsThree() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stammdaten = TestPaths.samples.appendingPathComponent("Stammdaten").path
        let now = "2025-12-31T12:00:00+01:00"
        let unsorted = try export(unsorted: true, in: dir)

        let within = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--reorder-limit", "41", "--format", "jsonl=-"])
        XCTAssertEqual(try tw402(within.stdout).count, 1, within.stdout)
        XCTAssertFalse(within.stderr.contains("[aggregate."), within.stderr)

        for threads in ["1", "2"] {
            let late = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--threads", threads,
                                    "--chunk-bytes", "1024", "--reorder-limit", "40", "--format", "jsonl=-"])
            XCTAssertEqual(late.status, 0, late.stderr)
            XCTAssertEqual(try tw402(late.stdout).count, 0, "records were counted after all: \(late.stdout)")
            XCTAssertFalse(late.stderr.contains("[aggregate.late-records]"), late.stderr)
            let warning = try XCTUnwrap(late.stderr.split(separator: "\n").first { $0.hasSuffix("[aggregate.reorder-limit]") },
                                        late.stderr)
            XCTAssertTrue(warning.contains("TW402: 40 "), String(warning))
            XCTAssertTrue(warning.contains("mehr als 40 Datensätze"), String(warning))
            XCTAssertTrue(warning.contains("Jobcenter-Zugriffe-unsortiert.csv:3"), String(warning))
        }
        let strict = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--strict", "--reorder-limit", "0",
                                  "--format", "text=/dev/null"])
        XCTAssertEqual(strict.status, 3, strict.stderr)
        let en = try CLI.run(["scan", unsorted, stammdaten, "--now", now, "--rule", "TW402", "--lang", "en", "--reorder-limit", "0",
                              "--format", "text=/dev/null"])
        XCTAssertTrue(en.stderr.contains("the exact evaluation in time order was skipped"), en.stderr)
    }
}
