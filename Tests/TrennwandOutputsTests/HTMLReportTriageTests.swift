import Foundation
import TrennwandFindings
@testable import TrennwandOutputs
import TrennwandRecords
import XCTest

/// The DPO report made for triage (issue #14): groups by rule in severity order, one Art. 33 hint
/// per group with its clock, Berlin times, German evidence labels, no empty columns, merged records
/// folded after 10, lifecycle status, skipped files, the store banner, waive commands, charts.
final class HTMLReportTriageTests: XCTestCase {
    typealias Item = (Finding, FindingContext)

    func render(_ items: [Item], language: Language = .de, state: StateRunInfo? = nil, rowLimit: Int = 500,
                trend: HTMLTrendSection? = nil) throws -> String {
        let sink = MemorySink()
        var w = HTMLReportWriter(sink: sink, rowLimit: rowLimit, trend: trend)
        var info = OutputFixtures.run(language)
        info.state = state
        var summary = RunSummary(finished: OutputFixtures.finished, inputs: info.inputs)
        try w.begin(run: info)
        for (f, c) in items {
            summary.count(f, context: c)
            try w.write(f, context: c)
        }
        try w.end(summary: summary)
        return sink.text
    }

    func fixture() -> [Item] { OutputFixtures.findings().map { ($0.0, FindingContext(waived: $0.1)) } }

    /// The part of the report after the overview and filters: the rule groups.
    func findingsSection(_ html: String) -> String {
        guard let a = html.range(of: "<section id=\"findings\""), let b = html.range(of: "<section id=\"charts\"") else { return "" }
        return String(html[a.lowerBound..<b.lowerBound])
    }

