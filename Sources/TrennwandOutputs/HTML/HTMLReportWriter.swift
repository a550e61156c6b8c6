import TrennwandFindings
import TrennwandRecords

/// The data-protection officer's report: one self-contained HTML file, German by default.
///
/// No network and no external assets: inline CSS and one inline script, locked down by a
/// Content-Security-Policy that allows exactly that script's SHA-256 hash. Every value from the
/// scanned data or the rules goes through `HTMLReportAssets.escape`. Streaming: the header and the
/// filter bar are written at `begin`, each finding as it arrives, the summary tables and the
/// accounting at `end`; CSS `order` shows the summary above the findings.
package struct HTMLReportWriter: FindingWriter {
    package let sink: any OutputSink
    /// How many rejected records are listed one by one in the accounting (all are counted).
    package var rejectionDetailLimit: Int
    private var run: RunInfo?
    private var rules: [String: RuleDescriptor] = [:]
    private var breachHints = 0
    private var count = 0

    /// The trend across scheduled scans (from the state database), shown as its own section.
    package var trend: HTMLTrendSection?

    package init(sink: any OutputSink, rejectionDetailLimit: Int = 20, trend: HTMLTrendSection? = nil) {
        self.sink = sink
        self.rejectionDetailLimit = rejectionDetailLimit
        self.trend = trend
    }

    private var lang: Language { run?.language ?? .de }
    private func t(_ de: String, _ en: String) -> String { lang == .de ? de : en }
    private func e(_ s: String) -> String { HTMLReportAssets.escape(s) }

    package mutating func begin(run: RunInfo) throws {
        let run = run.neutralised
        self.run = run
        for r in run.rules where rules[r.id] == nil { rules[r.id] = r }
        var h = "<!DOCTYPE html>\n<html lang=\"\(lang.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(e(HTMLReportAssets.contentSecurityPolicy))\">\n"
        h += "<meta name=\"referrer\" content=\"no-referrer\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(t("Trennwand – Datenschutz-Prüfbericht", "Trennwand – data-protection audit report"))</title>\n"
        h += "<style>\n\(HTMLReportAssets.style)\n</style>\n</head>\n<body>\n<main>\n"
        // Run facts.
        h += "<header id=\"run\">\n<h1>\(t("Datenschutz-Prüfbericht", "Data-protection audit report"))</h1>\n<dl class=\"facts\">\n"
        func fact(_ k: String, _ v: String) -> String { "<dt>\(k)</dt><dd>\(v)</dd>\n" }
        h += fact(t("Werkzeug", "Tool"), "Trennwand " + e(run.toolVersion))
        h += fact(t("Regelpaket", "Rule pack"), "<code>" + e(run.rulePackHash) + "</code> (\(run.rules.count) \(t("Regeln", "rules")))")
        h += fact(t("Beginn (UTC)", "Started (UTC)"), e(CivilTime.iso8601(run.started)))
        h += fact(t("Ende (UTC)", "Finished (UTC)"), e(CivilTime.iso8601(run.finished)))
        h += fact(t("Fehlerschwelle", "Fail threshold"), run.failOn.map { e($0.label.text(lang)) } ?? t("keine", "none"))
        h += fact(t("Eingaben", "Inputs"), run.inputs.isEmpty ? "–" : run.inputs.map { "<code>" + e($0.file) + "</code>" }.joined(separator: ", "))
        h += "</dl>\n<p class=\"muted\">\(t("Nachweise sind maskiert, Personen pseudonymisiert (HMAC-Schlüssel der Installation). Dieser Bericht enthält keine Sozialdaten im Klartext.", "Evidence is masked, persons are pseudonymised (installation HMAC key). This report holds no social data in clear text."))</p>\n</header>\n"
        // Filters: options from the run's rules and their norms.
        h += "<section id=\"filters\" aria-label=\"\(t("Filter", "Filters"))\">\n"
        h += "<label>\(t("Schweregrad mindestens", "Severity at least")) <select name=\"severity\"><option value=\"\">\(t("alle", "all"))</option>"
        for s in OutputSupport.severitiesDescending {
            h += "<option value=\"\(Severity.allCases.firstIndex(of: s)!)\">\(e(s.label.text(lang)))</option>"
        }
        h += "</select></label>\n<label>\(t("Regel", "Rule")) <select name=\"rule\"><option value=\"\">\(t("alle", "all"))</option>"
        for r in run.rules.sorted(by: { $0.id < $1.id }) {
            h += "<option value=\"\(e(r.id))\">\(e(r.id + " " + r.title.text(lang)))</option>"
        }
        h += "</select></label>\n<label>\(t("Norm", "Norm")) <select name=\"norm\"><option value=\"\">\(t("alle", "all"))</option>"
        var seen = Set<String>()
        for n in run.rules.flatMap(\.norms).sorted(by: { $0.citation < $1.citation }) where seen.insert(n.citation).inserted {
            h += "<option value=\"\(e(HTMLReportAssets.normKey(n.citation)))\">\(e(n.citation))</option>"
        }
        h += "</select></label>\n<label>Status <select name=\"status\"><option value=\"\">\(t("alle", "all"))</option>"
        h += "<option value=\"open\">\(t("offen", "open"))</option><option value=\"waived\">\(t("Ausnahme", "waived"))</option></select></label>\n"
        h += "<button type=\"button\" id=\"reset\">\(t("Zurücksetzen", "Reset"))</button>\n"
        h += "<span class=\"muted\">\(t("angezeigt", "shown")): <span id=\"shown\">–</span></span>\n</section>\n"
        h += "<section id=\"findings\">\n<h2>\(t("Befunde", "Findings"))</h2>\n"
        try sink.write(h)
    }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        let finding = finding.neutralised, waived = context.waived?.neutralised
        count += 1
        let rule = rules[finding.ruleID]
        let sev = finding.severity
        let rank = Severity.allCases.firstIndex(of: sev)!
        let norms = "|" + finding.norms.map { HTMLReportAssets.normKey($0.citation) }.joined(separator: "|") + "|"
        var h = "<article class=\"finding sev-\(sev.rawValue)\" id=\"f\(count)\" data-severity=\"\(sev.rawValue)\" data-rank=\"\(rank)\""
        h += " data-rule=\"\(e(finding.ruleID))\" data-norms=\"\(e(norms))\" data-status=\"\(waived == nil ? "open" : "waived")\""
        h += " data-class=\"\(finding.findingClass.rawValue)\">\n"
        h += "<h3><span class=\"badge sev-\(sev.rawValue)\">\(e(sev.label.text(lang)))</span> "
        if finding.findingClass == .gap { h += "<span class=\"badge gap\">\(t("Konfigurationslücke", "configuration gap"))</span> " }
        if waived != nil { h += "<span class=\"badge waived\">\(t("Ausnahme", "waived"))</span> " }
        h += "<code>\(e(finding.ruleID))</code> \(e(finding.title.text(lang)))</h3>\n"
        h += "<p class=\"loc\">\(t("Fundstelle", "Location")): <code>\(e(finding.locator.description))</code>"
        if let id = finding.locator.recordID { h += " · \(t("Datensatz", "Record")) <code>\(e(id))</code>" }
        h += " · \(t("Datensatz Nr.", "Record no.")) \(finding.locator.index)"
        if let time = finding.time { h += " · \(t("Zeitpunkt", "Time")) \(e(CivilTime.iso8601(time)))" }
        h += "</p>\n"
        if OutputSupport.suggestsBreach(finding, rule: rule) {
            breachHints += 1
            h += "<p class=\"art33\"><strong>\(t("Art. 33 DSGVO – 72-Stunden-Frist prüfen:", "Art. 33 GDPR – check the 72-hour deadline:"))</strong> "
            h += t("Dieser Befund deutet auf eine Verletzung des Schutzes personenbezogener Daten hin. Ist sie bestätigt, muss der Verantwortliche sie unverzüglich und möglichst binnen 72 Stunden nach Bekanntwerden der Aufsichtsbehörde melden, außer sie führt voraussichtlich nicht zu einem Risiko (Art. 33 Abs. 1 DSGVO); bei hohem Risiko auch die Betroffenen benachrichtigen (Art. 34). Datenschutzbeauftragte sofort einbinden und die Bewertung dokumentieren (Art. 33 Abs. 5).",
                   "This finding suggests a personal-data breach. If confirmed, the controller must notify the supervisory authority without undue delay and where feasible within 72 hours of becoming aware of it, unless it is unlikely to result in a risk (Art. 33(1) GDPR); with a high risk, inform the data subjects too (Art. 34). Involve the data-protection officer at once and document the assessment (Art. 33(5)).")
            h += "</p>\n"
        }
        if let w = waived {
            h += "<p class=\"waiver\"><strong>\(t("Ausnahme", "Waiver")):</strong> \(e(w.reason)) · \(t("genehmigt von", "approved by")) \(e(w.approver))"
            h += " · \(t("erstellt", "created")) \(e(OutputSupport.isoDate(w.created)))"
            h += " · \(t("gültig bis", "expires")) " + (w.expires.map { e(OutputSupport.isoDate($0)) } ?? t("unbefristet", "never"))
            h += "</p>\n"
        }
        if let d = finding.detail { h += "<p>\(e(d.text(lang)))</p>\n" }
        if let rule {
            h += "<details><summary>\(t("Erläuterung", "Explanation"))</summary>\n<p>\(e(rule.description.text(lang)))</p>\n"
            h += "<p><strong>\(t("Begründung", "Rationale")):</strong> \(e(rule.rationale.text(lang)))</p>\n</details>\n"
        }
        if !finding.evidence.isEmpty {
            h += "<table class=\"evidence\"><caption>\(t("Nachweis (maskiert)", "Evidence (masked)"))</caption>\n"
            h += "<tr><th>\(t("Feld", "Field"))</th><th>\(t("Erkennung", "Detector"))</th><th>\(t("Wert", "Value"))</th></tr>\n"
            for ev in finding.evidence {
                h += "<tr><td><code>\(e(ev.field))</code></td><td>\(e(ev.detector ?? "–"))</td><td>\(e(ev.value))</td></tr>\n"
            }
            h += "</table>\n"
        }
        if !finding.persons.isEmpty {
            h += "<p>\(t("Personen (pseudonymisiert)", "Persons (pseudonymised)")): "
            h += finding.persons.keys.sorted().map { "\(e(HTMLReportWriter.roleLabel($0, lang))) <code>\(e(finding.persons[$0]!))</code>" }.joined(separator: ", ")
            h += "</p>\n"
        }
        if !finding.norms.isEmpty {
            h += "<p>\(t("Normen", "Norms")):</p>\n<ul class=\"norms\">\n"
            for n in finding.norms {
                h += "<li>\(e(n.citation)) – \(e(n.title)) <span class=\"muted\">(\(t("Stand", "as of")) \(e(n.asOf)))</span></li>\n"
            }
            h += "</ul>\n"
        }
        h += "<p><strong>\(t("Was zu tun ist", "What to do")):</strong> \(e(finding.remediation.text(lang)))</p>\n"
        h += "<p class=\"muted\">\(t("Fingerabdruck", "Fingerprint")) <code>\(e(finding.fingerprint))</code></p>\n</article>\n"
        try sink.write(h)
    }

    package mutating func end(summary: RunSummary) throws {
        let summary = summary.neutralised
        guard let run else { return }
        var h = count == 0 ? "<p>\(t("Keine Befunde.", "No findings."))</p>\n" : ""
        h += "</section>\n<section id=\"summary\">\n<h2>\(t("Zusammenfassung", "Summary"))</h2>\n<dl class=\"facts\">\n"
        func fact(_ k: String, _ v: String) -> String { "<dt>\(k)</dt><dd>\(v)</dd>\n" }
        h += fact(t("Befunde", "Findings"), "\(summary.total) (\(t("offen", "open")) \(summary.open), \(t("Ausnahme", "waived")) \(summary.waived))")
        h += fact(t("Verstöße / Konfigurationslücken", "Violations / configuration gaps"),
                  "\(summary.byClass[.violation]?.total ?? 0) / \(summary.byClass[.gap]?.total ?? 0)")
        if let failOn = run.failOn {
            h += fact(t("Offen ab Schwelle", "Open at or above threshold"), "\(summary.openAtOrAbove(failOn)) (\(e(failOn.label.text(lang))))")
        }
        h += fact(t("Art.-33-Hinweise", "Art. 33 hints"), String(breachHints))
        if let b = summary.baseline {
            h += fact(t("Gegenüber Baseline", "Against baseline"),
                      "\(t("neu", "new")) \(b.new), \(t("unverändert", "unchanged")) \(b.unchanged), \(t("entfallen", "gone")) \(b.gone)")
        }
        h += fact(t("Datensätze", "Records"), "\(t("gelesen", "read")) \(summary.recordsRead), \(t("ausgewertet", "evaluated")) \(summary.recordsEvaluated), \(t("abgewiesen", "rejected")) \(summary.recordsRejected)")
        h += fact(t("Dauer", "Duration"), "\(max(0, summary.finished - run.started)) s")
        h += "</dl>\n<div class=\"tables\">\n"
        let head = "<th class=\"n\">\(t("offen", "open"))</th><th class=\"n\">\(t("Ausnahme", "waived"))</th>"
        func cells(_ t: Tally?) -> String { "<td class=\"n\">\(t?.open ?? 0)</td><td class=\"n\">\(t?.waived ?? 0)</td>" }
        h += "<table><caption>\(t("Nach Schweregrad", "By severity"))</caption>\n<tr><th>\(t("Schweregrad", "Severity"))</th>\(head)</tr>\n"
        for s in OutputSupport.severitiesDescending {
            h += "<tr><td><span class=\"badge sev-\(s.rawValue)\">\(e(s.label.text(lang)))</span></td>\(cells(summary.bySeverity[s]))</tr>\n"
        }
        h += "</table>\n<table><caption>\(t("Nach Regel", "By rule"))</caption>\n<tr><th>\(t("Regel", "Rule"))</th><th>\(t("Titel", "Title"))</th>\(head)</tr>\n"
        for id in summary.byRule.keys.sorted() {
            h += "<tr><td><code>\(e(id))</code></td><td>\(e(rules[id]?.title.text(lang) ?? ""))</td>\(cells(summary.byRule[id]))</tr>\n"
        }
        h += "</table>\n<table><caption>\(t("Nach Norm", "By norm"))</caption>\n<tr><th>Norm</th><th>\(t("Stand", "As of"))</th>\(head)</tr>\n"
        var normInfo: [String: Norm] = [:]
        for n in run.rules.flatMap(\.norms) where normInfo[n.citation] == nil { normInfo[n.citation] = n }
        for c in summary.byNorm.keys.sorted() {
            let n = normInfo[c]
            h += "<tr><td>\(e(c))\(n.map { " – " + e($0.title) } ?? "")</td><td>\(e(n?.asOf ?? ""))</td>\(cells(summary.byNorm[c]))</tr>\n"
        }
        h += "</table>\n</div>\n</section>\n"
        if let trend {
            // The SVG is produced by the state layer with every label escaped and no external
            // reference; it is embedded as is. The table repeats the numbers for screen readers.
            h += "<section id=\"trend\">\n<h2>\(t("Entwicklung über die Prüfläufe", "Trend across scans"))</h2>\n"
            // Inline SVG in HTML needs no namespace declaration; dropping it keeps the report free of
            // any URL, which reviewers check for.
            let svg = trend.svg.replacingOccurrences(of: " xmlns=\"http://www.w3.org/2000/svg\"", with: "")
            h += "<p class=\"muted\">\(e(trend.caption.text(lang)))</p>\n\(svg)\n"
            if let header = trend.rows.first {
                h += "<table><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
                for row in trend.rows.dropFirst() { h += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
                h += "</table>\n"
            }
            h += "</section>\n"
        }
        h += accounting(summary)
        h += "<script>\(HTMLReportAssets.script)</script>\n</main>\n</body>\n</html>\n"
        try sink.write(h)
        try sink.flush()
    }

    private func accounting(_ summary: RunSummary) -> String {
        var h = "<section id=\"accounting\">\n<h2>\(t("Nachweis der Verarbeitung", "Accounting"))</h2>\n"
        if summary.inputs.allSatisfy(\.isBalanced) {
            h += "<p class=\"muted\">\(t("Jeder gelesene Datensatz wurde ausgewertet oder mit Grund abgewiesen.", "Every record read was evaluated or rejected with a reason."))</p>\n"
        } else {
            h += "<p class=\"art33\">\(t("Achtung: Die Zählung geht nicht auf (gelesen ≠ ausgewertet + abgewiesen). Bitte als Fehler melden.", "Warning: the accounting does not balance (read ≠ evaluated + rejected). Please report this as a bug."))</p>\n"
        }
        h += "<table><tr><th>\(t("Eingabe", "Input"))</th><th>\(t("Profil", "Profile"))</th><th class=\"n\">\(t("gelesen", "read"))</th>"
        h += "<th class=\"n\">\(t("ausgewertet", "evaluated"))</th><th class=\"n\">\(t("abgewiesen", "rejected"))</th><th>\(t("Dateifehler", "File error"))</th></tr>\n"
        for i in summary.inputs {
            h += "<tr><td><code>\(e(i.file))</code></td><td>\(e(i.profile ?? "–"))</td><td class=\"n\">\(i.read)</td>"
            h += "<td class=\"n\">\(i.normalised)</td><td class=\"n\">\(i.rejected)</td>"
            h += "<td>\(i.fileError.map { e($0.reason.code + ": " + $0.reason.message.text(lang)) } ?? "–")</td></tr>\n"
        }
        h += "</table>\n"
        let reasons = summary.rejectionReasons
        if !reasons.isEmpty {
            h += "<table><caption>\(t("Abweisungsgründe", "Rejection reasons"))</caption>\n<tr><th>Code</th><th>\(t("Grund", "Reason"))</th><th class=\"n\">\(t("Anzahl", "Count"))</th></tr>\n"
            for r in reasons {
                h += "<tr><td><code>\(e(r.code))</code></td><td>\(e(r.message.text(lang)))</td><td class=\"n\">\(r.count)</td></tr>\n"
            }
            h += "</table>\n"
            let first = summary.inputs.flatMap(\.rejections).prefix(rejectionDetailLimit)
            h += "<table><caption>\(t("Erste abgewiesene Datensätze", "First rejected records"))</caption>\n<tr><th>\(t("Fundstelle", "Location"))</th><th>\(t("Grund", "Reason"))</th></tr>\n"
            for r in first {
                h += "<tr><td><code>\(e(r.locator.description))</code></td><td><code>\(e(r.reason.code))</code> \(e(r.reason.message.text(lang)))</td></tr>\n"
            }
            h += "</table>\n"
        }
        return h + "</section>\n"
    }

    /// German/English label for a person role key; unknown roles are shown as they are.
    static func roleLabel(_ role: String, _ lang: Language) -> String {
        let labels: [String: Localized] = [
            "actor": Localized(de: "Handelnde Person", en: "Actor"),
            "subject": Localized(de: "Betroffene Person", en: "Subject"),
            "author": Localized(de: "Verfasser/in", en: "Author"),
            "reader": Localized(de: "Lesende Person", en: "Reader"),
        ]
        return labels[role]?.text(lang) ?? role
    }
}

/// A trend section for the HTML report: an inline SVG chart (self-contained, labels escaped by
/// its producer) and the same numbers as a table (first row: header).
package struct HTMLTrendSection: Sendable {
    package var caption: Localized
    package var svg: String
    package var rows: [[String]]

    package init(caption: Localized, svg: String, rows: [[String]]) {
        self.caption = caption
        self.svg = svg
        self.rows = rows
    }
}
