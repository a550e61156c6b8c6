import TrennwandFindings
@testable import TrennwandState
import XCTest

/// Open findings by severity after each run (the report's stacked bars): a finding counts after
/// run R by its latest lifecycle event up to R, so skipped files keep their findings open and
/// resolved or waived ones drop out.
final class StateHistoryTests: XCTestCase {
    func testOpenBySeverityAfterEachRun() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let a = PlannedFile(path: "/d/a.csv", size: 10, hash: "h1")
        let b = PlannedFile(path: "/d/b.csv", size: 20, hash: "hb")
        // Run 1: a has a critical and a high finding, b a medium one.
        var run = try store.beginRun(Fixture.start(1_000))
        try store.commitFile(runID: run.id, file: a, account: Fixture.account(a.path),
                             findings: [Fixture.finding("C1", severity: .critical), Fixture.finding("H1", severity: .high)])
        try store.commitFile(runID: run.id, file: b, account: Fixture.account(b.path),
                             findings: [Fixture.finding("M1", severity: .medium, file: b.path)])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)
        // Run 2: a changed — C1 resolved, H1 still there, H2 new and waived; b skipped as unchanged.
        let a2 = PlannedFile(path: a.path, size: 11, hash: "h2")
        run = try store.beginRun(Fixture.start(2_000))
        try store.commitFile(runID: run.id, file: a2, account: Fixture.account(a.path),
                             findings: [Fixture.finding("H1", severity: .high), Fixture.finding("H2", severity: .high)], waived: ["H2"])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 1)
        let history = try store.openBySeverityHistory()
        XCTAssertEqual(history.map(\.runID), [1, 2])
        XCTAssertEqual(history.map(\.started), [1_000, 2_000])
        XCTAssertEqual(history[0].open, [.critical: 1, .high: 1, .medium: 1])
        XCTAssertEqual(history[1].open, [.high: 1, .medium: 1], "C1 resolved, H2 waived, M1 kept open in the skipped file")
        XCTAssertEqual(try store.openBySeverityHistory(limit: 1).map(\.runID), [2], "the last runs only")
    }
}
