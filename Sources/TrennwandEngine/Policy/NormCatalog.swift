import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandYAML

/// Whom a provision binds: the Jobcenter (a § 35 SGB I body), the private Träger, or both.
public enum NormBinding: String, Sendable, CaseIterable {
    case jobcenter, traeger, both
}

/// One provision of the norm catalogue (`Rules/norms.yaml`): what a rule cites by key.
///
/// The catalogue is what a data-protection officer checks: the exact citation (Absatz, Satz,
/// Nummer), whom it binds, when it was last amended and against which text it was checked.
public struct NormEntry: Sendable {
    public var key: String
    /// e.g. `§ 67b Abs. 2 S. 1 SGB X`.
    public var citation: String
    /// The law, for grouping (`SGB X`, `DSGVO`, …).
    public var law: String
    public var title: String
    public var summary: String
    public var binds: NormBinding
    /// ISO date of the provision's last amendment, or `unknown` (then `lastAmendedNote` says why).
    public var lastAmended: String
    public var lastAmendedNote: String?
    /// Law portal address or commentary the text was checked against.
    public var source: String
    /// Whether the wording was checked against `source`; `note` says what was and was not.
    public var verified: Bool
    public var note: String?
    /// Date the catalogue was checked (`checked:` at the top of norms.yaml).
    public var checked: String
    public var position: SourcePosition

    /// The `Norm` a finding carries: `asOf` is the date of the check (outputs print it as "Stand"),
    /// `lastAmended` the date of the provision's last amendment.
    public var norm: Norm {
        Norm(citation: citation, title: title, asOf: checked, summary: summary, binds: binds.rawValue,
             source: source, lastAmended: lastAmended)
    }
}

/// The norm catalogue of a rule pack. Problems that only `rules lint` reports (an entry without
/// source or amendment date) are kept in `issues`; an unreadable file throws.
public struct NormCatalog: Sendable {
    public var entries: [NormEntry]
    public var issues: [ConfigError]
    let byKey: [String: Int]

    public static let fileName = "norms.yaml"
    public static let unknownDate = "unknown"

    public init(entries: [NormEntry], issues: [ConfigError] = []) {
        self.entries = entries
        self.issues = issues
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() where index[e.key] == nil { index[e.key] = i }
        byKey = index
    }

    public subscript(key: String) -> NormEntry? { byKey[key].map { entries[$0] } }

    /// The entry whose citation is exactly `citation` (inline citations of older rule files).
    public func entry(citation: String) -> NormEntry? { entries.first { $0.citation == citation } }

    /// The closest key (fewest edits, at most a third of the key's length), for error messages.
    func suggestion(for key: String) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var prev = row[0]
                row[0] = i + 1
                for (j, cb) in b.enumerated() {
                    let cur = row[j + 1]
                    row[j + 1] = min(row[j + 1] + 1, row[j] + 1, prev + (ca == cb ? 0 : 1))
                    prev = cur
                }
            }
            return row[b.count]
        }
        let k = Array(key)
        let best = entries.map { ($0.key, distance(k, Array($0.key))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(1, key.count / 3) else { return nil }
        return best.0
    }

    /// The catalogue of `rulesDirectory`, or nil when the directory has none (older packs and test
    /// fixtures: their rules cite inline; `rules lint` warns).
    public static func load(rulesDirectory: String) throws -> NormCatalog? {
        let path = rulesDirectory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try parse(try YAMLNode.load(path: path))
    }

    static let entryKeys: Set<String> = [
        "citation", "law", "title", "summary", "binds", "last_amended", "last_amended_note", "source", "verified", "note",
    ]

    public static func parse(_ doc: YAMLNode) throws -> NormCatalog {
        let top = try doc.mapping(allowed: ["checked", "norms"])
        let checkedNode = try top.required("checked")
        let checked = try checkedNode.string()
        guard CivilTime.parseISO8601(Array(checked.utf8))?.dateOnly ?? false else {
            throw NormIssue.badDate(checkedNode.position, key: "checked")
        }
        var entries: [NormEntry] = []
        var issues: [ConfigError] = []
        var seen: Set<String> = []
        for e in try top.required("norms").mapping().entries {
            if !seen.insert(e.key).inserted {
                throw NormIssue.duplicateKey(e.keyNode.position, key: e.key)
            }
            let m = try e.value.mapping(allowed: entryKeys)
            let bindsNode = try m.required("binds")
            guard let binds = NormBinding(rawValue: try bindsNode.string()) else {
                throw NormIssue.badBinds(bindsNode.position)
            }
            let source = try m.optional("source")?.string().trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if source.isEmpty {
                issues.append(NormIssue.noSource(m.optional("source")?.position ?? e.keyNode.position, key: e.key))
            }
            var lastAmended = ""
            let note = try m.optional("last_amended_note")?.string().trimmingCharacters(in: .whitespacesAndNewlines)
            if let d = m.optional("last_amended") {
                lastAmended = try d.string()
                if lastAmended == unknownDate {
                    if note?.isEmpty ?? true { issues.append(NormIssue.unknownDateWithoutNote(d.position, key: e.key)) }
                } else if !(CivilTime.parseISO8601(Array(lastAmended.utf8))?.dateOnly ?? false) {
                    throw NormIssue.badDate(d.position, key: e.key)
                }
            } else {
                issues.append(NormIssue.noDate(e.keyNode.position, key: e.key))
            }
            entries.append(NormEntry(
                key: e.key, citation: try m.required("citation").string(), law: try m.required("law").string(),
                title: try m.required("title").string(), summary: try m.required("summary").string(), binds: binds,
                lastAmended: lastAmended.isEmpty ? unknownDate : lastAmended, lastAmendedNote: note,
                source: source, verified: try m.optional("verified")?.bool() ?? false,
                note: try m.optional("note")?.string(), checked: checked, position: e.keyNode.position))
        }
        return NormCatalog(entries: entries, issues: issues)
    }
}

