import Foundation
import XCTest

/// `trennwand config doc`: docs/audit-yaml.md is current; a stale copy fails the check. Profiles
/// named in audit.yaml (`profiles:`, `profile:`) reach the scan.
final class ConfigDocCLITests: XCTestCase {
    func testReferenceIsCurrent() throws {
        let r = try CLI.run(["config", "doc", "--check"])
        XCTAssertEqual(r.status, 0, "docs/audit-yaml.md is stale: run `trennwand config doc`\n" + r.stderr)
    }

    func testStaleReferenceFailsTheCheck() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = try CLI.run(["config", "doc", "--output", dir.path])
        XCTAssertEqual(written.status, 0, written.stderr)
        XCTAssertEqual(try CLI.run(["config", "doc", "--output", dir.path, "--check"]).status, 0)
        let file = dir.appendingPathComponent("audit-yaml.md")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "## `retention_months`", with: "## `retention`").write(to: file, atomically: true, encoding: .utf8)
        let stale = try CLI.run(["config", "doc", "--output", dir.path, "--check", "--lang", "en"])
        XCTAssertEqual(stale.status, 1)
        XCTAssertTrue(stale.stderr.contains("audit.yaml reference is stale"), stale.stderr)
    }

    /// The JSON Lines example needs its own profile: given by `profiles:` in audit.yaml it is found
    /// (and forced by `profile:`); without it the file has no profile.
    func testProfilesDirectoryAndProfileInAuditYAML() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = TestPaths.projectRoot.path
        let config = dir.appendingPathComponent("audit.yaml")
        func scan(_ yaml: String) throws -> CLIRun {
            try yaml.write(to: config, atomically: true, encoding: .utf8)
            return try CLI.run(["scan", "--config", config.path, "--format", "jsonl=-", "--format", "text=/dev/null", "--lang", "en"])
        }
        let body = """
        sources:
          - path: \(root)/Examples/jsonl/
            profile: fallkompass-graylog
        reference:
          - path: \(root)/Samples/Stammdaten
        now: 2025-12-31T12:00:00+01:00

        """
        let with = try scan(body + "profiles: \(root)/Samples/profiles\n")
        XCTAssertEqual(with.status, 0, with.stderr)
        XCTAssertTrue(with.stdout.contains("TW208"), with.stdout)
        let without = try scan(body)
        XCTAssertEqual(without.status, 2, without.stderr)
        XCTAssertTrue(without.stderr.contains("unknown profile 'fallkompass-graylog'"), without.stderr)
        XCTAssertTrue(without.stderr.contains("audit.yaml:3:"), without.stderr)
    }
}
