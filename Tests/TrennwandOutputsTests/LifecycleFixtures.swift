import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords

/// A second synthetic run (issue #14), used only by the machine-output tests (not by the HTML
/// goldens): a state run that skipped one file, compared against a baseline. It holds a finding
/// merged from 3 records, findings with lifecycle status new / open / reopened / resolved, one per
/// baseline state (new, unchanged, absent) and a waived one.
enum LifecycleFixtures {
    static let csv = "exporte/verbis_zugriffe.csv"
    static let xml = "exporte/träger_doku.xml"

    static func run(_ language: Language = .de, failOn: Severity? = .high) -> RunInfo {
        var info = OutputFixtures.run(language, failOn: failOn)
        info.state = StateRunInfo(runID: 7, skipped: [SkippedFile(path: "exporte/alt/zugriffe_2024.csv", scannedInRun: 5, scannedAt: 1_740_900_000)])
        return info
    }

    static func life(_ status: FindingStatus, resolved: Int64? = nil) -> FindingLifecycle {
        FindingLifecycle(status: status, firstSeen: 1_740_900_000, firstRun: 5, lastSeen: OutputFixtures.started, lastRun: 7, resolvedRun: resolved)
    }

    /// The finding merged from three records (same fingerprint, three access lines).
    static func merged() -> Finding {
        let r = OutputFixtures.rules
        var f = Finding(ruleID: "TW105", title: r[0].title, severity: .critical, findingClass: .violation, norms: r[0].norms,
                        locator: Locator(file: csv, line: 120, byteOffset: 9_000, index: 119), time: 1_741_030_000,
                        evidence: [Evidence(field: "destination_org", value: "traeger"), Evidence(field: "subject", detector: "kundennummer", value: "96******")],
                        persons: ["actor": "P-1a2b3c4d5e6f", "subject": "P-abcdef012345"], remediation: r[0].remediation,
                        fingerprint: "f0e1d2c3b4a5968778695a4b3c2d1e0f")
        f.occurrences = 3
        f.others = [
            Occurrence(locator: Locator(file: csv, line: 133, byteOffset: 9_900, index: 132), time: 1_741_031_200,
                       evidence: [Evidence(field: "destination_org", value: "traeger"), Evidence(field: "subject", detector: "kundennummer", value: "96******")]),
            Occurrence(locator: Locator(file: xml, line: 48, column: 3, byteOffset: 3_100, index: 9, recordID: "DOK-2025-0051"), time: 1_741_032_400,
                       evidence: [Evidence(field: "destination_org", value: "traeger")]),
        ]
        return f
    }

    static func findings() -> [(Finding, FindingContext)] {
        let base = OutputFixtures.findings()
        return [
            (merged(), FindingContext(lifecycle: life(.new), baseline: .new)),
            (base[0].0, FindingContext(lifecycle: life(.open), baseline: .unchanged)),
            (base[1].0, FindingContext(lifecycle: life(.reopened), baseline: .new)),
            (base[2].0, FindingContext(waived: base[2].1, lifecycle: life(.waived), baseline: .unchanged)),
            (base[4].0, FindingContext(lifecycle: life(.open), baseline: .unchanged)),
            (base[3].0, FindingContext(lifecycle: life(.resolved, resolved: 7), baseline: nil)),
        ]
    }

    /// A baseline entry no longer found: written as `absent` by the fan-out at the end.
    static let absent = Baseline.Entry(fingerprint: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", ruleID: "TW203", severity: .high,
                                       findingClass: .violation, title: "Gesundheitsdaten in Trägerdokumentation", file: xml, line: 77,
                                       time: 1_740_000_000, evidence: [Evidence(field: "text", detector: "gesundheit", value: "Diagnose: ****")])

    /// Streams the run through `writer` as the CLI does (a `FanoutWriter`, which also writes the
    /// absent baseline entry) and returns the counted summary.
    @discardableResult
    static func stream(_ writer: any FindingWriter, language: Language = .de, failOn: Severity? = .high) throws -> RunSummary {
        let info = run(language, failOn: failOn)
        var fan = FanoutWriter([writer])
        try fan.begin(run: info)
        for (f, c) in findings() { try fan.write(f, context: c) }
        try fan.end(summary: RunSummary(finished: OutputFixtures.finished, inputs: info.inputs,
                                        baseline: BaselineCounts(new: 2, unchanged: 3, gone: 1, absent: [absent])))
        return fan.summary
    }
}
