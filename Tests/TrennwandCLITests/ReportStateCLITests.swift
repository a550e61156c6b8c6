import Foundation
import XCTest

/// The DPO report of scheduled scans over a copy of the Samples with `--state`: the second run's
/// report draws open findings by severity after each run as stacked bars (legend in the report's
/// language, badge colours), and it still leads with the first screen and the rule groups.
final class ReportStateCLITests: XCTestCase {
    func testSecondScheduledRunDrawsOpenFindingsPerRun() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Samples"), to: dir.appendingPathComponent("Samples"))
        let state = dir.appendingPathComponent("s.sqlite").path
        func scan(_ html: String, lang: String = "de") throws -> String {
            let path = dir.appendingPathComponent(html).path
            let r = try CLI.run(["scan", "Samples", "--now", "2025-12-31T12:00:00+01:00", "--state", state, "--lang", lang,
                                 "--format", "html=\(path)", "--format", "text=/dev/null"], cwd: dir)
            XCTAssertTrue([0, 1].contains(r.status), r.stderr)
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        let first = try scan("r1.html")
        XCTAssertTrue(first.contains("<section id=\"trend\">"))
        let second = try scan("r2.html")
        let trend = try XCTUnwrap(second.components(separatedBy: "<section id=\"trend\">").dropFirst().first?.components(separatedBy: "</section>").first)
        XCTAssertTrue(trend.contains("Offene Befunde nach Schweregrad je Prüflauf"))
        XCTAssertTrue(trend.contains(">kritisch</text>") && trend.contains(">hoch</text>"), "German legend")
        XCTAssertTrue(trend.contains("fill=\"#82071e\""), "critical in the badge colour")
        XCTAssertTrue(trend.contains(">#1</text>") && trend.contains(">#2</text>"), "one bar per run")
        XCTAssertTrue(trend.contains("Lauf 2 – kritisch: 3"), "the critical findings stay open after the second run")
        XCTAssertFalse(second.contains("http://") || second.contains("https://"))
        let english = try scan("r3.html", lang: "en")
        XCTAssertTrue(english.contains(">critical</text>") && !english.contains(">kritisch</text>"), "English legend")
        XCTAssertTrue(english.contains(">#3</text>"))
    }
}
