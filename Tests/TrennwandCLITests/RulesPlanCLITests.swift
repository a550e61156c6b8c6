import Foundation
import XCTest

/// `trennwand rules plan`: every shipped rule prints its plan; a rule that cannot be planned is
/// named with exit 2 while the others still print, never silently left out.
final class RulesPlanCLITests: XCTestCase {
    func testEveryShippedRulePrintsItsPlan() throws {
        let r = try CLI.run(["rules", "plan"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let ids = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.projectRoot.appendingPathComponent("Rules").path)
            .compactMap { $0.split(separator: "/").last.flatMap { $0.hasPrefix("TW") ? String($0.prefix(5)) : nil } }
        XCTAssertGreaterThanOrEqual(ids.count, 32)
        let headers = Set(r.stdout.split(separator: "\n").filter { $0.hasPrefix("TW") }.map(String.init))
        XCTAssertEqual(headers, Set(ids))

        let one = try CLI.run(["rules", "plan", "TW102"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.hasPrefix("TW102\n  scan access r\n"), one.stdout)
        XCTAssertTrue(one.stdout.contains("join secondments"), one.stdout)

        let unknown = try CLI.run(["rules", "plan", "TW000", "--lang", "en"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("unknown rule: TW000"), unknown.stderr)
    }

    func testUnplannableRuleIsNamedAndExitsTwo() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        // hour() of a computed time: the engine evaluates it, the plan has no local-time column for it.
        try """
        id: TW999
        title: {de: Test, en: Test}
        description: {de: Test, en: Test}
        severity: low
        applies_to: access
        norms: [{citation: "§ 35 SGB I", title: Sozialgeheimnis, as_of: 2021-08-20}]
        rationale: {de: Test, en: Test}
        remediation: {de: Test, en: Test}
        condition: hour(time - 1h) < 7
        evidence: [actor]
        examples:
          match: [{record: {time: 2025-03-04T05:00:00, actor: A, system: VerBIS, action: read}}]
          no_match: [{record: {time: 2025-03-04T12:00:00, actor: A, system: VerBIS, action: read}}]

        """.write(to: rules.appendingPathComponent("zugriff/TW999-test.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["rules", "plan", "--rules", rules.path, "--lang", "en"])
        XCTAssertEqual(r.status, 2, r.stdout)
        XCTAssertTrue(r.stderr.contains("rule TW999 cannot be planned: hour() of a computed time has no plan form [plan.unsupported]"), r.stderr)
        XCTAssertTrue(r.stdout.contains("TW101\n"), "the other rules still plan")
        XCTAssertFalse(r.stdout.contains("TW999"), r.stdout)
    }
}
