import Foundation
import XCTest

/// A scan of Samples/ must produce exactly the findings listed in Samples/expected-findings.txt
/// (rule id + file + line): none missing, none extra. Every rule of the pack must fire at least once.
final class SamplesEndToEndTests: XCTestCase {
    struct Key: Hashable, Comparable, CustomStringConvertible {
        let rule: String
        let file: String
        let line: Int
        static func < (a: Key, b: Key) -> Bool { (a.file, a.line, a.rule) < (b.file, b.line, b.rule) }
        var description: String { "\(rule);\(file);\(line)" }
    }

    func scanSamples() throws -> (keys: [Key], run: CLIRun) {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let jsonl = dir.appendingPathComponent("f.jsonl").path
        let r = try CLI.run(["scan", "--config", "Samples/audit.yaml", "--format", "jsonl=\(jsonl)"])
        let text = try String(contentsOfFile: jsonl, encoding: .utf8)
        var keys: [Key] = []
        for line in text.split(separator: "\n") {
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if obj["type"] as? String == "summary" { continue }
            keys.append(Key(rule: obj["rule_id"] as! String, file: obj["file"] as! String, line: obj["line"] as? Int ?? 0))
        }
        return (keys.sorted(), r)
    }

    func testScanMatchesExpectedFindings() throws {
        let (actual, run) = try scanSamples()
        XCTAssertTrue([0, 1].contains(run.status), "scan failed: \(run.status)\n\(run.stderr)")
        let expectedFile = TestPaths.samples.appendingPathComponent("expected-findings.txt")
        let text = try String(contentsOf: expectedFile, encoding: .utf8)
        var expected: [Key] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("rule_id") {
            let f = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 3, let n = Int(f[2]) else { XCTFail("bad line: \(line)"); continue }
            expected.append(Key(rule: f[0], file: f[1], line: n))
        }
        let missing = Set(expected).subtracting(actual).sorted()
        let extra = Set(actual).subtracting(expected).sorted()
        XCTAssertTrue(missing.isEmpty, "expected but not found:\n" + missing.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(extra.isEmpty, "found but not expected:\n" + extra.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(actual.count, expected.count, "duplicates differ")
    }

    /// Beyond `TRENNWAND_SPILL_AFTER` findings (default 5,000) the rest are spilled to an unlinked
    /// temporary file and read back one at a time for the outputs; without a usable temporary
    /// directory they stay in memory. All spilled, partly spilled, in memory: byte-identical JSON Lines.
    func testFindingsSpillAndInMemoryGiveTheSameReport() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func scan(_ name: String, env: [String: String]) throws -> [String] {
            let out = dir.appendingPathComponent(name).path
            let r = try CLI.run(["scan", "--config", "Samples/audit.yaml", "--format", "jsonl=\(out)"], env: env)
            XCTAssertTrue([0, 1].contains(r.status), r.stderr)
            // The summary line carries run times; everything else must match.
            return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
                .filter { !$0.contains("\"type\":\"summary\"") }.map(String.init)
        }
        let spilled = try scan("a.jsonl", env: ["TMPDIR": dir.path, "TRENNWAND_SPILL_AFTER": "0"])
        let partly = try scan("c.jsonl", env: ["TMPDIR": dir.path, "TRENNWAND_SPILL_AFTER": "50"])
        let inMemory = try scan("b.jsonl", env: ["TMPDIR": dir.appendingPathComponent("does-not-exist").path,
                                                 "TRENNWAND_SPILL_AFTER": "0"])
        let byDefault = try scan("d.jsonl", env: [:])
        XCTAssertGreaterThan(spilled.count, 100)
        XCTAssertEqual(spilled, inMemory)
        XCTAssertEqual(partly, inMemory)
        XCTAssertEqual(byDefault, inMemory)
        // Nothing left behind: the spill file is unlinked as soon as it is created.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("trennwand-findings") }
        XCTAssertEqual(left, [])
    }

    func testEveryRuleFiresOnSamples() throws {
        let (actual, _) = try scanSamples()
        let fired = Set(actual.map(\.rule))
        let rulesDir = TestPaths.projectRoot.appendingPathComponent("Rules")
        let ids = (FileManager.default.enumerator(atPath: rulesDir.path)?.allObjects as? [String] ?? [])
            .compactMap { p -> String? in
                let name = (p as NSString).lastPathComponent
                return name.hasPrefix("TW") && name.hasSuffix(".yaml") ? String(name.prefix(5)) : nil
            }
        XCTAssertFalse(ids.isEmpty)
        for id in ids.sorted() { XCTAssertTrue(fired.contains(id), "\(id) does not fire on Samples") }
    }

    func testExitCodesOfScan() throws {
        // fail_on high in audit.yaml: findings at high → 1.
        XCTAssertEqual(try CLI.run(["scan", "--config", "Samples/audit.yaml", "--format", "text=/dev/null"]).status, 1)
        // Without threshold: 0 even with findings.
        XCTAssertEqual(try CLI.run(["scan", "Samples/", "--now", "2025-12-31T12:00:00+01:00"]).status, 0)
        // Rejected records with --strict: 3 (input errors win over findings).
        XCTAssertEqual(try CLI.run(["scan", "Samples/", "--strict", "--fail-on", "low"]).status, 3)
        // A missing input file: 3.
        XCTAssertEqual(try CLI.run(["scan", "Samples/fehlt.csv"]).status, 3)
        // Broken configuration: 2.
        XCTAssertEqual(try CLI.run(["scan", "Samples/", "--rules", "/nonexistent"]).status, 2)
    }
}

/// Gate, waivers, baseline and the state database through the CLI.
final class GateAndLifecycleCLITests: XCTestCase {
    let now = "2025-12-31T12:00:00+01:00"

