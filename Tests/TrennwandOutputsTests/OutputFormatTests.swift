import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import XCTest

final class OutputSARIFTests: XCTestCase {
    static var schemaDir: URL {
        if let env = ProcessInfo.processInfo.environment["TRENNWAND_SHARED"] { return URL(fileURLWithPath: env) }
        return OutputFixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// Runs Tests/oracles/sarif_validate.py (jsonschema Draft4Validator) on `bytes`: its exit
    /// status (0 valid, 1 invalid) and its error text. A missing schema or validator fails the
    /// test rather than skipping it (`make pydeps` installs jsonschema; CI has shared/ beside the clone).
    func verdict(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, errors: String) {
        let schema = Self.schemaDir.appendingPathComponent("testsuites/sarif/sarif-schema-2.1.0.json")
        guard FileManager.default.fileExists(atPath: schema.path) else {
            XCTFail("SARIF schema not found at \(schema.path) (set TRENNWAND_SHARED)", file: file, line: line)
            return (2, "")
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tw-\(UUID().uuidString).sarif")
        try Data(bytes).write(to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", OutputFixtures.packageRoot.appendingPathComponent("Tests/oracles/sarif_validate.py").path,
                       tmp.path, Self.schemaDir.path]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertNotEqual(p.terminationStatus, 2, "validator unavailable (make pydeps): \(errText)", file: file, line: line)
        return (p.terminationStatus, errText)
    }

    func validate(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws {
        let (status, errors) = try verdict(bytes, file: file, line: line)
        XCTAssertEqual(status, 0, "SARIF invalid:\n\(errors)", file: file, line: line)
    }

    /// The fixture validates, and the same log with one schema violation does not (so the
    /// validator really judges what it is given).
    func testFixtureValidatesAgainstSchema() throws {
        let sink = MemorySink()
        var w = SARIFWriter(sink: sink, sourceRoot: "/srv/audit")
        try OutputFixtures.stream(&w)
        try validate(sink.bytes)
        var root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sink.bytes)) as? [String: Any])
        var runs = try XCTUnwrap(root["runs"] as? [[String: Any]])
        var results = try XCTUnwrap(runs[0]["results"] as? [[String: Any]])
        results[0]["level"] = "fatal"
        runs[0]["results"] = results
        root["runs"] = runs
        let broken = try JSONSerialization.data(withJSONObject: root)
        let (status, errors) = try verdict(Array(broken))
        XCTAssertEqual(status, 1, errors)
        XCTAssertTrue(errors.contains("runs/0/results/0/level"), errors)
    }

