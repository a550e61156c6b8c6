import Foundation
import TrennwandFindings
@testable import TrennwandOutputs
import TrennwandRecords
import XCTest

/// The report's legal section and imprint notes (issue #15 item 3): norms grouped by law with
/// summary, binding party, last amendment and citing rules; DPO decisions labelled as such;
/// § 67c Abs. 4 SGB X and co-determination in the run facts; § 83a SGB X beside Art. 33.
final class HTMLLegalSectionTests: XCTestCase {
    static let sgb1 = Norm(citation: "§ 35 Abs. 1 SGB I", title: "Sozialgeheimnis", asOf: "2019-11-26",
                           summary: "Leistungsträger dürfen Sozialdaten nicht unbefugt verarbeiten.", binds: "jobcenter",
                           source: "buzer.de", lastAmended: "2019-11-26")
    static let sgb1s2 = Norm(citation: "§ 35 Abs. 1 S. 2 SGB I", title: "Sozialgeheimnis", asOf: "unknown",
                             summary: "Auch innerhalb des Leistungsträgers nur Befugte.", binds: "jobcenter", lastAmended: "unknown")
    static let betrvg = Norm(citation: "§ 87 Abs. 1 Nr. 6 BetrVG", title: "Mitbestimmungsrechte", asOf: "unknown",
                             summary: "Der Betriebsrat bestimmt mit bei technischer Überwachung.", binds: "traeger", lastAmended: "unknown")
    static let dsgvo = Norm(citation: "Art. 5 Abs. 1 lit. c DSGVO", title: "Grundsätze", asOf: "2016-04-27",
                            summary: "Datenminimierung.", binds: "both", lastAmended: "2016-04-27")
    static let sgbx = Norm(citation: "§ 67d Abs. 1 SGB X", title: "Übermittlungsgrundsätze", asOf: "2024-01-01", binds: "jobcenter")

    func rules() -> [RuleDescriptor] {
        var r = OutputFixtures.rules
        r[0].norms = [Self.sgb1s2, Self.sgbx, Self.sgb1]
        var decided = Self.dsgvo
        decided.policyDecision = "Festlegung der Trennungsmatrix (Datenschutzbeauftragte): strenger als das Gesetz."
        r[1].norms = [decided, Self.sgb1]
        r[2].norms = [Self.betrvg]
        return r
    }

    func render(_ language: Language) throws -> String {
        let sink = MemorySink()
        var w = HTMLReportWriter(sink: sink)
        var info = OutputFixtures.run(language)
        info.rules = rules()
        try w.begin(run: info)
        var summary = RunSummary(finished: OutputFixtures.finished, inputs: info.inputs)
        for (f, waiver) in OutputFixtures.findings() {
            var f = f
            f.norms = info.rules.first { $0.id == f.ruleID }!.norms
            summary.count(f, waived: waiver)
            try w.write(f, waived: waiver)
        }
        try w.end(summary: summary)
        return sink.text
    }

    func legal(_ html: String) -> String {
        guard let a = html.range(of: "<details id=\"legal\">"), let b = html.range(of: "</details>", range: a.upperBound..<html.endIndex) else {
            XCTFail("no legal section")
            return ""
        }
        return String(html[a.lowerBound..<b.upperBound])
    }

    func testLawFromCitationTail() {
        let cases = [
            ("§ 35 Abs. 1 S. 2 SGB I", "SGB I"), ("§ 14 SGB II", "SGB II"), ("§ 67c Abs. 2 Nr. 1 SGB X", "SGB X"),
            ("§ 22 Abs. 2 S. 2 Nr. 5 BDSG", "BDSG"), ("Art. 5 Abs. 1 lit. b DSGVO", "DSGVO"), ("Art. 9 DSGVO", "DSGVO"),
            ("§ 80 Abs. 1 Nr. 21 BPersVG", "BPersVG"), ("§ 87 Abs. 1 Nr. 6 BetrVG", "BetrVG"),
            ("Anhang I VO (EU) 2021/1057", "VO (EU) 2021/1057"), ("§ 139b Abs. 2 AO", "AO"),
            ("§ 1 Abs. 2 der Verordnung zur Erhebung der Daten nach § 51b SGB II", "Verordnung zur Erhebung der Daten nach § 51b SGB II"),
            ("§ 50 Abs. 1 SGB II i. V. m. § 67d SGB X", "SGB II"),
        ]
        for (citation, law) in cases { XCTAssertEqual(LegalSection.law(of: citation), law, citation) }
        XCTAssertTrue(LegalSection.precedes("§ 9 SGB II", "§ 14 SGB II", law: "SGB II"))
        XCTAssertTrue(LegalSection.precedes("§ 35 Abs. 1 SGB I", "§ 35 Abs. 1 S. 2 SGB I", law: "SGB I"))
    }

