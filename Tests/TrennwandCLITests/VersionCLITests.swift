import Foundation
import XCTest

/// `trennwand --version`: version, the build's git commit and the rule-pack hash the reports carry.
final class VersionCLITests: XCTestCase {
    func testVersionNamesCommitAndRulePack() throws {
        let r = try CLI.run(["--version"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, r.stdout)
        XCTAssertTrue(lines[0].hasPrefix("trennwand "), r.stdout)
        // "unknown" without make (swift build alone), else 12 hex digits, maybe "-dirty".
        XCTAssertNotNil(lines[1].range(of: #"^Commit: (unknown|[0-9a-f]{12}(-dirty)?)$"#, options: .regularExpression), r.stdout)
        // The same hash a report records for the built-in rules.
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sarif = dir.appendingPathComponent("r.sarif").path
        _ = try CLI.run(["gate", "Samples/Plattform-Datenfluesse.csv", "--format", "sarif=\(sarif)"])
        let log = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarif))) as! [String: Any]
        let run = (log["runs"] as! [[String: Any]])[0]
        let pack = (run["properties"] as! [String: Any])["trennwand/rulePack"] as! String
        XCTAssertTrue(lines[2].hasPrefix("Regelpaket: \(pack) ("), r.stdout)
        XCTAssertTrue(try CLI.run(["--version"], env: ["TRENNWAND_LANG": "en"]).stdout.contains("\nRule pack: \(pack) ("))
        // SARIF rules carry `security` next to `security-severity`, so GitHub shows critical/high.
        let rules = ((run["tool"] as! [String: Any])["driver"] as! [String: Any])["rules"] as! [[String: Any]]
        XCTAssertFalse(rules.isEmpty)
        for rule in rules {
            let props = rule["properties"] as! [String: Any]
            let tags = props["tags"] as! [String]
            XCTAssertEqual(tags.contains("security"), props["security-severity"] != nil, "\(rule["id"]!): \(tags)")
            if let s = props["security-severity"] as? String, let score = Double(s) {
                let band = score >= 9.0 ? "critical" : score >= 7.0 ? "high" : score >= 4.0 ? "medium" : "low"
                XCTAssertEqual(band, props["severity"] as? String, "\(rule["id"]!)")
            }
        }
    }
}
