import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import XCTest

/// A fixed synthetic run (no real data): 3 rules, 6 findings incl. a gap, a waived one, XML and CSV
/// locators, umlauts, a planted `<script>` and a `=HYPERLINK(...)` value.
enum OutputFixtures {
    static let started: Int64 = 1_741_072_500  // 2025-03-04T07:15:00Z
    static let finished: Int64 = 1_741_072_512

    static let dsgvo9 = Norm(citation: "Art. 9 DSGVO", title: "Verarbeitung besonderer Kategorien personenbezogener Daten", asOf: "2016-04-27")
    static let sgb1 = Norm(citation: "§ 35 Abs. 1 SGB I", title: "Sozialgeheimnis", asOf: "2024-01-01")
    static let sgbx = Norm(citation: "§ 67d SGB X", title: "Übermittlungsgrundsätze", asOf: "2024-01-01")
    static let bdsg = Norm(citation: "§ 22 BDSG", title: "Verarbeitung besonderer Kategorien", asOf: "2021-06-23")

    static let rules: [RuleDescriptor] = [
        RuleDescriptor(
            id: "TW105", title: Localized(de: "Export an Träger-Ziel", en: "Export to Träger destination"),
            description: Localized(de: "Sozialdaten wurden aus einem Jobcenter-System an ein Ziel des Trägers exportiert.",
                                   en: "Social data was exported from a Jobcenter system to a Träger destination."),
            severity: .critical, norms: [sgb1, sgbx],
            rationale: Localized(de: "Übermittlung nur mit Rechtsgrundlage (§ 67d SGB X).", en: "Transfer only with a legal basis (§ 67d SGB X)."),
            remediation: Localized(de: "Export stoppen, Empfänger zur Löschung auffordern, DSB informieren.",
                                   en: "Stop the export, ask the recipient to delete, inform the DPO."),
            tags: ["export", "breach"], findingClass: .violation, source: "zugriff/TW105-export-an-traeger.yaml"),
        RuleDescriptor(
            id: "TW203", title: Localized(de: "Gesundheitsdaten in Trägerdokumentation", en: "Health data in Träger documentation"),
            description: Localized(de: "Ein Dokumentationstext enthält Gesundheitsangaben.", en: "A documentation text contains health data."),
            severity: .high, norms: [dsgvo9, bdsg],
            rationale: Localized(de: "Besondere Kategorien brauchen eine ausdrückliche Grundlage.", en: "Special categories need an explicit basis."),
            remediation: Localized(de: "Eintrag prüfen und Gesundheitsangaben entfernen.", en: "Review the entry and remove health data."),
            tags: ["dokumentation"], findingClass: .violation, source: "dokumentation/TW203-gesundheit.yaml"),
        RuleDescriptor(
            id: "TW906", title: Localized(de: "Unbekannte Benutzerkennung", en: "Unknown account"),
            description: Localized(de: "Eine Kennung im Log ist in den Stammdaten nicht bekannt.", en: "An account in the log is not in the reference data."),
            severity: .medium, norms: [Norm(citation: "§ 79 SGB X", title: "Protokollierung", asOf: "2024-01-01")],
            rationale: Localized(de: "Ohne Zuordnung ist keine Prüfung möglich.", en: "Without a mapping no check is possible."),
            remediation: Localized(de: "Kennung in staff.csv nachtragen.", en: "Add the account to staff.csv."),
            tags: ["konfiguration"], findingClass: .gap, source: "log/TW906-unbekannt.yaml"),
    ]

    static func inputs() -> [InputAccount] {
        var a = InputAccount(file: "exporte/verbis_zugriffe.csv", profile: "verbis-csv")
        for _ in 0..<120 { a.countNormalised() }
        a.reject(Rejection(locator: Locator(file: "exporte/verbis_zugriffe.csv", line: 17, byteOffset: 1_204, index: 16),
                           reason: RejectReason(code: "csv.ragged-row", de: "Zeile hat 9 statt 11 Felder", en: "row has 9 instead of 11 fields")))
        a.reject(Rejection(locator: Locator(file: "exporte/verbis_zugriffe.csv", line: 44, byteOffset: 3_310, index: 43),
                           reason: RejectReason(code: "value.bad-date", de: "Zeitpunkt nicht lesbar: <b>31.02.</b>", en: "time not readable: <b>31.02.</b>")))
        var b = InputAccount(file: "exporte/träger_doku.xml", profile: "traeger-xml")
        for _ in 0..<40 { b.countNormalised() }
        return [a, b]
    }

    static func run(_ language: Language = .de, failOn: Severity? = .high) -> RunInfo {
        RunInfo(toolVersion: "0.9.0-test", started: started, finished: finished, rulePackHash: "rp-5f3a9c",
                rules: rules, inputs: inputs(), language: language, failOn: failOn)
    }

    static let waiver = WaiverInfo(reason: "Testexport, Empfänger vertraglich gebunden; Prüfung bis Q2 <ok>",
                                   approver: "Datenschutzbeauftragte JC", created: 1_740_787_200, expires: 1_751_241_600)

