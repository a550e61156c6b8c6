import TrennwandFindings
import TrennwandRecords

/// The default console output of a scan: counts per severity and rule, the most severe findings
/// with locator and title, record accounting and time taken. German by default.
///
/// Keeps only counts and the top `topCount` findings (most severe first, then in arrival order),
/// so memory does not grow with the run. ANSI colours only when `colors` is true (the CLI passes
/// `isatty(1)` and honours `NO_COLOR`).
package struct TextSummaryWriter: FindingWriter {
    package var showsAbsentBaselineEntries: Bool { true }
    package let sink: any OutputSink
    package let colors: Bool
    package let topCount: Int
    /// With a baseline: at most this many new findings are listed (all are counted).
    package let newCount: Int
    private var run: RunInfo?
    private var top: [Finding] = []
    /// New findings (baseline) in arrival order, and whether each is waived.
    private var newFindings: [(Finding, Bool)] = []
    /// New open findings at or above the threshold (what fails a gate with a baseline).
    private var newAtThreshold = 0

    package init(sink: any OutputSink, colors: Bool, topCount: Int = 10, newCount: Int = 50) {
        self.sink = sink
        self.colors = colors
        self.topCount = topCount
        self.newCount = newCount
    }

    package mutating func begin(run: RunInfo) throws { self.run = run.neutralised }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        // Neutralised only when kept: most findings are just counted.
        if context.baseline == .new, newFindings.count < newCount { newFindings.append((finding.neutralised, context.waived != nil)) }
        if context.baseline == .new, OutputSupport.isOpen(context), let failOn = run?.failOn, finding.severity >= failOn { newAtThreshold += 1 }
        guard OutputSupport.isOpen(context), topCount > 0 else { return }
        if top.count == topCount, let last = top.last, last.severity >= finding.severity { return }
        let at = top.firstIndex { $0.severity < finding.severity } ?? top.count
        top.insert(finding.neutralised, at: at)
        if top.count > topCount { top.removeLast() }
    }

    private func paint(_ s: String, _ code: String) -> String { colors ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    private func colorCode(_ s: Severity) -> String {
        switch s {
        case .critical: return "1;35"
        case .high: return "1;31"
        case .medium: return "33"
        case .low: return "36"
        case .info: return "2"
        }
    }

    package mutating func end(summary: RunSummary) throws {
        let summary = summary.neutralised
        guard let run else { return }
        let lang = run.language
        let de = lang == .de
        func t(_ d: String, _ e: String) -> String { de ? d : e }
        var out = paint("Trennwand \(run.toolVersion)", "1") + " – " + t("Prüfung abgeschlossen", "scan finished") + "\n\n"
        // With a baseline the summary leads with what is new; known findings are only counted.
        if summary.baseline != nil {
            let newTotal = summary.byBaselineState[.new] ?? 0
            out += paint(t("Neu", "New") + ": \(newTotal)", newTotal > 0 ? "1;31" : "1") + "\n"
            for (f, waived) in newFindings {
                out += "  " + paint("[" + f.severity.label.text(lang) + "]", colorCode(f.severity)) + " " + f.ruleID + " "
                out += TextSummaryWriter.clean(f.locator.description)
                if f.occurrences > 1 { out += " (" + t("\(f.occurrences) Datensätze", "\(f.occurrences) records") + ")" }
                out += "  " + TextSummaryWriter.clean(f.title.text(lang))
                if !f.evidence.isEmpty {
                    out += " – " + TextSummaryWriter.clean(f.evidence.map { "\($0.field): \($0.value)" }.joined(separator: "; "))
                }
                if waived { out += " (" + t("Ausnahme", "waived") + ")" }
                out += "\n"
            }
            if newTotal > newFindings.count {
                out += "  … " + t("und \(newTotal - newFindings.count) weitere", "and \(newTotal - newFindings.count) more") + "\n"
            }
            out += t("Bekannt (in der Baseline)", "Known (in the baseline)") + ": \(summary.byBaselineState[.unchanged] ?? 0), "
            out += t("entfallen", "gone") + ": \(summary.byBaselineState[.absent] ?? 0)\n\n"
        }
        out += t("Befunde", "Findings") + ": \(summary.total) (\(t("offen", "open")) \(summary.open), \(t("Ausnahme", "waived")) \(summary.waived))"
        let gaps = summary.byClass[.gap]?.total ?? 0
        if gaps > 0 { out += ", " + t("davon Konfigurationslücken", "of which configuration gaps") + " \(gaps)" }
        out += "\n"
        for s in OutputSupport.severitiesDescending {
            guard let tally = summary.bySeverity[s], tally.total > 0 else { continue }
            let label = s.label.text(lang)
            out += "  " + paint(label + String(repeating: " ", count: max(0, 10 - label.count)), colorCode(s))
            out += " \(tally.open)" + (tally.waived > 0 ? " (+\(tally.waived) \(t("Ausnahme", "waived")))" : "") + "\n"
        }
        if !summary.byRule.isEmpty {
            out += "\n" + t("Nach Regel", "By rule") + ":\n"
            let titles = Dictionary(run.rules.map { ($0.id, $0.title.text(lang)) }, uniquingKeysWith: { a, _ in a })
            for id in summary.byRule.keys.sorted() {
                let tally = summary.byRule[id]!
                out += "  \(id)  \(tally.total)" + (tally.waived > 0 ? " (\(tally.waived) \(t("Ausnahme", "waived")))" : "")
                out += titles[id].map { "  " + $0 } ?? ""
                out += "\n"
            }
        }
        if !summary.byStatus.isEmpty {
            out += "\n" + t("Verlauf", "Lifecycle") + ": "
            out += FindingStatus.allCases.compactMap { s in summary.byStatus[s].map { s.label.text(lang) + " \($0)" } }.joined(separator: ", ") + "\n"
        }
        if let skipped = run.state?.skipped, !skipped.isEmpty {
            out += "\n" + t("Nicht erneut geprüft", "Not scanned again") + " (\(skipped.count)):\n"
            for f in skipped.prefix(20) {
                out += "  " + TextSummaryWriter.clean(f.path) + " – "
                out += f.scannedInRun.map { t("unverändert, geprüft in Lauf \($0)", "unchanged, scanned in run \($0)") }
                    ?? t("unverändert, früher geprüft", "unchanged, scanned earlier")
                out += "\n"
            }
            if skipped.count > 20 { out += "  … " + t("und \(skipped.count - 20) weitere", "and \(skipped.count - 20) more") + "\n" }
        }
        if !top.isEmpty && summary.baseline == nil {
            out += "\n" + t("Wichtigste offene Befunde", "Top open findings") + ":\n"
            for f in top {
                out += "  " + paint("[" + f.severity.label.text(lang) + "]", colorCode(f.severity)) + " " + f.ruleID + " "
                out += TextSummaryWriter.clean(f.locator.description)
                if f.occurrences > 1 { out += " (" + t("\(f.occurrences) Datensätze", "\(f.occurrences) records") + ")" }
                out += "  " + TextSummaryWriter.clean(f.title.text(lang)) + "\n"
            }
            if summary.open > top.count {
                out += "  … " + t("und \(summary.open - top.count) weitere", "and \(summary.open - top.count) more") + "\n"
            }
        }
        out += "\n" + t("Datensätze", "Records") + ": \(t("gelesen", "read")) \(summary.recordsRead), \(t("ausgewertet", "evaluated")) \(summary.recordsEvaluated), \(t("abgewiesen", "rejected")) \(summary.recordsRejected)\n"
        for input in summary.inputs where input.fileError != nil {
            out += "  " + paint(t("Dateifehler", "file error"), "1;31") + " " + TextSummaryWriter.clean(input.file) + ": "
            out += TextSummaryWriter.clean(input.fileError!.reason.message.text(lang)) + "\n"
        }
        if let b = summary.baseline {
            out += "Baseline: \(t("neu", "new")) \(b.new), \(t("unverändert", "unchanged")) \(b.unchanged), \(t("entfallen", "gone")) \(b.gone)\n"
        }
        if let failOn = run.failOn {
            let n = summary.openAtOrAbove(failOn)
            out += t("Offen ab Schwelle", "Open at or above") + " \(failOn.label.text(lang)): "
            if summary.baseline != nil {
                out += "\(n), " + t("davon neu", "of which new") + " " + (newAtThreshold > 0 ? paint(String(newAtThreshold), "1;31") : "0") + "\n"
            } else {
                out += (n > 0 ? paint(String(n), "1;31") : "0") + "\n"
            }
        }
        out += t("Dauer", "Time taken") + ": \(max(0, summary.finished - run.started)) s\n"
        try sink.write(out)
        try sink.flush()
    }

    /// Control characters in file names or titles would move the cursor or inject escape
    /// sequences into the terminal; they are replaced by `?`.
    static func clean(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) ? "?" : $0 }))
    }
}
