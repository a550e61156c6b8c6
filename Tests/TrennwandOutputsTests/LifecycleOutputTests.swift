import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Issue #14 in the machine outputs: every merged record, lifecycle, skipped files, baseline states.
final class LifecycleOutputTests: XCTestCase {
    func render(_ make: (MemorySink) -> any FindingWriter, language: Language = .de) throws -> MemorySink {
        let sink = MemorySink()
        try LifecycleFixtures.stream(make(sink), language: language)
        return sink
    }

    func jsonLines(_ sink: MemorySink) throws -> [[String: Any]] {
        try sink.text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func sarifResults(_ sink: MemorySink) throws -> (results: [[String: Any]], properties: [String: Any]) {
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sink.bytes)) as? [String: Any])
        let run = try XCTUnwrap((root["runs"] as? [[String: Any]])?.first)
        return (try XCTUnwrap(run["results"] as? [[String: Any]]), try XCTUnwrap(run["properties"] as? [String: Any]))
    }

    /// Tests/oracles/sarif_validate.py against ../shared/testsuites/sarif (as `OutputSARIFTests`).
    func validateSARIF(_ bytes: [UInt8]) throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tw-\(UUID().uuidString).sarif")
        try Data(bytes).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", OutputFixtures.packageRoot.appendingPathComponent("Tests/oracles/sarif_validate.py").path,
                       tmp.path, OutputSARIFTests.schemaDir.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "SARIF invalid or validator missing:\n\(text)")
    }

    static let threeLocators = ["exporte/verbis_zugriffe.csv:120", "exporte/verbis_zugriffe.csv:133", "exporte/träger_doku.xml:48"]

    /// A finding merged from three records names all three in JSON Lines, CSV and SARIF.
    func testThreeMergedRecordsInEveryMachineFormat() throws {
        let fp = LifecycleFixtures.merged().fingerprint

        let lines = try jsonLines(try render { JSONLinesWriter(sink: $0) })
        let line = try XCTUnwrap(lines.first { $0["fingerprint"] as? String == fp })
        XCTAssertEqual(line["occurrence_count"] as? Int, 3)
        XCTAssertEqual(line["occurrences_truncated"] as? Bool, false)
        let occ = try XCTUnwrap(line["occurrences"] as? [[String: Any]])
        XCTAssertEqual(occ.map { "\($0["file"] as! String):\($0["line"] as! Int)" }, Self.threeLocators)
        XCTAssertEqual(occ[2]["record_id"] as? String, "DOK-2025-0051")
        XCTAssertEqual(occ[1]["time"] as? String, CivilTime.iso8601(1_741_031_200))
        XCTAssertEqual((occ[0]["evidence"] as? [[String: Any]])?.count, 2)

        let csv = try render { CSVWriter(sink: $0) }.text
        let row = try XCTUnwrap(csv.components(separatedBy: "\r\n").first { $0.contains(fp) })
        XCTAssertTrue(row.contains(Self.threeLocators.joined(separator: " | ")), row)
        XCTAssertTrue(row.contains(";3;"), row)

        let (results, _) = try sarifResults(try render { SARIFWriter(sink: $0) })
        let result = try XCTUnwrap(results.first { ($0["partialFingerprints"] as? [String: String])?.values.contains(fp) == true })
        func place(_ l: [String: Any]) -> String {
            let p = l["physicalLocation"] as! [String: Any]
            let uri = ((p["artifactLocation"] as! [String: Any])["uri"] as! String).removingPercentEncoding!
            return "\(uri):\((p["region"] as! [String: Any])["startLine"] as! Int)"
        }
        let places = (result["locations"] as! [[String: Any]]).map(place) + (result["relatedLocations"] as! [[String: Any]]).map(place)
        XCTAssertEqual(places, Self.threeLocators)
        XCTAssertEqual((result["properties"] as? [String: Any])?["occurrences"] as? Int, 3)
    }

    /// More records than GitHub shows: 1 location + 99 related, the total in properties.
    func testSARIFRelatedLocationsStayWithinGitHubLimit() throws {
        var f = LifecycleFixtures.merged()
        f.occurrences = 250
        f.others = (0..<200).map { Occurrence(locator: Locator(file: LifecycleFixtures.csv, line: 1_000 + $0, byteOffset: 0, index: $0), time: nil, evidence: []) }
        let sink = MemorySink()
        var w = SARIFWriter(sink: sink)
        try w.begin(run: LifecycleFixtures.run())
        try w.write(f, context: FindingContext())
        try w.end(summary: RunSummary(finished: OutputFixtures.finished, inputs: []))
        let (results, _) = try sarifResults(sink)
        XCTAssertEqual((results[0]["relatedLocations"] as? [Any])?.count, SARIFWriter.githubLocationLimit - 1)
        let props = try XCTUnwrap(results[0]["properties"] as? [String: Any])
        XCTAssertEqual(props["occurrences"] as? Int, 250)
        XCTAssertEqual(props["occurrencesListed"] as? Int, 100)
        XCTAssertEqual(props["occurrencesTruncated"] as? Bool, true)
    }

    func testJSONLinesLifecycleBaselineAndSummary() throws {
        let lines = try jsonLines(try render { JSONLinesWriter(sink: $0) })
        let findings = lines.filter { $0["type"] as? String == "finding" }
        XCTAssertEqual(findings.count, 7)
        XCTAssertEqual(findings.map { $0["baseline"] as? String ?? "-" }, ["new", "unchanged", "new", "unchanged", "unchanged", "-", "absent"])
        XCTAssertEqual(findings.map { $0["status"] as? String ?? "-" }, ["new", "open", "reopened", "waived", "open", "resolved", "-"])
        XCTAssertEqual(findings[5]["resolved_run"] as? Int, 7)
        XCTAssertEqual(findings[0]["first_run"] as? Int, 5)
        XCTAssertEqual(findings[0]["first_seen"] as? String, CivilTime.iso8601(1_740_900_000))
        XCTAssertEqual(findings[6]["file"] as? String, LifecycleFixtures.xml)
        let summary = try XCTUnwrap(lines.last)
        XCTAssertEqual(summary["type"] as? String, "summary")
        XCTAssertEqual(summary["state_run"] as? Int, 7)
        XCTAssertEqual(summary["by_status"] as? [String: Int], ["new": 1, "open": 2, "reopened": 1, "waived": 1, "resolved": 1])
        XCTAssertEqual(summary["baseline_states"] as? [String: Int], ["new": 2, "unchanged": 3, "absent": 1])
        let skipped = try XCTUnwrap(summary["skipped_files"] as? [[String: Any]])
        XCTAssertEqual(skipped.first?["path"] as? String, "exporte/alt/zugriffe_2024.csv")
        XCTAssertEqual(skipped.first?["run"] as? Int, 5)
        // Resolved and absent findings are never open.
        XCTAssertEqual(summary["findings"] as? Int, 5)
        XCTAssertEqual(summary["open"] as? Int, 4)
    }

    /// SARIF: baselineState per result, resolved/absent as kind `pass`, level `none`; run
    /// properties name the skipped files; the log validates against the SARIF 2.1.0 schema.
    func testSARIFBaselineStatesLifecycleAndSchema() throws {
        let sink = try render { SARIFWriter(sink: $0) }
        try validateSARIF(sink.bytes)
        let (results, props) = try sarifResults(sink)
        XCTAssertEqual(results.map { $0["baselineState"] as? String ?? "-" }, ["new", "unchanged", "new", "unchanged", "unchanged", "-", "absent"])
        XCTAssertEqual(results.map { $0["kind"] as? String ?? "fail" }, ["fail", "fail", "fail", "fail", "fail", "pass", "pass"])
        XCTAssertEqual(results[5]["level"] as? String, "none")
        XCTAssertEqual((results[5]["properties"] as? [String: Any])?["status"] as? String, "resolved")
        XCTAssertEqual((results[2]["properties"] as? [String: Any])?["status"] as? String, "reopened")
        XCTAssertEqual((results[0]["properties"] as? [String: Any])?["firstRun"] as? Int, 5)
        XCTAssertEqual(props["stateRun"] as? Int, 7)
        XCTAssertEqual((props["skippedFiles"] as? [[String: Any]])?.first?["run"] as? Int, 5)
        XCTAssertEqual(props["baselineStates"] as? [String: Int], ["new": 2, "unchanged": 3, "absent": 1])
    }

    /// JUnit: each failing finding is its own test case with exactly one failure; only new open
    /// findings at or above the threshold fail; known ones are passed lines marked [bekannt].
    func testJUnitFailsOnlyNewFindingsOneFailurePerCase() throws {
        let sink = try render { JUnitWriter(sink: $0) }
        let parser = XMLParser(data: Data(sink.bytes))
        final class Cases: NSObject, XMLParserDelegate {
            var cases: [(name: String, failures: Int)] = []
            var suite: [String: String] = [:]
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if name == "testcase" { cases.append((attributes["name"] ?? "", 0)) }
                if name == "failure" { cases[cases.count - 1].failures += 1 }
                if name == "testsuite" { suite = attributes }
            }
        }
        let c = Cases()
        parser.delegate = c
        XCTAssertTrue(parser.parse())
        XCTAssertTrue(c.cases.allSatisfy { $0.failures <= 1 })
        let failing = c.cases.filter { $0.failures == 1 }.map(\.name)
        // New at or above high: the merged TW105 (critical) and the reopened TW203 (high).
        XCTAssertEqual(failing.count, 2, "\(failing)")
        XCTAssertTrue(failing[0].hasPrefix("TW105 ") && failing[0].contains("exporte/verbis_zugriffe.csv:120"), failing[0])
        XCTAssertTrue(failing[1].hasPrefix("TW203 ") && failing[1].contains("exporte/träger_doku.xml:7:5"), failing[1])
        XCTAssertEqual(c.suite["failures"], "2")
        XCTAssertEqual(c.suite["tests"], String(c.cases.count))
        XCTAssertTrue(sink.text.contains("[critical] [bekannt] exporte/verbis_zugriffe.csv:12"), sink.text)
        XCTAssertTrue(sink.text.contains("[critical] [erledigt] exporte/verbis_zugriffe.csv:58"))
        XCTAssertTrue(sink.text.contains("[high] [entfallen] exporte/träger_doku.xml:77"))
        XCTAssertTrue(sink.text.contains("<property name=\"trennwand.baseline.new\" value=\"2\"/>"))
    }

    /// The text summary leads with "Neu: N" and names the new findings; known ones are counted only.
    func testTextSummaryLeadsWithNewFindings() throws {
        let de = try render { TextSummaryWriter(sink: $0, colors: false) }.text
        let lines = de.components(separatedBy: "\n")
        XCTAssertEqual(lines[2], "Neu: 2", de)
        XCTAssertTrue(lines[3].contains("TW105 exporte/verbis_zugriffe.csv:120 (3 Datensätze)"), lines[3])
        XCTAssertTrue(lines[3].contains("subject: 96******"), lines[3])
        XCTAssertTrue(lines[4].contains("TW203 exporte/träger_doku.xml:7:5"), lines[4])
        XCTAssertTrue(lines[5].hasPrefix("Bekannt (in der Baseline): 3, entfallen: 1"), lines[5])
        // The known TW105 at line 12 is not listed one by one.
        XCTAssertFalse(de.contains("verbis_zugriffe.csv:12 "), de)
        XCTAssertTrue(de.contains("exporte/alt/zugriffe_2024.csv – unverändert, geprüft in Lauf 5"), de)
        XCTAssertTrue(de.contains("Verlauf: neu 1, weiterhin offen 2, erledigt 1, wieder aufgetreten 1, mit Ausnahme 1"), de)
        let en = try render({ TextSummaryWriter(sink: $0, colors: false) }, language: .en).text
        XCTAssertTrue(en.components(separatedBy: "\n")[2] == "New: 2", en)
        XCTAssertTrue(en.contains("unchanged, scanned in run 5"))
    }

    /// `--write-baseline`: the file written reads back as a baseline holding this run's findings,
    /// without the resolved and the absent one, in both formats.
    func testBaselineFileRoundTrip() throws {
        for format in [BaselineFileWriter.Format.sarif, .jsonLines] {
            let sink = try render { BaselineFileWriter(format: format, sink: $0, sourceRoot: nil) }
            let baseline = try Baseline.parse(Data(sink.bytes), path: "next")
            let expected = LifecycleFixtures.findings().filter { $0.1.lifecycle?.status != .resolved }.map(\.0.fingerprint)
            XCTAssertEqual(baseline.entries.map(\.fingerprint), expected, "\(format)")
            XCTAssertEqual(baseline.entries.first?.file, LifecycleFixtures.csv)
            XCTAssertEqual(baseline.entries.first?.severity, .critical)
        }
        // A report with absent/resolved results used as a baseline skips them too.
        for make in [{ (s: MemorySink) -> any FindingWriter in SARIFWriter(sink: s) }, { JSONLinesWriter(sink: $0) }] {
            let baseline = try Baseline.parse(Data(try render(make).bytes), path: "report")
            XCTAssertEqual(baseline.entries.count, 5)
            XCTAssertFalse(baseline.entries.contains { $0.fingerprint == LifecycleFixtures.absent.fingerprint })
        }
    }

    func testBaselineFileFormatByExtension() {
        XCTAssertEqual(BaselineFileWriter.format(forPath: "ci/baseline.sarif"), .sarif)
        XCTAssertEqual(BaselineFileWriter.format(forPath: "b.SARIF.json"), .sarif)
        XCTAssertEqual(BaselineFileWriter.format(forPath: "b.jsonl"), .jsonLines)
        XCTAssertNil(BaselineFileWriter.format(forPath: "b.txt"))
    }
}

extension LifecycleOutputTests {
    /// An absent entry read from a SARIF baseline keeps its path: relative (SRCROOT) or absolute
    /// (`file://` outside the source root), and is written back as the same kind of URI.
    func testAbsentEntryPathsSurviveSARIFRoundTrip() throws {
        var f = LifecycleFixtures.merged()
        f.others = []
        f.occurrences = 1
        f.locator.file = "/elsewhere/exporte/zugriffe ä.csv"
        let sink = MemorySink()
        var w = SARIFWriter(sink: sink, sourceRoot: "/srv/audit")
        try w.begin(run: LifecycleFixtures.run())
        try w.write(f, context: FindingContext())
        try w.end(summary: RunSummary(finished: OutputFixtures.finished, inputs: []))
        let entry = try XCTUnwrap(try Baseline.parse(Data(sink.bytes), path: "b.sarif").entries.first)
        XCTAssertEqual(entry.file, "/elsewhere/exporte/zugriffe ä.csv")
        XCTAssertEqual(entry.line, 120)
    }
}
