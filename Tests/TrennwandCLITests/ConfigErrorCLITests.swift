import Foundation
import XCTest

/// Broken configuration files (policy, taxonomy, profiles, rules, lists) stop every command with
/// exit code 2 and a message naming file:line:column — never a crash, never a silent default.
final class ConfigErrorCLITests: XCTestCase {
    /// Copies Rules/ to a temporary directory, applies `edit` to one file, runs `args`.
    func broken(_ file: String, _ edit: (String) -> String, _ args: [String]) throws -> CLIRun {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        let url = rules.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = edit(text)
        XCTAssertNotEqual(changed, text, "edit did not apply to \(file)")
        try changed.write(to: url, atomically: true, encoding: .utf8)
        return try CLI.run(args + ["--rules", rules.path])
    }

    func assertPositioned(_ r: CLIRun, _ file: String, line: Int, _ what: String, file src: StaticString = #filePath, line l: UInt = #line) {
        XCTAssertEqual(r.status, 2, r.stderr, file: src, line: l)
        XCTAssertTrue(r.stderr.contains("\(file):\(line):"), "expected \(file):\(line): in: \(r.stderr)", file: src, line: l)
        XCTAssertTrue(r.stderr.contains(what), "expected '\(what)' in: \(r.stderr)", file: src, line: l)
    }

    func testMatrixCellWithoutLegalBasis() throws {
        let r = try broken("policy/matrix.yaml", { $0.replacingOccurrences(of: "      legal_basis: \"§ 69 Abs. 1 Nr. 1 SGB X i. V. m. § 50 Abs. 1 SGB II\"\n", with: "") },
                           ["rules", "lint"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("matrix.yaml:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("legal_basis"), r.stderr)
    }

    func testTaxonomyUnknownParent() throws {
        let r = try broken("taxonomy.yaml", { $0.replacingOccurrences(of: "  - id: stamm.identitaet\n    parent: stamm\n",
                                                                      with: "  - id: stamm.identitaet\n    parent: stammx\n") },
                           ["rules", "lint"])
        // The line of the changed parent in the shipped file (it moves when categories gain terms).
        let text = try String(contentsOf: TestPaths.projectRoot.appendingPathComponent("Rules/taxonomy.yaml"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let line = try XCTUnwrap(lines.firstIndex(of: "  - id: stamm.identitaet")) + 2
        assertPositioned(r, "taxonomy.yaml", line: line, "stammx")
    }

    func testMalformedProfileYAML() throws {
        let r = try broken("profiles/traeger-zugriffe.yaml", { $0 + "\nfields: [unclosed\n" }, ["profiles"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("traeger-zugriffe.yaml:"), r.stderr)
    }

    func testUnknownNamedListAndDetectorInRule() throws {
        let list = try broken("zugriff/TW105-export-an-traeger.yaml",
                              { $0.replacingOccurrences(of: "and destination_org == \"traeger\"", with: "and channel in @gibtesnicht") },
                              ["rules", "lint"])
        assertPositioned(list, "TW105-export-an-traeger.yaml", line: 44, "gibtesnicht")
        let detector = try broken("dokumentation/TW201-interne-kennungen.yaml",
                                  { $0.replacingOccurrences(of: "detects_category(text, \"kennung\")", with: "detects(text, \"gibtesnicht\")") },
                                  ["rules", "lint"])
        XCTAssertEqual(detector.status, 2, detector.stderr)
        XCTAssertTrue(detector.stderr.contains("gibtesnicht"), detector.stderr)
        XCTAssertTrue(detector.stderr.contains("TW201-interne-kennungen.yaml:"), detector.stderr)
    }

    func testBrokenKeywordListStopsTheScan() throws {
        let r = try broken("lists/sanktion.yaml", { "kategorie: falsch\n" + $0 }, ["scan", "Samples/Plattform-Datenfluesse.csv"])
        assertPositioned(r, "sanktion.yaml", line: 1, "kategorie")
    }
}
