import Foundation
import TrennwandFindings
import TrennwandRecords

/// The report's legal section: every norm the rules of this run cite, grouped by law, with the
/// catalogue's summary, whom it binds, its last amendment and the rules that cite it.
enum LegalSection {
    /// Order of the laws in the report; laws not listed follow alphabetically.
    static let lawOrder = ["SGB I", "SGB II", "SGB III", "SGB IV", "SGB V", "SGB VI", "SGB VII", "SGB VIII", "SGB IX",
                           "SGB X", "SGB XI", "SGB XII", "BDSG", "DSGVO", "BPersVG", "BetrVG"]

    /// The law a citation belongs to, from its tail: `§ 35 Abs. 1 S. 2 SGB I` → `SGB I`,
    /// `Art. 5 Abs. 1 lit. b DSGVO` → `DSGVO`, `Anhang I VO (EU) 2021/1057` → `VO (EU) 2021/1057`,
    /// `§ 1 Abs. 2 der Verordnung … nach § 51b SGB II` → `Verordnung … nach § 51b SGB II`.
    /// Leading parts (`§`/`Art.`/`Anhang` with their number, `Abs.`, `S.`, `Nr.`, `lit.`, … with
    /// theirs, an article `der`/`des`) are skipped; a second norm after `i. V. m.` is cut off.
    static func law(of citation: String) -> String {
        var text = citation
        if let r = text.range(of: " i. V. m. ") { text = String(text[..<r.lowerBound]) }
        let parts: Set<String> = ["§", "§§", "Art.", "Artikel", "Anhang", "Abs.", "UAbs.", "Unterabs.", "S.", "Satz",
                                  "Nr.", "Nrn.", "lit.", "Buchst.", "Hs.", "Halbsatz", "Alt."]
        var tokens = text.split(separator: " ").map(String.init)[...]
        while let first = tokens.first, parts.contains(first), tokens.count > 2 {
            tokens = tokens.dropFirst(2)
        }
        if let first = tokens.first, ["der", "des"].contains(first), tokens.count > 1 { tokens = tokens.dropFirst() }
        let law = tokens.joined(separator: " ")
        return law.isEmpty ? citation : law
    }

    /// Citations of one law in statute order: by number (`§ 9` before `§ 14`), and a provision
    /// before its parts (`§ 35 Abs. 1` before `§ 35 Abs. 1 S. 2`).
    static func precedes(_ a: String, _ b: String, law: String) -> Bool {
        func key(_ c: String) -> String { c.hasSuffix(" " + law) ? String(c.dropLast(law.count + 1)) : c }
        return key(a).compare(key(b), options: .numeric) == .orderedAscending
    }

    /// Sort key of a law: its place in `lawOrder`, else after them.
    static func lawRank(_ law: String) -> Int { lawOrder.firstIndex(of: law) ?? lawOrder.count }

    /// German/English label for a norm's `binds` value; nil when the catalogue says nothing.
    static func bindsLabel(_ binds: String?, _ lang: Language) -> String? {
        switch binds {
        case "jobcenter": return "Jobcenter"
        case "traeger": return lang == .de ? "Träger" : "provider (Träger)"
        case "both": return lang == .de ? "beide" : "both"
        default: return nil
        }
    }

    /// `2019-11-26` → `26.11.2019` in German; `unknown` or nothing → "unbekannt"/"unknown".
    static func amendedLabel(_ date: String?, _ lang: Language) -> String {
        guard let date, date != "unknown", !date.isEmpty else { return lang == .de ? "unbekannt" : "unknown" }
        let p = date.split(separator: "-")
        guard lang == .de, p.count == 3 else { return date }
        return "\(p[2]).\(p[1]).\(p[0])"
    }

    static let policyLabel = Localized(de: "Festlegung der Trennungsmatrix (Datenschutzbeauftragte)",
                                       en: "Decision of the separation matrix (data-protection officer)")
}

