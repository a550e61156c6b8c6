import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The CI baseline workflow of issue #14 through the CLI: write a baseline, add one flow row, and
/// exactly the findings of that row are new in SARIF, JSON Lines, CSV, JUnit and the text summary.
final class BaselineWorkflowCLITests: XCTestCase {
    /// A copy of the Samples (the test adds a row to one of its files).
    func samplesCopy() throws -> URL {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(at: TestPaths.samples, to: dir.appendingPathComponent("S"))
        return dir
    }

    func testOneAddedFlowRowIsExactlyWhatIsNew() throws {
        let dir = try samplesCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("S/audit.yaml").path
        let base = dir.appendingPathComponent("baseline.sarif").path
        let first = try CLI.run(["scan", "--config", config, "--write-baseline", base, "--format", "text=/dev/null"])
        XCTAssertEqual(first.status, 1, first.stderr)
        let baselineText = try String(contentsOfFile: base, encoding: .utf8)
        XCTAssertFalse(baselineText.contains("baselineState"), "a baseline file carries no baseline state of its own")

        // The same run against its own baseline: nothing new, the gate passes.
        let same = try CLI.run(["gate", "--config", config, "--baseline", base, "--format", "text=-"])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertTrue(same.stdout.contains("\nNeu: 0\n"), same.stdout)

        // One more declared flow: unencrypted, no legal basis, health data.
        let flows = dir.appendingPathComponent("S/Plattform-Datenfluesse.csv")
        let handle = try FileHandle(forWritingTo: flows)
        handle.seekToEndOfFile()
        handle.write(Data("FL-99;Jobcenter;VerBIS;Träger;FallKompass;sozial.gesundheit;;;;E-Mail;nein;Testabgleich\n".utf8))
        try handle.close()

        let out = { (name: String) in dir.appendingPathComponent(name).path }
        let gate = try CLI.run(["gate", "--config", config, "--baseline", base, "--format", "sarif=\(out("n.sarif"))",
                                "--format", "jsonl=\(out("n.jsonl"))", "--format", "csv=\(out("n.csv"))",
                                "--format", "junit=\(out("n.xml"))", "--format", "text=-"])
        XCTAssertEqual(gate.status, 1, gate.stderr)

        // JSON Lines: the new ones are exactly those on the added line 14.
        let lines = try String(contentsOfFile: out("n.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let findings = lines.filter { $0["type"] as? String == "finding" }
        let new = findings.filter { $0["baseline"] as? String == "new" }
        XCTAssertFalse(new.isEmpty)
        XCTAssertTrue(new.allSatisfy { ($0["file"] as? String)?.hasSuffix("Plattform-Datenfluesse.csv") == true && $0["line"] as? Int == 14 })
        XCTAssertEqual(findings.filter { ($0["file"] as? String)?.hasSuffix("Plattform-Datenfluesse.csv") == true && $0["line"] as? Int == 14 }.count,
                       new.count)
        XCTAssertTrue(findings.allSatisfy { ["new", "unchanged"].contains($0["baseline"] as? String ?? "") })
        let newFingerprints = Set(new.map { $0["fingerprint"] as! String })
        let newRules = new.map { $0["rule_id"] as! String }

        // SARIF: baselineState on every result, the same new ones; it validates against the schema.
        let sarif = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out("n.sarif")))) as! [String: Any]
        let results = (sarif["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]]
        XCTAssertEqual(results.count, findings.count)
        let sarifNew = results.filter { $0["baselineState"] as? String == "new" }
            .map { ($0["partialFingerprints"] as! [String: String])["trennwandFingerprint/v1"]! }
        XCTAssertEqual(Set(sarifNew), newFingerprints)
        XCTAssertEqual(results.filter { $0["baselineState"] as? String == "unchanged" }.count, findings.count - new.count)
        let schema = TestPaths.projectRoot.deletingLastPathComponent().appendingPathComponent("shared/testsuites/sarif/sarif-schema-2.1.0.json").path
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = ["python3", TestPaths.projectRoot.appendingPathComponent("Tests/oracles/sarif_validate.py").path, out("n.sarif"), schema]
        validator.standardOutput = FileHandle.nullDevice
        validator.standardError = FileHandle.nullDevice
        try validator.run()
        validator.waitUntilExit()
        XCTAssertEqual(validator.terminationStatus, 0, "SARIF does not validate: python3 Tests/oracles/sarif_validate.py")

        // CSV: the baseline column says "neu" on exactly those rows.
        let csvRows = try String(contentsOfFile: out("n.csv"), encoding: .utf8).components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
        let csvNew = csvRows.filter { $0.contains(";neu;") }
        XCTAssertEqual(csvNew.count, new.count)
        XCTAssertTrue(newFingerprints.allSatisfy { fp in csvNew.contains { $0.contains(fp) } })

        // JUnit: only the new ones at or above high fail, one failure per test case.
        let xml = try Data(contentsOf: URL(fileURLWithPath: out("n.xml")))
        final class Failures: NSObject, XMLParserDelegate {
            var perCase: [Int] = []
            var messages: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if name == "testcase" { perCase.append(0) }
                if name == "failure" {
                    perCase[perCase.count - 1] += 1
                    messages.append(attributes["message"] ?? "")
                }
            }
        }
        let f = Failures()
        let parser = XMLParser(data: xml)
        parser.delegate = f
        XCTAssertTrue(parser.parse())
        XCTAssertTrue(f.perCase.allSatisfy { $0 <= 1 })
        let severities = Dictionary(uniqueKeysWithValues: new.map { ($0["fingerprint"] as! String, $0["severity"] as! String) })
        let failingNew = severities.values.filter { $0 == "high" || $0 == "critical" }.count
        XCTAssertEqual(f.messages.count, failingNew)
        XCTAssertTrue(f.messages.allSatisfy { $0.contains("Plattform-Datenfluesse.csv:14") }, "\(f.messages)")

        // Text summary: led by "Neu: N", naming the new findings and only counting the known ones.
        let text = gate.stdout
        XCTAssertTrue(text.contains("\nNeu: \(new.count)\n"), text)
        let listed = text.components(separatedBy: "\n").filter { $0.contains("Plattform-Datenfluesse.csv:14") }
        XCTAssertEqual(listed.count, new.count, text)
        XCTAssertTrue(newRules.allSatisfy { rule in listed.contains { $0.contains(" \(rule) ") } })
        XCTAssertTrue(text.contains("Bekannt (in der Baseline): \(findings.count - new.count)"), text)
        XCTAssertFalse(text.contains("Wichtigste offene Befunde"), "known findings are not listed one by one")
    }

