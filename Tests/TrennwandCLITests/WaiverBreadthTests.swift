import Foundation
import XCTest

/// Issue 12 / B8: waivers are bounded by what they match. Runs `trennwand scan --config` on a temp
/// copy of Samples/audit.yaml that points at a temp waiver file, and reads the JSON Lines output.
final class WaiverBreadthTests: XCTestCase {
    struct Scan {
        var run: CLIRun
        /// rule id, severity, waived, fingerprint of every finding.
        var findings: [(rule: String, severity: String, waived: Bool, fingerprint: String)]
        var waivedCount: Int { findings.filter(\.waived).count }
    }

    var dir: URL!

    override func setUpWithError() throws {
        dir = try CLI.temporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Every rule id of the built-in pack (from the rule file names).
    func ruleIDs() throws -> [String] {
        let rules = TestPaths.projectRoot.appendingPathComponent("Rules")
        var ids: [String] = []
        for category in try FileManager.default.contentsOfDirectory(atPath: rules.path) {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: rules.appendingPathComponent(category).path)) ?? []
            ids += files.filter { $0.hasPrefix("TW") }.map { String($0.prefix(5)) }
        }
        return ids.sorted()
    }

    /// audit.yaml of the Samples with absolute source paths, the waiver file and extra lines.
    func config(waivers: String, extra: String = "") throws -> String {
        let samples = TestPaths.samples.path
        var text = try String(contentsOf: TestPaths.samples.appendingPathComponent("audit.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "path: ", with: "path: \(samples)/")
        text = text.replacingOccurrences(of: "../out/", with: dir.path + "/out/")
        text = text.replacingOccurrences(of: "waivers: trennwand-waivers.yaml", with: "")
        let waiverPath = dir.appendingPathComponent("w-\(UUID().uuidString).yaml").path
        try waivers.write(toFile: waiverPath, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("audit-\(UUID().uuidString).yaml").path
        try (text + "\nwaivers: \(waiverPath)\n" + extra).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func scan(waivers: String, extra: String = "") throws -> Scan {
        let jsonl = dir.appendingPathComponent("f-\(UUID().uuidString).jsonl").path
        let r = try CLI.run(["scan", "--config", try config(waivers: waivers, extra: extra), "--format", "jsonl=\(jsonl)",
                             "--format", "text=/dev/null"])
        var findings: [(String, String, Bool, String)] = []
        if let text = try? String(contentsOfFile: jsonl, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                guard o["type"] as? String == "finding" else { continue }
                findings.append((o["rule_id"] as! String, o["severity"] as! String, o["waived"] as! Bool, o["fingerprint"] as! String))
            }
        }
        return Scan(run: r, findings: findings)
    }

    func entry(rule: String, file: String? = nil, fingerprint: String? = nil, expires: String = "2026-06-30",
               broad: Bool = false) -> String {
        var t = "- rule: \(rule)\n"
        if let fingerprint { t += "  fingerprint: \(fingerprint)\n" }
        if let file { t += "  match:\n    file: \"\(file)\"\n" }
        t += "  reason: \"Beispiel\"\n  approver: \"DSB Beispiel\"\n"
        if broad { t += "  scope: broad\n  second_approver: \"Leitung Beispiel\"\n" }
        t += "  created: 2025-12-01\n  expires: \(expires)\n"
        return t
    }

    // MARK: B8 reproduction

    /// The waiver files of the issue: one entry per rule, a glob that matches every path, an expiry in
    /// 9999. Refused already for the expiry (exit 2, no report).
    func testBroadGlobWaiversWithFarExpiryAreRefused() throws {
        let ids = try ruleIDs()
        XCTAssertGreaterThan(ids.count, 20)
        for pattern in ["*[a-z]*", "[!x]*", "*.csv"] {
            let waivers = ids.map { entry(rule: $0, file: pattern, expires: "9999-12-31") }.joined()
            let s = try scan(waivers: waivers)
            XCTAssertEqual(s.run.status, 2, pattern + s.run.stderr)
            XCTAssertTrue(s.run.stderr.contains("[waiver.expires-too-late]"), s.run.stderr)
            XCTAssertTrue(s.run.stderr.contains(":7:12:"), "positioned at the first entry's expires: " + s.run.stderr)
        }
    }

    /// The same files with an allowed expiry: judged by effect. Entries matching too many findings or
    /// a critical one are refused (exit 2 with their position and code), and then the whole file
    /// does not apply: every finding is reported open, none waived.
    func testBroadGlobWaiversAreJudgedByEffect() throws {
        let ids = try ruleIDs()
        let baseline = try scan(waivers: "")
        XCTAssertEqual(baseline.findings.count, 127, baseline.run.stderr)
        XCTAssertEqual(baseline.run.status, 1)
        XCTAssertGreaterThan(baseline.findings.filter { $0.severity == "critical" }.count, 0)
        for pattern in ["*[a-z]*", "[!x]*", "*.csv"] {
            let s = try scan(waivers: ids.map { entry(rule: $0, file: pattern) }.joined())
            XCTAssertEqual(s.run.status, 2, pattern + s.run.stderr)
            XCTAssertEqual(s.findings.count, 127, "every finding still reported")
            XCTAssertTrue(s.run.stderr.contains("[waiver.too-many-matches]"), s.run.stderr)
            // TW106 (critical) fires in a CSV file: every pattern matches it.
            XCTAssertTrue(s.run.stderr.contains("[waiver.critical-needs-fingerprint]"), s.run.stderr)
            XCTAssertTrue(s.run.stderr.contains("[waiver.file-not-applied]"), s.run.stderr)
            XCTAssertEqual(s.waivedCount, 0, pattern + ": one refused entry, the whole file does not apply")
        }
    }

    /// Lead's decision on #12 item 4: one refused entry makes the whole waiver file not apply. The
    /// issue's per-rule `[!x]*` file with a valid expiry: the acceptable entries (e.g. TW104, 20
    /// findings) waive nothing either; JSON Lines, its summary line and the terminal summary show no
    /// waived finding; every refusal is a positioned configuration error with its code; exit 2.
    func testOneRefusedEntryAndTheWholeFileDoesNotApply() throws {
        let ids = try ruleIDs()
        let waivers = ids.map { entry(rule: $0, file: "[!x]*") }.joined()
        let jsonl = dir.appendingPathComponent("refused.jsonl").path
        let text = dir.appendingPathComponent("refused.txt").path
        let r = try CLI.run(["scan", "--config", try config(waivers: waivers), "--format", "jsonl=\(jsonl)", "--format", "text=\(text)"])
        XCTAssertEqual(r.status, 2, r.stderr)
        var findings = 0, summaries = 0
        for line in try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n") {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if o["type"] as? String == "summary" {
                summaries += 1
                XCTAssertEqual(o["waived"] as? Int, 0, String(line))
                XCTAssertEqual(o["open"] as? Int, 127, String(line))
                continue
            }
            guard o["type"] as? String == "finding" else { continue }
            findings += 1
            XCTAssertEqual(o["waived"] as? Bool, false, String(line))
            XCTAssertTrue(o["waiver"] is NSNull, String(line))
        }
        XCTAssertEqual(findings, 127)
        XCTAssertEqual(summaries, 1)
        let summary = try String(contentsOfFile: text, encoding: .utf8)
        XCTAssertNotNil(summary.range(of: #"(offen|open) 127, (Ausnahme|waived) 0\)"#, options: .regularExpression), summary)
        // Each refusal positioned at its entry (entries are 6 lines: line 1 + 6k, column 3) with its code.
        let refusals = r.stderr.split(separator: "\n").filter { $0.contains("[waiver.too-many-matches]") || $0.contains("[waiver.critical-needs-fingerprint]") || $0.contains("[waiver.every-file]") }
        XCTAssertFalse(refusals.isEmpty, r.stderr)
        for line in refusals {
            XCTAssertNotNil(line.range(of: #"w-[0-9A-F-]+\.yaml:[0-9]+:3: "#, options: .regularExpression), String(line))
        }
        XCTAssertTrue(r.stderr.contains("[waiver.file-not-applied]"), r.stderr)
        // Rules without findings in the Samples would otherwise get "matches no finding" warnings.
        XCTAssertFalse(r.stderr.contains("keine Feststellung zu") || r.stderr.contains("matches no finding"),
                       "no warnings about an application that did not happen: " + r.stderr)
        // Control: the acceptable TW104 entry alone applies (20 findings, at the limit).
        let alone = try scan(waivers: entry(rule: "TW104", file: "[!x]*"))
        XCTAssertEqual(alone.findings.filter { $0.rule == "TW104" && $0.waived }.count, 20, alone.run.stderr)
        XCTAssertEqual(alone.run.status, 1, alone.run.stderr)
    }

    /// With a lower `waiver_limits.max_matches` every per-rule glob above it is refused.
    func testMaxMatchesFromAuditYaml() throws {
        let s = try scan(waivers: entry(rule: "TW104", file: "*[a-z]*"), extra: "waiver_limits: { max_matches: 5 }\n")
        XCTAssertEqual(s.run.status, 2, s.run.stderr)
        XCTAssertTrue(s.run.stderr.contains("[waiver.too-many-matches]"), s.run.stderr)
        XCTAssertFalse(s.findings.contains { $0.waived })
        // The default (20) lets the 20 TW104 findings through: exactly at the limit.
        let ok = try scan(waivers: entry(rule: "TW104", file: "*[a-z]*"))
        XCTAssertEqual(ok.findings.filter { $0.rule == "TW104" && $0.waived }.count, 20, ok.run.stderr)
        XCTAssertEqual(ok.run.status, 1)
        // Bad settings are positioned configuration errors (the message names the key and its position).
        let bad = try scan(waivers: "", extra: "waiver_limits: { max_validity_months: 0 }\n")
        XCTAssertEqual(bad.run.status, 2)
        XCTAssertTrue(bad.findings.isEmpty)
        XCTAssertNotNil(bad.run.stderr.range(of: #"\.yaml:[0-9]+:[0-9]+: max_validity_months"#, options: .regularExpression), bad.run.stderr)
    }

    func testExpiryBeyondLimitRefused() throws {
        let s = try scan(waivers: entry(rule: "TW104", file: "Samples/Jobcenter-Zugriffe.csv", expires: "2026-12-02"))
        XCTAssertEqual(s.run.status, 2, s.run.stderr)
        XCTAssertTrue(s.run.stderr.contains("[waiver.expires-too-late]"), s.run.stderr)
        let six = try scan(waivers: entry(rule: "TW104", file: "Samples/Jobcenter-Zugriffe.csv", expires: "2026-06-30"),
                           extra: "waiver_limits: { max_validity_months: 3 }\n")
        XCTAssertEqual(six.run.status, 2)
        XCTAssertTrue(six.run.stderr.contains("[waiver.expires-too-late]"), six.run.stderr)
    }

    func testRuleMustBeOneExistingID() throws {
        let star = try scan(waivers: entry(rule: "\"*\"", file: "Samples/Jobcenter-Zugriffe.csv"))
        XCTAssertEqual(star.run.status, 2, star.run.stderr)
        XCTAssertTrue(star.run.stderr.contains("[waiver.rule-pattern]"), star.run.stderr)
        XCTAssertTrue(star.run.stderr.contains(":1:9:"), star.run.stderr)
        let unknown = try scan(waivers: entry(rule: "TW999", file: "Samples/Jobcenter-Zugriffe.csv"))
        XCTAssertEqual(unknown.run.status, 2)
        XCTAssertTrue(unknown.run.stderr.contains("[waiver.unknown-rule]"), unknown.run.stderr)
    }

    /// `scope: broad` with a second approver may cover many findings, but never a critical one.
    func testBroadWaiverNeverCoversACriticalFinding() throws {
        let baseline = try scan(waivers: "")
        let criticalRules = Set(baseline.findings.filter { $0.severity == "critical" }.map(\.rule))
        XCTAssertFalse(criticalRules.isEmpty)
        let waivers = (criticalRules.sorted() + ["TW902"]).map { entry(rule: $0, file: "*[a-z]*", broad: true) }.joined()
        let s = try scan(waivers: waivers)
        XCTAssertEqual(s.run.status, 1, "criticals stay open: " + s.run.stderr)
        XCTAssertFalse(s.run.stderr.contains("[waiver."), s.run.stderr)
        XCTAssertEqual(s.findings.filter { $0.rule == "TW902" && $0.waived }.count, 34, "declared broad: allowed")
        XCTAssertFalse(s.findings.contains { $0.severity == "critical" && $0.waived })
        XCTAssertTrue(s.run.stderr.contains("scope: broad"), s.run.stderr)
        // Even naming the fingerprint: a broad waiver does not cover it.
        let critical = try XCTUnwrap(baseline.findings.first { $0.severity == "critical" })
        let byPrint = try scan(waivers: entry(rule: critical.rule, fingerprint: critical.fingerprint, broad: true))
        XCTAssertFalse(byPrint.findings.contains { $0.fingerprint == critical.fingerprint && $0.waived })
        // scope: broad without a second approver, or with the same person twice: configuration error.
        let single = entry(rule: "TW902", file: "*[a-z]*").replacingOccurrences(of: "  created:", with: "  scope: broad\n  created:")
        let r = try scan(waivers: single)
        XCTAssertEqual(r.run.status, 2)
        XCTAssertTrue(r.run.stderr.contains("[waiver.missing-second_approver]"), r.run.stderr)
        let same = entry(rule: "TW902", file: "*[a-z]*", broad: true).replacingOccurrences(of: "Leitung Beispiel", with: "dsb  beispiel")
        XCTAssertTrue(try scan(waivers: same).run.stderr.contains("[waiver.same-approver]"))
    }

    /// A narrow waiver naming a critical finding's fingerprint still works; the Samples' own waiver too.
    func testNarrowWaiverStillWorks() throws {
        let baseline = try scan(waivers: "")
        let critical = try XCTUnwrap(baseline.findings.first { $0.severity == "critical" })
        let s = try scan(waivers: entry(rule: critical.rule, fingerprint: critical.fingerprint))
        XCTAssertEqual(s.findings.filter(\.waived).map(\.fingerprint), [critical.fingerprint], s.run.stderr)
        XCTAssertEqual(s.run.status, 1, "the other findings still count")
        let samples = try String(contentsOf: TestPaths.samples.appendingPathComponent("trennwand-waivers.yaml"), encoding: .utf8)
        let own = try scan(waivers: samples)
        XCTAssertEqual(own.waivedCount, 1, own.run.stderr)
        XCTAssertFalse(own.run.stderr.contains("[waiver."), own.run.stderr)
    }

    /// `waive` writes only entries the scan accepts: no expiry beyond the limit, only known rules.
    func testWaiveCommandObeysTheLimits() throws {
        let file = dir.appendingPathComponent("waive.yaml").path
        let fp = "00112233445566778899aabbccddeeff"
        let far = try CLI.run(["waive", fp, "--rule", "TW105", "--reason", "x", "--approver", "y", "--until", "9999-12-31", "--file", file])
        XCTAssertEqual(far.status, 2)
        XCTAssertTrue(far.stderr.contains("[waive.until-too-late]"), far.stderr)
        let unknown = try CLI.run(["waive", fp, "--rule", "TW999", "--reason", "x", "--approver", "y", "--file", file])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("[waive.unknown-rule]"), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file))
        let ok = try CLI.run(["waive", fp, "--rule", "TW105", "--reason", "x", "--approver", "y", "--file", file])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(text.contains("created: "), text)
        XCTAssertTrue(text.contains("expires: "), text)
    }
}