/// Problems of the norm catalogue and of norm references in rules (codes `norm.*`), with German
/// and English text at `file:line:column`.
enum NormIssue {
    static func duplicateKey(_ p: SourcePosition, key: String) -> ConfigError {
        ConfigError(p, code: "norm.duplicate-key", de: "Normschlüssel „\(key)“ ist schon vergeben", en: "norm key '\(key)' is already defined")
    }

    static func badBinds(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "norm.binds", de: "binds muss jobcenter, traeger oder both sein", en: "binds must be jobcenter, traeger or both")
    }

    static func badDate(_ p: SourcePosition, key: String) -> ConfigError {
        ConfigError(p, code: "norm.date", de: "\(key): Datum JJJJ-MM-TT erwartet (last_amended auch „unknown“)",
                    en: "\(key): date YYYY-MM-DD expected (last_amended also 'unknown')")
    }

    static func noSource(_ p: SourcePosition, key: String) -> ConfigError {
        ConfigError(p, code: "norm.no-source", de: "\(key): Quelle fehlt (source: Gesetzesportal oder Kommentar, gegen den geprüft wurde)",
                    en: "\(key): source missing (source: law portal or commentary the text was checked against)")
    }

    static func noDate(_ p: SourcePosition, key: String) -> ConfigError {
        ConfigError(p, code: "norm.no-date", de: "\(key): Datum der letzten Änderung fehlt (last_amended: JJJJ-MM-TT oder unknown mit last_amended_note)",
                    en: "\(key): date of last amendment missing (last_amended: YYYY-MM-DD, or unknown with last_amended_note)")
    }

    static func unknownDateWithoutNote(_ p: SourcePosition, key: String) -> ConfigError {
        ConfigError(p, code: "norm.unknown-date-note", de: "\(key): last_amended: unknown nur mit last_amended_note, die sagt, was nicht geprüft werden konnte",
                    en: "\(key): last_amended: unknown only with a last_amended_note saying what could not be checked")
    }

    static func unknownKey(_ p: SourcePosition, key: String, suggestion: String?) -> ConfigError {
        let hint = suggestion.map { " (meinten Sie: \($0)?)" } ?? ""
        let hintEn = suggestion.map { " (did you mean: \($0)?)" } ?? ""
        return ConfigError(p, code: "norm.unknown-key", de: "Norm „\(key)“ steht nicht im Normenkatalog Rules/norms.yaml\(hint)",
                           en: "norm '\(key)' is not in the norm catalogue Rules/norms.yaml\(hintEn)")
    }

    static func noCatalogue(_ p: SourcePosition, key: String) -> ConfigError {
        ConfigError(p, code: "norm.no-catalogue", de: "Norm „\(key)“ wird per Schlüssel zitiert, aber das Regelverzeichnis hat keine norms.yaml",
                    en: "norm '\(key)' is cited by key but the rules directory has no norms.yaml")
    }

    static func inlineNotInCatalogue(_ p: SourcePosition, citation: String) -> ConfigError {
        ConfigError(p, code: "norm.not-in-catalogue", de: "Zitat „\(citation)“ steht nicht im Normenkatalog; Normen per Schlüssel aus Rules/norms.yaml zitieren",
                    en: "citation '\(citation)' is not in the norm catalogue; cite norms by key from Rules/norms.yaml")
    }

    static func jobcenterNormOnTraegerRecords(_ p: SourcePosition, id: String, key: String, citation: String) -> ConfigError {
        ConfigError(p, code: "norm.jobcenter-only", de: "\(id): \(citation) (\(key)) bindet nur das Jobcenter, die Regel prüft aber Datensätze des Trägers; Grund unter norm_notes: \(key): {de: …, en: …} angeben oder die Norm ersetzen",
                    en: "\(id): \(citation) (\(key)) binds only the Jobcenter, but the rule checks the Träger's records; give the reason under norm_notes: \(key): {de: …, en: …} or replace the norm")
    }

    static func noteForUncitedNorm(_ p: SourcePosition, key: String) -> ConfigError {
        ConfigError(p, code: "norm.note-uncited", de: "norm_notes nennt „\(key)“, das unter norms nicht zitiert wird",
                    en: "norm_notes names '\(key)', which norms does not cite")
    }

    static func matrixCitationNotInCatalogue(_ p: SourcePosition, cell: String, provision: String) -> ConfigError {
        ConfigError(p, code: "norm.matrix-not-in-catalogue", de: "Matrixzelle \(cell): Rechtsgrundlage nennt \(provision), das im Normenkatalog fehlt",
                    en: "matrix cell \(cell): legal basis cites \(provision), which the norm catalogue lacks")
    }

    static func noCatalogueWarning(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "norm.no-catalogue-file", de: "keine Rules/norms.yaml: Zitate der Regeln werden nicht gegen einen Normenkatalog geprüft",
                    en: "no Rules/norms.yaml: the rules' citations are not checked against a norm catalogue")
    }
}