    func testGateFailsOnDeclaredFlowsAndWritesJUnit() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junit = dir.appendingPathComponent("g.xml").path
        let r = try CLI.run(["gate", "Samples/Plattform-Datenfluesse.csv", "Samples/Stammdaten/", "--now", now,
                             "--format", "junit=\(junit)"])
        XCTAssertEqual(r.status, 1, r.stderr)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        XCTAssertTrue(xml.contains("trennwand.TW301"))
        // Only rules below the threshold: passes.
        XCTAssertEqual(try CLI.run(["gate", "Samples/Plattform-Datenfluesse.csv", "--now", now, "--rule", "TW305",
                                    "--fail-on", "critical"]).status, 0)
    }

    func testWaiverAndBaselineTakeFindingsOutOfTheGate() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.appendingPathComponent("base.jsonl").path
        let args = ["gate", "Samples/Plattform-Datenfluesse.csv", "Samples/Stammdaten/", "--now", now, "--rule", "TW304"]
        let first = try CLI.run(args + ["--format", "jsonl=\(base)"])
        XCTAssertEqual(first.status, 1, first.stderr)
        // Same findings against their own baseline: nothing new → 0.
        XCTAssertEqual(try CLI.run(args + ["--baseline", base]).status, 0)
        // A waiver for the one TW304 finding: 0, and an expired one: 1 again with a warning.
        let line = try String(contentsOfFile: base, encoding: .utf8).split(separator: "\n").first!
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let fp = obj["fingerprint"] as! String
        let waivers = dir.appendingPathComponent("w.yaml").path
        // Without --until the latest allowed expiry (12 months) is written.
        let w = try CLI.run(["waive", fp, "--rule", "TW304", "--reason", "Verschlüsselung per VPN nachgewiesen",
                             "--approver", "DSB Beispiel", "--file", waivers])
        XCTAssertEqual(w.status, 0, w.stderr)
        XCTAssertEqual(try CLI.run(args + ["--waivers", waivers]).status, 0)
        // Backdate the waiver (created and expired before the scan's reference time).
        var text = try String(contentsOfFile: waivers, encoding: .utf8)
        let expires = try XCTUnwrap(text.range(of: #"expires: [0-9-]+"#, options: .regularExpression))
        text.replaceSubrange(expires, with: "expires: 2025-01-31")
        let created = try XCTUnwrap(text.range(of: #"created: [0-9-]+"#, options: .regularExpression))
        text.replaceSubrange(created, with: "created: 2025-01-01")
        try text.write(toFile: waivers, atomically: true, encoding: .utf8)
        let expired = try CLI.run(args + ["--waivers", waivers])
        XCTAssertEqual(expired.status, 1)
        XCTAssertTrue(expired.stderr.contains("Warnung"), expired.stderr)
    }

    func testRevealIsRefusedForExportedFormatsAndUnmasksLocally() throws {
        let base = ["scan", "Samples/Traeger-Dokumentation.xml", "Samples/Stammdaten/", "--now", now, "--rule", "TW201"]
        for format in ["sarif", "junit"] {
            XCTAssertEqual(try CLI.run(base + ["--reveal", "--format", "\(format)=/dev/null"]).status, 2, format)
        }
        // JSON Lines is a local format: --reveal is allowed there.
        let jsonl = try CLI.run(base + ["--reveal", "--format", "jsonl=-", "--format", "text=/dev/null"])
        XCTAssertEqual(jsonl.status, 0, jsonl.stderr)
        XCTAssertTrue(jsonl.stdout.contains("DE89370400440532013000"))
        let masked = try CLI.run(base + ["--format", "csv=-", "--format", "text=/dev/null"])
        XCTAssertFalse(masked.stdout.contains("DE89370400440532013000"))
        XCTAssertTrue(masked.stdout.contains("DE******"))
        let revealed = try CLI.run(base + ["--reveal", "--format", "csv=-", "--format", "text=/dev/null"])
        XCTAssertTrue(revealed.stdout.contains("DE89370400440532013000"))
        // Forced: allowed, with a warning.
        let forced = try CLI.run(base + ["--reveal", "--reveal-force", "--format", "sarif=/dev/null", "--format", "text=/dev/null"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
    }

    func testStateDatabaseSkipsUnchangedFilesOnSecondRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.sqlite").path
        let args = ["scan", "Samples/Jobcenter-Zugriffe.csv", "Samples/Stammdaten/", "--now", now, "--state", state,
                    "--fail-on", "high", "--format", "text=/dev/null"]
        XCTAssertEqual(try CLI.run(args).status, 1)
        let second = try CLI.run(args)
        // Nothing new, but the high findings of the first run are still open: a scheduled run
        // fails on every open finding at or above --fail-on (issue #14, docs/operations.md).
        XCTAssertEqual(second.status, 1, "still open on the second run: " + second.stderr)
        XCTAssertTrue(second.stderr.contains("übersprungen (unverändert"), second.stderr)
        // The HTML report of a run with a state database carries the trend chart, without any URL.
        let html = dir.appendingPathComponent("r.html").path
        _ = try CLI.run(args + ["--format", "html=\(html)"])
        let report = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(report.contains("<section id=\"trend\">") && report.contains("<svg"), "trend section missing")
        XCTAssertFalse(report.contains("http://") || report.contains("https://"))
        let history = try CLI.run(["history", "--state", state])
        XCTAssertEqual(history.status, 0)
        XCTAssertEqual(history.stdout.split(separator: "\n").count, 5, history.stdout)  // header, rule, 3 runs
    }
}

/// The HTML report of the Samples scan in a real headless browser (Debian chromium, installed by
/// `make test`): it renders, filters change the visible findings, the planted `<script>` stays text.
/// The masked report never carries the planted document type at all (a label value the rule pack
/// does not know); the browser checks run on the `--reveal` report, the one path where raw data
/// values reach HTML.
final class SamplesReportBrowserTests: XCTestCase {
    func testSamplesReportInHeadlessChromium() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let masked = dir.appendingPathComponent("masked.html").path
        let plain = try CLI.run(["scan", "--config", "Samples/audit.yaml", "--format", "html=\(masked)", "--format", "text=/dev/null"])
        XCTAssertTrue([0, 1].contains(plain.status), plain.stderr)
        let maskedText = try String(contentsOfFile: masked, encoding: .utf8)
        XCTAssertFalse(maskedText.contains("alert(1)"), "a masked report shows no raw label value")
        let html = dir.appendingPathComponent("bericht.html").path
        // The Samples' audit.yaml also writes SARIF, which --reveal refuses: the same sources, given directly.
        let scan = try CLI.run(["scan", "Samples", "--waivers", "Samples/trennwand-waivers.yaml", "--now", "2025-12-31T12:00:00+01:00",
                                "--format", "html=\(html)", "--format", "text=/dev/null", "--reveal"])
        XCTAssertTrue([0, 1].contains(scan.status), scan.stderr)
        let text = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "planted script must be in the report, escaped")
        XCTAssertFalse(text.contains("<script>alert(1)"))
        let (status, out) = try python("Tests/browser/check_report.py", [html, dir.appendingPathComponent("bericht.png").path], in: dir)
        if status == 77 { throw XCTSkip("chromium not installed (make test installs it)") }
        XCTAssertEqual(status, 0, out)
        XCTAssertTrue(out.contains("PASS planted <script> is shown as text"), out)
        XCTAssertTrue(out.contains("PASS status filter 'waived' shows 1"), out)
        // The masked report as `make report-screenshot` renders it: 1400 px and 390 px without
        // sideways scrolling, the first critical finding in the first screen, at most 20 A4 pages.
        let (mStatus, mOut) = try python("Tests/browser/check_report.py", [masked, dir.appendingPathComponent("masked.png").path, "--max-pages", "20"], in: dir)
        XCTAssertEqual(mStatus, 0, mOut)
        for check in ["PASS no horizontal overflow at 1400 px", "PASS no horizontal overflow at 390 px",
                      "PASS first critical finding within the first screen", "PASS printed report has at most 20 A4 pages",
                      "PASS no network requests", "PASS no console errors"] {
            XCTAssertTrue(mOut.contains(check), check + "\n" + mOut)
        }
    }
}

/// The SARIF of the Samples scan validates against the official SARIF 2.1.0 schema
/// (`../shared/testsuites/sarif/`, Python jsonschema Draft4Validator, installed by `make test`).
final class SamplesSARIFSchemaTests: XCTestCase {
    func testSamplesSARIFValidatesAgainstSchema() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sarif = dir.appendingPathComponent("samples.sarif").path
        let scan = try CLI.run(["scan", "--config", "Samples/audit.yaml", "--format", "sarif=\(sarif)", "--format", "text=/dev/null"])
        XCTAssertTrue([0, 1].contains(scan.status), scan.stderr)
        let schema = TestPaths.projectRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/testsuites/sarif/sarif-schema-2.1.0.json").path
        let (status, output) = try python("Tests/oracles/sarif_validate.py", [sarif, schema], in: dir)
        XCTAssertEqual(status, 0, output)
        // Waived findings are SARIF suppressions; every result has the content fingerprint.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarif))) as! [String: Any]
        let results = ((json["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]])
        XCTAssertEqual(results.filter { $0["suppressions"] != nil }.count, 1)
        XCTAssertTrue(results.allSatisfy { (($0["partialFingerprints"] as? [String: String])?["trennwandFingerprint/v1"]) != nil })
    }
}

/// Runs a Python script of the project with `args`; stdout and stderr go through a file in
/// `dir` (a pipe could fill up while the script runs).
fileprivate func python(_ script: String, _ args: [String], in dir: URL) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", TestPaths.projectRoot.appendingPathComponent(script).path] + args
    let log = dir.appendingPathComponent("log.txt")
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let handle = try FileHandle(forWritingTo: log)
    p.standardOutput = handle
    p.standardError = handle
    try p.run()
    p.waitUntilExit()
    try handle.close()
    return (p.terminationStatus, try String(contentsOf: log, encoding: .utf8))
}
