import TrennwandFindings
import TrennwandRecords

/// JUnit XML for CI test views: one `<testsuite>` per run.
///
/// Test cases: every rule of the run is a test case that passes (it shows what was checked), and
/// every failing finding is a test case of its own with exactly one `<failure>`. The findings that
/// do not fail (waived, below `RunInfo.failOn`, known from the baseline, resolved, absent) are lines
/// of the suite's `<system-out>`, each led by its rule id. That shape is what the Apache Ant JUnit
/// schema (windyroad JUnit.xsd, kept in Tests/data/junit/) accepts: at most one `<failure>` and no
/// `<system-out>` in a test case, `<system-out>`/`<system-err>` required at the end of a suite, no
/// attributes on `<testsuites>`, `package`, `id` and `hostname` required on its suites. `hostname`
/// is always `localhost` (allowed by the schema when it is not determined): reports name no
/// machine of the auditing office and golden files stay byte-stable. A
/// finding fails when it is open (not waived, not resolved, not absent), at or above `failOn`,
/// and — with a baseline — new. Known findings are passed lines marked `[bekannt]`/`[known]`,
/// not `<skipped>`: they were checked, and CI views count skipped tests as "not run".
/// Counts: `tests` = rules + failing findings, `failures` = failing findings. The suite is
/// buffered until `end` because its counts come first; findings are kept as rendered fragments only.
package struct JUnitWriter: FindingWriter {
    package var showsAbsentBaselineEntries: Bool { true }
    package let sink: any OutputSink
    private var run: RunInfo?
    private var order: [String] = []
    private var names: [String: String] = [:]
    private var failures: [String: [String]] = [:]
    private var outLines: [String: [String]] = [:]
    private var failingFindings = 0
    private var known = 0

    package init(sink: any OutputSink) { self.sink = sink }

    package mutating func begin(run: RunInfo) throws {
        let run = run.neutralised
        self.run = run
        for r in run.rules where names[r.id] == nil {
            order.append(r.id)
            names[r.id] = r.id + " " + r.title.text(run.language)
        }
    }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        let finding = finding.neutralised, waived = context.waived?.neutralised
        let lang = run?.language ?? .de
        let de = lang == .de
        if names[finding.ruleID] == nil {
            order.append(finding.ruleID)
            names[finding.ruleID] = finding.ruleID + " " + finding.title.text(lang)
        }
        let loc = finding.locator.description
        let evidence = finding.evidence.map { "\($0.field)\($0.detector.map { "/" + $0 } ?? ""): \($0.value)" }.joined(separator: "; ")
        let open = OutputSupport.isOpen(context)
        let atThreshold = run?.failOn.map { finding.severity >= $0 } ?? false
        if open && atThreshold && context.baseline == .unchanged { known += 1 }
        if open && atThreshold && context.baseline != .unchanged {
            failingFindings += 1
            var body: [String] = [
                (de ? "Ort: " : "Location: ") + loc,
                (de ? "Schweregrad: " : "Severity: ") + finding.severity.label.text(lang) + ", " + CSVWriter.classLabel(finding.findingClass).text(lang),
            ]
            if context.baseline == .new { body.append(de ? "Baseline: neu" : "Baseline: new") }
            if let status = context.lifecycle?.status { body.append((de ? "Status: " : "Status: ") + status.label.text(lang)) }
            if let d = finding.detail { body.append(d.text(lang)) }
            if !evidence.isEmpty { body.append((de ? "Evidenz: " : "Evidence: ") + evidence) }
            if finding.occurrences > 1 {
                let places = OutputSupport.locators(finding).joined(separator: ", ") + (finding.occurrencesTruncated ? ", …" : "")
                body.append((de ? "Datensätze: \(finding.occurrences) (" : "Records: \(finding.occurrences) (") + places + ")")
            }
            if !finding.persons.isEmpty {
                body.append((de ? "Personen: " : "Persons: ") + finding.persons.keys.sorted().map { "\($0)=\(finding.persons[$0]!)" }.joined(separator: ", "))
            }
            if !finding.norms.isEmpty { body.append((de ? "Normen: " : "Norms: ") + finding.norms.map(\.citation).joined(separator: "; ")) }
            body.append((de ? "Maßnahme: " : "Remediation: ") + finding.remediation.text(lang))
            body.append((de ? "Fingerabdruck: " : "Fingerprint: ") + finding.fingerprint)
            let name = (names[finding.ruleID] ?? finding.ruleID) + " – " + loc + " (" + String(finding.fingerprint.prefix(8)) + ")"
            failures[finding.ruleID, default: []].append(
                "    <testcase classname=\"" + XML.escape("trennwand." + finding.ruleID, attribute: true) + "\" name=\""
                    + XML.escape(name, attribute: true) + "\" time=\"0\">\n"
                    + "      <failure type=\"" + XML.escape(finding.severity.rawValue, attribute: true) + "\" message=\""
                    + XML.escape(finding.title.text(lang) + " (" + loc + ")", attribute: true) + "\">"
                    + XML.escape(body.joined(separator: "\n")) + "</failure>\n    </testcase>\n")
        } else {
            var line = "[" + finding.severity.rawValue + "] "
            if context.baseline == .unchanged { line += de ? "[bekannt] " : "[known] " }
            if context.baseline == .absent { line += de ? "[entfallen] " : "[absent] " }
            if context.lifecycle?.status == .resolved { line += de ? "[erledigt] " : "[resolved] " }
            line += loc + " " + finding.title.text(lang)
            if !evidence.isEmpty { line += " (" + evidence + ")" }
            if finding.occurrences > 1 { line += de ? " [\(finding.occurrences) Datensätze]" : " [\(finding.occurrences) records]" }
            if let w = waived {
                line += de ? " – Ausnahme: " : " – waived: "
                line += w.reason + " (" + w.approver + (w.expires.map { (de ? ", bis " : ", until ") + OutputSupport.isoDate($0) } ?? "") + ")"
            }
            line += " " + finding.fingerprint
            outLines[finding.ruleID, default: []].append(line)
        }
    }

    package mutating func end(summary: RunSummary) throws {
        let summary = summary.neutralised
        guard let run else { return }
        let tests = order.count + failingFindings
        let seconds = String(max(0, summary.finished - run.started))
        let stamp = String(CivilTime.iso8601(run.started).dropLast())  // JUnit timestamps carry no zone
        let counts = "tests=\"\(tests)\" failures=\"\(failingFindings)\" errors=\"0\" skipped=\"0\" time=\"\(seconds)\""
        var head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        head += "<testsuites>\n"
        head += "  <testsuite name=\"trennwand\" package=\"trennwand\" id=\"0\" hostname=\"localhost\" \(counts) timestamp=\"\(stamp)\">\n"
        head += "    <properties>\n"
        func property(_ name: String, _ value: String) -> String {
            "      <property name=\"" + XML.escape(name, attribute: true) + "\" value=\"" + XML.escape(value, attribute: true) + "\"/>\n"
        }
        head += property("trennwand.version", run.toolVersion)
        head += property("trennwand.rulePack", run.rulePackHash)
        head += property("trennwand.failOn", run.failOn?.rawValue ?? "none")
        head += property("trennwand.findings", String(summary.total))
        head += property("trennwand.failingFindings", String(failingFindings))
        if summary.baseline != nil {
            head += property("trennwand.baseline.new", String(summary.byBaselineState[.new] ?? 0))
            head += property("trennwand.baseline.unchanged", String(summary.byBaselineState[.unchanged] ?? 0))
            head += property("trennwand.baseline.absent", String(summary.byBaselineState[.absent] ?? 0))
            head += property("trennwand.baseline.knownAtOrAboveFailOn", String(known))
        }
        if let state = run.state { head += property("trennwand.stateRun", String(state.runID)) }
        head += property("trennwand.recordsRead", String(summary.recordsRead))
        head += property("trennwand.recordsEvaluated", String(summary.recordsEvaluated))
        head += property("trennwand.recordsRejected", String(summary.recordsRejected))
        head += "    </properties>\n"
        try sink.write(head)
        var outs: [String] = []
        for id in order {
            let tc = "    <testcase classname=\"" + XML.escape("trennwand." + id, attribute: true) + "\" name=\""
                + XML.escape(names[id] ?? id, attribute: true) + "\" time=\"0\"/>\n"
            try sink.write(tc + (failures[id] ?? []).joined())
            outs += (outLines[id] ?? []).map { id + " " + $0 }
        }
        try sink.write("    <system-out>" + XML.escape(outs.joined(separator: "\n")) + "</system-out>\n    <system-err></system-err>\n")
        try sink.write("  </testsuite>\n</testsuites>\n")
        try sink.flush()
    }
}

/// XML escaping for JUnit, through the one markup escaper (`MarkupEscaper`): element content
/// keeps quotes, attribute values get references for quotes and for TAB, LF, CR.
enum XML {
    static func escape(_ s: String, attribute: Bool = false) -> String {
        MarkupEscaper.escape(s, attribute ? .xmlAttribute : .xmlText)
    }
}
