import Foundation
import XCTest

/// Issue #14 acceptance: scheduled scans with `--state` report everything open, not only what
/// this run read. Two scans over a copy of the Samples: the second skips every unchanged file and
/// its HTML, JSON Lines and SARIF still hold every open finding with its status and name the
/// skipped files; a third after deleting a planted row shows that finding resolved; `trennwand
/// report --state` renders the same set without scanning.
///
/// The status fields (`status`, `first_run`, `skipped_files`, SARIF `properties.status`, …) are
/// written by the outputs (names agreed in issue #14's notes); the parts marked "fields" need them.
final class ScheduledScanReportTests: XCTestCase {
    struct Report {
        var findings: [[String: Any]]
        var summary: [String: Any]
        var fingerprints: [String] { findings.compactMap { $0["fingerprint"] as? String } }
    }

    func jsonLines(_ path: URL) throws -> Report {
        var findings: [[String: Any]] = []
        var summary: [String: Any] = [:]
        for line in try String(contentsOf: path, encoding: .utf8).split(separator: "\n") {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if object["type"] as? String == "summary" { summary = object } else { findings.append(object) }
        }
        return Report(findings: findings, summary: summary)
    }

    func sarifResults(_ path: URL) throws -> (results: [[String: Any]], properties: [String: Any]) {
        let log = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        let run = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
        return (run["results"] as? [[String: Any]] ?? [], run["properties"] as? [String: Any] ?? [:])
    }

