import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords

/// `trennwand rules doc`: the rule catalogue for reviewers (Markdown and HTML) from the rule files.
struct RulesDoc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: UI.t("Schreibt den Regelkatalog (docs/rules.md und docs/rules.html), den Normenkatalog (docs/norms.md) und die Feldreferenz (docs/fields.md) aus Regeldateien und Schema.",
                       "Writes the rule catalogue (docs/rules.md and docs/rules.html), the norm catalogue (docs/norms.md) and the field reference (docs/fields.md) from the rule files and the schema."),
        discussion: UI.t("Mit --check wird nur verglichen: Exit-Code 1, wenn der Katalog veraltet ist.",
                         "With --check it only compares: exit code 1 when the catalogue is stale."))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zielverzeichnis.", "Target directory."), valueName: UI.t("verzeichnis", "dir")))
    var output = "docs"

    @Flag(name: .long, help: ArgumentHelp(UI.t("Nur prüfen, ob der Katalog aktuell ist.", "Only check that the catalogue is current.")))
    var check = false

    func run() throws {
        let (set, policy) = try loadRules(global)
        if !set.errors.isEmpty {
            for e in set.errors { printError(e.text(UI.language)) }
            throw Exit.configuration
        }
        let rulesDir = try global.rulesDirectory()
        var files = [("rules.md", RuleCatalog.markdown(set, rulesDirectory: rulesDir)),
                     ("rules.html", RuleCatalog.html(set, rulesDirectory: rulesDir))]
        if let catalogue = set.catalogue {
            files.append(("norms.md", NormCatalogDoc.markdown(catalogue, rules: set)))
        }
        files.append(("fields.md", try FieldReferenceDoc.markdown(set, policy: policy)))
        var stale: [String] = []
        for (name, text) in files {
            let path = output + "/" + name
            if check {
                let current = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
                if current != text { stale.append(path) }
            } else {
                // Same safe temporary + rename as reports; the catalogue is public, hence 0644.
                do {
                    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
                    let sink = try AtomicFileSink(path: path, mode: 0o644)
                    try sink.write(text)
                    try sink.commit()
                } catch {
                    printError(outputErrorText(error, path: path))
                    throw Exit.input
                }
                print(path)
            }
        }
        if !stale.isEmpty {
            printError(UI.t("Regelkatalog veraltet: \(stale.joined(separator: ", ")) — bitte „trennwand rules doc“ ausführen.",
                            "rule catalogue is stale: \(stale.joined(separator: ", ")) — run 'trennwand rules doc'."))
            throw ExitCode(1)
        }
    }
}

/// Renders the catalogue. German is the catalogue's language (the DPO's); English titles are given too.
enum RuleCatalog {
    static func relative(_ path: String, _ base: String) -> String {
        path.hasPrefix(base + "/") ? "Rules/" + path.dropFirst(base.count + 1) : path
    }

    static func markdown(_ set: RuleSet, rulesDirectory: String) -> String {
        var o = "<!-- Generiert mit `trennwand rules doc` aus Rules/ — nicht von Hand ändern. -->\n"
        o += "# Regelkatalog / Rule catalogue\n\n"
        o += "\(set.rules.count) Regeln. Schweregrade: kritisch, hoch, mittel, niedrig, Hinweis.\n\n"
        o += "| ID | Titel | Schweregrad | Art | Normen |\n|---|---|---|---|---|\n"
        for r in set.rules {
            let norms = r.norms.map(\.citation).joined(separator: "; ")
            o += "| [\(r.id)](#\(r.id.lowercased())) | \(cell(r.title.de)) | \(r.severity.label.de) | \(target(r)) | \(cell(norms)) |\n"
        }
        for r in set.rules {
            o += "\n## \(r.id)\n\n"
            o += "**\(r.title.de)** — *\(r.title.en)*\n\n"
            o += "- Schweregrad: \(r.severity.label.de) (`\(r.severity.rawValue)`)\n"
            o += "- Gilt für: \(target(r))\(r.findingClass == .gap ? " (Konfigurationslücke)" : "")\n"
            o += "- Datei: `\(relative(r.path, rulesDirectory))`\n"
            if !r.tags.isEmpty { o += "- Schlagworte: \(r.tags.joined(separator: ", "))\n" }
            o += "\n\(r.description.de)\n\n"
            o += "**Normen**\n\n"
            for n in r.norms { o += "- \(n.citation) — \(n.title) (\(normState(n)))\n" }
            for nn in r.normNotes { o += "  - Warum \(r.normRefs.citation(nn.key, in: set)) hier gilt: \(nn.reason.de)\n" }
            if let p = r.policyDecision { o += "\n**Festlegung**: \(p.de)\n" }
            o += "\n**Begründung**\n\n\(r.rationale.de)\n\n"
            o += "**Was zu tun ist**\n\n\(r.remediation.de)\n\n"
            if let c = r.condition {
                o += "**Bedingung**\n\n```\n\(c.scalarText.trimmingCharacters(in: .whitespacesAndNewlines))\n```\n\n"
            }
            if let a = r.aggregate {
                o += "**Aggregat**: gruppiert nach \(a.groupBy.joined(separator: ", "))"
                o += a.window.map { ", Fenster \($0) s" } ?? ", ganzer Prüflauf"
                o += ", Schwelle \(formatNumber(a.threshold))"
                if a.minCount > 1 { o += ", mindestens \(a.minCount) Vorgänge" }
                o += "\n\n"
                if let f = a.filter { o += "```\n\(f.scalarText.trimmingCharacters(in: .whitespacesAndNewlines))\n```\n\n" }
            }
            o += "**Beispiele**\n\n"
            for e in r.examples {
                o += "- \(e.shouldMatch ? "löst aus" : "löst nicht aus") (Zeile \(e.position.line))\(note(e))\n"
            }
        }
        return o
    }