    func testNormsGroupedByLawInStatuteOrder() throws {
        let section = legal(try render(.de))
        let heads = ["<h3>SGB I</h3>", "<h3>SGB X</h3>", "<h3>DSGVO</h3>", "<h3>BetrVG</h3>"]
        let at = try heads.map { try XCTUnwrap(section.range(of: $0)?.lowerBound, "one heading per law: \($0)") }
        XCTAssertEqual(at, at.sorted(), "SGB books, then DSGVO, then BetrVG")
        XCTAssertEqual(section.components(separatedBy: "<h3>").count - 1, 4, "no other law")
        // Each norm under its own law, once, a provision before its parts.
        let sgb1 = section[at[0]..<at[1]]
        let whole = try XCTUnwrap(sgb1.range(of: "<strong>§ 35 Abs. 1 SGB I</strong>")), part = try XCTUnwrap(sgb1.range(of: "<strong>§ 35 Abs. 1 S. 2 SGB I</strong>"))
        XCTAssertLessThan(whole.lowerBound, part.lowerBound)
        let partLine = try XCTUnwrap(section.components(separatedBy: "\n").first { $0.contains("<strong>§ 35 Abs. 1 S. 2 SGB I</strong>") })
        XCTAssertFalse(partLine.contains("Sozialgeheimnis"), "a part of a provision does not repeat the title shown just above: \(partLine)")
        XCTAssertEqual(section.components(separatedBy: "<strong>§ 35 Abs. 1 SGB I</strong>").count, 2, "a norm cited by two rules is listed once")
        XCTAssertTrue(section[at[3]...].contains("§ 87 Abs. 1 Nr. 6 BetrVG"))
        XCTAssertTrue(section.contains("Leistungsträger dürfen Sozialdaten nicht unbefugt verarbeiten."), "the summary")
        XCTAssertTrue(section.contains("<summary>Rechtsgrundlagen: 5 Normen aus 4 Gesetzen</summary>"), section)
    }

    func testBindingLastAmendmentRulesAndDecisions() throws {
        for (lang, labels) in [(Language.de, ["bindet: Jobcenter", "bindet: Träger", "bindet: beide", "letzte Änderung: 26.11.2019", "letzte Änderung: unbekannt", "Festlegung der Trennungsmatrix (Datenschutzbeauftragte): <a href=\"#rule-TW203\">"]),
                               (.en, ["binds: Jobcenter", "binds: provider (Träger)", "binds: both", "last amended: 2019-11-26", "last amended: unknown", "Decision of the separation matrix (data-protection officer): <a href=\"#rule-TW203\">"])] {
            let section = legal(try render(lang))
            for l in labels { XCTAssertTrue(section.contains(l), "\(lang): \(l)") }
            // § 35 Abs. 1 SGB I: cited by TW105 and TW203, neither as a decision of the matrix.
            let line = try XCTUnwrap(section.components(separatedBy: "\n").first { $0.contains("<strong>§ 35 Abs. 1 SGB I</strong>") })
            XCTAssertTrue(line.contains("<code>TW105</code></a>, <a href=\"#rule-TW203\"><code>TW203</code></a>"), line)
            XCTAssertFalse(line.contains(LegalSection.policyLabel.text(lang)), line)
            // A norm without a summary or binding party still appears, with a dash for the party.
            let sgbx = try XCTUnwrap(section.components(separatedBy: "\n").first { $0.contains("§ 67d Abs. 1 SGB X") })
            XCTAssertTrue(sgbx.contains(lang == .de ? "bindet: Jobcenter" : "binds: Jobcenter"), sgbx)
        }
    }

    func testLegalSectionExpandedInPrint() throws {
        let html = try render(.de)
        XCTAssertTrue(html.contains("details#legal::details-content { content-visibility: visible; display: block; }"))
        XCTAssertTrue(HTMLReportAssets.script.contains("beforeprint"))
        let print = try XCTUnwrap(HTMLReportAssets.style.range(of: "@media print"))
        XCTAssertNotNil(HTMLReportAssets.style.range(of: "details#legal::details-content", range: print.upperBound..<HTMLReportAssets.style.endIndex),
                        "the expansion is in the print stylesheet only")
    }

    func testImprintNotesInBothLanguages() throws {
        let de = try render(.de), en = try render(.en)
        func facts(_ html: String) -> String {
            guard let a = html.range(of: "<section id=\"facts\">"), let b = html.range(of: "</section>", range: a.upperBound..<html.endIndex) else { return "" }
            return String(html[a.lowerBound..<b.upperBound])
        }
        let fde = facts(de), fen = facts(en)
        for s in ["§ 67c Abs. 4 SGB X", "Dieser Bericht und die Zustandsdatenbank fallen darunter", "Mitbestimmung",
                  "§ 80 Abs. 1 Nr. 21 BPersVG", "§ 44h Abs. 1 SGB II", "§ 87 Abs. 1 Nr. 6 BetrVG", "pseudonymisiert", "keine Rechtsberatung"] {
            XCTAssertTrue(fde.contains(s), "de: \(s)")
        }
        for s in ["§ 67c Abs. 4 SGB X", "This report and the state database fall under it", "Co-determination",
                  "§ 80 Abs. 1 Nr. 21 BPersVG", "§ 44h Abs. 1 SGB II", "§ 87 Abs. 1 Nr. 6 BetrVG", "pseudonymous", "not legal advice"] {
            XCTAssertTrue(fen.contains(s), "en: \(s)")
        }
        XCTAssertFalse(fen.contains("Zustandsdatenbank"), "no German note in the English report")
    }

    func testArt33HintNames83a() throws {
        for (lang, box) in [(Language.de, "Art. 33 DSGVO, § 83a SGB X – 72-Stunden-Frist prüfen"), (.en, "Art. 33 GDPR, § 83a SGB X – check the 72-hour deadline")] {
            let html = try render(lang)
            XCTAssertTrue(html.contains(box), "\(lang): group box")
            let criterion = try XCTUnwrap(html.range(of: "<section id=\"criterion\">"))
            XCTAssertTrue(html[criterion.lowerBound...].prefix(3_000).contains("§ 83a SGB X"), "\(lang): criterion text")
        }
    }
}