    func testScheduledScansReportEveryOpenFindingAndWhatWasResolved() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: TestPaths.samples, to: dir.appendingPathComponent("Samples"))
        func scan(_ n: Int) throws -> CLIRun {
            try CLI.run(["scan", "--config", "Samples/audit.yaml", "--state", "state/s.sqlite",
                         "--format", "html=r\(n).html", "--format", "jsonl=r\(n).jsonl", "--format", "sarif=r\(n).sarif"], cwd: dir)
        }
        let first = try scan(1)
        XCTAssertEqual(first.status, 1, first.stderr)
        let second = try scan(2)
        XCTAssertEqual(second.status, 1, "still open high findings fail the scheduled run\n\(second.stderr)")
        let skipped = second.stderr.split(separator: "\n").filter { $0.contains("übersprungen (unverändert, geprüft in Lauf 1)") }
        XCTAssertGreaterThanOrEqual(skipped.count, 5, second.stderr)

        // Run 2 read only what changed (nothing), yet reports every finding run 1 left open.
        let r1 = try jsonLines(dir.appendingPathComponent("r1.jsonl"))
        let r2 = try jsonLines(dir.appendingPathComponent("r2.jsonl"))
        XCTAssertGreaterThan(r1.fingerprints.count, 100)
        XCTAssertEqual(r2.fingerprints.count, r1.fingerprints.count)
        XCTAssertEqual(Set(r2.fingerprints), Set(r1.fingerprints))
        let (sarif1, _) = try sarifResults(dir.appendingPathComponent("r1.sarif"))
        let (sarif2, runProperties2) = try sarifResults(dir.appendingPathComponent("r2.sarif"))
        XCTAssertEqual(sarif2.count, sarif1.count)
        let html2 = try String(contentsOf: dir.appendingPathComponent("r2.html"), encoding: .utf8)
        for rule in Set(r1.findings.compactMap { $0["rule_id"] as? String }) {
            XCTAssertTrue(html2.contains(rule), "HTML of run 2 misses \(rule)")
        }

        // fields: status per finding, the skipped files named in every output.
        for f in r2.findings {
            let status = f["status"] as? String
            XCTAssertTrue(["open", "waived", "new"].contains(status ?? "-"), "\(f["fingerprint"] ?? "?"): \(status ?? "nil")")
            XCTAssertEqual(f["first_run"] as? Int, 1)
            XCTAssertNotNil(f["first_seen"] as? String)
            XCTAssertNotNil(f["last_seen"] as? String)
        }
        XCTAssertEqual(r2.findings.filter { $0["status"] as? String == "open" }.count, r2.findings.count - 1, "all but the waived one")
        XCTAssertEqual(r2.summary["state_run"] as? Int, 2)
        let skippedFiles = r2.summary["skipped_files"] as? [[String: Any]] ?? []
        XCTAssertEqual(skippedFiles.count, skipped.count)
        XCTAssertTrue(skippedFiles.allSatisfy { $0["run"] as? Int == 1 })
        XCTAssertTrue(skippedFiles.contains { ($0["path"] as? String)?.hasSuffix("Plattform-Datenfluesse.csv") == true })
        XCTAssertTrue(sarif2.allSatisfy { (($0["properties"] as? [String: Any])?["status"] as? String) != nil })
        XCTAssertEqual(runProperties2["stateRun"] as? Int, 2)
        XCTAssertEqual((runProperties2["skippedFiles"] as? [[String: Any]])?.count, skipped.count)
        XCTAssertTrue(html2.contains("unverändert, geprüft in Lauf 1"))

        // Run 3: the planted flow FL-12 (TW305, last row) deleted: that finding is resolved by run 3.
        let flows = dir.appendingPathComponent("Samples/Plattform-Datenfluesse.csv")
        let lines = try String(contentsOf: flows, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.hasPrefix("FL-12;") }
        XCTAssertEqual(kept.count, lines.count - 1)
        try kept.joined(separator: "\n").write(to: flows, atomically: true, encoding: .utf8)
        let planted = try XCTUnwrap(r2.findings.first {
            $0["rule_id"] as? String == "TW305" && ($0["file"] as? String)?.hasSuffix("Plattform-Datenfluesse.csv") == true
                && $0["line"] as? Int == lines.firstIndex { $0.hasPrefix("FL-12;") }.map { $0 + 1 }
        }?["fingerprint"] as? String)
        let third = try scan(3)
        XCTAssertEqual(third.status, 1, third.stderr)
        let r3 = try jsonLines(dir.appendingPathComponent("r3.jsonl"))
        XCTAssertEqual(Set(r3.fingerprints), Set(r2.fingerprints), "the resolved finding is still reported, nothing else changed")
        let (sarif3, _) = try sarifResults(dir.appendingPathComponent("r3.sarif"))
        XCTAssertEqual(sarif3.count, sarif2.count)
        // fields
        let resolved = r3.findings.filter { $0["status"] as? String == "resolved" }
        XCTAssertEqual(resolved.compactMap { $0["fingerprint"] as? String }, [planted])
        XCTAssertEqual(resolved.first?["resolved_run"] as? Int, 3)
        XCTAssertEqual((r3.summary["by_status"] as? [String: Any])?["resolved"] as? Int, 1)
        XCTAssertTrue(sarif3.contains { (($0["properties"] as? [String: Any])?["status"] as? String) == "resolved" })
        let html3 = try String(contentsOf: dir.appendingPathComponent("r3.html"), encoding: .utf8)
        XCTAssertGreaterThan(html3.components(separatedBy: "erledigt").count, html2.components(separatedBy: "erledigt").count,
                             "the resolved finding is labelled in the HTML of run 3")

        // `trennwand report` renders the same set from the store, without scanning.
        let report = try CLI.run(["report", "--config", "Samples/audit.yaml", "--state", "state/s.sqlite",
                                  "--format", "jsonl=rep.jsonl", "--format", "sarif=rep.sarif"], cwd: dir)
        XCTAssertEqual(report.status, 1, "open findings at or above fail_on: high\n\(report.stderr)")
        let fromStore = try jsonLines(dir.appendingPathComponent("rep.jsonl"))
        XCTAssertEqual(fromStore.fingerprints, r3.fingerprints)
        XCTAssertEqual(try sarifResults(dir.appendingPathComponent("rep.sarif")).results.count, sarif3.count)
        // fields
        XCTAssertEqual(fromStore.findings.map { $0["status"] as? String }, r3.findings.map { $0["status"] as? String })
        XCTAssertEqual(fromStore.summary["state_run"] as? Int, 3)
    }

    /// `report`: --since narrows to what was seen since; a missing store is exit 2 and is not created.
    func testReportSinceAndErrors() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try CLI.run(["report", "--state", "none.sqlite", "--format", "jsonl=r.jsonl"], cwd: dir)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("[state.not-found]"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("none.sqlite").path))
        let noState = try CLI.run(["report", "--format", "jsonl=r.jsonl"], cwd: dir)
        XCTAssertEqual(noState.status, 2)
        XCTAssertTrue(noState.stderr.contains("[report.no-state]"), noState.stderr)
        let badDay = try CLI.run(["report", "--state", "none.sqlite", "--since", "31.13.2025"], cwd: dir)
        XCTAssertNotEqual(badDay.status, 0)
        XCTAssertTrue(badDay.stderr.contains("--since"), badDay.stderr)

        let flows = TestPaths.samples.appendingPathComponent("Plattform-Datenfluesse.csv").path
        let scan = try CLI.run(["scan", flows, "--state", "s.sqlite", "--format", "jsonl=scan.jsonl"], cwd: dir)
        XCTAssertEqual(scan.status, 0, scan.stderr)
        let all = try CLI.run(["report", "--state", "s.sqlite", "--since", "31.01.2025", "--format", "jsonl=all.jsonl"], cwd: dir)
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertEqual(try jsonLines(dir.appendingPathComponent("all.jsonl")).fingerprints.sorted(),
                       try jsonLines(dir.appendingPathComponent("scan.jsonl")).fingerprints.sorted())
        let none = try CLI.run(["report", "--state", "s.sqlite", "--since", "2099-01-01", "--format", "jsonl=none.jsonl",
                                "--fail-on", "info"], cwd: dir)
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertEqual(try jsonLines(dir.appendingPathComponent("none.jsonl")).fingerprints, [])
        let gate = try CLI.run(["report", "--state", "s.sqlite", "--format", "jsonl=-", "--fail-on", "high",
                                "--format", "html=r.html"], cwd: dir)
        XCTAssertEqual(gate.status, 1, gate.stderr)
        // The HTML report from the store carries the trend chart like a scan's.
        let html = try String(contentsOf: dir.appendingPathComponent("r.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<svg"), "trend chart missing")
    }
}