    /// "letzte Änderung 2018-05-25 · bindet das Jobcenter" for catalogue norms, "Stand …" for inline ones.
    static func normState(_ n: Norm) -> String {
        guard let last = n.lastAmended else { return "Stand \(n.asOf)" }
        var s = last == NormCatalog.unknownDate ? "letzte Änderung nicht ermittelt" : "letzte Änderung \(last)"
        if let b = n.binds { s += " · bindet " + NormCatalogDoc.bindsText(b) }
        return s
    }

    static func note(_ e: RuleExample) -> String {
        e.note.map { ": " + $0 } ?? ""
    }

    static func target(_ r: RuleFile) -> String {
        switch r.target {
        case .record(let k): return k.rawValue
        case .aggregate(let k): return "aggregate über \(k.rawValue)"
        }
    }

    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }

    static func formatNumber(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }

    static func esc(_ s: String) -> String { htmlEscape(s) }

    static func html(_ set: RuleSet, rulesDirectory: String) -> String {
        var o = """
        <!DOCTYPE html>
        <html lang="de"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <title>Trennwand – Regelkatalog</title>
        <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
        pre{background:#f4f4f4;padding:.5rem;overflow:auto}.sev{font-weight:bold}section{border-top:1px solid #ddd;margin-top:1.5rem}</style>
        </head><body>
        <!-- Generiert mit trennwand rules doc aus Rules/ — nicht von Hand ändern. -->
        <h1>Regelkatalog</h1>
        <p>\(set.rules.count) Regeln.</p>
        <table><tr><th>ID</th><th>Titel</th><th>Schweregrad</th><th>Normen</th></tr>

        """
        for r in set.rules {
            o += "<tr><td><a href=\"#\(r.id)\">\(r.id)</a></td><td>\(esc(r.title.de))</td><td>\(esc(r.severity.label.de))</td>"
            o += "<td>\(esc(r.norms.map(\.citation).joined(separator: "; ")))</td></tr>\n"
        }
        o += "</table>\n"
        for r in set.rules {
            o += "<section id=\"\(r.id)\"><h2>\(r.id) – \(esc(r.title.de))</h2>\n"
            o += "<p><em>\(esc(r.title.en))</em></p>\n"
            o += "<p class=\"sev\">Schweregrad: \(esc(r.severity.label.de)) · Gilt für: \(esc(target(r)))</p>\n"
            o += "<p>\(esc(r.description.de))</p>\n<h3>Normen</h3><ul>\n"
            for n in r.norms { o += "<li>\(esc(n.citation)) — \(esc(n.title)) (\(esc(normState(n))))</li>\n" }
            o += "</ul>\n"
            for nn in r.normNotes { o += "<p>Warum \(esc(r.normRefs.citation(nn.key, in: set))) hier gilt: \(esc(nn.reason.de))</p>\n" }
            if let p = r.policyDecision { o += "<p><strong>Festlegung</strong>: \(esc(p.de))</p>\n" }
            o += "<h3>Begründung</h3><p>\(esc(r.rationale.de))</p>\n"
            o += "<h3>Was zu tun ist</h3><p>\(esc(r.remediation.de))</p>\n"
            if let c = r.condition {
                o += "<h3>Bedingung</h3><pre>\(esc(c.scalarText.trimmingCharacters(in: .whitespacesAndNewlines)))</pre>\n"
            }
            if let a = r.aggregate, let f = a.filter {
                o += "<h3>Aggregat</h3><pre>\(esc(f.scalarText.trimmingCharacters(in: .whitespacesAndNewlines)))</pre>\n"
            }
            o += "<h3>Beispiele</h3><ul>\n"
            for e in r.examples {
                o += "<li>\(e.shouldMatch ? "löst aus" : "löst nicht aus") (Zeile \(e.position.line))\(esc(note(e)))</li>\n"
            }
            o += "</ul></section>\n"
        }
        o += "</body></html>\n"
        return o
    }
}