    static func findings() -> [(Finding, WaiverInfo?)] {
        let csv = "exporte/verbis_zugriffe.csv"
        let xml = "exporte/träger_doku.xml"
        let r = rules
        return [
            (Finding(ruleID: "TW105", title: r[0].title, severity: .critical, findingClass: .violation, norms: r[0].norms,
                     locator: Locator(file: csv, line: 12, byteOffset: 880, index: 11), time: 1_740_990_000,
                     evidence: [Evidence(field: "destination_org", value: "traeger"), Evidence(field: "subject", detector: "kundennummer", value: "12******")],
                     persons: ["actor": "P-1a2b3c4d5e6f", "subject": "P-0f9e8d7c6b5a"], remediation: r[0].remediation,
                     fingerprint: "3f1c0a9be2d54c7a8b6e1f0d2c3b4a59"), nil),
            (Finding(ruleID: "TW203", title: r[1].title, severity: .high, findingClass: .violation, norms: r[1].norms,
                     locator: Locator(file: xml, line: 7, column: 5, byteOffset: 412, index: 2, recordID: "DOK-2025-0042"), time: 1_740_996_600,
                     evidence: [Evidence(field: "text", detector: "gesundheit", value: "Diagnose: <script>alert(1)</script> – Rückenleiden", piece: 0, range: 10..<30)],
                     persons: ["author": "P-77aa88bb99cc", "subject": "P-0f9e8d7c6b5a"], remediation: r[1].remediation,
                     fingerprint: "a0b1c2d3e4f5061728394a5b6c7d8e9f"), nil),
            (Finding(ruleID: "TW203", title: r[1].title, severity: .high, findingClass: .violation, norms: r[1].norms,
                     locator: Locator(file: xml, line: 31, column: 5, byteOffset: 2_020, index: 5, recordID: "DOK-2025-0047"), time: 1_741_003_200,
                     evidence: [Evidence(field: "text", detector: "gesundheit", value: "=HYPERLINK(\"mailto:x@example.invalid\";\"Klick\")")],
                     persons: ["author": "P-77aa88bb99cc"], remediation: r[1].remediation,
                     fingerprint: "b1c2d3e4f5061728394a5b6c7d8e9fa0"), waiver),
            (Finding(ruleID: "TW105", title: r[0].title, severity: .critical, findingClass: .violation, norms: r[0].norms,
                     locator: Locator(file: csv, line: 58, byteOffset: 4_410, index: 57), time: 1_741_010_400,
                     evidence: [Evidence(field: "channel", value: "+E-Mail;extern \"privat\"\nzweite Zeile\u{01}")],
                     persons: ["actor": "P-1a2b3c4d5e6f"], remediation: r[0].remediation,
                     fingerprint: "c2d3e4f5061728394a5b6c7d8e9fa0b1",
                     detail: Localized(de: "3 Exporte in 10 Minuten (Schwelle 1)", en: "3 exports in 10 minutes (threshold 1)")), nil),
            (Finding(ruleID: "TW906", title: r[2].title, severity: .medium, findingClass: .gap, norms: r[2].norms,
                     locator: Locator(file: csv, line: 90, byteOffset: 7_100, index: 89), time: nil,
                     evidence: [Evidence(field: "actor", value: "@X******")],
                     persons: ["actor": "P-5566778899aa"], remediation: r[2].remediation,
                     fingerprint: "d3e4f5061728394a5b6c7d8e9fa0b1c2"), nil),
            (Finding(ruleID: "TW906", title: r[2].title, severity: .medium, findingClass: .gap, norms: r[2].norms,
                     locator: Locator(file: csv, line: 91, byteOffset: 7_180, index: 90), time: 1_741_020_000,
                     evidence: [Evidence(field: "actor", value: "-Müller ß")],
                     persons: [:], remediation: r[2].remediation,
                     fingerprint: "e4f5061728394a5b6c7d8e9fa0b1c2d3"), nil),
        ]
    }

    /// Streams the fixture run through `writer` and returns the counted summary.
    @discardableResult
    static func stream<W: FindingWriter>(_ writer: inout W, language: Language = .de, failOn: Severity? = .high,
                                         findings: [(Finding, WaiverInfo?)] = findings()) throws -> RunSummary {
        let info = run(language, failOn: failOn)
        var summary = RunSummary(finished: finished, inputs: info.inputs)
        try writer.begin(run: info)
        for (f, w) in findings {
            summary.count(f, waived: w)
            try writer.write(f, waived: w)
        }
        try writer.end(summary: summary)
        return summary
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var goldenDir: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden") }

    /// Compares `actual` with `Golden/<name>` byte for byte; with `TRENNWAND_UPDATE_GOLDEN=1` the
    /// golden file is (re)written instead.
    static func assertGolden(_ actual: [UInt8], _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = goldenDir.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["TRENNWAND_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenDir, withIntermediateDirectories: true)
            try Data(actual).write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            XCTFail("missing golden file \(name); run with TRENNWAND_UPDATE_GOLDEN=1", file: file, line: line)
            return
        }
        if Array(expected) != actual {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("actual-" + name)
            try? Data(actual).write(to: out)
            XCTFail("\(name) differs from golden file; actual output at \(out.path)", file: file, line: line)
        }
    }
}