    func testMappingAndSuppression() throws {
        let sink = MemorySink()
        var w = SARIFWriter(sink: sink)
        try OutputFixtures.stream(&w, language: .en)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sink.bytes)) as? [String: Any])
        let run = try XCTUnwrap((root["runs"] as? [[String: Any]])?.first)
        let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "Trennwand")
        let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
        XCTAssertEqual((rules[0]["defaultConfiguration"] as? [String: Any])?["level"] as? String, "error")
        XCTAssertEqual((rules[2]["defaultConfiguration"] as? [String: Any])?["level"] as? String, "warning")
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 6)
        XCTAssertEqual(results[1]["ruleIndex"] as? Int, 1)
        XCTAssertTrue(((results[0]["message"] as? [String: Any])?["text"] as? String ?? "").hasPrefix("Export to"))
        let loc = try XCTUnwrap(((results[1]["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
        XCTAssertEqual((loc["artifactLocation"] as? [String: Any])?["uri"] as? String, "exporte/tr%C3%A4ger_doku.xml")
        XCTAssertEqual((loc["artifactLocation"] as? [String: Any])?["uriBaseId"] as? String, "SRCROOT")
        XCTAssertEqual((loc["region"] as? [String: Any])?["startColumn"] as? Int, 5)
        XCTAssertEqual((results[1]["partialFingerprints"] as? [String: String])?["trennwandFingerprint/v1"], "a0b1c2d3e4f5061728394a5b6c7d8e9f")
        let sup = try XCTUnwrap((results[2]["suppressions"] as? [[String: Any]])?.first)
        XCTAssertEqual(sup["kind"] as? String, "external")
        XCTAssertEqual(sup["status"] as? String, "accepted")
        XCTAssertNil(results[0]["suppressions"])
        let inv = try XCTUnwrap((run["invocations"] as? [[String: Any]])?.first)
        XCTAssertEqual(inv["executionSuccessful"] as? Bool, true)
        XCTAssertEqual((inv["toolExecutionNotifications"] as? [Any])?.count, 2)
    }

    func testGitHubLimitCutStillValidates() throws {
        let base = OutputFixtures.findings()[0].0
        var many: [(Finding, WaiverInfo?)] = []
        many.reserveCapacity(25_010)
        for i in 0..<25_010 {
            var f = base
            f.fingerprint = String(i)
            many.append((f, nil))
        }
        let sink = MemorySink()
        var w = SARIFWriter(sink: sink)
        try OutputFixtures.stream(&w, findings: many)
        XCTAssertEqual(w.omittedResults, 10)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sink.bytes)) as? [String: Any])
        let run = try XCTUnwrap((root["runs"] as? [[String: Any]])?.first)
        XCTAssertEqual((run["results"] as? [Any])?.count, 25_000)
        XCTAssertEqual((run["properties"] as? [String: Any])?["trennwand/omittedResults"] as? Int, 10)
        let notes = ((run["invocations"] as? [[String: Any]])?.first?["toolExecutionNotifications"] as? [[String: Any]]) ?? []
        XCTAssertTrue(notes.contains { ($0["descriptor"] as? [String: Any])?["id"] as? String == "trennwand.results-truncated" })
        try validate(sink.bytes)
    }

    func testEmptyRunIsValid() throws {
        let sink = MemorySink()
        var w = SARIFWriter(sink: sink)
        try OutputFixtures.stream(&w, findings: [])
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(sink.bytes)))
        try validate(sink.bytes)
    }

    /// SARIF and JSON Lines escape one evidence value with the same escaper: the quoted value
    /// appears byte for byte in both, line and paragraph separators escaped, no raw one left.
    func testSameEscapingAsJSONLines() throws {
        var f = OutputFixtures.findings()[0].0
        f.evidence = [Evidence(field: "text", value: "a\u{2028}b\u{2029}c/\"\\\t\u{7F}\u{01}")]
        let sarif = MemorySink(), lines = MemorySink()
        var s = SARIFWriter(sink: sarif)
        var j = JSONLinesWriter(sink: lines)
        try OutputFixtures.stream(&s, findings: [(f, nil)])
        try OutputFixtures.stream(&j, findings: [(f, nil)])
        let quoted = #""a\u2028b\u2029c/\"\\\t␡␁""#
        XCTAssertTrue(lines.text.contains(quoted), lines.text)
        XCTAssertTrue(sarif.text.contains(quoted), sarif.text)
        XCTAssertFalse(sarif.text.unicodeScalars.contains { $0.value == 0x2028 || $0.value == 0x2029 })
        try validate(sarif.bytes)
    }
}

final class OutputCSVTests: XCTestCase {
    func testFormulaGuardForEveryDangerousLeadingCharacter() throws {
        var f = OutputFixtures.findings()[0].0
        let dangerous = ["=1+1", "+41", "-2", "@SUM(A1)", "\tTAB", "\rCR"]
        for value in dangerous {
            f.ruleID = value
            let sink = MemorySink()
            var w = CSVWriter(sink: sink)
            try OutputFixtures.stream(&w, findings: [(f, nil)])
            let body = String(sink.text.split(separator: "\r\n", omittingEmptySubsequences: false)[1])
            let first = body.hasPrefix("\"") ? String(body.dropFirst()) : body
            XCTAssertTrue(first.hasPrefix("'" + value.prefix(1)), "not guarded: \(value.debugDescription) → \(body.prefix(20).debugDescription)")
        }
        f.ruleID = "TW105"
        let sink = MemorySink()
        var w = CSVWriter(sink: sink)
        try OutputFixtures.stream(&w, findings: [(f, nil)])
        XCTAssertTrue(sink.text.split(separator: "\r\n")[1].hasPrefix("TW105;"))
    }

