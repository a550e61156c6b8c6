import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest
@testable import TrennwandScan

/// `Scan.run` in-process: diagnostics by code, the verdict's reason, the reports written.
final class ScanRunTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func testSamplesScanWritesReportsAndFailsOnHighFindings() throws {
        let samples = try SamplesFixture()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let jsonl = dir.appendingPathComponent("out/f.jsonl").path
        var request = samples.request(threads: 2)
        request.targets = [OutputTarget(.jsonl, .file(jsonl))]
        request.failOn = .high
        var diagnostics: [ScanDiagnostic] = []
        let verdict = Scan.run(request) { diagnostics.append($0) }
        XCTAssertEqual(verdict.reason, .findings, diagnostics.map { $0.text(interface: .en, report: .en) }.joined(separator: "\n"))
        let result = try XCTUnwrap(verdict.result)
        let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, result.findings.count + 1, "one line per finding plus the summary")
        XCTAssertEqual(diagnostics, [])
    }

    func testBrokenBaselineStopsBeforeTheScan() throws {
        let samples = try SamplesFixture()
        var request = samples.request()
        request.baseline = "/nonexistent/trennwand-baseline.sarif"
        var diagnostics: [ScanDiagnostic] = []
        let verdict = Scan.run(request) { diagnostics.append($0) }
        XCTAssertEqual(verdict.reason, .input)
        XCTAssertNil(verdict.result)
        XCTAssertEqual(diagnostics.map(\.code), ["baseline.missing"])
        XCTAssertTrue(diagnostics[0].text(interface: .de, report: .en).hasPrefix("Eingabefehler: /nonexistent/trennwand-baseline.sarif: baseline file does not exist"))
    }

    /// `baselineOptional`: the missing file is a note and the scan runs, every finding new.
    func testMissingBaselineIsANoteWhenOptional() throws {
        let samples = try SamplesFixture()
        var request = samples.request()
        request.baseline = "/nonexistent/trennwand-baseline.sarif"
        request.baselineOptional = true
        var diagnostics: [ScanDiagnostic] = []
        let verdict = Scan.run(request) { diagnostics.append($0) }
        XCTAssertNotEqual(verdict.reason, .input)
        XCTAssertNotNil(verdict.result)
        XCTAssertTrue(diagnostics.map(\.code).contains("baseline.missing-optional"), "\(diagnostics.map(\.code))")
        XCTAssertFalse(diagnostics.map(\.code).contains("baseline.missing"))
    }

    func testUnwritableReportIsAnOutputFailure() throws {
        let samples = try SamplesFixture()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        var request = samples.request()
        request.targets = [OutputTarget(.sarif, .file(blocker.path + "/r.sarif"))]
        var diagnostics: [ScanDiagnostic] = []
        let verdict = Scan.run(request) { diagnostics.append($0) }
        XCTAssertEqual(verdict.reason, .output)
        XCTAssertEqual(diagnostics.map(\.code).last?.hasPrefix("output."), true)
    }

    func testOutputTargetsParseOnce() {
        XCTAssertEqual(OutputTarget(spec: "sarif=out/a.sarif"), OutputTarget(.sarif, .file("out/a.sarif")))
        XCTAssertEqual(OutputTarget(spec: "JSONL"), OutputTarget(.jsonl, .standardOutput))
        XCTAssertEqual(OutputTarget(spec: "text=-"), OutputTarget(.text, .standardOutput))
        XCTAssertEqual(OutputTarget(spec: "html=/dev/stdout")?.destination.description, "/dev/stdout")
        XCTAssertNil(OutputTarget(spec: "pdf=x"))
        XCTAssertNil(OutputTarget(spec: ""))
    }
}