extension HTMLReportWriter {
    /// The legal section (folded on screen, expanded in print): norms by law.
    func legalSection(_ run: RunInfo, _ summary: RunSummary) -> String {
        var normInfo: [String: Norm] = [:]
        var citedBy: [String: [String]] = [:]
        var decidedBy: [String: [String]] = [:]
        for r in run.rules.sorted(by: { $0.id < $1.id }) {
            for n in r.norms {
                if normInfo[n.citation] == nil { normInfo[n.citation] = n }
                if n.policyDecision != nil {
                    if decidedBy[n.citation]?.contains(r.id) != true { decidedBy[n.citation, default: []].append(r.id) }
                } else if citedBy[n.citation]?.contains(r.id) != true {
                    citedBy[n.citation, default: []].append(r.id)
                }
            }
        }
        var byLaw: [String: [String]] = [:]
        for c in normInfo.keys { byLaw[LegalSection.law(of: c), default: []].append(c) }
        let laws = byLaw.keys.sorted { a, b in
            LegalSection.lawRank(a) != LegalSection.lawRank(b) ? LegalSection.lawRank(a) < LegalSection.lawRank(b) : a < b
        }
        var h = "<details id=\"legal\">\n<summary>\(t("Rechtsgrundlagen", "Legal basis")): \(normInfo.count) \(t("Normen aus", "norms from")) \(laws.count) \(t("Gesetzen", "laws"))</summary>\n"
        h += "<p class=\"muted small\">\(t("Jede Norm, die eine Regel dieses Laufs zitiert, mit Inhalt laut Normenkatalog (Rules/norms.yaml), wen sie bindet und wann sie zuletzt geändert wurde. Hinweise für die Datenschutzbeauftragte, keine Rechtsberatung.", "Every norm a rule of this run cites, with its content from the norm catalogue (Rules/norms.yaml; summaries in German), whom it binds and when it was last amended. Notes for the data-protection officer, not legal advice."))</p>\n"
        // The catalogue's check date (`Norm.asOf`), once for the section instead of once per norm.
        let checked = Set(normInfo.values.map(\.asOf)).sorted()
        if !checked.isEmpty {
            h += "<p class=\"muted small\">\(t("Stand der Normtexte (geprüft am)", "Norm texts as checked on")): \(checked.map { e(OutputSupport.germanDate($0)) }.joined(separator: ", "))</p>\n"
        }
        func ruleLink(_ id: String) -> String {
            groups[id] != nil ? "<a href=\"#rule-\(e(id))\"><code>\(e(id))</code></a>" : "<code>\(e(id))</code>"
        }
        let byNorm = summary.byNorm
        for law in laws {
            h += "<h3>\(e(law))</h3>\n<ul class=\"legal\">\n"
            var previousTitle = ""
            for c in byLaw[law]!.sorted(by: { LegalSection.precedes($0, $1, law: law) }) {
                let n = normInfo[c]!
                // Parts of one provision share its title: shown once, at the first of them.
                defer { previousTitle = n.title }
                var rules = (citedBy[c] ?? []).map(ruleLink).joined(separator: ", ")
                if let d = decidedBy[c] {
                    if !rules.isEmpty { rules += "; " }
                    rules += "\(e(LegalSection.policyLabel.text(lang))): " + d.map(ruleLink).joined(separator: ", ")
                }
                var meta = ["\(t("bindet", "binds")): \(LegalSection.bindsLabel(n.binds, lang).map(e) ?? "–")",
                            "\(t("letzte Änderung", "last amended")): \(e(LegalSection.amendedLabel(n.lastAmended, lang)))",
                            "\(t("Regeln", "rules")): \(rules)"]
                if let tally = byNorm[c], tally.open + tally.waived > 0 {
                    meta.append("\(t("offen", "open")) \(tally.open)" + (tally.waived > 0 ? ", \(t("Ausnahme", "waived")) \(tally.waived)" : ""))
                }
                h += "<li><strong>\(e(c))</strong>"
                if n.title != previousTitle { h += " <span class=\"muted\">\(e(n.title))</span>" }
                if let s = n.summary { h += " – \(e(s))" }
                h += " <span class=\"meta\">\(meta.joined(separator: " · "))</span></li>\n"
            }
            h += "</ul>\n"
        }
        return h + "</details>\n"
    }
}
