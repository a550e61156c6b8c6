import TrennwandFindings
import TrennwandRecords

/// Prometheus text exposition format (version 0.0.4) for node_exporter's textfile collector:
/// one gauge family per fact of the run, each with `# HELP` and `# TYPE`, names `trennwand_…`.
///
/// It writes everything a run's findings and accounting say at `end(summary:)`; what only the
/// frontend knows after the reports are written (the exit code, the last successful run) comes
/// from `MetricsText.outcome`, appended by the frontend. Numbers are the same as the JSON Lines
/// summary's (`RunSummary`), so dashboards and SIEM agree.
package struct MetricsWriter: FindingWriter {
    let sink: any OutputSink
    private var run: RunInfo?

    package init(sink: any OutputSink) {
        self.sink = sink
    }

    package mutating func begin(run: RunInfo) throws {
        self.run = run
    }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {}

    package mutating func end(summary: RunSummary) throws {
        guard let run else { return }
        try sink.write(MetricsText.run(run, summary: summary))
        try sink.flush()
    }
}

/// The metric families, as text.
package enum MetricsText {
    /// The families of one run's facts.
    package static func run(_ run: RunInfo, summary: RunSummary) -> String {
        var out = ""
        family(&out, "trennwand_run_duration_seconds", "Wall-clock duration of the last scan in seconds.",
               [([], Double(max(0, summary.finished - run.started)))])
        family(&out, "trennwand_run_finished_timestamp_seconds", "Unix time the last scan finished reading.",
               [([], Double(summary.finished))])
        let failed = summary.inputs.filter { $0.fileError != nil }.count
        family(&out, "trennwand_input_files", "Input files of the last scan by outcome.",
               [([("outcome", "read")], Double(summary.inputs.count - failed)), ([("outcome", "failed")], Double(failed))])
        family(&out, "trennwand_input_bytes", "Bytes of the input files of the last scan.",
               [([], Double(summary.inputs.reduce(Int64(0)) { $0 + $1.bytes }))])
        family(&out, "trennwand_records", "Records of the last scan: read, evaluated, rejected.",
               [([("stage", "read")], Double(summary.recordsRead)), ([("stage", "evaluated")], Double(summary.recordsEvaluated)),
                ([("stage", "rejected")], Double(summary.recordsRejected))])
        family(&out, "trennwand_findings_open", "Open (not waived) findings of the last scan by severity.",
               Severity.allCases.reversed().map { ([("severity", $0.rawValue)], Double(summary.bySeverity[$0]?.open ?? 0)) })
        family(&out, "trennwand_findings_waived", "Findings of the last scan covered by a waiver, by severity.",
               Severity.allCases.reversed().map { ([("severity", $0.rawValue)], Double(summary.bySeverity[$0]?.waived ?? 0)) })
        let severities = Dictionary(run.rules.map { ($0.id, $0.severity.rawValue) }, uniquingKeysWith: { a, _ in a })
        family(&out, "trennwand_rule_findings_open", "Open (not waived) findings of the last scan by rule.",
               summary.byRule.keys.sorted().map { id in
                   ([("rule", id), ("severity", severities[id] ?? "")], Double(summary.byRule[id]?.open ?? 0))
               })
        if run.state != nil || !summary.byStatus.isEmpty { out += lifecycle(summary.byStatus) }
        return out
    }

    package static let lifecycleName = "trennwand_findings_lifecycle"

    /// Findings by lifecycle status of a run with a state store (new and resolved are this run's).
    package static func lifecycle(_ counts: [FindingStatus: Int]) -> String {
        var out = ""
        family(&out, lifecycleName, "Findings by lifecycle status in the last scan (with --state): new and resolved are this run's.",
               FindingStatus.allCases.map { ([("status", $0.rawValue)], Double(counts[$0] ?? 0)) })
        return out
    }

    /// The families only the frontend knows after the run: its exit code, when it ran, and when a
    /// run last succeeded (exit 0 or 1: the scan was complete; nil: never, as far as known).
    package static func outcome(exitCode: Int32, now: Int64, lastSuccess: Int64?) -> String {
        var out = ""
        family(&out, "trennwand_exit_code", "Exit code of the last scan (0 clean, 1 findings, 2 configuration, 3 input or output error).",
               [([], Double(exitCode))])
        family(&out, "trennwand_last_run_timestamp_seconds", "Unix time the last scan ended, whatever its outcome.", [([], Double(now))])
        if let lastSuccess {
            family(&out, "trennwand_last_success_timestamp_seconds", "Unix time the last complete scan (exit 0 or 1) ended.",
                   [([], Double(lastSuccess))])
        }
        return out
    }

    /// The value of a label-less sample in an earlier metrics text (e.g. the last success).
    package static func value(of name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    static func family(_ out: inout String, _ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        for (labels, value) in samples {
            let l = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(l) \(format(value))\n"
        }
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// Label values: backslash, double quote and line feed escaped (exposition format).
    package static func escape(_ s: String) -> String {
        var r = ""
        for c in s {
            switch c {
            case "\\": r += "\\\\"
            case "\"": r += "\\\""
            case "\n": r += "\\n"
            default: r.append(c)
            }
        }
        return r
    }
}