    func testQuotingBOMAndSeparator() throws {
        let sink = MemorySink()
        var w = CSVWriter(sink: sink)
        try OutputFixtures.stream(&w)
        XCTAssertEqual(Array(sink.bytes.prefix(3)), [0xEF, 0xBB, 0xBF])
        let text = sink.text
        XCTAssertTrue(text.hasPrefix("\u{FEFF}Regel;Titel;Schweregrad;"))
        // `"` doubled and the cell quoted; `;` and LF inside a quoted cell.
        XCTAssertTrue(text.contains("\"channel: +E-Mail;extern \"\"privat\"\"\nzweite Zeile\u{2401}\""))
        // Evidence cells start with the field name, so a planted formula is never at a cell start.
        XCTAssertFalse(text.contains(";=HYPERLINK"))
        XCTAssertFalse(text.contains(";\"=HYPERLINK"))
        // Parse back: every record has the header's cell count.
        let rows = Self.parse(text)
        XCTAssertEqual(rows.count, 7)
        XCTAssertTrue(rows.allSatisfy { $0.count == rows[0].count })
        XCTAssertEqual(rows[4][9], "channel: +E-Mail;extern \"privat\"\nzweite Zeile\u{2401}")
    }

    /// Minimal RFC 4180 parser for the test (`;`, CRLF).
    static func parse(_ s: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false
        var it = Array(s.unicodeScalars.dropFirst()).makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { cell.unicodeScalars.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { cell.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == ";" { row.append(cell); cell = "" }
            else if c == "\r" { continue }
            else if c == "\n" { row.append(cell); rows.append(row); row = []; cell = "" }
            else { cell.unicodeScalars.append(c) }
        }
        return rows
    }
}

final class OutputHTMLTests: XCTestCase {
    func report(_ lang: Language = .de) throws -> String {
        let sink = MemorySink()
        var w = HTMLReportWriter(sink: sink)
        try OutputFixtures.stream(&w, language: lang)
        return sink.text
    }

