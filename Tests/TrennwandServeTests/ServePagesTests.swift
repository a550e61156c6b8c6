import Foundation
import Hummingbird
import HummingbirdTesting
import TrennwandFindings
import TrennwandServe
import TrennwandState
import XCTest

/// What the reading pages show, taken from the store rather than written into the test.
final class ServePagesTests: XCTestCase {
    func testRunsPageChartsOpenFindingsBySeverityPerRun() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let history = try harness.state.openBySeverityHistory()
        let last = try XCTUnwrap(history.last)
        let critical = try XCTUnwrap(last.open[.critical])
        XCTAssertGreaterThan(critical, 0)
        try await harness.application().test(.router) { client in
            let reader = try await client.login("reader")
            let page = String(buffer: try await client.get("/runs", cookie: reader.cookie).body)
            XCTAssertTrue(page.contains("<figure class=\"trend\"><figcaption>Offene Feststellungen nach Schwere nach jedem Prüflauf"))
            XCTAssertTrue(page.contains("<svg class=\"chart\""))
            // One bar per run; its segments carry the store's counts.
            XCTAssertTrue(page.contains("<title>Lauf \(last.runID) – kritisch: \(critical)</title>"), page)
            XCTAssertFalse(page.contains("http://") || page.contains("https://"), "no namespace URL or other link out")
            let english = String(buffer: try await client.get("/runs?lang=en", cookie: reader.cookie).body)
            XCTAssertTrue(english.contains("<title>Run \(last.runID) – critical: \(critical)</title>"))
        }
    }
}
