import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState

/// Overview, grouped findings, one finding, decisions, runs, accounts.
extension Pages {
    static let openStatuses: [FindingStatus] = [.new, .open, .reopened, .waived]

    /// Time left until an escalation's deadline, or how long it is overdue (hours and minutes).
    static func timeLeft(_ e: Escalation, now: Int64, _ l: Language) -> String {
        let left = e.deadline - now
        let span = abs(left)
        let text = "\(span / 3600) h \(span % 3600 / 60) min"
        return left >= 0 ? t(l, "noch \(text)", "\(text) left") : t(l, "überfällig seit \(text)", "overdue by \(text)")
    }

    /// Open Art. 33 escalations with their deadlines (overview).
    static func escalations(_ v: Visitor, _ es: [Escalation], now: Int64) -> String {
        let l = v.lang
        var b = "<section class=\"card art33\"><h2>\(t(l, "Art. 33: offene Eskalationen (72 Stunden)", "Art. 33: open escalations (72 hours)"))</h2>"
        guard !es.isEmpty else { return b + "<p>\(t(l, "Keine offene Eskalation.", "No open escalation."))</p></section>" }
        b += "<table><thead><tr><th>\(t(l, "Regel", "Rule"))</th><th>\(t(l, "Feststellung", "Finding"))</th><th>\(t(l, "Frist", "Deadline"))</th><th>\(t(l, "Restzeit", "Time left"))</th></tr></thead><tbody>"
        for e in es {
            b += "<tr\(e.deadline < now ? " class=\"late\"" : "")><td>\(h(e.ruleID))</td>"
            b += "<td><a href=\"/findings/\(h(e.fingerprint))\"><code>\(h(String(e.fingerprint.prefix(12))))…</code></a></td>"
            b += "<td>\(time(e.deadline))</td><td>\(h(timeLeft(e, now: now, l)))</td></tr>"
        }
        return b + "</tbody></table></section>"
    }

    static func overview(_ v: Visitor, _ o: ReviewOverview, lastRun: RunRecord?, escalations open: [Escalation], now: Int64) -> String {
        let l = v.lang
        var b = "<h1>\(t(l, "Übersicht", "Overview"))</h1>"
        if let r = lastRun {
            b += "<p class=\"muted\">\(h(t(l, "Letzter Prüflauf #\(r.id), begonnen \(BerlinTime.dateTime(r.started))", "Last run #\(r.id), started \(BerlinTime.dateTime(r.started))")))</p>"
        } else {
            b += "<p class=\"banner\">\(t(l, "Noch kein Prüflauf im Zustandsspeicher.", "No run in the state store yet."))</p>"
        }
        b += "<div id=\"overview\"><section class=\"card\"><h2>\(t(l, "Offene Feststellungen", "Open findings"))</h2>"
        b += "<table class=\"counts\"><thead><tr><th>\(t(l, "Schwere", "Severity"))</th>"
        for s in openStatuses { b += "<th class=\"n\">\(h(s.label.text(l)))</th>" }
        b += "<th class=\"n\">\(t(l, "gesamt", "total"))</th></tr></thead><tbody>"
        for s in Severity.allCases.reversed() {
            let row = o.counts[s] ?? [:]
            let total = row.values.reduce(0, +)
            b += "<tr><td><a href=\"/findings?severity=\(s.rawValue)\">\(badge(s, l))</a></td>"
            for st in openStatuses { b += "<td class=\"n\">\(row[st] ?? 0)</td>" }
            b += "<td class=\"n\"><a href=\"/findings?severity=\(s.rawValue)\">\(total)</a></td></tr>"
        }
        b += "</tbody></table><p>\(h(t(l, "\(o.total) offen, davon \(o.decided) mit Entscheidung.", "\(o.total) open, \(o.decided) of them decided.")))</p>"
        b += "<p><a href=\"/findings?decision=none\">\(t(l, "Noch ohne Entscheidung", "Not yet decided"))</a></p></section>"
        b += escalations(v, open, now: now) + "</div>"
        return b
    }

    /// The filter form: GET parameters, a submit button, no script.
    static func filterForm(_ v: Visitor, _ q: FormData, facets: (traeger: [String], system: [String], norms: [String])) -> String {
        let l = v.lang
        func select(_ name: String, _ label: String, _ options: [(String, String)]) -> String {
            var s = "<label>\(h(label)) <select name=\"\(name)\"><option value=\"\">\(t(l, "alle", "all"))</option>"
            for (value, text) in options {
                s += "<option value=\"\(h(value))\"\(q[name] == value ? " selected" : "")>\(h(text))</option>"
            }
            return s + "</select></label>"
        }
        var f = "<form id=\"filters\" method=\"get\" action=\"/findings\">"
        if let rule = q["rule"] { f += "<input type=\"hidden\" name=\"rule\" value=\"\(h(rule))\">" }
        f += select("severity", t(l, "Schwere", "Severity"), Severity.allCases.reversed().map { ($0.rawValue, $0.label.text(l)) })
        f += select("status", t(l, "Status", "Status"), (openStatuses + [.resolved]).map { ($0.rawValue, $0.label.text(l)) })
        f += select("traeger", "Träger", facets.traeger.map { ($0, $0) })
        f += select("system", "System", facets.system.map { ($0, $0) })
        f += select("norm", t(l, "Norm", "Norm"), facets.norms.map { ($0, $0) })
        f += select("decision", t(l, "Entscheidung", "Decision"),
                    [("none", t(l, "keine", "none")), ("any", t(l, "irgendeine", "any"))]
                    + WaiverDecision.allCases.map { ($0.rawValue, $0.label.text(l)) })
        f += "<label>\(t(l, "von", "from")) <input type=\"date\" name=\"from\" value=\"\(h(q["from"] ?? ""))\"></label>"
        f += "<label>\(t(l, "bis", "to")) <input type=\"date\" name=\"to\" value=\"\(h(q["to"] ?? ""))\"></label>"
        f += "<button type=\"submit\">\(t(l, "Filtern", "Filter"))</button> <a href=\"/findings\">\(t(l, "zurücksetzen", "reset"))</a></form>"
        return f
    }

    static func findings(_ v: Visitor, query: FormData, filter: FindingFilter, groups: [FindingGroup],
                         facets: (traeger: [String], system: [String], norms: [String]), rows: [FindingRow], page: Int,
                         trend: DetectionTrend? = nil) -> String {
        let l = v.lang
        var b = "<h1>\(t(l, "Feststellungen", "Findings"))</h1>" + filterForm(v, query, facets: facets)
        let total = groups.reduce(0) { $0 + $1.count }
        let de = "\(total) " + (total == 1 ? "Feststellung" : "Feststellungen") + " in \(groups.count) " + (groups.count == 1 ? "Regel" : "Regeln")
        let en = "\(total) " + (total == 1 ? "finding" : "findings") + " in \(groups.count) " + (groups.count == 1 ? "rule" : "rules")
        b += "<p>\(h(t(l, de, en)))</p>"
        if let rule = filter.rule, let trend { b += DetectionChart.figure(rule: rule.uppercased(), trend, l) }
        var keep = FilterForm.pairs(query).filter { $0.0 != "rule" }
        for g in groups {
            let link = "/findings?" + FormData.encode(keep + [("rule", g.ruleID)])
            b += "<section class=\"group sev-\(g.severity.rawValue)\"><h2>\(badge(g.severity, l)) <a href=\"\(h(link))\">\(h(g.ruleID)) – \(h(g.title.text(l)))</a></h2>"
            b += "<p class=\"gfacts\">\(h(t(l, "\(g.count) Feststellungen, \(g.decided) mit Entscheidung", "\(g.count) findings, \(g.decided) decided")))</p>"
            if filter.rule == g.ruleID {
                b += findingTable(v, Array(rows.prefix(pageSize)))
                if page > 0 || rows.count > pageSize {
                    keep = FilterForm.pairs(query)
                    b += "<p>"
                    if page > 0 { b += "<a href=\"/findings?\(h(FormData.encode(keep + [("page", String(page - 1))])))\">\(t(l, "zurück", "previous"))</a> " }
                    if rows.count > pageSize { b += "<a href=\"/findings?\(h(FormData.encode(keep + [("page", String(page + 1))])))\">\(t(l, "weiter", "next"))</a>" }
                    b += "</p>"
                }
                if Permission.decide.allows(v.account.role) {
                    var hidden = ""
                    for (k, val) in FilterForm.pairs(query) { hidden += "<input type=\"hidden\" name=\"\(h(k))\" value=\"\(h(val))\">" }
                    b += "<section class=\"decide\"><h3>\(h(t(l, "Entscheidung für alle \(g.count) Feststellungen dieser Regel im Filter", "Decision for all \(g.count) findings of this rule in the filter")))</h3>"
                    b += decisionForm(v, action: "/decisions/group", hidden: hidden) + "</section>"
                }
            }
            b += "</section>"
        }
        return b
    }

    static func findingTable(_ v: Visitor, _ rows: [FindingRow]) -> String {
        let l = v.lang
        var b = "<table class=\"occ\"><thead><tr><th>\(t(l, "Schwere", "Severity"))</th><th>Status</th><th>\(t(l, "Fundstelle", "Location"))</th><th>\(t(l, "Zeit", "Time"))</th><th class=\"n\">\(t(l, "Vorkommen", "Occurrences"))</th><th>\(t(l, "Entscheidung", "Decision"))</th></tr></thead><tbody>"
        for r in rows {
            b += "<tr><td>\(badge(r.severity, l))</td><td>\(status(r.status, l))</td>"
            b += "<td><a href=\"/findings/\(h(r.fingerprint))\">\(h(r.file)):\(r.line)</a></td><td>\(time(r.recordTime ?? r.firstSeen))</td>"
            b += "<td class=\"n\">\(r.occurrences)</td><td>\(r.decision.map { h($0.label.text(l)) } ?? "–")</td></tr>"
        }
        return b + "</tbody></table>"
    }

    /// The decision form (kinds of the waiver model); `hidden` carries a group's filter.
    static func decisionForm(_ v: Visitor, action: String, hidden: String = "") -> String {
        let l = v.lang
        var f = "<form class=\"stack\" method=\"post\" action=\"\(h(action))\">\(csrfField(v))\(hidden)"
        f += "<label>\(t(l, "Art", "Kind"))<select name=\"kind\" required><option value=\"\"></option>"
        for k in WaiverDecision.allCases { f += "<option value=\"\(k.rawValue)\">\(h(k.label.text(l)))</option>" }
        f += "</select></label>"
        f += "<label>\(t(l, "Begründung / Kommentar", "Reason / comment"))<textarea name=\"reason\" required maxlength=\"2000\"></textarea></label>"
        f += "<label>\(t(l, "Zuständig (weiterverfolgen)", "Assignee (follows up)"))<input name=\"assignee\" maxlength=\"200\"></label>"
        f += "<label>\(t(l, "Gültig bis (leer: längstmöglich, 12 Monate)", "Valid until (empty: the longest allowed, 12 months)"))<input type=\"date\" name=\"expires\"></label>"
        f += "<label>\(t(l, "Gemeldet am (nur Art. 33)", "Reported on (Art. 33 only)"))<input type=\"date\" name=\"reported_on\"></label>"
        f += "<label>\(t(l, "Aktenzeichen der Aufsichtsbehörde (nur Art. 33)", "Authority's reference (Art. 33 only)"))<input name=\"authority_reference\" maxlength=\"200\"></label>"
        f += "<label>\(t(l, "Vorgang / Ticket", "Ticket"))<input name=\"ticket\" maxlength=\"200\"></label>"
        f += "<button type=\"submit\">\(t(l, "Entscheidung speichern", "Record decision"))</button></form>"
        return f
    }

    static func finding(_ v: Visitor, _ d: FindingDetail, trail: [AuditEvent], escalation: Escalation?, now: Int64,
                        problem: Localized?) -> String {
        let l = v.lang
        let f = d.finding
        var b = "<h1>\(badge(f.severity, l)) \(h(f.ruleID)) – \(h(f.title.text(l)))</h1>"
        if let problem { b += "<p class=\"problem\">\(h(problem.text(l)))</p>" }
        b += "<dl class=\"facts\">"
        b += "<dt>Status</dt><dd>\(status(d.lifecycle.status, l))</dd>"
        b += "<dt>\(t(l, "Fundstelle", "Location"))</dt><dd><code>\(h(f.locator.description))</code></dd>"
        b += "<dt>\(t(l, "Zeit des Datensatzes", "Record time"))</dt><dd>\(time(f.time))</dd>"
        b += "<dt>\(t(l, "Erstmals erkannt", "First detected"))</dt><dd>\(time(d.lifecycle.firstSeen)) (\(t(l, "Lauf", "run")) #\(d.lifecycle.firstRun))</dd>"
        b += "<dt>\(t(l, "Zuletzt gesehen", "Last seen"))</dt><dd>\(time(d.lifecycle.lastSeen)) (\(t(l, "Lauf", "run")) #\(d.lifecycle.lastRun))</dd>"
        b += "<dt>\(t(l, "Fingerabdruck", "Fingerprint"))</dt><dd><code>\(h(f.fingerprint))</code></dd>"
        if !f.persons.isEmpty {
            b += "<dt>\(t(l, "Personen (Pseudonyme)", "Persons (pseudonyms)"))</dt><dd>"
            b += f.persons.sorted { $0.key < $1.key }.map { "\(h($0.key)): <code>\(h($0.value))</code>" }.joined(separator: " · ") + "</dd>"
        }
        b += "</dl>"
        if let detail = f.detail { b += "<p class=\"explain\">\(h(detail.text(l)))</p>" }
        b += "<h2>\(t(l, "Was zu tun ist", "What to do"))</h2><p class=\"todo\">\(h(f.remediation.text(l)))</p>"
        if !f.norms.isEmpty {
            b += "<h2>\(t(l, "Normen", "Norms"))</h2><ul class=\"legal\">"
            for n in f.norms {
                b += "<li><strong>\(h(n.citation))</strong> \(h(n.title))"
                if let s = n.summary { b += " <span class=\"meta\">\(h(s))</span>" }
                b += "</li>"
            }
            b += "</ul>"
        }
        b += "<h2>\(h(t(l, "Vorkommen (\(f.occurrences))", "Occurrences (\(f.occurrences))")))</h2>"
        b += "<table class=\"occ\"><thead><tr><th>\(t(l, "Fundstelle", "Location"))</th><th>\(t(l, "Zeit", "Time"))</th><th>\(t(l, "Nachweis (maskiert)", "Evidence (masked)"))</th></tr></thead><tbody>"
        for o in f.occurrenceList {
            let ev = o.evidence.map { "<span class=\"ev\"><span class=\"k\">\(h($0.field)):</span> <code>\(h($0.value))</code></span>" }.joined()
            b += "<tr><td><code>\(h(o.locator.description))</code></td><td>\(time(o.time))</td><td>\(ev)</td></tr>"
        }
        b += "</tbody></table>"
        if f.occurrencesTruncated {
            b += "<p class=\"note\">\(h(t(l, "Gespeichert sind die ersten \(f.occurrenceList.count) von \(f.occurrences) Vorkommen.", "The first \(f.occurrenceList.count) of \(f.occurrences) occurrences are stored.")))</p>"
        }
        b += "<h2>\(t(l, "Verlauf", "History"))</h2><table><thead><tr><th>\(t(l, "Zeit", "Time"))</th><th>\(t(l, "Ereignis", "Event"))</th></tr></thead><tbody>"
        var lines: [(Int64, String)] = d.events.map { e in
            (e.started, h(t(l, "Lauf #\(e.run): \(e.status.label.de)", "run #\(e.run): \(e.status.label.en)")))
        }
        for e in trail { lines.append((e.at, "\(h(e.account)): \(TrailDetail.html(action: e.action, detail: e.detail, l))")) }
        for (at, text) in lines.sorted(by: { $0.0 < $1.0 }) { b += "<tr><td>\(time(at))</td><td>\(text)</td></tr>" }
        b += "</tbody></table>"
        if let current = d.decisions.first {
            b += "<h2>\(t(l, "Entscheidung", "Decision"))</h2><p>\(h(current.kind.label.text(l))) – \(h(current.reason))"
            b += h(t(l, " (\(current.decidedBy), gültig bis \(day(current.expires))", " (\(current.decidedBy), valid until \(current.expires)"))
            if let a = current.assignee { b += h(t(l, ", zuständig: \(a)", ", assignee: \(a)")) }
            if let r = current.authorityReference { b += h(t(l, ", Aktenzeichen \(r)", ", reference \(r)")) }
            b += ")</p>"
        }
        let decides = Permission.decide.allows(v.account.role)
        if let e = escalation {
            b += "<section class=\"art33\"><h2>\(t(l, "Art. 33: Meldefrist läuft", "Art. 33: notification deadline running"))</h2>"
            b += "<p>\(h(t(l, "Erkannt \(BerlinTime.dateTime(e.detected)), Frist bis \(BerlinTime.dateTime(e.deadline)): ", "Detected \(BerlinTime.dateTime(e.detected)), deadline \(BerlinTime.dateTime(e.deadline)): ")))<strong>\(h(timeLeft(e, now: now, l)))</strong>"
            b += h(t(l, " (eskaliert von \(e.openedBy))", " (escalated by \(e.openedBy))")) + "</p>"
            if decides {
                b += "<p>\(t(l, "Die Entscheidung „gemeldet nach Art. 33“ (mit Datum und Aktenzeichen) schließt die Eskalation.", "A decision 'reported under Art. 33' (with date and reference) closes the escalation."))</p>"
                b += "<form class=\"stack\" method=\"post\" action=\"/findings/\(h(f.fingerprint))/escalation/close\">\(csrfField(v))"
                b += "<label>\(t(l, "Begründung: kein Risiko für die Betroffenen (Art. 33 Abs. 1)", "Reason: no risk to the persons concerned (Art. 33(1))"))<textarea name=\"reason\" required maxlength=\"2000\"></textarea></label>"
                b += "<button type=\"submit\">\(t(l, "Kein Risiko dokumentieren und schließen", "Document no risk and close"))</button></form>"
            }
            b += "</section>"
        } else if decides {
            b += "<form method=\"post\" action=\"/findings/\(h(f.fingerprint))/escalate\">\(csrfField(v))"
            b += "<button type=\"submit\">\(t(l, "Nach Art. 33 eskalieren (72 Stunden ab Erkennung)", "Escalate under Art. 33 (72 hours from detection)"))</button></form>"
        }
        if decides {
            b += "<section class=\"decide\"><h2>\(t(l, "Entscheidung festhalten", "Record a decision"))</h2>"
            b += decisionForm(v, action: "/findings/\(f.fingerprint)/decision") + "</section>"
        }
        return b
    }

    static func decisions(_ v: Visitor, _ ds: [ReviewDecision], now: Int64) -> String {
        let l = v.lang
        var b = "<h1>\(t(l, "Entscheidungen", "Decisions"))</h1>"
        b += "<p><a href=\"/decisions/export\">\(t(l, "Als Ausnahmedatei exportieren (für scan --waivers)", "Export as waiver file (for scan --waivers)"))</a></p>"
        b += "<table><thead><tr><th>\(t(l, "Regel", "Rule"))</th><th>\(t(l, "Feststellung", "Finding"))</th><th>\(t(l, "Art", "Kind"))</th><th>\(t(l, "Begründung", "Reason"))</th><th>\(t(l, "Zuständig", "Assignee"))</th><th>\(t(l, "Gültig bis", "Valid until"))</th><th>\(t(l, "Von", "By"))</th><th>\(t(l, "Am", "On"))</th></tr></thead><tbody>"
        for d in ds {
            b += "<tr><td>\(h(d.ruleID))</td><td><a href=\"/findings/\(h(d.fingerprint))\"><code>\(h(String(d.fingerprint.prefix(12))))…</code></a></td>"
            b += "<td>\(h(d.kind.label.text(l)))</td><td>\(h(d.reason))</td><td>\(h(d.assignee ?? "–"))</td><td>\(h(d.expires))</td>"
            b += "<td>\(h(d.decidedBy))</td><td>\(time(d.decidedAt))</td></tr>"
        }
        return b + "</tbody></table>"
    }

    /// The runs, after the report's chart of open findings by severity per run (inline SVG).
    static func runs(_ v: Visitor, _ runs: [RunRecord], chart: SeverityHistory, ruleTrends: [RuleTrend] = []) -> String {
        let l = v.lang
        var b = "<h1>\(t(l, "Prüfläufe", "Runs"))</h1>"
        if !chart.points.isEmpty {
            let title = t(l, "Offene Feststellungen nach Schwere nach jedem Prüflauf", "Open findings by severity after each run")
            b += "<figure class=\"trend\"><figcaption>\(h(title)) (\(h(t(l, "letzte \(chart.points.count) Läufe", "last \(chart.points.count) runs"))))</figcaption>"
            b += SeverityCharts.history(title: title, chart, lang: l) + "</figure>"
        }
        b += DetectionChart.topRules(ruleTrends, l)
        b += "<table><thead><tr><th class=\"n\">\(t(l, "Lauf", "Run"))</th><th>\(t(l, "Beginn", "Started"))</th><th>Status</th>"
        for (de, en) in [("geprüft", "scanned"), ("übersprungen", "skipped"), ("neu", "new"), ("wieder", "reopened"), ("behoben", "resolved"), ("Exit", "Exit")] {
            b += "<th class=\"n\">\(t(l, de, en))</th>"
        }
        b += "</tr></thead><tbody>"
        for r in runs {
            b += "<tr><td class=\"n\">\(r.id)</td><td>\(time(r.started))</td><td>\(h(r.status.rawValue))</td><td class=\"n\">\(r.filesScanned)</td>"
            b += "<td class=\"n\">\(r.filesSkipped)</td><td class=\"n\">\(r.new)</td><td class=\"n\">\(r.reopened)</td><td class=\"n\">\(r.resolved)</td>"
            b += "<td class=\"n\">\(r.exitCode.map(String.init) ?? "–")</td></tr>"
        }
        return b + "</tbody></table>"
    }

    static func accounts(_ v: Visitor, _ accounts: [ReviewAccount], setupLink: String?, problem: Localized?) -> String {
        let l = v.lang
        var b = "<h1>\(t(l, "Konten", "Accounts"))</h1>"
        if let problem { b += "<p class=\"problem\">\(h(problem.text(l)))</p>" }
        if let setupLink {
            b += "<p class=\"notice\">\(t(l, "Konto angelegt. Einrichtungslink (einmal gültig, 24 Stunden; nur jetzt sichtbar, vertraulich weitergeben):", "Account created. Setup link (works once, 24 hours; shown only now, hand it over confidentially):")) <code>\(h(setupLink))</code></p>"
        }
        b += "<table><thead><tr><th>\(t(l, "Name", "Name"))</th><th>\(t(l, "Rolle", "Role"))</th><th>\(t(l, "Zustand", "State"))</th><th></th></tr></thead><tbody>"
        for a in accounts {
            let state = a.disabled ? t(l, "gesperrt", "disabled") : (a.passwordHash == nil ? t(l, "Einrichtung offen", "setup pending") : t(l, "aktiv", "active"))
            b += "<tr><td>\(h(a.name))</td><td>\(h(a.role.label.text(l)))</td><td>\(state)</td><td>"
            if !a.disabled && a.id != v.account.id {
                b += "<form method=\"post\" action=\"/accounts/\(h(a.name))/disable\">\(csrfField(v))<button type=\"submit\">\(t(l, "Sperren", "Disable"))</button></form>"
            }
            b += "</td></tr>"
        }
        b += "</tbody></table><h2>\(t(l, "Neues Konto", "New account"))</h2><form class=\"stack\" method=\"post\" action=\"/accounts\">\(csrfField(v))"
        b += "<label>\(t(l, "Name", "Name"))<input name=\"name\" required maxlength=\"64\"></label><label>\(t(l, "Rolle", "Role"))<select name=\"role\" required>"
        for r in ReviewRole.allCases { b += "<option value=\"\(r.rawValue)\">\(h(r.label.text(l)))</option>" }
        b += "</select></label><button type=\"submit\">\(t(l, "Anlegen", "Create"))</button></form>"
        return b
    }
}
