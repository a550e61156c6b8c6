import TrennwandFindings
import TrennwandRecords
@testable import TrennwandState
import XCTest

/// The review workspace's in-memory list view (`FindingIndex`): each filter of the form, the
/// report order, the facets and the overview, and that a decision or a new run is seen at once
/// (the snapshot is rebuilt when the store changed, never served stale).
final class FindingIndexTests: XCTestCase {
    func finding(_ fp: String, rule: String, severity: Severity, file: String, line: Int, time: Int64?,
                 traeger: String? = nil, system: String? = nil, norms: [String] = ["§ 35 Abs. 1 SGB I"]) -> Finding {
        var f = Fixture.finding(fp, rule: rule, severity: severity, file: file, norms: norms, time: time)
        f.locator.line = line
        if let traeger { f.evidence.append(Evidence(field: "traeger", value: traeger)) }
        if let system { f.evidence.append(Evidence(field: "system", value: system)) }
        return f
    }

    func decision(_ fp: String, _ kind: WaiverDecision, at: Int64) -> ReviewDecision {
        ReviewDecision(fingerprint: fp, ruleID: "TW105", kind: kind, reason: "geprüft", assignee: nil, expires: "2099-12-31",
                       decidedBy: "dpo", decidedAt: at, origin: .serve)
    }

