import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import XCTest

final class BaselineTests: XCTestCase {
    let a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    let b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    let c = "cccccccccccccccccccccccccccccccc"
    let d = "dddddddddddddddddddddddddddddddd"

    /// Shaped like SARIFWriter's output: envelope on the first line, one result per line.
    var sarif: String {
        """
        {"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{
        "tool":{"driver":{"name":"Trennwand","rules":[]}},
        "results":[
        {"level":"error","locations":[],"message":{"text":"x"},"partialFingerprints":{"trennwandFingerprint/v1":"\(a)"},"ruleId":"TW105"},
        {"level":"error","locations":[],"message":{"text":"y"},"partialFingerprints":{"trennwandFingerprint/v1":"\(b)"},"ruleId":"TW201","suppressions":[{"kind":"external","status":"accepted"}]},
        {"level":"note","locations":[],"message":{"text":"z"},"partialFingerprints":{"trennwandFingerprint/v1":"\(c)"},"ruleId":"TW901"}
        ],
        "invocations":[{"executionSuccessful":true}],
        "properties":{"trennwand/omittedResults":0,"trennwand/resultsTotal":3}
        }]}

        """
    }

    var jsonl: String {
        """
        {"type":"finding","rule_id":"TW105","severity":"high","fingerprint":"\(a)","waived":false}
        {"type":"finding","rule_id":"TW201","severity":"high","fingerprint":"\(b)","waived":true}
        {"type":"finding","rule_id":"TW901","severity":"low","fingerprint":"\(c)","waived":false}
        {"type":"summary","findings":3,"open":2,"waived":1}

        """
    }

    func testSARIFBaseline() throws {
        let base = try Baseline.parse(Data(sarif.utf8), path: "prev.sarif")
        XCTAssertEqual(base.format, .sarif)
        XCTAssertEqual(base.entries, [.init(fingerprint: a, ruleID: "TW105"), .init(fingerprint: b, ruleID: "TW201"),
                                      .init(fingerprint: c, ruleID: "TW901")])
        XCTAssertEqual(base.omittedResults, 0)
    }

    func testJSONLinesBaselineSkipsSummaryAndHandlesCRLF() throws {
        let base = try Baseline.parse(Data(jsonl.utf8), path: "prev.jsonl")
        XCTAssertEqual(base.format, .jsonLines)
        XCTAssertEqual(base.entries.map(\.fingerprint), [a, b, c])
        XCTAssertEqual(base.entries.map(\.ruleID), ["TW105", "TW201", "TW901"])
        let crlf = "\u{FEFF}" + jsonl.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(try Baseline.parse(Data(crlf.utf8), path: "prev.jsonl").entries.map(\.fingerprint), [a, b, c])
        let oneLine = "{\"type\":\"summary\",\"findings\":0}\n"
        XCTAssertEqual(try Baseline.parse(Data(oneLine.utf8), path: "p.jsonl").entries.count, 0)
    }

    /// The golden outputs of the real SARIF and JSON Lines writers give the same baseline.
    func testGoldenWriterOutputsAgree() throws {
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("TrennwandOutputsTests/Golden")
        let fromSARIF = try Baseline.load(path: golden.appendingPathComponent("report.sarif").path)
        let fromJSONL = try Baseline.load(path: golden.appendingPathComponent("report.jsonl").path)
        XCTAssertEqual(fromSARIF.format, .sarif)
        XCTAssertEqual(fromJSONL.format, .jsonLines)
        XCTAssertEqual(fromSARIF.entries.count, 6)
        XCTAssertEqual(fromSARIF.entries, fromJSONL.entries)
        XCTAssertEqual(fromSARIF.entries.first, .init(fingerprint: "3f1c0a9be2d54c7a8b6e1f0d2c3b4a59", ruleID: "TW105"))
    }

    func testMinifiedSARIFOnOneLine() throws {
        let one = "{\"version\":\"2.1.0\",\"runs\":[{\"results\":[{\"ruleId\":\"TW105\",\"partialFingerprints\":{\"trennwandFingerprint/v1\":\"\(a)\"}}]}]}"
        let base = try Baseline.parse(Data(one.utf8), path: "p.sarif")
        XCTAssertEqual(base.format, .sarif)
        XCTAssertEqual(base.entries.map(\.fingerprint), [a])
    }

    func testNewUnchangedGoneCounts() throws {
        for text in [sarif, jsonl] {
            let base = try Baseline.parse(Data(text.utf8), path: "prev")
            // Run: a (unchanged, moved to another file and line), c (unchanged), d (new); b is gone.
            let findings = [makeFinding(rule: "TW105", fingerprint: a, file: "/moved/elsewhere.csv", line: 999),
                            makeFinding(rule: "TW901", fingerprint: c), makeFinding(rule: "TW105", fingerprint: d)]
            let cmp = base.compare(findings: findings)
            XCTAssertEqual(cmp.new.map(\.fingerprint), [d])
            XCTAssertEqual(cmp.unchanged.map(\.fingerprint), [a, c])
            XCTAssertEqual(cmp.gone, [.init(fingerprint: b, ruleID: "TW201")])
            XCTAssertTrue(cmp.counts == (1, 2, 1))
            XCTAssertTrue(cmp.isNew(findings[2]))
            XCTAssertFalse(cmp.isNew(findings[0]))
        }
    }

    func testLoadFromDiskAndInvalidBaselinesAreInputErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("prev.sarif").path
        try Data(sarif.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try Baseline.load(path: path).entries.count, 3)

        func code(_ text: String) -> String? {
            do {
                _ = try Baseline.parse(Data(text.utf8), path: "bad")
                return nil
            } catch let e as InputError {
                return e.rejection.reason.code + "@\(e.rejection.locator.line)"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(code(""), "baseline.empty@0")
        XCTAssertEqual(code("fingerprint,rule\n"), "baseline.format@1")
        XCTAssertEqual(code("{\"runs\":[{\"results\":[{\"ruleId\":\"TW105\"}]}]}"), "baseline.sarif-fingerprint@0")
        XCTAssertEqual(code("{\"fingerprint\":\"\(a)\"}\n{not json\n"), "baseline.jsonl@2")
        XCTAssertEqual(code("{\"type\":\"finding\",\"rule_id\":\"TW105\"}\n"), "baseline.jsonl-fingerprint@1")
        XCTAssertEqual(code(String(sarif.dropLast(5))), "baseline.format@1", "truncated SARIF")
        XCTAssertThrowsError(try Baseline.load(path: dir.appendingPathComponent("missing.jsonl").path)) { error in
            XCTAssertEqual((error as? InputError)?.rejection.reason.code, "baseline.missing")
        }
    }
}

/// A finding as a previous run's output would describe it: only rule, fingerprint and place matter here.
private func makeFinding(rule: String, fingerprint: String, file: String = "/data/exports/zugriffe.csv", line: Int = 12) -> Finding {
    Finding(ruleID: rule, title: Localized(de: "Export an Träger", en: "Export to provider"), severity: .high,
            findingClass: .violation, norms: [], locator: Locator(file: file, line: line, byteOffset: 0, index: 1),
            time: nil, evidence: [], persons: [:], remediation: Localized(de: "-", en: "-"), fingerprint: fingerprint)
}