    func testGroupsOrderedBySeverityThenCountAndFirstScreenComesFirst() throws {
        var items = fixture()
        // A medium rule with more findings than the critical one must still come after it.
        let gap = items[4].0
        for i in 0..<5 {
            var f = gap
            f.fingerprint = "ff\(i)" + String(f.fingerprint.dropFirst(3))
            items.append((f, FindingContext()))
        }
        let html = try render(items)
        let order = ["id=\"rule-TW105\"", "id=\"rule-TW203\"", "id=\"rule-TW906\""].map { html.range(of: $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted(), "critical, then high, then medium")
        let overview = html.range(of: "id=\"overview\"")!.lowerBound
        XCTAssertLessThan(overview, order[0], "the overview comes before the first group")
        XCTAssertLessThan(html.range(of: "id=\"rule-TW105\"")!.lowerBound, html.range(of: "id=\"legal\"")!.lowerBound,
                          "the legal section is at the end")
        XCTAssertTrue(html.contains("<details id=\"legal\">"), "the legal section is folded")
    }

    func testGroupResolvedEntirelyComesLast() throws {
        var items = fixture()
        let resolved = FindingLifecycle(status: .resolved, firstSeen: 1_740_700_000, firstRun: 1, lastSeen: 1_740_700_000, lastRun: 1, resolvedRun: 2)
        items[0].1.lifecycle = resolved
        items[3].1.lifecycle = resolved
        let html = try render(items)
        XCTAssertLessThan(html.range(of: "id=\"rule-TW906\"")!.lowerBound, html.range(of: "id=\"rule-TW105\"")!.lowerBound,
                          "the critical rule whose findings were all resolved comes after the open medium one")
        XCTAssertEqual(html.components(separatedBy: "<div class=\"art33\">").count - 1, 0, "resolved findings are no Art. 33 candidates")
    }

    func testBerlinTimesAndGermanLabels() throws {
        let html = try render(fixture())
        let findings = findingsSection(html)
        // 1_740_990_000 = 2025-03-03T08:20:00Z = 03.03.2025 09:20 in Berlin.
        XCTAssertTrue(findings.contains("03.03.2025 09:20"))
        XCTAssertNil(findings.range(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d"#, options: .regularExpression), "no ISO time in the findings")
        XCTAssertTrue(findings.contains("<span class=\"k\">Empfänger-Organisation</span> Träger"))
        XCTAssertFalse(findings.contains(">destination_org<"))
        XCTAssertFalse(findings.contains("Erkennung</th>"), "no detector column")
        let en = findingsSection(try render(fixture(), language: .en))
        XCTAssertTrue(en.contains("<span class=\"k\">Recipient organisation</span> Provider"))
    }

    func testEvidenceTimestampsInBerlinTime() throws {
        var f = fixture()[0].0
        f.evidence = [Evidence(field: "start", value: "2025-01-31T23:00:00Z")]
        let html = try render([(f, FindingContext())])
        XCTAssertTrue(html.contains("<span class=\"k\">Beginn</span> 01.02.2025 00:00"), "a secondment starting 1 February")
    }

    func testUTCInstantsInsideTextsBecomeBerlinTimes() {
        XCTAssertEqual(HTMLReportWriter.berlinTimes(in: "Keine Einträge von 2025-10-06T06:15:00Z bis 2025-10-24T07:30Z."),
                       "Keine Einträge von 06.10.2025 08:15 bis 24.10.2025 09:30.")
        XCTAssertEqual(HTMLReportWriter.berlinTimes(in: "2025-13-06T06:15:00Z x"), "2025-13-06T06:15:00Z x", "no valid date: unchanged")
        XCTAssertEqual(HTMLReportWriter.berlinTimes(in: "TR-PC-07"), "TR-PC-07")
    }

    func testNoAlwaysEmptyColumns() throws {
        let html = try render(fixture())
        let tw105 = html.components(separatedBy: "id=\"rule-TW105\"")[1].components(separatedBy: "</section>")[0]
        XCTAssertFalse(tw105.contains("<th>Status</th>"), "no state, no waiver in this group: no status column")
        let tw203 = html.components(separatedBy: "id=\"rule-TW203\"")[1].components(separatedBy: "</section>")[0]
        XCTAssertTrue(tw203.contains("<th>Status</th>"), "the waived finding fills the status column")
        let tw906 = html.components(separatedBy: "id=\"rule-TW906\"")[1].components(separatedBy: "</section>")[0]
        XCTAssertTrue(tw906.contains("<th>Zeitpunkt</th>"), "one of two rows has a time")
        var noTime = fixture()[4]
        noTime.0.time = nil
        let only = try render([noTime])
        XCTAssertFalse(only.contains("<th>Zeitpunkt</th>"), "no row has a time: no time column")
    }

    func testArt33OncePerGroupWithClockFromRunWithoutState() throws {
        let html = try render(fixture())
        XCTAssertEqual(html.components(separatedBy: "<div class=\"art33\">").count - 1, 1)
        // Run start 2025-03-04T07:15:00Z = 08:15 Berlin; deadline +72 h.
        XCTAssertTrue(html.contains("Frist ab 04.03.2025 08:15 (Beginn dieses Prüflaufs) bis <strong>07.03.2025 08:15</strong>"))
        XCTAssertTrue(html.contains("id=\"criterion\""))
    }

    func testLifecycleStatusClockFromFirstSeenSkippedFilesAndStoreBanner() throws {
        var items = fixture()
        let seen: Int64 = 1_740_700_000  // 28.02.2025 00:46 Berlin
        items[0].1.lifecycle = FindingLifecycle(status: .open, firstSeen: seen, firstRun: 2, lastSeen: OutputFixtures.started, lastRun: 3)
        items[3].1.lifecycle = FindingLifecycle(status: .new, firstSeen: OutputFixtures.started, firstRun: 3, lastSeen: OutputFixtures.started, lastRun: 3)
        items[1].1.lifecycle = FindingLifecycle(status: .resolved, firstSeen: seen, firstRun: 1, lastSeen: seen, lastRun: 2, resolvedRun: 3)
        let state = StateRunInfo(runID: 3, skipped: [SkippedFile(path: "exporte/alt.csv", scannedInRun: 2, scannedAt: seen)], since: nil, fromStore: true)
        let html = try render(items, state: state)
        XCTAssertTrue(html.contains("unverändert, geprüft in Lauf 2"))
        XCTAssertTrue(html.contains("<code>exporte/alt.csv</code>"))
        XCTAssertTrue(html.contains("class=\"banner\">Aus der Zustandsdatenbank erstellt"))
        XCTAssertTrue(html.contains("<span class=\"st st-open\">weiterhin offen</span>"))
        XCTAssertTrue(html.contains("<span class=\"st st-resolved\">erledigt</span>"))
        XCTAssertTrue(html.contains("erledigt in Lauf 3"))
        XCTAssertTrue(html.contains("data-status=\"resolved\" data-open=\"0\""))
        XCTAssertTrue(html.contains("<option value=\"reopened\">"), "status filter offers the lifecycle states with state")
        // The clock counts from the earliest first sighting in the group.
        XCTAssertTrue(html.contains("Frist ab \(BerlinTime.dateTime(seen)) (erste Erkennung)"))
        XCTAssertTrue(html.contains("<span class=\"st st-new\">neu</span> 1"), "status counts on the first screen")
        let plain = try render(fixture())
        XCTAssertFalse(plain.contains("class=\"banner\""))
        XCTAssertFalse(plain.contains("<option value=\"reopened\">"))
    }

    func testMergedRecordsFoldedAfterTenWithTotal() throws {
        var f = fixture()[0].0
        f.others = (2...14).map { i in
            Occurrence(locator: Locator(file: "exporte/verbis_zugriffe.csv", line: 100 + i, byteOffset: Int64(i * 80), index: 99 + i),
                       time: 1_740_990_000 + Int64(i * 60), evidence: [Evidence(field: "destination_org", value: "traeger")])
        }
        f.occurrences = 16  // two more than kept
        let html = try render([(f, FindingContext())])
        XCTAssertTrue(html.contains("Zusammengeführte Datensätze: 16"))
        let open = html.components(separatedBy: "<details><summary>weitere")[0]
        XCTAssertTrue(open.contains("exporte/verbis_zugriffe.csv:12<"), "the first record")
        XCTAssertTrue(open.contains("exporte/verbis_zugriffe.csv:110<"), "the tenth record")
        XCTAssertFalse(open.contains("exporte/verbis_zugriffe.csv:111<"), "the eleventh is folded")
        XCTAssertTrue(html.contains("<details><summary>weitere 4 von 16 anzeigen</summary>"))
        XCTAssertTrue(html.contains("exporte/verbis_zugriffe.csv:114<"))
        XCTAssertTrue(html.contains("2 weitere Vorkommen nicht gespeichert"))
    }

    func testRowLimitPerGroupPointsToJSONLines() throws {
        let html = try render(fixture(), rowLimit: 1)
        XCTAssertEqual(html.components(separatedBy: "<tbody class=\"finding\"").count - 1, 3, "one row per group")
        XCTAssertTrue(html.contains("1 weitere Befunde dieser Regel sind hier nicht aufgeführt"))
        XCTAssertTrue(html.contains("--format jsonl="))
    }

    func testManyFindingsOfOneRuleStayBounded() throws {
        let base = fixture()[1].0
        let items: [Item] = (0..<20_000).map { i in
            var f = base
            f.fingerprint = String(i)
            return (f, FindingContext())
        }
        let html = try render(items)
        XCTAssertEqual(html.components(separatedBy: "<tbody class=\"finding\"").count - 1, 500)
        XCTAssertTrue(html.contains("19500 weitere Befunde dieser Regel sind hier nicht aufgeführt"))
        XCTAssertLessThan(html.utf8.count, 2_000_000)
    }

    func testWaiveCommandAndDecision() throws {
        var items = fixture()
        items[2].1.waived?.decision = .reportedArt33
        items[2].1.waived?.reportedOn = 1_741_042_800
        items[2].1.waived?.authorityReference = "LfD-2025/17"
        items[2].1.waived?.owner = "DSB"
        let html = try render(items)
        let command = "trennwand waive 3f1c0a9be2d54c7a8b6e1f0d2c3b4a59 --rule TW105 --decision false_positive --reason &quot;…&quot; --approver &quot;…&quot; --until 02.09.2025"
        XCTAssertTrue(html.contains(command), "the waive command in the agreed form")
        XCTAssertTrue(html.contains("<strong>Meldung nach Art. 33 erstattet</strong>") || html.contains("<strong>\(WaiverDecision.reportedArt33.label.de)</strong>"))
        XCTAssertTrue(html.contains("gemeldet am 04.03.2025"))
        XCTAssertTrue(html.contains("Az. der Behörde LfD-2025/17"))
        XCTAssertTrue(html.contains("verantwortlich DSB"))
    }

    func testChartsInReportLanguageAndBadgeColours() throws {
        var items = fixture()
        items[0].0.evidence.append(Evidence(field: "system", value: "VerBIS"))
        items[3].0.evidence.append(Evidence(field: "traeger", value: "Bildungsträger A"))
        let history = SeverityHistory(points: [
            .init(run: 1, started: 1_740_700_000, open: [.critical: 2, .high: 3]),
            .init(run: 2, started: 1_741_072_500, open: [.critical: 1, .medium: 4]),
        ])
        let trend = HTMLTrendSection(caption: Localized(de: "Verlauf", en: "History"), history: history)
        let de = try render(items, trend: trend)
        XCTAssertTrue(de.contains("Befunde je Träger"))
        XCTAssertTrue(de.contains("Befunde je System"))
        XCTAssertTrue(de.contains("Offene Befunde nach Schweregrad je Prüflauf"))
        XCTAssertTrue(de.contains(">kritisch</text>"), "legend in German")
        XCTAssertTrue(de.contains("fill=\"#82071e\""), "critical in its badge colour")
        XCTAssertTrue(HTMLReportAssets.style.contains(".badge.sev-critical { background: #82071e; }"))
        for s in Severity.allCases {
            XCTAssertTrue(HTMLReportAssets.style.contains(".badge.sev-\(s.rawValue) { background: \(SeverityCharts.color(s)); }"), s.rawValue)
        }
        let en = try render(items, language: .en, trend: trend)
        XCTAssertTrue(en.contains(">critical</text>"), "legend in English")
        XCTAssertFalse(en.contains(">kritisch</text>"))
        XCTAssertFalse(de.lowercased().contains("http://") || de.lowercased().contains("https://"), "no external reference")
    }

    func testArt33Criterion() {
        let f = fixture()
        let rules = Dictionary(uniqueKeysWithValues: OutputFixtures.rules.map { ($0.id, $0) })
        XCTAssertTrue(Art33Criterion.applies(f[0].0, rule: rules["TW105"]), "critical violation")
        XCTAssertFalse(Art33Criterion.applies(f[4].0, rule: rules["TW906"]), "a configuration gap never")
        XCTAssertFalse(Art33Criterion.applies(f[1].0, rule: rules["TW203"]), "high, untagged")
        var tagged = rules["TW203"]!
        tagged.tags = ["breach"]
        XCTAssertTrue(Art33Criterion.applies(f[1].0, rule: tagged), "high, tagged breach")
        var medium = f[1].0
        medium.severity = .medium
        XCTAssertFalse(Art33Criterion.applies(medium, rule: tagged), "medium, even if tagged")
        XCTAssertFalse(Art33Criterion.applies(f[0].0, rule: rules["TW105"], context: FindingContext(waived: OutputFixtures.waiver)), "decided by a waiver")
        let resolved = FindingLifecycle(status: .resolved, firstSeen: 0, firstRun: 1, lastSeen: 0, lastRun: 1, resolvedRun: 2)
        XCTAssertFalse(Art33Criterion.applies(f[0].0, rule: rules["TW105"], context: FindingContext(lifecycle: resolved)), "resolved")
    }
}