    /// A baseline finding that is gone is written as `absent` (SARIF result, JSON Lines line), never open.
    func testGoneBaselineEntryIsAbsent() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = dir.appendingPathComponent("b.jsonl").path
        let args = ["gate", "Samples/Plattform-Datenfluesse.csv", "Samples/Stammdaten/", "--now", "2025-12-31T12:00:00+01:00"]
        XCTAssertEqual(try CLI.run(args + ["--write-baseline", base, "--format", "text=/dev/null"]).status, 1)
        // Only TW304 now: the other rules' findings are gone from this run.
        let r = try CLI.run(args + ["--rule", "TW304", "--baseline", base, "--format", "jsonl=-"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let absent = lines.filter { $0["baseline"] as? String == "absent" }
        XCTAssertFalse(absent.isEmpty)
        XCTAssertTrue(absent.allSatisfy { $0["rule_id"] as? String != "TW304" && ($0["file"] as? String)?.hasSuffix(".csv") == true })
        let summary = try XCTUnwrap(lines.last)
        XCTAssertEqual((summary["baseline_states"] as? [String: Int])?["absent"], absent.count)
        XCTAssertEqual(summary["findings"] as? Int, lines.count - 1 - absent.count)
    }

    func testMissingBaselineIsAnErrorUnlessOptional() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("baseline.sarif").path
        let args = ["gate", "Samples/Plattform-Datenfluesse.csv", "Samples/Stammdaten/", "--now", "2025-12-31T12:00:00+01:00",
                    "--baseline", missing, "--format", "text=-"]
        let de = try CLI.run(args)
        XCTAssertEqual(de.status, 3)
        XCTAssertTrue(de.stderr.contains("Baseline-Datei gibt es nicht"), de.stderr)
        XCTAssertTrue(de.stderr.contains("[baseline.missing]"), de.stderr)
        XCTAssertFalse(de.stderr.contains(":0:") || de.stderr.contains("No such file"), de.stderr)
        let en = try CLI.run(args, env: ["TRENNWAND_LANG": "en"])
        XCTAssertEqual(en.status, 3)
        XCTAssertTrue(en.stderr.contains("baseline file does not exist"), en.stderr)

        // --baseline-optional: a note, and every finding is new (so the gate still fails on them).
        let next = dir.appendingPathComponent("next.jsonl").path
        let optional = try CLI.run(args + ["--baseline-optional", "--write-baseline", next])
        XCTAssertEqual(optional.status, 1, optional.stderr)
        XCTAssertTrue(optional.stderr.contains("[baseline.missing-optional]"), optional.stderr)
        XCTAssertTrue(optional.stdout.contains("\nNeu: "), optional.stdout)
        XCTAssertFalse(optional.stdout.contains("\nNeu: 0\n"), optional.stdout)
        // The baseline it wrote makes the next run pass.
        let again = try CLI.run(Array(args.dropLast(4)) + ["--baseline", next, "--format", "text=/dev/null"])
        XCTAssertEqual(again.status, 0, again.stderr)
        // --write-baseline needs .sarif or .jsonl.
        XCTAssertNotEqual(try CLI.run(Array(args.dropLast(4)) + ["--write-baseline", dir.appendingPathComponent("b.txt").path]).status, 0)
    }
}