extension Array where Element == NormRef {
    /// The citation of a catalogue key (for norm notes), or the key itself when unknown.
    func citation(_ key: String, in set: RuleSet) -> String {
        set.catalogue?[key]?.citation ?? key
    }
}

/// Renders the norm catalogue (`Rules/norms.yaml`) as `docs/norms.md`: grouped by law, with
/// summary, binding party, last amendment, source and verification state, and the rules citing
/// each provision. German, like the rule catalogue.
enum NormCatalogDoc {
    /// Laws in the order a reader expects them; others follow alphabetically.
    static let lawOrder = ["DSGVO", "BDSG", "SGB I", "SGB II", "SGB X", "SGB IV", "SGB V", "SGB VI"]

    static func bindsText(_ b: String) -> String {
        switch b {
        case "jobcenter": return "das Jobcenter"
        case "traeger": return "den Träger"
        default: return "Jobcenter und Träger"
        }
    }

    static func markdown(_ catalogue: NormCatalog, rules set: RuleSet) -> String {
        var citedBy: [String: [String]] = [:]
        for r in set.rules {
            for case .key(let k, _) in r.normRefs { citedBy[k, default: []].append(r.id) }
        }
        var o = "<!-- Generiert mit `trennwand rules doc` aus Rules/norms.yaml — nicht von Hand ändern. -->\n"
        o += "# Normenkatalog / Norm catalogue\n\n"
        let verified = catalogue.entries.filter(\.verified).count
        let unknown = catalogue.entries.filter { $0.lastAmended == NormCatalog.unknownDate }.count
        if let checked = catalogue.entries.first?.checked { o += "Katalog geprüft am \(checked). " }
        o += "\(catalogue.entries.count) Vorschriften, \(verified) gegen die genannte Quelle geprüft, "
        o += "\(catalogue.entries.count - verified) nicht oder nur teilweise geprüft; bei \(unknown) ist das Datum der letzten Änderung nicht ermittelt. "
        o += "Regeln zitieren per Schlüssel (`norms: [schluessel]`, siehe docs/rule-language.md). "
        o += "„Bindet“ sagt, wen die Vorschrift verpflichtet: das Jobcenter (Stelle nach § 35 SGB I), den privaten Träger oder beide. Keine Rechtsberatung.\n\n"
        o += "Die Auswertung von Protokollen für diese Prüfung ist selbst an § 67c Abs. 4 SGB X gebunden: Daten, die nur zur Datenschutzkontrolle gespeichert sind, "
        o += "dienen nur ihr. Werden dabei Beschäftigte überwacht (TW401, TW402), bestimmen im Jobcenter der Personalrat (§ 44h SGB II mit dem BPersVG) "
        o += "und beim Träger der Betriebsrat (§ 87 Abs. 1 Nr. 6 BetrVG) mit.\n"
        let laws = Set(catalogue.entries.map(\.law))
        let ordered = lawOrder.filter(laws.contains) + laws.subtracting(lawOrder).sorted()
        for law in ordered {
            o += "\n## \(law)\n\n"
            o += "| Vorschrift | Titel | Bindet | Letzte Änderung | Geprüft | Regeln |\n|---|---|---|---|---|---|\n"
            let entries = catalogue.entries.filter { $0.law == law }
            for e in entries {
                let rules = citedBy[e.key].map { $0.joined(separator: ", ") } ?? "–"
                o += "| [\(RuleCatalog.cell(e.citation))](#\(e.key)) | \(RuleCatalog.cell(e.title)) | \(bindsText(e.binds.rawValue)) | "
                o += "\(e.lastAmended == NormCatalog.unknownDate ? "nicht ermittelt" : e.lastAmended) | \(e.verified ? "ja" : "nein") | \(rules) |\n"
            }
            for e in entries {
                o += "\n### \(e.citation) <a id=\"\(e.key)\"></a>\n\n"
                o += "\(e.summary)\n\n"
                o += "- Titel: \(e.title)\n"
                o += "- Schlüssel: `\(e.key)`\n"
                o += "- Bindet: \(bindsText(e.binds.rawValue))\n"
                o += "- Letzte Änderung: \(e.lastAmended == NormCatalog.unknownDate ? "nicht ermittelt" : e.lastAmended)"
                o += e.lastAmendedNote.map { " — \($0)" } ?? ""
                o += "\n- Quelle: \(e.source)\n"
                o += "- Wortlaut geprüft: \(e.verified ? "ja" : "nein")\(e.note.map { " — \($0)" } ?? "")\n"
                if let rules = citedBy[e.key] { o += "- Zitiert von: \(rules.joined(separator: ", "))\n" }
            }
        }
        return o
    }
}
