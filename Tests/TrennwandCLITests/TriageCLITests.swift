import Foundation
import XCTest

/// Issue 14, item 5: triage decisions through the CLI — `waive` with a decision and a German date,
/// the waiver file beside audit.yaml loaded by `scan` and `gate` on their own, `waive list` and
/// `waive lint`.
final class TriageCLITests: XCTestCase {
    let now = "2025-12-31T12:00:00+01:00"
    var dir: URL!

    override func setUpWithError() throws {
        dir = try CLI.temporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A Berlin calendar day `days` from today, as `31.01.2027` (`german`) or `2027-01-31`.
    func day(_ days: Int, german: Bool = true) -> String {
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "Europe/Berlin")
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = german ? "dd.MM.yyyy" : "yyyy-MM-dd"
        return f.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    /// Findings of a JSON Lines file: rule id, fingerprint, file, waived, the waiver object.
    func findings(_ path: String) throws -> [(rule: String, fingerprint: String, file: String, waived: Bool, waiver: [String: Any]?)] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard o["type"] as? String == "finding" else { return nil }
            return (o["rule_id"] as! String, o["fingerprint"] as! String, o["file"] as! String, o["waived"] as! Bool,
                    o["waiver"] as? [String: Any])
        }
    }

    /// audit.yaml of the Samples in `dir` with absolute source paths, no `waivers:` and a state store.
    func writeConfig() throws -> String {
        let samples = TestPaths.samples.path
        var text = try String(contentsOf: TestPaths.samples.appendingPathComponent("audit.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "path: ", with: "path: \(samples)/")
        text = text.replacingOccurrences(of: "../out/", with: dir.path + "/out/")
        text = text.replacingOccurrences(of: "waivers: trennwand-waivers.yaml", with: "state: zustand.sqlite")
        let path = dir.appendingPathComponent("audit.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    // MARK: waive + automatic loading

    func testWaiveWithGermanDateBesideAuditYamlIsLoadedByScanAndGate() throws {
        let config = try writeConfig()
        let first = dir.appendingPathComponent("first.jsonl").path
        let scan = try CLI.run(["scan", "--config", config, "--format", "jsonl=\(first)", "--format", "text=/dev/null"])
        XCTAssertEqual(scan.status, 1, scan.stderr)
        XCTAssertFalse(scan.stderr.contains("[waivers.loaded]"), "no waiver file yet: " + scan.stderr)
        let target = try XCTUnwrap(try findings(first).first { $0.rule == "TW304" })
        XCTAssertFalse(target.waived)

        // The command line the HTML report prints, with a German date, run from another folder.
        let until = day(90)
        let waive = try CLI.run(["waive", target.fingerprint, "--rule", "TW304", "--decision", "false_positive",
                                 "--reason", "Verschlüsselung per VPN nachgewiesen", "--approver", "DSB Beispiel",
                                 "--until", until, "--owner", "IT-Leitung", "--config", config])
        XCTAssertEqual(waive.status, 0, waive.stderr)
        let waiverFile = dir.appendingPathComponent("trennwand-waivers.yaml").path
        let text = try String(contentsOfFile: waiverFile, encoding: .utf8)
        XCTAssertTrue(text.contains("  decision: false_positive\n  reason: \"Verschlüsselung per VPN nachgewiesen\"\n"), text)
        XCTAssertTrue(text.contains("  owner: \"IT-Leitung\"\n"), text)
        XCTAssertTrue(text.contains("  expires: \(until)\n"), text)
        // The comment: rule title and the masked evidence from the state store named in audit.yaml.
        XCTAssertTrue(text.contains("\n# TW304 – "), text)
        XCTAssertTrue(text.contains("# Beleg (maskiert): flow_id="), text)
        XCTAssertFalse(text.contains("nicht im Zustandsspeicher"), text)

        // scan and gate with --config and without --waivers apply it and say which file they used.
        let second = dir.appendingPathComponent("second.jsonl").path
        let again = try CLI.run(["scan", "--config", config, "--full", "--format", "jsonl=\(second)", "--format", "text=/dev/null"])
        XCTAssertTrue([0, 1].contains(again.status), again.stderr)  // with a state store: new findings decide (today)
        XCTAssertTrue(again.stderr.contains("Ausnahmedatei: \(waiverFile) (1 Eintrag) [waivers.loaded]"), again.stderr)
        let waived = try XCTUnwrap(try findings(second).first { $0.fingerprint == target.fingerprint })
        XCTAssertTrue(waived.waived)
        XCTAssertEqual(try findings(second).filter(\.waived).count, 1)
        let gate = try CLI.run(["gate", "--config", config, "--full", "--format", "text=/dev/null"])
        XCTAssertTrue(gate.stderr.contains("Ausnahmedatei: \(waiverFile) (1 Eintrag) [waivers.loaded]"), gate.stderr)
        // In English when the report language is (a message of the audit, like the waiver warnings).
        try (try String(contentsOfFile: config, encoding: .utf8)).replacingOccurrences(of: "lang: de", with: "lang: en")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let en = try CLI.run(["gate", "--config", config, "--full", "--format", "text=/dev/null"])
        XCTAssertTrue(en.stderr.contains("waiver file: \(waiverFile) (1 entry) [waivers.loaded]"), en.stderr)
    }

    func testWithoutConfigWaiveAndScanShareTheWorkingDirectoryFile() throws {
        let inputs = [TestPaths.samples.appendingPathComponent("Plattform-Datenfluesse.csv").path,
                      TestPaths.samples.appendingPathComponent("Stammdaten").path]
        let args = ["scan"] + inputs + ["--now", now, "--rule", "TW304", "--format", "text=/dev/null"]
        let before = dir.appendingPathComponent("before.jsonl").path
        XCTAssertEqual(try CLI.run(args + ["--format", "jsonl=\(before)"], cwd: dir).status, 0)
        let fp = try XCTUnwrap(try findings(before).first).fingerprint
        let waive = try CLI.run(["waive", fp, "--rule", "TW304", "--decision", "mitigated", "--reason", "Kanal umgestellt",
                                 "--approver", "DSB", "--until", day(30)], cwd: dir)
        XCTAssertEqual(waive.status, 0, waive.stderr)
        XCTAssertTrue(waive.stderr.contains("[waive.not-in-state]"), "no state store named: " + waive.stderr)
        let text = try String(contentsOf: dir.appendingPathComponent("trennwand-waivers.yaml"), encoding: .utf8)
        XCTAssertTrue(text.contains("# Feststellung nicht im Zustandsspeicher gefunden"), text)
        let after = dir.appendingPathComponent("after.jsonl").path
        let scan = try CLI.run(args + ["--format", "jsonl=\(after)"], cwd: dir)
        XCTAssertTrue(scan.stderr.contains("Ausnahmedatei: trennwand-waivers.yaml (1 Eintrag) [waivers.loaded]"), scan.stderr)
        XCTAssertEqual(try findings(after).filter(\.waived).map(\.fingerprint), [fp])
    }

    func testReportedArt33WithoutReferenceIsRefused() throws {
        let fp = "00112233445566778899aabbccddeeff"
        let file = dir.appendingPathComponent("w.yaml").path
        let refused = try CLI.run(["waive", fp, "--rule", "TW105", "--decision", "reported_art33", "--reason", "gemeldet",
                                   "--approver", "DSB", "--until", day(60), "--waivers", file])
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("[waive.authority-reference]"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file), "nothing written")
        let ok = try CLI.run(["waive", fp, "--rule", "TW105", "--decision", "reported_art33", "--reason", "gemeldet",
                              "--approver", "DSB", "--until", day(60), "--reported-on", day(-2), "--authority-reference", "LDA-2026-17",
                              "--waivers", file])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(text.contains("  reported_on: \(day(-2))\n  authority_reference: \"LDA-2026-17\"\n"), text)
        // Misspelt decision: refused by the argument parser, naming the allowed values.
        let bad = try CLI.run(["waive", fp, "--rule", "TW105", "--decision", "ignore", "--reason", "x", "--approver", "y",
                               "--waivers", file])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("false_positive"), bad.stderr)
    }

    // MARK: list

    func testWaiveListShowsDecisionsWithGermanDates() throws {
        let file = dir.appendingPathComponent("w.yaml").path
        try """
            - rule: TW105
              fingerprint: 00112233445566778899aabbccddeeff
              decision: false_positive
              reason: "Testdaten\\nzweite Zeile"
              approver: "DSB Jobcenter"
              owner: "Fachbereich 2"
              created: \(day(-1))
              expires: \(day(20, german: false))
            - rule: TW201
              match: { file: "doku.xml", record_id: DOK-7 }
              reason: "Altbestand"
              approver: "DSB Träger"
              created: 01.01.2025
              expires: 30.06.2025

            """.write(toFile: file, atomically: true, encoding: .utf8)
        let list = try CLI.run(["waive", "list", "--waivers", file])
        XCTAssertEqual(list.status, 0, list.stderr)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, list.stdout)
        XCTAssertTrue(lines[0].hasPrefix("Zeile  Regel  Entscheidung"), lines[0])
        XCTAssertTrue(lines[2].contains("TW105") && lines[2].contains("Fehlalarm") && lines[2].contains("Fachbereich 2")
                      && lines[2].contains(day(20)) && lines[2].contains(" 20 ") && lines[2].contains("Testdaten zweite Zeile"), lines[2])
        XCTAssertTrue(lines[3].contains("TW201") && lines[3].contains("30.06.2025") && lines[3].contains("abgelaufen")
                      && lines[3].contains("–"), lines[3])
        let en = try CLI.run(["waive", "list", "--waivers", file, "--lang", "en"])
        XCTAssertTrue(en.stdout.contains("false positive") && en.stdout.contains("expired"), en.stdout)

        let json = try CLI.run(["waive", "list", "--waivers", file, "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries[0]["decision"] as? String, "false_positive")
        XCTAssertEqual(entries[0]["days_left"] as? Int, 20)
        XCTAssertEqual(entries[0]["valid_until"] as? String, day(20, german: false))
        XCTAssertEqual(entries[1]["expired"] as? Bool, true)
        XCTAssertTrue(entries[1]["decision"] is NSNull || entries[1]["decision"] == nil)
        XCTAssertEqual(entries[1]["line"] as? Int, 9)

        // No waiver file: an empty list, not an error; a broken one: exit 2 with its position.
        let none = try CLI.run(["waive", "list"], cwd: dir)
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertTrue(none.stderr.contains("[waivers.none]"), none.stderr)
        try "- rule: TW105\n  reason: x\n".write(toFile: file, atomically: true, encoding: .utf8)
        let broken = try CLI.run(["waive", "list", "--waivers", file])
        XCTAssertEqual(broken.status, 2, broken.stderr)
        XCTAssertTrue(broken.stderr.contains("w.yaml:1:3") && broken.stderr.contains("[waiver."), broken.stderr)
    }

    // MARK: lint

    func testWaiveLintReportsEachProblemKind() throws {
        let jsonl = dir.appendingPathComponent("f.jsonl").path
        let scan = try CLI.run(["scan", TestPaths.samples.path, "--now", now, "--format", "jsonl=\(jsonl)", "--format", "text=/dev/null"])
        XCTAssertTrue([0, 1].contains(scan.status), scan.stderr)
        let all = try findings(jsonl)
        let flow = try XCTUnwrap(all.first { $0.rule == "TW304" })
        let other = try XCTUnwrap(all.first { $0.rule != "TW304" })
        // The rule with the most findings in one file, for a match that reaches too far.
        let byRuleFile = Dictionary(grouping: all, by: { "\($0.rule) \($0.file)" })
        let crowded = try XCTUnwrap(byRuleFile.values.max { $0.count < $1.count })
        XCTAssertGreaterThan(crowded.count, 2)
        let crowdedFile = (crowded[0].file as NSString).lastPathComponent
        let yesterday = day(-1), later = day(200)
        func entry(_ rule: String, _ target: String, decision: String? = "accepted_risk", created: String? = nil,
                   expires: String? = nil) -> String {
            let created = created ?? yesterday, expires = expires ?? later
            return "- rule: \(rule)\n  \(target)\n" + (decision.map { "  decision: \($0)\n" } ?? "")
                + "  reason: \"Prüfung\"\n  approver: \"DSB\"\n  created: \(created)\n  expires: \(expires)\n"
        }
        let entries = [
            entry(flow.rule, "fingerprint: \(flow.fingerprint)", created: "01.01.2025", expires: "30.06.2025"),  // line 1: expired
            entry(other.rule, "fingerprint: \(other.fingerprint)", expires: day(10)),                           // 8: expiring
            entry("TW105", "fingerprint: ffffffffffffffffffffffffffffffff"),                                   // 15: unmatched
            entry(crowded[0].rule, "match: { file: \"\(crowdedFile)\" }"),                                     // 22: too many
            entry("TW999", "fingerprint: eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"),                                   // 29: unknown rule (+ unmatched)
            entry(other.rule, "fingerprint: \(other.fingerprint)", decision: nil),                             // 36: no decision
        ]
        let file = dir.appendingPathComponent("w.yaml").path
        try entries.joined().write(toFile: file, atomically: true, encoding: .utf8)
        let lint = try CLI.run(["waive", "lint", "--waivers", file, "--findings", jsonl, "--max-matches", "2"], cwd: dir)
        XCTAssertEqual(lint.status, 1, lint.stderr)
        let expected = [("1", "waiver-lint.expired"), ("8", "waiver-lint.expiring"), ("15", "waiver-lint.unmatched"),
                        ("22", "waiver-lint.too-many-matches"), ("29", "waiver-lint.unknown-rule"), ("29", "waiver-lint.unmatched"),
                        ("36", "waiver-lint.missing-decision")]
        let problems = lint.stderr.split(separator: "\n").filter { $0.hasPrefix(file + ":") }
        XCTAssertEqual(problems.count, expected.count, lint.stderr)
        for (line, code) in expected {
            XCTAssertTrue(problems.contains { $0.hasPrefix("\(file):\(line): ") && $0.hasSuffix("[\(code)]") }, "\(line) \(code)\n" + lint.stderr)
        }
        XCTAssertTrue(lint.stderr.contains("6 Ausnahmen geprüft, 7 Probleme"), lint.stderr)

        // Only the clean entries: exit 0; with --within 5 the one expiring in 10 days is fine too.
        // A field match (file and line of a finding) is judged against the JSON Lines findings.
        let line = try XCTUnwrap(try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n").lazy
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["fingerprint"] as? String == other.fingerprint }?["line"] as? Int)
        let otherFile = (other.file as NSString).lastPathComponent
        let fieldMatch = entry(other.rule, "match: { file: \"\(otherFile)\", line: \(line) }")
        try (entries[1] + entries[3] + fieldMatch).write(toFile: file, atomically: true, encoding: .utf8)
        let clean = try CLI.run(["waive", "lint", "--waivers", file, "--findings", jsonl, "--within", "5"], cwd: dir)
        XCTAssertEqual(clean.status, 0, clean.stderr)
        let shifted = entry(other.rule, "match: { file: \"\(otherFile)\", line: \(line + 100_000) }")
        try shifted.write(toFile: file, atomically: true, encoding: .utf8)
        let miss = try CLI.run(["waive", "lint", "--waivers", file, "--findings", jsonl], cwd: dir)
        XCTAssertEqual(miss.status, 1, miss.stderr)
        XCTAssertTrue(miss.stderr.contains("[waiver-lint.unmatched]"), miss.stderr)
        // Without findings the matches are not checked, and that is said.
        try entries[2].write(toFile: file, atomically: true, encoding: .utf8)
        let blind = try CLI.run(["waive", "lint", "--waivers", file], cwd: dir)
        XCTAssertEqual(blind.status, 0, blind.stderr)
        XCTAssertTrue(blind.stderr.contains("[waiver-lint.no-findings]"), blind.stderr)
        // Unreadable findings: 3; a broken waiver file: 2.
        XCTAssertEqual(try CLI.run(["waive", "lint", "--waivers", file, "--findings", dir.appendingPathComponent("nope.jsonl").path],
                                   cwd: dir).status, 3)
        try "- rule: TW105\n  fingerprint: zz\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["waive", "lint", "--waivers", file], cwd: dir).status, 2)
    }

    func testListAndLintJudgeExpiryAtTheConfigurationsNow() throws {
        // Samples/audit.yaml fixes now: 2025-12-31; its one waiver (through 30.11.2026) is valid then.
        let lint = try CLI.run(["waive", "lint", "--config", "Samples/audit.yaml"])
        XCTAssertEqual(lint.status, 0, lint.stderr)
        let list = try CLI.run(["waive", "list", "--config", "Samples/audit.yaml", "--json"])
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.first?["days_left"] as? Int, 334, list.stdout)
        XCTAssertEqual(entries.first?["decision"] as? String, "false_positive")
        // --now overrides it, German or ISO.
        let late = try CLI.run(["waive", "lint", "--config", "Samples/audit.yaml", "--now", "01.12.2026"])
        XCTAssertEqual(late.status, 1, late.stderr)
        XCTAssertTrue(late.stderr.contains("Samples/trennwand-waivers.yaml:3: ") && late.stderr.contains("[waiver-lint.expired]"), late.stderr)
        let soon = try CLI.run(["waive", "lint", "--config", "Samples/audit.yaml", "--now", "2026-11-01"])
        XCTAssertEqual(soon.status, 1, soon.stderr)
        XCTAssertTrue(soon.stderr.contains("noch 29 Tage") && soon.stderr.contains("[waiver-lint.expiring]"), soon.stderr)
        XCTAssertEqual(try CLI.run(["waive", "lint", "--config", "Samples/audit.yaml", "--now", "1.13.2026"]).status, 2)
    }

    func testWaiveLintAgainstTheStateStore() throws {
        let config = try writeConfig()
        XCTAssertEqual(try CLI.run(["scan", "--config", config, "--format", "text=/dev/null"]).status, 1)
        let file = dir.appendingPathComponent("trennwand-waivers.yaml").path
        try """
            - rule: TW105
              fingerprint: ffffffffffffffffffffffffffffffff
              decision: false_positive
              reason: "Prüfung"
              approver: "DSB"
              created: \(day(-1))
              expires: \(day(100))

            """.write(toFile: file, atomically: true, encoding: .utf8)
        // audit.yaml in the working directory: its waiver file and its state store are used.
        let lint = try CLI.run(["waive", "lint"], cwd: dir)
        XCTAssertEqual(lint.status, 1, lint.stderr)
        XCTAssertTrue(lint.stderr.contains("trennwand-waivers.yaml:1: ") && lint.stderr.contains("[waiver-lint.unmatched]"), lint.stderr)
        XCTAssertFalse(lint.stderr.contains("[waiver-lint.no-findings]"), lint.stderr)
    }
}