/// Three records of a tiny export share one fingerprint (TW104: same account, system and
/// workstation on one day): every output names all three places (`Finding.others`).
final class MergedRecordsCLITests: XCTestCase {
    func testThreeRecordsOneFingerprintAllLocatorsInJSONLinesCSVAndSARIF() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Header and line 7 of the Samples export (Windows-1252 bytes kept), three times on 05.02.2025.
        let sample = try Data(contentsOf: TestPaths.samples.appendingPathComponent("Jobcenter-Zugriffe.csv"))
        let lines = sample.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var csv = Data(lines[0]) + Data("\n".utf8)
        for time in ["05.02.2025 10:31:12", "05.02.2025 12:00:00", "05.02.2025 14:45:30"] {
            csv += Data(time.utf8) + Data(lines[6].dropFirst(19)) + Data("\n".utf8)
        }
        let export = dir.appendingPathComponent("Jobcenter-Zugriffe.csv")
        try csv.write(to: export)
        let base = ["scan", export.path, "Samples/Stammdaten/", "--now", "2025-12-31T12:00:00+01:00", "--rule", "TW104"]
        let jsonl = try CLI.run(base + ["--format", "jsonl=-", "--format", "text=/dev/null"])
        XCTAssertEqual(jsonl.status, 0, jsonl.stderr)
        let findings = jsonl.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .filter { $0["type"] as? String == "finding" }
        XCTAssertEqual(findings.count, 1)
        let f = try XCTUnwrap(findings.first)
        XCTAssertEqual(f["occurrence_count"] as? Int, 3)
        let occ = try XCTUnwrap(f["occurrences"] as? [[String: Any]])
        XCTAssertEqual(occ.map { $0["line"] as? Int }, [2, 3, 4])

        let csvOut = try CLI.run(base + ["--format", "csv=-", "--format", "text=/dev/null"])
        let p = export.path
        XCTAssertTrue(csvOut.stdout.contains("\(p):2 | \(p):3 | \(p):4"), csvOut.stdout)

        let sarifOut = try CLI.run(base + ["--format", "sarif=-", "--format", "text=/dev/null"])
        let root = try JSONSerialization.jsonObject(with: Data(sarifOut.stdout.utf8)) as! [String: Any]
        let result = ((root["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]])[0]
        func line(_ l: [String: Any]) -> Int? { ((l["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])?["startLine"] as? Int }
        XCTAssertEqual(((result["locations"] as! [[String: Any]]) + (result["relatedLocations"] as? [[String: Any]] ?? [])).map(line), [2, 3, 4])
    }
}