    func testPlantedScriptOnlyEscaped() throws {
        let html = try report()
        XCTAssertFalse(html.contains("<script>alert(1)"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertEqual(html.components(separatedBy: "<script").count - 1, 1, "exactly one (our own) script element")
        XCTAssertTrue(html.contains("&lt;b&gt;31.02.&lt;/b&gt;"), "rejection reason escaped")
        XCTAssertTrue(html.contains("Prüfung bis Q2 &lt;ok&gt;"), "waiver reason escaped")
    }

    func testNoNetworkReferences() throws {
        for lang in Language.allCases {
            let html = try report(lang).lowercased()
            XCTAssertFalse(html.contains("http://"))
            XCTAssertFalse(html.contains("https://"))
            XCTAssertFalse(html.contains(" src="))
            XCTAssertFalse(html.contains("<link"))
            XCTAssertTrue(html.contains("default-src &#39;none&#39;"))
        }
    }

    func testCSPHashMatchesInlineScript() throws {
        let html = try report()
        let start = try XCTUnwrap(html.range(of: "<script>"))
        let end = try XCTUnwrap(html.range(of: "</script>"))
        let script = String(html[start.upperBound..<end.lowerBound])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import sys,hashlib,base64;print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())"]
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        try p.run()
        inPipe.fileHandleForWriting.write(Data(script.utf8))
        try inPipe.fileHandleForWriting.close()
        let hash = String(decoding: outPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        p.waitUntilExit()
        XCTAssertTrue(html.contains("script-src &#39;sha256-\(hash)&#39;"), "CSP hash \(hash) not in report")
    }

    /// Renders the report in headless chromium (Tests/browser/check_report.py): script runs under the
    /// CSP, filters hide findings, the planted script does not execute, no network. Skipped when
    /// chromium is not installed or `TRENNWAND_SKIP_BROWSER=1`.
    func testRendersInHeadlessChromium() throws {
        if ProcessInfo.processInfo.environment["TRENNWAND_SKIP_BROWSER"] == "1" { throw XCTSkip("TRENNWAND_SKIP_BROWSER=1") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = dir.appendingPathComponent("report.html")
        try Data(try report().utf8).write(to: html)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", OutputFixtures.packageRoot.appendingPathComponent("Tests/browser/check_report.py").path,
                       html.path, dir.appendingPathComponent("report.png").path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus == 77 { throw XCTSkip("chromium not installed; browser check skipped (apt-get install -y chromium)") }
        XCTAssertEqual(p.terminationStatus, 0, text)
    }

    func testFilterAttributesArt33AndWaiver() throws {
        let html = try report()
        XCTAssertEqual(html.components(separatedBy: "<tbody class=\"finding\"").count - 1, 6)
        XCTAssertEqual(html.components(separatedBy: "<section class=\"group").count - 1, 3, "one group per rule")
        for attr in ["data-rule=\"TW203\"", "data-norms=\"|Art. 9 DSGVO|§ 22 BDSG|\"",
                     "data-status=\"waived\"", "data-status=\"open\"", "data-rank=\"4\"", "data-open=\"1\"", "data-open=\"0\""] {
            XCTAssertTrue(html.contains(attr), attr)
        }
        for select in ["name=\"severity\"", "name=\"rule\"", "name=\"norm\"", "name=\"status\""] {
            XCTAssertTrue(html.contains(select), select)
        }
        // Art. 33: once for the TW105 group (critical, two findings), not per finding, not the gap.
        XCTAssertEqual(html.components(separatedBy: "<div class=\"art33\">").count - 1, 1)
        XCTAssertTrue(html.contains("(2 Kandidaten)"))
        XCTAssertTrue(html.contains("genehmigt von Datenschutzbeauftragte JC"))
        XCTAssertTrue(html.contains("gültig bis 30.06.2025"), "waiver expiry as a Berlin date")
        XCTAssertTrue(html.contains("exporte/träger_doku.xml:7:5"))
        XCTAssertTrue(html.contains("(geprüft am): 27.04.2016, 23.06.2021, 01.01.2024"), "the norms' check date as people read it")
        XCTAssertTrue(html.contains("csv.ragged-row"))
        XCTAssertTrue(html.contains("<html lang=\"de\">"))
        XCTAssertTrue(try report(.en).contains("<html lang=\"en\">"))
    }
}

final class OutputJUnitTests: XCTestCase {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(String, [String: String])] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes))
        }
    }

    func parse(_ bytes: [UInt8]) throws -> [(String, [String: String])] {
        let parser = XMLParser(data: Data(bytes))
        let c = Collector()
        parser.delegate = c
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        return c.elements
    }

    func testFailuresOnlyAtOrAboveThreshold() throws {
        let sink = MemorySink()
        var w = JUnitWriter(sink: sink)
        try OutputFixtures.stream(&w, failOn: .high)
        let els = try parse(sink.bytes)
        // Open findings ≥ high: TW105 ×2 (critical), TW203 ×1 (high; the other one is waived),
        // each its own test case with one failure (strict Ant JUnit schema), beside one passing
        // test case per rule.
        XCTAssertEqual(els.filter { $0.0 == "failure" }.count, 3)
        let suite = try XCTUnwrap(els.first { $0.0 == "testsuite" }?.1)
        XCTAssertEqual(suite["tests"], "6")
        XCTAssertEqual(suite["failures"], "3")
        let cases = els.filter { $0.0 == "testcase" }.map { $0.1["classname"] ?? "" }
        XCTAssertEqual(cases, ["trennwand.TW105", "trennwand.TW105", "trennwand.TW105", "trennwand.TW203", "trennwand.TW203", "trennwand.TW906"])
        var failuresInCase: [Int] = []
        for (name, _) in els {
            if name == "testcase" { failuresInCase.append(0) }
            if name == "failure" { failuresInCase[failuresInCase.count - 1] += 1 }
        }
        XCTAssertEqual(failuresInCase, [0, 1, 1, 0, 1, 0])
        XCTAssertTrue(sink.text.contains("\nTW906 [medium] exporte/verbis_zugriffe.csv:90 "), sink.text)
        XCTAssertFalse(sink.text.contains("\u{01}"), "control character must be replaced")

        let critical = MemorySink()
        var w2 = JUnitWriter(sink: critical)
        try OutputFixtures.stream(&w2, failOn: .critical)
        XCTAssertEqual(try parse(critical.bytes).filter { $0.0 == "failure" }.count, 2)

        let never = MemorySink()
        var w3 = JUnitWriter(sink: never)
        try OutputFixtures.stream(&w3, failOn: nil)
        XCTAssertEqual(try parse(never.bytes).filter { $0.0 == "failure" }.count, 0)
    }
}

