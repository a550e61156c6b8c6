import TrennwandFindings
import TrennwandRecords

extension HTMLReportWriter {
    func head(_ run: RunInfo) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"\(lang.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(e(HTMLReportAssets.contentSecurityPolicy))\">\n"
        h += "<meta name=\"referrer\" content=\"no-referrer\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(t("Trennwand – Datenschutz-Prüfbericht", "Trennwand – data-protection audit report"))</title>\n"
        return h + "<style>\n\(HTMLReportAssets.style)\n</style>\n</head>\n"
    }

    /// The first screen: what is wrong (top rules), how bad (severity, status), what now (Art. 33).
    func overview(_ run: RunInfo, _ summary: RunSummary, _ groups: [RuleGroup]) -> String {
        var h = "<header id=\"run\">\n<h1>\(t("Datenschutz-Prüfbericht", "Data-protection audit report"))</h1>\n"
        let inputs = run.inputs.count + (run.state?.skipped.count ?? 0)
        h += "<p class=\"muted\">\(t("Prüflauf", "Run")) \(e(BerlinTime.dateTime(run.started)))"
        if let id = run.state?.runID { h += " (\(t("Lauf", "run")) \(id))" }
        h += " · \(inputs) \(t("Eingaben", "inputs")) · \(summary.total) \(t("Befunde in", "findings in")) \(groups.filter { $0.active > 0 }.count) \(t("Regeln", "rules"))"
        h += " · Trennwand \(e(run.toolVersion)) · \(t("Zeiten in Europe/Berlin", "times in Europe/Berlin"))</p>\n</header>\n"
        // One banner line for both facts, so a scheduled run's first screen still reaches the first finding.
        var banner: [String] = []
        if let state = run.state, state.fromStore {
            var b = "\(t("Aus der Zustandsdatenbank erstellt, ohne neuen Prüflauf: der Bericht zeigt den Stand nach Lauf", "Rendered from the state database without a new scan: the report shows the state after run")) \(state.runID)"
            if let since = state.since { b += " (\(t("Befunde seit", "findings since")) \(e(BerlinTime.date(since))))" }
            banner.append(b + ".")
        }
        if let skipped = run.state?.skipped, !skipped.isEmpty {
            banner.append("<a href=\"#skipped\">\(skipped.count) \(skipped.count == 1 ? t("Datei", "file") : t("Dateien", "files"))</a> \(t("unverändert und nicht erneut geprüft; ihre offenen Befunde sind enthalten.", "unchanged and not scanned again; their open findings are included."))")
        }
        if !banner.isEmpty { h += "<p class=\"banner\">\(banner.joined(separator: " "))</p>\n" }
        h += "<section id=\"overview\">\n"
        // How bad: severity (and status with state).
        h += "<div class=\"card\">\n<h2>\(t("Wie schlimm?", "How bad?"))</h2>\n<table class=\"counts\"><tr><th>\(t("Schweregrad", "Severity"))</th><th class=\"n\">\(t("offen", "open"))</th><th class=\"n\">\(t("Ausnahme", "waived"))</th></tr>\n"
        for s in OutputSupport.severitiesDescending {
            let tally = summary.bySeverity[s] ?? Tally()
            guard tally.total > 0 || s >= .high else { continue }
            h += "<tr><td><span class=\"badge sev-\(s.rawValue)\">\(e(s.label.text(lang)))</span></td><td class=\"n\">\(tally.open)</td><td class=\"n\">\(tally.waived)</td></tr>\n"
        }
        h += "</table>\n"
        if !summary.byStatus.isEmpty {
            h += "<p class=\"statusline\">"
            h += FindingStatus.allCases.compactMap { s in summary.byStatus[s].map { "<span class=\"st st-\(s.rawValue)\">\(e(s.label.text(lang)))</span> \($0)" } }.joined(separator: " ")
            h += "</p>\n"
        }
        if let failOn = run.failOn {
            h += "<p class=\"muted\">\(t("Offen ab Schwelle", "Open at or above threshold")) \(e(failOn.label.text(lang))): <strong>\(summary.openAtOrAbove(failOn))</strong></p>\n"
        }
        h += "</div>\n"
        // What now: Art. 33 candidates.
        let art33 = groups.filter { $0.art33 > 0 }
        h += "<div class=\"card\" id=\"art33\">\n<h2>\(t("Art. 33: 72-Stunden-Frist", "Art. 33: 72-hour deadline"))</h2>\n"
        if art33.isEmpty {
            h += "<p>\(t("Keine Kandidaten für eine Meldung an die Aufsichtsbehörde.", "No candidates for a notification to the supervisory authority."))</p>\n"
        } else {
            let n = art33.reduce(0) { $0 + $1.art33 }
            h += "<p><strong>\(n)</strong> \(t("Befunde in", "findings in")) \(art33.count) \(t("Regeln könnten meldepflichtige Verletzungen sein – prüfen:", "rules may be notifiable breaches – assess:"))</p>\n<ul class=\"compact\">\n"
            for g in art33.prefix(5) {
                let deadline = (g.clockStart ?? run.started) + Art33Criterion.deadlineSeconds
                h += "<li><a href=\"#rule-\(e(g.id))\"><code>\(e(g.id))</code></a> \(g.art33)× – \(t("bis", "until")) \(e(BerlinTime.dateTime(deadline)))</li>\n"
            }
            if art33.count > 5 { h += "<li class=\"muted\">\(t("und", "and")) \(art33.count - 5) \(t("weitere Regeln", "further rules"))</li>\n" }
            h += "</ul>\n<p class=\"muted small\">\(t("Frist ab", "Clock from")): \(clockSourceText(art33[0].clockSource)). <a href=\"#criterion\">\(t("Kriterium", "Criterion"))</a></p>\n"
        }
        h += "</div>\n"
        // What is wrong: the top rules.
        h += "<div class=\"card\">\n<h2>\(t("Was zuerst?", "What first?"))</h2>\n<ol class=\"compact\">\n"
        for g in groups.filter({ $0.active > 0 }).prefix(5) {
            h += "<li><span class=\"badge sev-\(g.severity.rawValue)\">\(e(g.severity.label.text(lang)))</span> <a href=\"#rule-\(e(g.id))\"><code>\(e(g.id))</code> \(e(g.title.text(lang)))</a> (\(g.active))</li>\n"
        }
        h += "</ol>\n<p class=\"muted small\"><a href=\"#charts\">\(t("Diagramme", "Charts"))</a> · <a href=\"#legal\">\(t("Rechtsgrundlagen", "Legal basis"))</a> · <a href=\"#facts\">\(t("Angaben zum Lauf", "Run facts"))</a></p>\n</div>\n"
        return h + "</section>\n"
    }

    func filters(_ run: RunInfo, _ groups: [RuleGroup]) -> String {
        var h = "<section id=\"filters\" aria-label=\"\(t("Filter", "Filters"))\">\n"
        h += "<label>\(t("Schweregrad ab", "Severity from")) <select name=\"severity\"><option value=\"\">\(t("alle", "all"))</option>"
        for s in OutputSupport.severitiesDescending {
            h += "<option value=\"\(Severity.allCases.firstIndex(of: s)!)\">\(e(s.label.text(lang)))</option>"
        }
        h += "</select></label>\n<label>\(t("Regel", "Rule")) <select name=\"rule\"><option value=\"\">\(t("alle", "all"))</option>"
        for g in groups.sorted(by: { $0.id < $1.id }) {
            h += "<option value=\"\(e(g.id))\">\(e(g.id + " " + g.title.text(lang)))</option>"
        }
        h += "</select></label>\n<label>Norm <select name=\"norm\"><option value=\"\">\(t("alle", "all"))</option>"
        var seen = Set<String>()
        for n in groups.flatMap(\.norms).sorted(by: { $0.citation < $1.citation }) where seen.insert(n.citation).inserted {
            h += "<option value=\"\(e(HTMLReportAssets.normKey(n.citation)))\">\(e(n.citation))</option>"
        }
        h += "</select></label>\n<label>Status <select name=\"status\"><option value=\"\">\(t("alle", "all"))</option>"
        h += "<option value=\"open\">\(t("offen", "open"))</option>"
        if run.state != nil {
            for s in [FindingStatus.new, .open, .reopened, .resolved] {
                h += "<option value=\"\(s.rawValue)\">\(e(s.label.text(lang)))</option>"
            }
        }
        h += "<option value=\"waived\">\(t("Ausnahme", "waived"))</option></select></label>\n"
        h += "<button type=\"button\" id=\"reset\">\(t("Zurücksetzen", "Reset"))</button>\n"
        return h + "<span class=\"muted\">\(t("angezeigt", "shown")): <span id=\"shown\">–</span></span>\n</section>\n"
    }

    /// Findings per Träger and per system (evidence fields) and the trend from the state.
    func charts(_ run: RunInfo) -> String {
        func rows(_ table: [String: [Severity: Int]]) -> [(key: String, counts: [Severity: Int])] {
            func total(_ c: [Severity: Int]) -> Int { c.values.reduce(0, +) }
            let sorted = table.sorted { total($0.value) != total($1.value) ? total($0.value) > total($1.value) : $0.key < $1.key }
            var out = sorted.prefix(10).map { (key: $0.key, counts: $0.value) }
            let rest = sorted.dropFirst(10)
            if !rest.isEmpty {
                var c: [Severity: Int] = [:]
                for r in rest { for (s, n) in r.value { c[s, default: 0] += n } }
                out.append((key: t("übrige", "other") + " (\(rest.count))", counts: c))
            }
            return out
        }
        var h = "<section id=\"charts\">\n<h2>\(t("Diagramme", "Charts"))</h2>\n"
        var any = false
        if let trend {
            any = true
            h += "<section id=\"trend\">\n<figure>\n<figcaption>\(e(trend.caption.text(lang)))</figcaption>\n"
            if let history = trend.history {
                h += SeverityCharts.history(title: t("Offene Befunde nach Schweregrad je Prüflauf", "Open findings by severity per run"), history, lang: lang)
            } else {
                // An older producer's SVG (labels escaped there); drop the namespace so the report holds no URL.
                h += trend.svg.replacingOccurrences(of: " xmlns=\"http://www.w3.org/2000/svg\"", with: "")
                if let header = trend.rows.first {
                    h += "\n<table><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr>\n"
                    for row in trend.rows.dropFirst() { h += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
                    h += "</table>"
                }
            }
            h += "\n</figure>\n</section>\n"
        }
        for (table, de, en) in [(byTraeger, "Befunde je Träger", "Findings per provider"), (bySystem, "Befunde je System", "Findings per system")] where !table.isEmpty {
            any = true
            h += "<figure>\n<figcaption>\(t(de, en)) (\(t("nach Schweregrad; Werte maskiert wie im Nachweis", "by severity; values masked as in the evidence")))</figcaption>\n"
            h += SeverityCharts.horizontalBars(title: t(de, en), rows: rows(table), lang: lang) + "\n</figure>\n"
        }
        if !any { h += "<p class=\"muted\">\(t("Keine Daten für Diagramme.", "No data for charts."))</p>\n" }
        return h + "</section>\n"
    }

    func skippedFiles(_ run: RunInfo) -> String {
        guard let skipped = run.state?.skipped, !skipped.isEmpty else { return "" }
        var h = "<section id=\"skipped\">\n<h2>\(t("Nicht erneut geprüfte Dateien", "Files not scanned again"))</h2>\n"
        h += "<table><tr><th>\(t("Datei", "File"))</th><th>Status</th></tr>\n"
        for s in skipped {
            let run = s.scannedInRun.map(String.init) ?? "?"
            h += "<tr><td><code>\(e(Masking.neutralised(s.path)))</code></td><td>\(t("unverändert, geprüft in Lauf", "unchanged, scanned in run")) \(run)"
            if let at = s.scannedAt { h += " (\(e(BerlinTime.dateTime(at))))" }
            h += "</td></tr>\n"
        }
        return h + "</table>\n</section>\n"
    }

    /// The documented Art. 33 criterion and the legal section (norms by law, folded).
    func catalogue(_ run: RunInfo, _ summary: RunSummary) -> String {
        var h = "<section id=\"criterion\">\n<h2>\(t("Kriterium für den Art.-33-Hinweis", "Criterion for the Art. 33 hint"))</h2>\n<p>"
        h += t("Kandidat ist ein Verstoß (keine Konfigurationslücke), der weder erledigt noch durch eine Ausnahme entschieden ist und entweder den Schweregrad „kritisch“ hat oder mindestens „hoch“ ist und aus einer Regel mit dem Schlagwort <code>breach</code> oder <code>art33</code> stammt",
               "A candidate is a violation (not a configuration gap), neither resolved nor decided by a waiver, that is either critical or at least high and comes from a rule tagged <code>breach</code> or <code>art33</code>")
        let tagged = run.rules.filter(\.isTaggedBreach).map(\.id).sorted()
        if !tagged.isEmpty { h += " (\(t("hier", "here")): " + tagged.map { "<code>\(e($0))</code>" }.joined(separator: ", ") + ")" }
        h += ". " + t("Die 72 Stunden zählen ab der Erkennung: mit Zustandsdatenbank ab der ersten Erkennung des Befunds, sonst ab Beginn dieses Prüflaufs.",
                      "The 72 hours count from detection: with a state database from the finding's first detection, otherwise from the start of this run.")
        h += "</p>\n<p>" + t("Ist eine Verletzung des Schutzes personenbezogener Daten bestätigt, meldet der Verantwortliche sie unverzüglich und möglichst binnen 72 Stunden nach Bekanntwerden der Aufsichtsbehörde, außer sie führt voraussichtlich nicht zu einem Risiko (Art. 33 Abs. 1 DSGVO); bei hohem Risiko auch die Betroffenen benachrichtigen (Art. 34). Das Jobcenter als Stelle nach § 35 SGB I meldet eine Verletzung des Schutzes von Sozialdaten zusätzlich nach § 83a SGB X auch seiner Rechts- oder Fachaufsichtsbehörde. Datenschutzbeauftragte sofort einbinden und die Bewertung dokumentieren (Art. 33 Abs. 5). Eine erstattete Meldung wird als Ausnahme mit <code>--decision reported_art33 --reported-on TT.MM.JJJJ --authority-reference \"…\"</code> festgehalten.",
                             "If a personal-data breach is confirmed, the controller notifies the supervisory authority without undue delay and where feasible within 72 hours of becoming aware of it, unless it is unlikely to result in a risk (Art. 33(1) GDPR); with a high risk, inform the data subjects too (Art. 34). The Jobcenter, a body under § 35 SGB I, also reports a breach of social data to its supervising authority under § 83a SGB X. Involve the data-protection officer at once and document the assessment (Art. 33(5)). A notification made is recorded as a waiver with <code>--decision reported_art33 --reported-on DD.MM.YYYY --authority-reference \"…\"</code>.")
        h += "</p>\n</section>\n"
        return h + legalSection(run, summary)
    }

    func runFacts(_ run: RunInfo, _ summary: RunSummary) -> String {
        var h = "<section id=\"facts\">\n<h2>\(t("Angaben zum Prüflauf", "Run facts"))</h2>\n<dl class=\"facts\">\n"
        func fact(_ k: String, _ v: String) -> String { "<dt>\(k)</dt><dd>\(v)</dd>\n" }
        h += fact(t("Werkzeug", "Tool"), "Trennwand " + e(run.toolVersion))
        h += fact(t("Regelpaket", "Rule pack"), "<code>" + e(String(run.rulePackHash.prefix(16))) + "…</code> (\(run.rules.count) \(t("Regeln", "rules")))")
        h += fact(t("Beginn", "Started"), e(BerlinTime.dateTime(run.started)))
        h += fact(t("Ende", "Finished"), e(BerlinTime.dateTime(summary.finished)))
        h += fact(t("Fehlerschwelle", "Fail threshold"), run.failOn.map { e($0.label.text(lang)) } ?? t("keine", "none"))
        h += fact(t("Befunde", "Findings"), "\(summary.total) (\(t("offen", "open")) \(summary.open), \(t("Ausnahme", "waived")) \(summary.waived)); \(t("Verstöße", "violations")) \(summary.byClass[.violation]?.total ?? 0), \(t("Konfigurationslücken", "configuration gaps")) \(summary.byClass[.gap]?.total ?? 0)")
        if let b = summary.baseline {
            h += fact(t("Gegenüber Baseline", "Against baseline"),
                      "\(t("neu", "new")) \(b.new), \(t("unverändert", "unchanged")) \(b.unchanged), \(t("entfallen", "gone")) \(b.gone)")
        }
        h += fact(t("Datensätze", "Records"), "\(t("gelesen", "read")) \(summary.recordsRead), \(t("ausgewertet", "evaluated")) \(summary.recordsEvaluated), \(t("abgewiesen", "rejected")) \(summary.recordsRejected)")
        if run.revealed {
            h += "</dl>\n<p class=\"note\"><strong>--reveal</strong>: \(t("Nachweise und Personen der in diesem Lauf geprüften Dateien stehen im Klartext (handelnde und betroffene Person gleich); Feststellungen aus dem Zustandsspeicher bleiben maskiert. Nur zur Prüfung am eigenen Platz, nicht weitergeben.", "evidence and persons of the files scanned in this run are in clear text (actor and subject alike); findings from the state store stay masked. For local review only, do not pass on."))</p>\n"
        } else {
            h += "</dl>\n<p class=\"muted\">\(t("Nachweise sind maskiert, Personen pseudonymisiert (HMAC-Schlüssel der Installation). Dieser Bericht enthält keine Sozialdaten im Klartext.", "Evidence is masked, persons are pseudonymised (installation HMAC key). This report holds no social data in clear text."))</p>\n"
        }
        h += "<p class=\"note\"><strong>\(t("Zweckbindung", "Purpose limitation"))</strong> (§ 67c Abs. 4 SGB X): \(t("Sozialdaten, die ausschließlich zur Datenschutzkontrolle gespeichert sind – etwa Zugriffsprotokolle –, dürfen nur für diesen Zweck verarbeitet werden. Dieser Bericht und die Zustandsdatenbank fallen darunter: nur zur Datenschutzkontrolle verwenden.", "social data stored solely for data-protection control – such as access logs – may be processed only for that purpose. This report and the state database fall under it: use them for data-protection control only."))</p>\n"
        h += "<p class=\"note\"><strong>\(t("Mitbestimmung", "Co-determination"))</strong>: \(t("Zugriffsprotokolle der Beschäftigten auszuwerten ist eine Überwachung von Verhalten oder Leistung mit einer technischen Einrichtung; die Personalvertretung ist zu beteiligen – für das Personal des Jobcenters der Personalrat (§ 80 Abs. 1 Nr. 21 BPersVG, anwendbar über § 44h Abs. 1 SGB II), für das Personal des Trägers der Betriebsrat, wo einer besteht (§ 87 Abs. 1 Nr. 6 BetrVG).\(run.revealed ? "" : " Personen bleiben im Bericht pseudonymisiert.")", "analysing staff access logs is monitoring of employees' conduct or performance by technical means; the staff representation has a say – for Jobcenter staff the staff council (§ 80 Abs. 1 Nr. 21 BPersVG, applicable through § 44h Abs. 1 SGB II), for the provider's staff the works council, where there is one (§ 87 Abs. 1 Nr. 6 BetrVG).\(run.revealed ? "" : " Persons stay pseudonymous in the report.")"))</p>\n"
        h += "<p class=\"muted small\">\(t("Hinweise, keine Rechtsberatung.", "Notes, not legal advice."))</p>\n"
        return h + "</section>\n"
    }

    func accounting(_ summary: RunSummary) -> String {
        var h = "<section id=\"accounting\">\n<h2>\(t("Nachweis der Verarbeitung", "Accounting"))</h2>\n"
        if summary.inputs.allSatisfy(\.isBalanced) {
            h += "<p class=\"muted\">\(t("Jeder gelesene Datensatz wurde ausgewertet oder mit Grund abgewiesen.", "Every record read was evaluated or rejected with a reason."))</p>\n"
        } else {
            h += "<p class=\"art33\">\(t("Achtung: Die Zählung geht nicht auf (gelesen ≠ ausgewertet + abgewiesen). Bitte als Fehler melden.", "Warning: the accounting does not balance (read ≠ evaluated + rejected). Please report this as a bug."))</p>\n"
        }
        h += "<div class=\"scroll\"><table><tr><th>\(t("Eingabe", "Input"))</th><th>\(t("Profil", "Profile"))</th><th class=\"n\">\(t("gelesen", "read"))</th>"
        h += "<th class=\"n\">\(t("ausgewertet", "evaluated"))</th><th class=\"n\">\(t("abgewiesen", "rejected"))</th><th>\(t("Dateifehler", "File error"))</th></tr>\n"
        for i in summary.inputs {
            h += "<tr><td><code>\(e(i.file))</code></td><td>\(e(i.profile ?? "–"))</td><td class=\"n\">\(i.read)</td>"
            h += "<td class=\"n\">\(i.normalised)</td><td class=\"n\">\(i.rejected)</td>"
            h += "<td>\(i.fileError.map { e($0.reason.code + ": " + $0.reason.message.text(lang)) } ?? "–")</td></tr>\n"
        }
        h += "</table></div>\n"
        let reasons = summary.rejectionReasons
        if !reasons.isEmpty {
            h += "<table><caption>\(t("Abweisungsgründe", "Rejection reasons"))</caption>\n<tr><th>Code</th><th>\(t("Grund", "Reason"))</th><th class=\"n\">\(t("Anzahl", "Count"))</th></tr>\n"
            for r in reasons {
                h += "<tr><td><code>\(e(r.code))</code></td><td>\(e(r.message.text(lang)))</td><td class=\"n\">\(r.count)</td></tr>\n"
            }
            h += "</table>\n"
            let first = summary.inputs.flatMap(\.rejections).prefix(rejectionDetailLimit)
            h += "<details><summary>\(t("Erste abgewiesene Datensätze", "First rejected records")) (\(first.count))</summary>\n<table><tr><th>\(t("Fundstelle", "Location"))</th><th>\(t("Grund", "Reason"))</th></tr>\n"
            for r in first {
                h += "<tr><td><code>\(e(r.locator.description))</code></td><td><code>\(e(r.reason.code))</code> \(e(r.reason.message.text(lang)))</td></tr>\n"
            }
            h += "</table>\n</details>\n"
        }
        return h + "</section>\n"
    }

    /// German/English label for a person role key; unknown roles by their field label.
    static func roleLabel(_ role: String, _ lang: Language) -> String {
        let labels: [String: Localized] = [
            "actor": Localized(de: "Handelnde Person", en: "Actor"),
            "subject": Localized(de: "Betroffene Person", en: "Subject"),
            "author": Localized(de: "Verfasser/in", en: "Author"),
            "reader": Localized(de: "Lesende Person", en: "Reader"),
        ]
        return (labels[role] ?? FieldLabels.label(field: role)).text(lang)
    }
}
