import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords
@testable import TrennwandState
import XCTest

/// The report set read from the store (issue #14): every finding open after a run and those it
/// resolved, in report order, with lifecycle; findings of skipped files included; v1 stores migrated.
final class ReportFindingsTests: XCTestCase {
    func fp(_ n: Int) -> String { String(format: "%032x", n) }

    func finding(_ n: Int, rule: String, severity: Severity, file: String, line: Int) -> Finding {
        var f = Fixture.finding(fp(n), rule: rule, severity: severity, file: file)
        f.locator.line = line
        return f
    }

    /// Run 1 scans a.csv and b.csv; run 2 re-scans a.csv (one finding gone, one new) and skips b.csv.
    func testReportSetHoldsOpenFindingsOfSkippedFilesAndThoseResolvedByTheRun() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let a1 = [finding(1, rule: "TW105", severity: .high, file: "a.csv", line: 9),
                  finding(2, rule: "TW101", severity: .medium, file: "a.csv", line: 3)]
        let b = [finding(3, rule: "TW105", severity: .high, file: "b.csv", line: 2),
                 finding(4, rule: "TW901", severity: .critical, file: "b.csv", line: 7),
                 finding(5, rule: "TW105", severity: .high, file: "a.csv", line: 4)]
        let b0 = b.map { var f = $0; f.locator.file = "b.csv"; return f }
        let run1 = try store.beginRun(Fixture.start(1_740_000_000))
        try store.commitFile(runID: run1.id, file: PlannedFile(path: "a.csv", size: 1, hash: "a1"), account: Fixture.account("a.csv"),
                             findings: a1)
        try store.commitFile(runID: run1.id, file: PlannedFile(path: "b.csv", size: 1, hash: "b1"), account: Fixture.account("b.csv"),
                             findings: b0)
        try store.finishRun(runID: run1.id, exitCode: 1, filesSkipped: 0)

        let run2 = try store.beginRun(Fixture.start(1_740_086_400))
        let a2 = [a1[1], finding(6, rule: "TW105", severity: .high, file: "a.csv", line: 20)]
        try store.commitFile(runID: run2.id, file: PlannedFile(path: "a.csv", size: 1, hash: "a2"), account: Fixture.account("a.csv"),
                             findings: a2)
        try store.finishRun(runID: run2.id, exitCode: 1, filesSkipped: 1)

        let set = try store.reportFindingList(ReportSelection(runID: run2.id))
        // Severity first, then rule, file, line, fingerprint.
        XCTAssertEqual(set.map(\.finding.fingerprint), [fp(4), fp(1), fp(6), fp(3), fp(5), fp(2)])
        let status = Dictionary(uniqueKeysWithValues: set.map { ($0.finding.fingerprint, $0.lifecycle) })
        XCTAssertEqual(status[fp(1)]?.status, .resolved)
        XCTAssertEqual(status[fp(1)]?.resolvedRun, run2.id)
        XCTAssertEqual(status[fp(2)]?.status, .open)
        XCTAssertEqual(status[fp(2)]?.lastRun, run2.id)
        XCTAssertEqual(status[fp(6)]?.status, .new)
        // b.csv was skipped: its findings stay open, seen last by run 1.
        XCTAssertEqual(status[fp(4)]?.status, .new)
        XCTAssertEqual(status[fp(4)]?.lastRun, run1.id)
        XCTAssertEqual(status[fp(4)]?.firstSeen, 1_740_000_000)
        // The payload is the whole masked finding.
        let critical = set[0].finding
        XCTAssertEqual(critical.ruleID, "TW901")
        XCTAssertEqual(critical.locator.line, 7)
        XCTAssertEqual(critical.evidence, b0[1].evidence)
        XCTAssertEqual(critical.persons, ["actor": "P-abc"])
        XCTAssertEqual(critical.title, Localized(de: "Titel", en: "title"))

