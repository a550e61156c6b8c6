import Foundation
import XCTest

/// The shipped rule pack passes its own checks, and errors in rule files name file:line:column.
final class RulePackCLITests: XCTestCase {
    /// Each example is a test case of its own in `RuleExampleTests`; here only the command's
    /// contract: exit 0 on the shipped pack, exit 2 naming the example's position when one fails.
    func testShippedRulesLintAndTest() throws {
        let lint = try CLI.run(["rules", "lint"])
        XCTAssertEqual(lint.status, 0, lint.stderr)
        let test = try CLI.run(["rules", "test"])
        XCTAssertEqual(test.status, 0, test.stderr + test.stdout)
        XCTAssertEqual(test.stderr, "")
    }

    func testFailingExampleExitsTwoAndNamesItsPosition() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        let file = rules.appendingPathComponent("zugriff/TW105-export-an-traeger.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        // The second match example (line 69) sends to the Träger; sent within the Jobcenter it no longer fires.
        var lines = text.components(separatedBy: "\n")
        XCTAssertEqual(lines[75], "        destination_org: traeger")
        lines[75] = "        destination_org: jobcenter"
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["rules", "test", "--rules", rules.path, "--lang", "en", "TW105"])
        XCTAssertEqual(r.status, 2, r.stdout)
        XCTAssertTrue(r.stderr.contains("TW105-export-an-traeger.yaml:69:7: TW105: match example does not fire"), r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count, 1, r.stderr)
    }

    func testCatalogueIsCurrent() throws {
        let r = try CLI.run(["rules", "doc", "--check"])
        XCTAssertEqual(r.status, 0, "docs/rules.md, docs/rules.html, docs/norms.md or docs/fields.md is stale: run `trennwand rules doc`\n" + r.stderr)
    }

    /// A copy of the rules with one broken rule file: lint exits 2 and names the exact position.
    func testBrokenRuleFixtureNamesPosition() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        let broken = rules.appendingPathComponent("zugriff/TW999-kaputt.yaml")
        try """
        id: TW999
        title: {de: Kaputt, en: Broken}
        description: {de: Test, en: Test}
        severity: high
        applies_to: access
        norms: [{citation: "§ 35 SGB I", title: Sozialgeheimnis, as_of: 2021-08-20}]
        rationale: {de: Test, en: Test}
        remediation: {de: Test, en: Test}
        condition: |
          system_owner == "jobcenter"
            and actor_orgg == "traeger"
        evidence: [actor]
        examples:
          match: [{record: {time: 2025-01-01T10:00:00Z, actor: A, system: VerBIS, action: read}}]
          no_match: [{record: {time: 2025-01-01T10:00:00Z, actor: A, system: VerBIS, action: read}}]

        """.write(to: broken, atomically: true, encoding: .utf8)
        let r = try CLI.run(["rules", "lint", "--rules", rules.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("TW999-kaputt.yaml:11:9:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("actor_orgg"), r.stderr)
        // Unknown key in a rule file: position of the key.
        try String(contentsOf: broken, encoding: .utf8).replacingOccurrences(of: "severity: high", with: "severty: high")
            .write(to: broken, atomically: true, encoding: .utf8)
        let r2 = try CLI.run(["rules", "lint", "--rules", rules.path, "--lang", "en"])
        XCTAssertEqual(r2.status, 2)
        XCTAssertTrue(r2.stderr.contains("TW999-kaputt.yaml:4:1: unknown key 'severty'"), r2.stderr)
    }

    func testExplainInBothLanguages() throws {
        let de = try CLI.run(["rules", "explain", "TW105"])
        XCTAssertEqual(de.status, 0)
        XCTAssertTrue(de.stdout.contains("Normen:"))
        XCTAssertTrue(de.stdout.contains("§ 67d SGB X"))
        let en = try CLI.run(["rules", "explain", "TW105", "--lang", "en"])
        XCTAssertTrue(en.stdout.contains("Norms:"))
        XCTAssertEqual(try CLI.run(["rules", "explain", "TW000"]).status, 2)
    }

    func testHelpIsGermanByDefaultAndEnglishOnRequest() throws {
        let de = try CLI.run(["scan", "--help"])
        XCTAssertTrue(de.stdout.contains("Prüft Exporte"), de.stdout)
        XCTAssertTrue(de.stdout.contains("Exit-Codes"))
        let en = try CLI.run(["scan", "--help", "--lang", "en"])
        XCTAssertTrue(en.stdout.contains("Scans exports"), en.stdout)
        let env = try CLI.run(["ingest", "--help"], env: ["TRENNWAND_LANG": "en"])
        XCTAssertTrue(env.stdout.contains("Normalises exports"), env.stdout)
    }
}