final class OutputJSONLinesTests: XCTestCase {
    func testEveryLineParsesAndControlCharactersAreEscaped() throws {
        var f = OutputFixtures.findings()[0].0
        f.evidence = [Evidence(field: "text", value: String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) })) + "\u{7F}\"\\\u{2028}")]
        let sink = MemorySink()
        var w = JSONLinesWriter(sink: sink)
        try OutputFixtures.stream(&w, findings: OutputFixtures.findings() + [(f, nil)])
        let lines = sink.text.split(separator: "\n")
        XCTAssertEqual(lines.count, 8)
        for line in lines {
            XCTAssertFalse(line.unicodeScalars.contains { $0.value < 0x20 })
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertNotNil(obj["type"])
        }
        let last = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[6].utf8)) as? [String: Any])
        let ev = try XCTUnwrap((last["evidence"] as? [[String: Any]])?.first?["value"] as? String)
        // Control characters arrive neutralised (visible stand-ins), the rest escaped and intact.
        XCTAssertEqual(ev, Masking.neutralised(f.evidence[0].value))
        XCTAssertTrue(ev.hasPrefix("␀␁␂"), ev)
        XCTAssertTrue(ev.hasSuffix("␡\"\\\u{2028}"), ev)
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[7].utf8)) as? [String: Any])
        XCTAssertEqual(summary["type"] as? String, "summary")
        XCTAssertEqual(summary["findings"] as? Int, 7)
        XCTAssertEqual(summary["records_rejected"] as? Int, 2)
    }
}

final class OutputSinkTests: XCTestCase {
    /// The file sink writes everything (beyond its 64 KiB buffer) and creates the file with mode 0600.
    func testFileDescriptorSinkWritesAllBytes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tw-sink-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sink = try FileDescriptorSink(path: path)
        var w = JSONLinesWriter(sink: sink)
        let base = OutputFixtures.findings()
        try OutputFixtures.stream(&w, findings: Array(repeating: base, count: 100).flatMap { $0 })
        close(sink.fd)
        let memory = MemorySink()
        var m = JSONLinesWriter(sink: memory)
        try OutputFixtures.stream(&m, findings: Array(repeating: base, count: 100).flatMap { $0 })
        XCTAssertGreaterThan(memory.bytes.count, 1 << 16)
        XCTAssertEqual(Array(try XCTUnwrap(FileManager.default.contents(atPath: path))), memory.bytes)
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        XCTAssertEqual(mode.intValue & 0o777, 0o600)
    }
}
