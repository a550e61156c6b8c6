import Foundation
import XCTest

/// `trennwand ingest` and `profiles` on the bundled samples: accounting and exit codes.
final class IngestCLITests: XCTestCase {
    func testIngestJobcenterLogAccounting() throws {
        let r = try CLI.run(["ingest", "Samples/Jobcenter-Zugriffe.csv"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 46)
        XCTAssertTrue(r.stderr.contains("48 gelesen, 46 normalisiert, 2 zurückgewiesen"), r.stderr)
        XCTAssertTrue(r.stderr.contains("Samples/Jobcenter-Zugriffe.csv:22:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[csv.ragged-row]"))
        // --strict: rejected records are an input error.
        XCTAssertEqual(try CLI.run(["ingest", "--strict", "--count-only", "Samples/Jobcenter-Zugriffe.csv"]).status, 3)
    }

    func testUnreadableFileIsInputErrorAndOthersContinue() throws {
        let r = try CLI.run(["ingest", "--count-only", "Samples/fehlt.csv", "Samples/Traeger-Zugriffe.csv", "--lang", "en"])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("Samples/Traeger-Zugriffe.csv: profile traeger-zugriffe: 29 read, 29 normalised, 0 rejected"), r.stderr)
    }

    func testUnknownProfileIsConfigurationError() throws {
        XCTAssertEqual(try CLI.run(["ingest", "--profile", "gibt-es-nicht", "Samples/Traeger-Zugriffe.csv"]).status, 2)
    }

    func testProfilesListsEveryProfile() throws {
        let r = try CLI.run(["profiles"])
        XCTAssertEqual(r.status, 0)
        for id in ["jobcenter-zugriffe", "traeger-zugriffe", "traeger-dokumentation", "stammdaten-abordnungen", "plattform-datenfluesse"] {
            XCTAssertTrue(r.stdout.contains(id), id)
        }
    }
}
