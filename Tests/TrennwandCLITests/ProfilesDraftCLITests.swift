import Foundation
import XCTest

/// `trennwand profiles draft`: output file, exit codes, and that an unfinished draft is refused.
final class ProfilesDraftCLITests: XCTestCase {
    func testDraftToFileAndUnfinishedDraftIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-draft-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("entwurf.yaml").path
        let r = try CLI.run(["profiles", "draft", "--out", out, "--id", "entwurf", "Samples/Traeger-Zugriffe.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.contains("date_column: Datum"), text)
        XCTAssertTrue(text.contains("id: entwurf"), text)
        XCTAssertTrue(r.stderr.contains("???"), r.stderr)
        // Open targets: the profile directory does not load (configuration error, exit 2) and says why.
        let ingest = try CLI.run(["ingest", "--profiles", dir.path, "--profile", "entwurf", "--count-only",
                                  "Samples/Traeger-Zugriffe.csv", "--lang", "en"])
        XCTAssertEqual(ingest.status, 2, ingest.stderr)
        XCTAssertTrue(ingest.stderr.contains("is still open"), ingest.stderr)
    }

    func testStdoutEnglishAndErrors() throws {
        let r = try CLI.run(["profiles", "draft", "--lang", "en", "Samples/Stammdaten/Angebote.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("kind: offers  # record kind offers"), r.stdout)
        XCTAssertEqual(try CLI.run(["profiles", "draft", "Samples/fehlt.csv"]).status, 3)
        XCTAssertEqual(try CLI.run(["profiles", "draft", "--kind", "gibt-es-nicht", "Samples/Traeger-Zugriffe.csv"]).status, 2)
        XCTAssertEqual(try CLI.run(["profiles", "draft", "--out", "/nonexistent-dir", "Samples/Traeger-Zugriffe.csv",
                                    "Samples/Stammdaten/Angebote.csv"]).status, 2)
    }
}
