import TrennwandFindings
import TrennwandRecords

/// The columns of a group's table. A column no row fills is left out.
enum GroupColumn: Int, CaseIterable {
    case time, place, persons, evidence, status, decision
}

/// One finding's rendered table row: cells per column (nil = empty) and its filter attributes.
struct GroupRow {
    var attributes: String
    var cells: [String?]
    /// The merged records of the finding (a nested table), when there is more than one.
    var occurrences: String?
}

/// The findings of one rule, collected until `end` (the report orders groups by severity and count).
struct RuleGroup {
    let id: String
    var title: Localized
    var severity: Severity
    var findingClass: FindingClass
    var norms: [Norm]
    var remediation: Localized
    /// Findings of the rule; `active` leaves out those the run resolved.
    var total = 0
    var active = 0
    var open = 0
    var waived = 0
    var byStatus: [FindingStatus: Int] = [:]
    /// Art. 33 candidates and the earliest start of their 72-hour clock.
    var art33 = 0
    var clockStart: Int64?
    var clockSource: Art33Criterion.ClockSource = .runStart
    var rows: [GroupRow] = []
    /// Findings beyond the writer's row limit: counted, not rendered.
    var omitted = 0

    init(finding: Finding, rule: RuleDescriptor?) {
        id = finding.ruleID
        title = finding.title
        severity = finding.severity
        findingClass = finding.findingClass
        norms = finding.norms
        remediation = finding.remediation
    }

    mutating func add(_ finding: Finding, context: FindingContext, rule: RuleDescriptor?, run: RunInfo) {
        total += 1
        severity = max(severity, finding.severity)
        if let s = context.lifecycle?.status { byStatus[s, default: 0] += 1 }
        if context.lifecycle?.status == .resolved { return }
        active += 1
        if context.waived != nil { waived += 1 } else { open += 1 }
        if Art33Criterion.applies(finding, rule: rule, context: context) {
            art33 += 1
            let (start, source) = Art33Criterion.clockStart(lifecycle: context.lifecycle, run: run)
            if clockStart.map({ start < $0 }) ?? true {
                clockStart = start
                clockSource = source
            }
        }
    }
}

extension HTMLReportWriter {
    /// The field type of a canonical field name (the first record kind that has it).
    static let fieldTypes: [String: FieldType] = {
        var m: [String: FieldType] = [:]
        for kind in RecordKind.allCases {
            for f in kind.schema.fields where m[f.name] == nil { m[f.name] = f.type }
        }
        return m
    }()

    /// An evidence value as people read it: timestamps in Berlin time, symbols and booleans by label.
    func displayValue(_ ev: Evidence) -> String {
        if Self.fieldTypes[ev.field] == .timestamp, let p = CivilTime.parseISO8601(Array(ev.value.utf8)), let offset = p.offset {
            return BerlinTime.dateTime(p.local - offset)
        }
        if let label = FieldLabels.label(value: ev.value, field: ev.field) { return label.text(lang) }
        return Self.berlinTimes(in: ev.value)
    }

