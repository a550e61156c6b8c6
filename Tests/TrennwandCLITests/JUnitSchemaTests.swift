import Foundation
import XCTest

/// JUnit output against the Apache Ant JUnit schema (windyroad `JUnit.xsd`, kept with its source and
/// license note in `Tests/data/junit/`), validated by `xmllint --schema` (libxml2-utils, part of
/// the Makefile's APT_PACKAGES). The strict schema is what CI importers that reject loose JUnit
/// follow: one `<failure>` per test case, no `<system-out>` inside one, `package`/`id`/`hostname`
/// on the suite.
final class JUnitSchemaTests: XCTestCase {
    static let xsd = TestPaths.projectRoot.appendingPathComponent("Tests/data/junit/JUnit.xsd").path

    func xmllint(_ file: String) throws -> CLIRun {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["xmllint", "--noout", "--schema", Self.xsd, file]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLIRun(status: p.terminationStatus, stdout: "", stderr: String(decoding: data, as: UTF8.self))
    }

    func testSamplesScanIsValidAntJUnit() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (lang, failOn) in [("de", "high"), ("en", "low")] {
            let junit = dir.appendingPathComponent("samples-\(lang).xml").path
            let r = try CLI.run(["scan", "--config", "Samples/audit.yaml", "--lang", lang, "--fail-on", failOn,
                                 "--format", "junit=\(junit)", "--format", "text=/dev/null"])
            XCTAssertEqual(r.status, 1, r.stderr)
            let xml = try String(contentsOfFile: junit, encoding: .utf8)
            XCTAssertTrue(xml.contains("<failure "), "the Samples have failing findings")
            XCTAssertTrue(xml.contains("<system-out>TW"), "non-failing findings are lines of the suite's system-out")
            let v = try xmllint(junit)
            XCTAssertEqual(v.status, 0, v.stderr)
            XCTAssertTrue(v.stderr.contains("validates"), v.stderr)
        }
    }

    /// The validator in use rejects what the schema forbids, so a passing check means something.
    func testSchemaRejectsTwoFailuresInOneTestCase() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.xml").path
        try """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites>
          <testsuite name="trennwand" package="trennwand" id="0" hostname="localhost" tests="1" failures="2" errors="0" time="0" timestamp="2025-12-31T12:00:00">
            <properties/>
            <testcase classname="trennwand.TW101" name="TW101" time="0">
              <failure type="high" message="a">a</failure>
              <failure type="high" message="b">b</failure>
            </testcase>
            <system-out></system-out>
            <system-err></system-err>
          </testsuite>
        </testsuites>
        """.write(toFile: bad, atomically: true, encoding: .utf8)
        let v = try xmllint(bad)
        XCTAssertNotEqual(v.status, 0, v.stderr)
        XCTAssertTrue(v.stderr.contains("failure"), v.stderr)
    }
}