    func testFiltersOrderFacetsAndFreshness() async throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let review = try store.concurrentReview()
        let a = PlannedFile(path: "a.csv", size: 10, hash: "ha1"), b = PlannedFile(path: "b.csv", size: 10, hash: "hb1")
        var run = try store.beginRun(Fixture.start(1_000))
        try store.commitFile(runID: run.id, file: a, account: Fixture.account(a.path), findings: [
            finding("aa01", rule: "TW105", severity: .high, file: "a.csv", line: 9, time: 100, traeger: "Familienwerk", system: "VerBIS"),
            finding("aa02", rule: "TW101", severity: .critical, file: "a.csv", line: 4, time: 5_000, traeger: "Bildungswerk",
                    norms: ["Art. 5 DSGVO"]),
            finding("aa03", rule: "TW105", severity: .medium, file: "a.csv", line: 2, time: nil),
        ])
        try store.commitFile(runID: run.id, file: b, account: Fixture.account(b.path), findings: [
            finding("aa04", rule: "TW105", severity: .high, file: "b.csv", line: 3, time: 200),
        ], waived: ["aa04"])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 0)

        // Groups: critical first; the waived finding is listed by default (as in the report).
        var groups = try await review.groups(FindingFilter())
        XCTAssertEqual(groups.map(\.ruleID), ["TW101", "TW105"])
        XCTAssertEqual(groups.map(\.count), [1, 3])
        XCTAssertEqual(groups.map(\.severity), [.critical, .high])
        XCTAssertEqual(groups.first?.title.de, "Titel")
        // Rows in report order: severity, then file and line; the rule given in any case.
        let v1 = try await review.findingRows(FindingFilter(rule: "tw105")).map(\.fingerprint)
        XCTAssertEqual(v1, ["aa01", "aa04", "aa03"])
        let v2 = try await review.findingRows(FindingFilter(rule: "TW105"), limit: 1, offset: 1).map(\.fingerprint)
        XCTAssertEqual(v2, ["aa04"])
        let v3 = try await review.findingRows(FindingFilter(status: .waived)).map(\.fingerprint)
        XCTAssertEqual(v3, ["aa04"])
        let v4 = try await review.findingRows(FindingFilter(severity: .medium)).map(\.fingerprint)
        XCTAssertEqual(v4, ["aa03"])
        let v5 = try await review.findingRows(FindingFilter(traeger: "Familienwerk")).map(\.fingerprint)
        XCTAssertEqual(v5, ["aa01"])
        let v6 = try await review.findingRows(FindingFilter(system: "VerBIS")).map(\.fingerprint)
        XCTAssertEqual(v6, ["aa01"])
        let v7 = try await review.findingRows(FindingFilter(traeger: "unbekannt")).count
        XCTAssertEqual(v7, 0, "a value nothing carries")
        let v8 = try await review.findingRows(FindingFilter(rule: "TW999")).count
        XCTAssertEqual(v8, 0)
        let v9 = try await review.findingRows(FindingFilter(norm: "Art. 5 DSGVO")).map(\.fingerprint)
        XCTAssertEqual(v9, ["aa02"])
        // Time: the record's time, else the detection (run start 1,000); from inclusive, to exclusive.
        let v10 = try await review.findingRows(FindingFilter(from: 200, to: 5_000)).map(\.fingerprint)
        XCTAssertEqual(v10, ["aa04", "aa03"])
        let facets = try await review.facets()
        XCTAssertEqual(facets.traeger, ["Bildungswerk", "Familienwerk"])
        XCTAssertEqual(facets.system, ["VerBIS"])
        XCTAssertEqual(facets.norms, ["Art. 5 DSGVO", "§ 35 Abs. 1 SGB I"])
        var overview = try await review.overview()
        XCTAssertEqual(overview.counts[.high], [.new: 1, .waived: 1])
        XCTAssertEqual(overview.total, 4)
        XCTAssertEqual(overview.decided, 0)
        let v11 = try await review.lastRun()?.id
        XCTAssertEqual(v11, 1)

        // A decision is seen by the next request (the snapshot's decisions are rebuilt).
        _ = try await review.record([decision("aa01", .falsePositive, at: 1_500)])
        groups = try await review.groups(FindingFilter())
        XCTAssertEqual(groups.map(\.decided), [0, 1])
        let v12 = try await review.findingRows(FindingFilter(decision: .any)).map(\.fingerprint)
        XCTAssertEqual(v12, ["aa01"])
        let v13 = try await review.findingRows(FindingFilter(decision: .kind(.falsePositive))).map(\.fingerprint)
        XCTAssertEqual(v13, ["aa01"])
        let v14 = try await review.findingRows(FindingFilter(decision: .kind(.mitigated))).count
        XCTAssertEqual(v14, 0)
        let v15 = try await review.findingRows(FindingFilter(decision: FindingFilter.DecisionFilter.none)).map(\.fingerprint)
        XCTAssertEqual(v15, ["aa02", "aa04", "aa03"])
        let v16 = try await review.findingRows(FindingFilter(rule: "TW105")).first?.decision
        XCTAssertEqual(v16, .falsePositive)
        _ = try await review.record([decision("aa01", .mitigated, at: 1_600)])
        let v17 = try await review.findingRows(FindingFilter(decision: .kind(.mitigated))).map(\.fingerprint)
        XCTAssertEqual(v17, ["aa01"],
                       "the latest decision counts")
        overview = try await review.overview()
        XCTAssertEqual(overview.decided, 1)

        // A second run through another connection: aa02 gone from a.csv → resolved, out of the default list.
        run = try store.beginRun(Fixture.start(2_000))
        let a2 = PlannedFile(path: "a.csv", size: 11, hash: "ha2")
        try store.commitFile(runID: run.id, file: a2, account: Fixture.account(a.path), findings: [
            finding("aa01", rule: "TW105", severity: .high, file: "a.csv", line: 9, time: 100, traeger: "Familienwerk", system: "VerBIS"),
            finding("aa03", rule: "TW105", severity: .medium, file: "a.csv", line: 2, time: nil),
        ])
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: 1)
        // Another connection's change is seen once the snapshot's trust has run out (at most 1 s).
        try await Task.sleep(for: FindingIndexCache.trustFor + .milliseconds(100))
        groups = try await review.groups(FindingFilter())
        XCTAssertEqual(groups.map(\.ruleID), ["TW105"])
        let v18 = try await review.findingRows(FindingFilter(status: .resolved)).map(\.fingerprint)
        XCTAssertEqual(v18, ["aa02"])
        let v19 = try await review.facets().traeger
        XCTAssertEqual(v19, ["Familienwerk"], "facets of listed findings only")
        let v20 = try await review.lastRun()?.id
        XCTAssertEqual(v20, 2)
    }
}