    /// Replaces every UTC instant `2025-10-06T06:15:00Z` (or without seconds) inside a text, as
    /// checks write them into details and measures, by its Berlin time `06.10.2025 08:15`.
    static func berlinTimes(in text: String) -> String {
        let b = Array(text.utf8)
        guard b.count >= 17, b.contains(0x54) else { return text }
        func digit(_ i: Int) -> Bool { i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy(digit) }
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if i + 17 <= b.count, digits(i..<i + 4), b[i + 4] == 0x2D, digits(i + 5..<i + 7), b[i + 7] == 0x2D, digits(i + 8..<i + 10),
               b[i + 10] == 0x54, digits(i + 11..<i + 13), b[i + 13] == 0x3A, digits(i + 14..<i + 16), i == 0 || !digit(i - 1) {
                var end = i + 16
                if end + 3 <= b.count, b[end] == 0x3A, digits(end + 1..<end + 3) { end += 3 }
                if end < b.count, b[end] == 0x5A, let p = CivilTime.parseISO8601(b[i...end]), let offset = p.offset {
                    out += Array(BerlinTime.dateTime(p.local - offset).utf8)
                    i = end + 1
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Evidence as `Label: value` lines (person fields are in their own column).
    func evidenceHTML(_ evidence: [Evidence], skipping persons: Set<String>) -> String? {
        let lines = evidence.filter { !persons.contains($0.value) }.map { ev -> String in
            var s = "<span class=\"ev\"><span class=\"k\">\(e(FieldLabels.label(field: ev.field).text(lang)))</span> \(e(displayValue(ev)))"
            if let d = ev.detector { s += " <span class=\"muted\">(\(e(d)))</span>" }
            return s + "</span>"
        }
        return lines.isEmpty ? nil : lines.joined(separator: " ")
    }

    /// The `trennwand waive` command for one finding, ready to copy (form agreed in issue #14);
    /// `--until` suggests six months after the run, inside the 12-month waiver limit.
    func waiveCommand(_ finding: Finding) -> String {
        let until = run.map { BerlinTime.date($0.started + 182 * 86_400) } ?? "31.12.2099"
        return "trennwand waive \(finding.fingerprint) --rule \(finding.ruleID) --decision false_positive --reason \"…\" --approver \"…\" --until \(until)"
    }

    func row(_ finding: Finding, context: FindingContext, serial: Int) -> GroupRow {
        let rank = Severity.allCases.firstIndex(of: finding.severity)!
        let norms = "|" + finding.norms.map { HTMLReportAssets.normKey($0.citation) }.joined(separator: "|") + "|"
        let status = context.lifecycle?.status.rawValue ?? (context.waived == nil ? "open" : "waived")
        let isOpen = context.lifecycle.map { $0.status.isOpen && context.waived == nil } ?? (context.waived == nil)
        var attrs = "id=\"f\(serial)\" data-rank=\"\(rank)\" data-rule=\"\(e(finding.ruleID))\" data-norms=\"\(e(norms))\""
        attrs += " data-status=\"\(status)\" data-open=\"\(isOpen ? 1 : 0)\""
        var cells = [String?](repeating: nil, count: GroupColumn.allCases.count)
        cells[GroupColumn.time.rawValue] = finding.time.map { e(BerlinTime.dateTime($0)) }
        var place = "<code>\(e(finding.locator.description))</code>"
        if let id = finding.locator.recordID { place += "<br><span class=\"muted\">\(t("Eintrag", "Entry")) \(e(id))</span>" }
        if finding.occurrences > 1 { place += "<br><strong>\(finding.occurrences) \(t("Vorkommen", "occurrences"))</strong>" }
        cells[GroupColumn.place.rawValue] = place
        if !finding.persons.isEmpty {
            cells[GroupColumn.persons.rawValue] = finding.persons.keys.sorted().map {
                "<span class=\"ev\"><span class=\"k\">\(e(HTMLReportWriter.roleLabel($0, lang)))</span> <code>\(e(finding.persons[$0]!))</code></span>"
            }.joined(separator: " ")
        }
        var evidence = evidenceHTML(finding.evidence, skipping: Set(finding.persons.values))
        if let d = finding.detail { evidence = (evidence.map { $0 + " " } ?? "") + "<span class=\"ev\">\(e(Self.berlinTimes(in: d.text(lang))))</span>" }
        cells[GroupColumn.evidence.rawValue] = evidence
        if let l = context.lifecycle {
            var s = "<span class=\"st st-\(l.status.rawValue)\">\(e(l.status.label.text(lang)))</span>"
            s += "<br><span class=\"muted\">\(t("erkannt", "detected")) \(e(BerlinTime.dateTime(l.firstSeen))) (\(t("Lauf", "run")) \(l.firstRun))</span>"
            if let r = l.resolvedRun { s += "<br><span class=\"muted\">\(t("erledigt in Lauf", "resolved in run")) \(r)</span>" }
            cells[GroupColumn.status.rawValue] = s
        } else if context.waived != nil {
            cells[GroupColumn.status.rawValue] = "<span class=\"st st-waived\">\(t("Ausnahme", "waived"))</span>"
        }
        cells[GroupColumn.decision.rawValue] = decision(finding, context.waived)
        return GroupRow(attributes: attrs, cells: cells, occurrences: finding.occurrences > 1 ? occurrencesTable(finding) : nil)
    }

    private func decision(_ finding: Finding, _ waiver: WaiverInfo?) -> String {
        guard let w = waiver else {
            return "<details class=\"cmd\"><summary>\(t("Ausnahme-Befehl", "Waive command"))</summary><code class=\"copy\">\(e(waiveCommand(finding)))</code></details>"
        }
        var s = "<strong>\(e(w.decision?.label.text(lang) ?? t("Ausnahme", "Waiver")))</strong>: \(e(w.reason))"
        s += "<br><span class=\"muted\">\(t("genehmigt von", "approved by")) \(e(w.approver))"
        s += " · \(t("gültig bis", "expires")) " + (w.expires.map { e(BerlinTime.date($0)) } ?? t("unbefristet", "never"))
        if let o = w.owner { s += " · \(t("verantwortlich", "owner")) \(e(o))" }
        if let r = w.reportedOn { s += " · \(t("gemeldet am", "reported on")) \(e(BerlinTime.date(r)))" }
        if let a = w.authorityReference { s += " · \(t("Az. der Behörde", "authority reference")) \(e(a))" }
        return s + "</span>"
    }

    /// Every merged record of a finding: the first `occurrencesShown` in a table, the rest folded,
    /// with the total count.
    private func occurrencesTable(_ finding: Finding) -> String {
        let list = finding.occurrenceList
        let persons = Set(finding.persons.values)
        func table(_ items: ArraySlice<Occurrence>, from start: Int) -> String {
            var h = "<table class=\"occ-list\"><tr><th class=\"n\">Nr.</th><th>\(t("Zeitpunkt", "Time"))</th><th>\(t("Fundstelle", "Location"))</th><th>\(t("Nachweis", "Evidence"))</th></tr>\n"
            for (i, o) in items.enumerated() {
                h += "<tr><td class=\"n\">\(start + i + 1)</td><td>\(o.time.map { e(BerlinTime.dateTime($0)) } ?? "–")</td>"
                h += "<td><code>\(e(o.locator.description))</code></td><td>\(evidenceHTML(o.evidence, skipping: persons) ?? "–")</td></tr>\n"
            }
            return h + "</table>\n"
        }
        var h = "<p class=\"occ-head\">\(t("Zusammengeführte Datensätze", "Merged records")): \(finding.occurrences)</p>\n"
        h += table(list.prefix(occurrencesShown), from: 0)
        if list.count > occurrencesShown {
            h += "<details><summary>\(t("weitere", "further")) \(list.count - occurrencesShown) \(t("von", "of")) \(finding.occurrences) \(t("anzeigen", "show"))</summary>\n"
            h += table(list.dropFirst(occurrencesShown), from: occurrencesShown) + "</details>\n"
        }
        if finding.occurrencesTruncated {
            h += "<p class=\"muted\">\(finding.occurrences - list.count) \(t("weitere Vorkommen nicht gespeichert; vollständig in JSON Lines/CSV.", "further occurrences not kept; all of them are in JSON Lines/CSV."))</p>\n"
        }
        return h
    }

    func columnTitle(_ c: GroupColumn) -> String {
        switch c {
        case .time: return t("Zeitpunkt", "Time")
        case .place: return t("Fundstelle", "Location")
        case .persons: return run?.revealed == true ? t("Personen (--reveal)", "Persons (--reveal)")
            : t("Personen (pseudonymisiert)", "Persons (pseudonymised)")
        case .evidence: return run?.revealed == true ? t("Nachweis (--reveal)", "Evidence (--reveal)")
            : t("Nachweis (maskiert)", "Evidence (masked)")
        case .status: return "Status"
        case .decision: return t("Entscheidung", "Decision")
        }
    }

    /// One rule group: header, Art. 33 hint once, what to do, the table, explanation and norms.
    func groupSection(_ g: RuleGroup, _ run: RunInfo) -> String {
        let rule = rules[g.id]
        let sev = g.severity
        var h = "<section class=\"group sev-\(sev.rawValue)\" id=\"rule-\(e(g.id))\" data-rule=\"\(e(g.id))\">\n<div class=\"ghead\">\n"
        h += "<h2><span class=\"badge sev-\(sev.rawValue)\">\(e(sev.label.text(lang)))</span> "
        if g.findingClass == .gap { h += "<span class=\"badge gap\">\(t("Konfigurationslücke", "configuration gap"))</span> " }
        h += "<code>\(e(g.id))</code> \(e(g.title.text(lang)))</h2>\n"
        var facts = ["\(g.total) \(g.total == 1 ? t("Befund", "finding") : t("Befunde", "findings"))", "\(t("offen", "open")) \(g.open)"]
        if g.waived > 0 { facts.append("\(t("Ausnahme", "waived")) \(g.waived)") }
        for s in FindingStatus.allCases where (g.byStatus[s] ?? 0) > 0 && s != .waived { facts.append("\(e(s.label.text(lang))) \(g.byStatus[s]!)") }
        h += "<p class=\"gfacts\">\(facts.joined(separator: " · "))</p>\n"
        if g.art33 > 0, let start = g.clockStart { h += art33Box(g, start: start, run: run) }
        h += "<p class=\"todo\"><strong>\(t("Was zu tun ist", "What to do")):</strong> \(e(g.remediation.text(lang)))</p>\n</div>\n"
        let used = GroupColumn.allCases.filter { c in g.rows.contains { $0.cells[c.rawValue] != nil } }
        // Only waive commands in the decision column: the column is left out in print.
        let commandsOnly = g.rows.allSatisfy { $0.cells[GroupColumn.decision.rawValue]?.hasPrefix("<details class=\"cmd\"") ?? true }
        func cls(_ c: GroupColumn) -> String { c == .decision && commandsOnly ? " class=\"cmdonly\"" : "" }
        h += "<table class=\"occ\">\n<thead><tr>" + used.map { "<th\(cls($0))>\(columnTitle($0))</th>" }.joined() + "</tr></thead>\n"
        for r in g.rows {
            h += "<tbody class=\"finding\" \(r.attributes)><tr>"
            for c in used { h += "<td\(cls(c)) data-label=\"\(columnTitle(c))\">\(r.cells[c.rawValue] ?? "–")</td>" }
            h += "</tr>"
            if let o = r.occurrences { h += "\n<tr class=\"merged\"><td colspan=\"\(used.count)\">\(o)</td></tr>" }
            h += "</tbody>\n"
        }
        h += "</table>\n"
        if g.omitted > 0 {
            h += "<p class=\"art33\">\(g.omitted) \(t("weitere Befunde dieser Regel sind hier nicht aufgeführt (höchstens", "further findings of this rule are not listed here (at most")) \(rowLimit) \(t("je Regel); alle stehen in der JSON-Lines- bzw. CSV-Ausgabe (--format jsonl=… / csv=…).", "per rule); all of them are in the JSON Lines or CSV output (--format jsonl=… / csv=…)."))</p>\n"
        }
        h += "<div class=\"explain\">\n"
        if let rule {
            h += "<p><strong>\(t("Erläuterung", "Explanation")):</strong> \(e(rule.description.text(lang)))</p>\n"
            h += "<p><strong>\(t("Begründung", "Rationale")):</strong> \(e(rule.rationale.text(lang)))</p>\n"
        }
        if !g.norms.isEmpty {
            h += "<p class=\"norms\"><strong>\(t("Normen", "Norms")):</strong> "
            h += g.norms.map { "\(e($0.citation)) <span class=\"muted\">(\(e($0.title)))</span>" }.joined(separator: "; ")
            h += "</p>\n"
        }
        h += "<p class=\"muted cmdhint\">\(t("Entscheidung festhalten: im Ausnahme-Befehl einer Zeile", "Record a decision: in a row's waive command")) <code>--decision</code> \(t("auf", "as")) <code>false_positive</code>, <code>accepted_risk</code>, <code>mitigated</code> \(t("oder", "or")) <code>reported_art33</code> (\(t("mit", "with")) <code>--reported-on</code>, <code>--authority-reference</code>) \(t("setzen", "")); <code>--owner \"…\"</code> \(t("optional", "optional")).</p>\n"
        return h + "</div>\n</section>\n"
    }

    private func art33Box(_ g: RuleGroup, start: Int64, run: RunInfo) -> String {
        let deadline = start + Art33Criterion.deadlineSeconds
        let left = deadline - run.finished
        var h = "<div class=\"art33\"><strong>\(t("Art. 33 DSGVO, § 83a SGB X – 72-Stunden-Frist prüfen", "Art. 33 GDPR, § 83a SGB X – check the 72-hour deadline"))</strong> "
        h += "(\(g.art33) \(g.art33 == 1 ? t("Kandidat", "candidate") : t("Kandidaten", "candidates"))): "
        h += "\(t("Frist ab", "clock from")) \(e(BerlinTime.dateTime(start))) (\(clockSourceText(g.clockSource, short: true))) \(t("bis", "until")) <strong>\(e(BerlinTime.dateTime(deadline)))</strong>"
        h += left > 0 ? " – \(t("noch", "remaining")) \(left / 3600) \(t("Stunden", "hours"))" : " – <strong>\(t("abgelaufen", "expired"))</strong>"
        h += ". <a href=\"#criterion\">\(t("Was zu prüfen ist", "What to assess"))</a>"
        return h + "</div>\n"
    }

    func clockSourceText(_ s: Art33Criterion.ClockSource, short: Bool = false) -> String {
        if short { return s == .firstSeen ? t("erste Erkennung", "first detection") : t("Beginn dieses Prüflaufs", "start of this run") }
        switch s {
        case .firstSeen: return t("erste Erkennung laut Zustandsdatenbank", "first detection in the state database")
        case .runStart: return t("Beginn dieses Prüflaufs; ohne Zustandsdatenbank ist keine frühere Erkennung bekannt", "start of this run; without a state database no earlier detection is known")
        }
    }
}
