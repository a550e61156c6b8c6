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
        abstract: UI.t("Schreibt den Regelkatalog (docs/rules.md und docs/rules.html) aus den Regeldateien.",
                       "Writes the rule catalogue (docs/rules.md and docs/rules.html) from the rule files."),
        discussion: UI.t("Mit --check wird nur verglichen: Exit-Code 1, wenn der Katalog veraltet ist.",
                         "With --check it only compares: exit code 1 when the catalogue is stale."))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zielverzeichnis.", "Target directory."), valueName: UI.t("verzeichnis", "dir")))
    var output = "docs"

    @Flag(name: .long, help: ArgumentHelp(UI.t("Nur prüfen, ob der Katalog aktuell ist.", "Only check that the catalogue is current.")))
    var check = false

    func run() throws {
        let (set, _) = try loadRules(global)
        if !set.errors.isEmpty {
            for e in set.errors { printError(e.text(UI.language)) }
            throw Exit.configuration
        }
        let rulesDir = try global.rulesDirectory()
        let files = [("rules.md", RuleCatalog.markdown(set, rulesDirectory: rulesDir)),
                     ("rules.html", RuleCatalog.html(set, rulesDirectory: rulesDir))]
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
            for n in r.norms { o += "- \(n.citation) — \(n.title) (Stand \(n.asOf))\n" }
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
            for n in r.norms { o += "<li>\(esc(n.citation)) — \(esc(n.title)) (Stand \(esc(n.asOf)))</li>\n" }
            o += "</ul>\n<h3>Begründung</h3><p>\(esc(r.rationale.de))</p>\n"
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