        // A later run that resolves nothing lists run 2's resolved finding no more; --since does.
        let run3 = try store.beginRun(Fixture.start(1_740_172_800))
        try store.finishRun(runID: run3.id, exitCode: 1, filesSkipped: 2)
        XCTAssertFalse(try store.reportFindingList(ReportSelection(runID: run3.id)).contains { $0.finding.fingerprint == fp(1) })
        XCTAssertTrue(try store.reportFindingList(ReportSelection(runID: run3.id, since: 1_740_086_400))
            .contains { $0.finding.fingerprint == fp(1) })
        let later = try store.reportFindingList(ReportSelection(runID: run3.id, since: 1_740_086_401))
        XCTAssertFalse(later.contains { $0.finding.fingerprint == fp(1) })
        // --since also leaves out open findings not seen since (b.csv, last seen by run 1).
        let sinceRun2 = try store.reportFindingList(ReportSelection(runID: run3.id, since: 1_740_086_400)).map(\.finding.fingerprint)
        XCTAssertEqual(sinceRun2, [fp(1), fp(6), fp(2)])
        XCTAssertEqual(try store.filesNotScanned(in: run3.id).map(\.path), ["a.csv", "b.csv"])
        XCTAssertEqual(try store.filesNotScanned(in: run3.id).map(\.scannedInRun), [run2.id, run1.id])
    }

    /// Occurrences are stored up to `storedOccurrences`; the count is kept.
    func testStoredOccurrencesAreCappedAndCounted() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        var f = Fixture.finding(fp(7), file: "a.csv")
        f.others = (0..<1_200).map { Occurrence(locator: Locator(file: "a.csv", line: 3 + $0, byteOffset: 0, index: 2 + $0), time: Int64($0),
                                                evidence: [Evidence(field: "subject", value: "X\($0)")]) }
        f.occurrences = 1_250
        let run = try store.beginRun(Fixture.start())
        try store.commitFile(runID: run.id, file: PlannedFile(path: "a.csv", size: 1, hash: "a"), account: Fixture.account("a.csv"),
                             findings: [f])
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        let back = try XCTUnwrap(try store.reportFindingList(ReportSelection(runID: run.id)).first?.finding)
        XCTAssertEqual(back.occurrenceList.count, StateStore.storedOccurrences)
        XCTAssertEqual(back.occurrences, 1_250)
        XCTAssertTrue(back.occurrencesTruncated)
        XCTAssertEqual(back.others.first, f.others.first)
        XCTAssertEqual(back.others.last, f.others[StateStore.storedOccurrences - 2])
    }

    /// A `--reveal` run stores no payload (its evidence is not masked): rebuilt from the columns.
    func testNoPayloadWithoutMasking() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let run = try store.beginRun(Fixture.start())
        try store.commitFile(runID: run.id, file: PlannedFile(path: "a.csv", size: 1, hash: "a"), account: Fixture.account("a.csv"),
                             findings: [Fixture.finding(fp(8))], storePayload: false)
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        let noPayload = try store.db.read { try Bool.fetchOne($0, sql: "SELECT payload IS NULL FROM finding") }
        XCTAssertEqual(noPayload, true)
        let back = try XCTUnwrap(try store.reportFindingList(ReportSelection(runID: run.id)).first?.finding)
        XCTAssertEqual(back.evidence, [])
        XCTAssertEqual(back.locator.line, 2, "line kept in its column")
        // Nor its evidence summary: the store never holds a revealed value.
        let summary = try store.db.read { try String.fetchOne($0, sql: "SELECT evidence FROM finding") }
        XCTAssertEqual(summary, "")
    }

    /// A `--reveal` run over a finding stored masked before keeps the masked payload and summary.
    func testRevealedRunKeepsTheMaskedFindingStoredBefore() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let masked = Fixture.finding(fp(9))
        var revealed = masked
        revealed.evidence = [Evidence(field: "subject", detector: "kundennummer", value: "123D456789")]
        revealed.persons = ["actor": "JC-M-0001"]
        for (finding, storePayload) in [(masked, true), (revealed, false)] {
            let run = try store.beginRun(Fixture.start())
            try store.commitFile(runID: run.id, file: PlannedFile(path: "a.csv", size: 1, hash: "a"), account: Fixture.account("a.csv"),
                                 findings: [finding], storePayload: storePayload)
            try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        }
        let row = try XCTUnwrap(try store.db.read { try Row.fetchOne($0, sql: "SELECT evidence, payload, seen_count FROM finding") })
        XCTAssertEqual(row["seen_count"] as Int, 2)
        XCTAssertEqual(row["evidence"] as String, "subject[kundennummer]=123D••••••")
        let payload: String = try XCTUnwrap(row["payload"])
        XCTAssertFalse(payload.contains("123D456789") || payload.contains("JC-M-0001"))
        let back = try XCTUnwrap(try store.reportFindingList(ReportSelection(runID: nil)).first?.finding)
        XCTAssertEqual(back.persons, ["actor": "P-abc"])
    }

    /// A store written with the v1 schema (no payload) is migrated on open; its findings appear in
    /// the report set rebuilt from their columns, texts from the current rule pack where known.
    func testV1StoreIsMigratedAndItsFindingsRebuilt() throws {
        let path = Fixture.tempStorePath()
        try DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = \(StateStore.applicationID)")
        }
        try Schema.migrator.migrate(DatabaseQueue(path: path), upTo: "v1-runs-files-findings")
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: """
                INSERT INTO run (id, started, finished, status, tool_version, rule_pack_hash, reference_hash, inputs)
                VALUES (1, 1740000000, 1740000060, 'finished', 'old', 'rp1', 'ref1', '["/data"]');
                INSERT INTO input_file (run_id, path, size, content_hash, rule_pack_hash, reference_hash, records_read,
                  records_evaluated, records_rejected, access_records, findings, first_of_content, scanned_at)
                VALUES (1, 'a.csv', 10, 'h', 'rp1', 'ref1', 5, 5, 0, 5, 2, 1, 1740000000);
                INSERT INTO finding (fingerprint, rule_id, severity, class, source_path, status, first_run, last_run, first_seen,
                  last_seen, updated_at, occurrences, seen_count, evidence, record_time)
                VALUES ('\(fp(1))', 'TW105', 'high', 'violation', 'a.csv', 'open', 1, 1, 1740000000, 1740000000, 1740000000, 3, 1,
                        'subject[kundennummer]=123D••••••', 1739999000),
                       ('\(fp(2))', 'TW999', 'critical', 'violation', 'a.csv', 'new', 1, 1, 1740000000, 1740000000, 1740000000, 1, 1,
                        '', NULL);
                INSERT INTO finding_norm (fingerprint, citation) VALUES ('\(fp(1))', '§ 35 Abs. 1 SGB I');
                INSERT INTO finding_file (fingerprint, path, occurrences) VALUES ('\(fp(1))', 'a.csv', 3), ('\(fp(2))', 'a.csv', 1);
                """)
        }
        // Read-only commands (history) still open the unmigrated store.
        XCTAssertEqual(try StateStore(path: path, readOnly: true).history().count, 1)
        let store = try StateStore(path: path, mustExist: true)
        XCTAssertEqual(try store.appliedMigrations(), ["v1-runs-files-findings", "v2-finding-payload", "v3-review-workspace", "v4-reidentification", "v5-finding-rule-index", "v6-review-lookups"])
        XCTAssertEqual(try store.integrityProblems(), [])
        let rule = RuleDescriptor(id: "TW105", title: Localized(de: "Export an Träger", en: "export to provider"),
                                  description: Localized(de: "", en: ""), severity: .high,
                                  norms: [Norm(citation: "§ 35 Abs. 1 SGB I", title: "Sozialgeheimnis", asOf: "2025-01-01")],
                                  rationale: Localized(de: "", en: ""), remediation: Localized(de: "prüfen", en: "check"),
                                  tags: [], findingClass: .violation, source: "x.yml")
        let set = try store.reportFindingList(ReportSelection(runID: 1), rules: ["TW105": rule])
        XCTAssertEqual(set.map(\.finding.fingerprint), [fp(2), fp(1)])
        let known = set[1].finding
        XCTAssertEqual(known.title, rule.title)
        XCTAssertEqual(known.remediation, rule.remediation)
        XCTAssertEqual(known.norms, rule.norms)
        XCTAssertEqual(known.locator.file, "a.csv")
        XCTAssertEqual(known.time, 1_739_999_000)
        XCTAssertEqual(known.occurrences, 3)
        XCTAssertEqual(known.detail?.en, "evidence (stored): subject[kundennummer]=123D••••••")
        XCTAssertEqual(set[1].lifecycle, FindingLifecycle(status: .open, firstSeen: 1_740_000_000, firstRun: 1,
                                                          lastSeen: 1_740_000_000, lastRun: 1))
        let unknown = set[0].finding
        XCTAssertEqual(unknown.title.de, "TW999")
        XCTAssertNil(unknown.detail)
        XCTAssertEqual(set[0].lifecycle.status, .new)
        // A missing store is not created by the report.
        let missing = Fixture.tempStorePath("none")
        XCTAssertThrowsError(try StateStore(path: missing, mustExist: true)) { error in
            guard case StateError.notFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    }

    /// A file presented unchanged run after run keeps its open findings past the retention cut-off;
    /// findings of files no longer presented are purged as before.
    func testSkippedFilesKeepTheirOpenFindingsFromThePurge() throws {
        let store = try StateStore(path: Fixture.tempStorePath())
        let run1 = try store.beginRun(Fixture.start(1_700_000_000))
        try store.commitFile(runID: run1.id, file: PlannedFile(path: "a.csv", size: 1, hash: "a"), account: Fixture.account("a.csv"),
                             findings: [Fixture.finding(fp(1), file: "a.csv")])
        try store.commitFile(runID: run1.id, file: PlannedFile(path: "b.csv", size: 1, hash: "b"), account: Fixture.account("b.csv"),
                             findings: [Fixture.finding(fp(2), file: "b.csv")])
        try store.finishRun(runID: run1.id, exitCode: 1, filesSkipped: 0)
        let later: Int64 = 1_700_000_000 + 400 * 86_400
        let run2 = try store.beginRun(Fixture.start(later))
        XCTAssertEqual(try store.keepSkippedFindings(paths: ["a.csv"], at: later), 1)
        let purged = try store.purge(olderThan: StateStore.retentionCutoff(now: later))
        XCTAssertEqual(purged.findings, 1)
        try store.finishRun(runID: run2.id, exitCode: 1, filesSkipped: 1)
        let left = try store.reportFindingList(ReportSelection(runID: run2.id))
        XCTAssertEqual(left.map(\.finding.fingerprint), [fp(1)])
        XCTAssertEqual(left.first?.lifecycle.lastRun, run1.id, "nothing was read: last run stays")
        XCTAssertEqual(left.first?.lifecycle.lastSeen, 1_700_000_000)
    }
}
