import TrennwandFindings
import TrennwandRecords

/// JUnit XML for CI test views: one `<testsuite>` per run, one `<testcase>` per rule.
///
/// Every rule of the run is a test case (a rule without findings passes, which shows what was
/// checked). Each open finding at or above `RunInfo.failOn` is a `<failure>` in its rule's test case;
/// findings below the threshold and waived findings are lines in `<system-out>`. Counts: `tests` =
/// rules, `failures` = rules with at least one failure (JUnit counts test cases, not findings; the
/// finding count is the property `trennwand.failingFindings`). The suite is buffered per rule
/// until `end` because its counts come first; findings are kept as rendered fragments only.
package struct JUnitWriter: FindingWriter {
    package let sink: any OutputSink
    private var run: RunInfo?
    private var order: [String] = []
    private var names: [String: String] = [:]
    private var failures: [String: [String]] = [:]
    private var outLines: [String: [String]] = [:]
    private var failingFindings = 0

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
        if let failOn = run?.failOn, waived == nil, finding.severity >= failOn {
            failingFindings += 1
            var body: [String] = [
                (de ? "Ort: " : "Location: ") + loc,
                (de ? "Schweregrad: " : "Severity: ") + finding.severity.label.text(lang) + ", " + CSVWriter.classLabel(finding.findingClass).text(lang),
            ]
            if let d = finding.detail { body.append(d.text(lang)) }
            if !evidence.isEmpty { body.append((de ? "Evidenz: " : "Evidence: ") + evidence) }
            if !finding.persons.isEmpty {
                body.append((de ? "Personen: " : "Persons: ") + finding.persons.keys.sorted().map { "\($0)=\(finding.persons[$0]!)" }.joined(separator: ", "))
            }
            if !finding.norms.isEmpty { body.append((de ? "Normen: " : "Norms: ") + finding.norms.map(\.citation).joined(separator: "; ")) }
            body.append((de ? "Maßnahme: " : "Remediation: ") + finding.remediation.text(lang))
            body.append((de ? "Fingerabdruck: " : "Fingerprint: ") + finding.fingerprint)
            failures[finding.ruleID, default: []].append(
                "      <failure type=\"" + XML.escape(finding.severity.rawValue, attribute: true) + "\" message=\""
                    + XML.escape(finding.title.text(lang) + " (" + loc + ")", attribute: true) + "\">"
                    + XML.escape(body.joined(separator: "\n")) + "</failure>\n")
        } else {
            var line = "[" + finding.severity.rawValue + "] " + loc + " " + finding.title.text(lang)
            if !evidence.isEmpty { line += " (" + evidence + ")" }
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
        let failing = order.filter { failures[$0] != nil }.count
        let seconds = String(max(0, summary.finished - run.started))
        let stamp = String(CivilTime.iso8601(run.started).dropLast())  // JUnit timestamps carry no zone
        let counts = "tests=\"\(order.count)\" failures=\"\(failing)\" errors=\"0\" skipped=\"0\" time=\"\(seconds)\""
        var head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        head += "<testsuites name=\"Trennwand\" \(counts)>\n"
        head += "  <testsuite name=\"trennwand\" \(counts) timestamp=\"\(stamp)\">\n"
        head += "    <properties>\n"
        func property(_ name: String, _ value: String) -> String {
            "      <property name=\"" + XML.escape(name, attribute: true) + "\" value=\"" + XML.escape(value, attribute: true) + "\"/>\n"
        }
        head += property("trennwand.version", run.toolVersion)
        head += property("trennwand.rulePack", run.rulePackHash)
        head += property("trennwand.failOn", run.failOn?.rawValue ?? "none")
        head += property("trennwand.findings", String(summary.total))
        head += property("trennwand.failingFindings", String(failingFindings))
        head += property("trennwand.recordsRead", String(summary.recordsRead))
        head += property("trennwand.recordsEvaluated", String(summary.recordsEvaluated))
        head += property("trennwand.recordsRejected", String(summary.recordsRejected))
        head += "    </properties>\n"
        try sink.write(head)
        for id in order {
            var tc = "    <testcase classname=\"" + XML.escape("trennwand." + id, attribute: true) + "\" name=\""
                + XML.escape(names[id] ?? id, attribute: true) + "\" time=\"0\""
            let fails = failures[id] ?? []
            let outs = outLines[id] ?? []
            if fails.isEmpty && outs.isEmpty {
                tc += "/>\n"
            } else {
                tc += ">\n" + fails.joined()
                if !outs.isEmpty { tc += "      <system-out>" + XML.escape(outs.joined(separator: "\n")) + "</system-out>\n" }
                tc += "    </testcase>\n"
            }
            try sink.write(tc)
        }
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
