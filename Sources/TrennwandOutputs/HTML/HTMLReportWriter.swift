import TrennwandFindings
import TrennwandRecords

/// The data-protection officer's report: one self-contained HTML file, German by default.
///
/// Made for triage: the first screen answers "what is wrong, how bad, what now" (counts by
/// severity and status, the Art. 33 candidates with their 72-hour clock, the top rules); then the
/// findings grouped by rule, most severe first, each group one compact table with the
/// explanation, norms and "Was zu tun ist" once; charts, skipped files, the legal section (norms by law)
/// and the run facts with the notes on purpose limitation and co-determination, then the accounting.
///
/// No network and no external assets: inline CSS, inline SVG and one inline script, locked down
/// by a Content-Security-Policy that allows exactly that script's SHA-256 hash. Every value from
/// the scanned data or the rules goes through `HTMLReportAssets.escape`.
///
/// Memory: grouping needs the whole run before the first group can be written, so the writer
/// keeps each finding's rendered row per rule group, at most `rowLimit` rows per group (default
/// 500); beyond that it only counts and the report points to the JSON Lines/CSV output, which
/// carry every finding. Everything is written at `end`.
package struct HTMLReportWriter: FindingWriter {
    package let sink: any OutputSink
    /// How many rejected records are listed one by one in the accounting (all are counted).
    package var rejectionDetailLimit: Int
    /// Rows rendered per rule group; the rest is counted and left to JSON Lines/CSV.
    package var rowLimit: Int
    /// Occurrences (merged records) of one finding shown openly; the rest folded.
    package var occurrencesShown = 10
    /// The trend across scheduled scans (from the state database), shown as its own section.
    package var trend: HTMLTrendSection?

    var run: RunInfo?
    var rules: [String: RuleDescriptor] = [:]
    var groups: [String: RuleGroup] = [:]
    var count = 0
    /// Findings per Träger and per system (evidence fields), for the charts; bounded key sets.
    var byTraeger: [String: [Severity: Int]] = [:]
    var bySystem: [String: [Severity: Int]] = [:]
    static let chartKeyLimit = 2_000

    package init(sink: any OutputSink, rejectionDetailLimit: Int = 20, rowLimit: Int = 500, trend: HTMLTrendSection? = nil) {
        self.sink = sink
        self.rejectionDetailLimit = rejectionDetailLimit
        self.rowLimit = rowLimit
        self.trend = trend
    }

    var lang: Language { run?.language ?? .de }
    func t(_ de: String, _ en: String) -> String { lang == .de ? de : en }
    func e(_ s: String) -> String { HTMLReportAssets.escape(s) }

    package mutating func begin(run: RunInfo) throws {
        let run = run.neutralised
        self.run = run
        for r in run.rules where rules[r.id] == nil { rules[r.id] = r }
    }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        guard let run else { return }
        let finding = finding.neutralised
        var context = context
        context.waived = context.waived?.neutralised
        count += 1
        let rule = rules[finding.ruleID], id = finding.ruleID
        // Mutated in place through the dictionary subscript: no copy of the group's rows per finding.
        if groups[id] == nil { groups[id] = RuleGroup(finding: finding, rule: rule) }
        groups[id]!.add(finding, context: context, rule: rule, run: run)
        if groups[id]!.rows.count < rowLimit {
            groups[id]!.rows.append(row(finding, context: context, serial: count))
        } else {
            groups[id]!.omitted += 1
        }
        if context.lifecycle?.status != .resolved {
            for ev in finding.evidence {
                if ev.field == "traeger" { Self.tally(&byTraeger, ev.value, finding.severity) }
                if ev.field == "system" { Self.tally(&bySystem, ev.value, finding.severity) }
            }
        }
    }

    private static func tally(_ table: inout [String: [Severity: Int]], _ key: String, _ s: Severity) {
        guard key != "–", !key.isEmpty else { return }
        guard table[key] != nil || table.count < chartKeyLimit else { return }
        table[key, default: [:]][s, default: 0] += 1
    }

    package mutating func end(summary: RunSummary) throws {
        let summary = summary.neutralised
        guard let run else { return }
        // Groups with something still to decide first (a group the run resolved entirely goes last),
        // then by severity, then by how many findings are not resolved.
        let ordered = groups.values.sorted { a, b in
            if (a.active > 0) != (b.active > 0) { return a.active > 0 }
            if a.severity != b.severity { return a.severity > b.severity }
            if a.active != b.active { return a.active > b.active }
            return a.id < b.id
        }
        var h = head(run)
        h += "<body>\n<main>\n"
        h += overview(run, summary, ordered)
        h += filters(run, ordered)
        try sink.write(h)
        try sink.write("<section id=\"findings\" aria-label=\"\(t("Befunde", "Findings"))\">\n")
        if ordered.isEmpty { try sink.write("<p>\(t("Keine Befunde.", "No findings."))</p>\n") }
        for g in ordered { try sink.write(groupSection(g, run)) }
        try sink.write("</section>\n")
        h = charts(run)
        h += skippedFiles(run)
        h += catalogue(run, summary)
        h += runFacts(run, summary)
        h += accounting(summary)
        h += "</main>\n<script>\(HTMLReportAssets.script)</script>\n</body>\n</html>\n"
        try sink.write(h)
        try sink.flush()
    }
}

/// A trend section for the HTML report: the open findings by severity after each stored run
/// (drawn as stacked bars in the report's language and badge colours), or, from older callers,
/// a ready inline SVG chart (labels escaped by its producer) with the numbers as a table
/// (first row: header).
package struct HTMLTrendSection: Sendable {
    package var caption: Localized
    package var svg: String
    package var rows: [[String]]
    /// Open findings by severity per run; when set, the report draws it instead of `svg`.
    package var history: SeverityHistory?

    package init(caption: Localized, svg: String, rows: [[String]]) {
        self.caption = caption
        self.svg = svg
        self.rows = rows
    }

    package init(caption: Localized, history: SeverityHistory) {
        self.caption = caption
        self.svg = ""
        self.rows = []
        self.history = history
    }
}
