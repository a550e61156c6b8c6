import Foundation
import TrennwandRecords
import TrennwandYAML

/// A drafted source profile: what `ProfileDrafter` found, with a note per decision, rendered as a
/// commented YAML profile (`yaml(_:)`). Tests and tools may change targets before rendering.
package struct ProfileDraft: Sendable {
    /// The target a drafted value map or constant carries until a person decides. The profile
    /// parser rejects it (`profile.draft-placeholder`), so an unfinished draft cannot be used.
    package static let placeholder = "???"

    package enum Confidence: Sendable {
        case certain, likely, guessed, cannotTell

        package var text: Localized {
            switch self {
            case .certain: return Localized(de: "sicher", en: "certain")
            case .likely: return Localized(de: "wahrscheinlich", en: "likely")
            case .guessed: return Localized(de: "geraten", en: "guessed")
            case .cannotTell: return Localized(de: "kann nicht bestimmt werden", en: "cannot tell")
            }
        }
    }

    /// A map or constant target: still open, "treat as empty" (`~`), or a value.
    package enum Target: Sendable, Hashable {
        case placeholder
        case empty
        case value(String)
    }

    package struct MapEntry: Sendable {
        /// The export's value as first seen.
        package var value: String
        package var target: Target
        /// How many sampled records had it.
        package var count: Int
        package var guessed: Bool
    }

    package enum Source: Sendable {
        case single(String)
        case several([String])
        case dateTime(date: String, time: String)
        case constant(Target)
    }

    package struct Field: Sendable {
        package var name: String
        package var source: Source
        package var format: String?
        package var dateFormat: String?
        package var timeFormat: String?
        package var split: String?
        package var defaultValue: String?
        package var map: [MapEntry] = []
        package var note: Localized
    }

    package var id: String
    package var file: String
    package var kind: RecordKind?
    package var kindNote: Localized
    package var format: SourceFormat
    package var encoding: TextEncoding?
    package var delimiter: UInt8?
    package var header: [String] = []
    package var xmlRoot: String?
    package var xmlRecord: String?
    package var namespaces: [(prefix: String, uri: String)] = []
    package var fields: [Field] = []
    /// Columns or paths no field takes, with why.
    package var unassigned: [(reference: String, note: Localized)] = []
    package var recordsRead: Int
    /// General remarks (no header, truncated sample …).
    package var remarks: [Localized] = []

    /// Whether the draft still holds placeholders (and so will not load before they are replaced).
    package var hasPlaceholders: Bool {
        kind == nil || fields.contains { f in
            if case .constant(.placeholder) = f.source { return true }
            return f.map.contains { $0.target == .placeholder } || f.format == Self.placeholder
        }
    }

    // MARK: - YAML

    /// The draft as a commented profile, comments in `language`.
    package func yaml(_ language: Language) -> String {
        func t(_ de: String, _ en: String) -> String { language == .de ? de : en }
        var out: [String] = []
        let name = file.split(separator: "/").last.map(String.init) ?? file
        out.append(t("# Entwurf eines Quellprofils, erzeugt von `trennwand profiles draft` aus „\(name)“",
                     "# Draft source profile, written by `trennwand profiles draft` from '\(name)'"))
        out.append(t("# (\(recordsRead) Datensätze gelesen). Vor dem Einsatz:",
                     "# (\(recordsRead) records read). Before use:"))
        out.append(t("#   - jedes \"\(Self.placeholder)\" durch ein Ziel ersetzen (bis dahin lehnt Trennwand das Profil ab),",
                     "#   - replace every \"\(Self.placeholder)\" by a target (until then Trennwand rejects the profile),"))
        out.append(t("#   - geratene Zuordnungen prüfen, dann: trennwand profiles check DIESE-DATEI",
                     "#   - check guessed mappings, then: trennwand profiles check THIS-FILE"))
        out.append(t("#     und trennwand ingest --profiles VERZEICHNIS --profile \(id) \(name)",
                     "#     and trennwand ingest --profiles DIRECTORY --profile \(id) \(name)"))
        for r in remarks { out.append("# " + r.text(language)) }
        out.append("id: \(Self.quote(id))")
        out.append("title: { de: \(Self.quote("Entwurf aus \(name)")), en: \(Self.quote("Draft from \(name)")) }")
        out.append("kind: \(kind.map { $0.rawValue } ?? Self.quote(Self.placeholder))  # \(kindNote.text(language))")
        out.append("format: \(format.rawValue)")
        if let encoding { out.append("encoding: \(encoding.rawValue)  # \(t("erkannt", "detected"))") }
        if let delimiter {
            let d = delimiter == 0x09 ? "\"\\t\"" : "\"\(String(UnicodeScalar(delimiter)))\""
            out.append("delimiter: \(d)  # \(t("erkannt", "detected"))")
        }
        out.append("timezone: Europe/Berlin  # \(t("angenommen: Ortszeit der Zeitangaben", "assumed: local time of the timestamps"))")
        if !namespaces.isEmpty {
            out.append("namespaces:")
            for ns in namespaces { out.append("  \(ns.prefix): \(Self.quote(ns.uri))") }
        }
        out.append("detect:")
        if let xmlRoot { out.append("  root: \(Self.quote(xmlRoot))") }
        if !header.isEmpty { out.append("  header: [\(header.map(Self.quote).joined(separator: ", "))]") }
        if let xmlRecord { out.append("record: \(Self.quote(xmlRecord))") }
        let keys = format == .xml ? ("path", "paths", "date_path", "time_path") : ("column", "columns", "date_column", "time_column")
        if fields.isEmpty {
            out.append("fields: {}")
        } else {
            out.append("fields:")
        }
        for f in fields {
            out.append("  # " + f.note.text(language))
            var lines: [String] = []
            var simple: String?
            switch f.source {
            case .single(let r): lines.append("\(keys.0): \(Self.quote(r))"); simple = Self.quote(r)
            case .several(let rs): lines.append("\(keys.1): [\(rs.map(Self.quote).joined(separator: ", "))]")
            case .dateTime(let d, let tm):
                lines.append("\(keys.2): \(Self.quote(d))")
                lines.append("\(keys.3): \(Self.quote(tm))")
            case .constant(let target): lines.append("value: \(Self.render(target))")
            }
            if let v = f.format { lines.append("format: \(Self.quote(v))") }
            if let v = f.dateFormat { lines.append("date_format: \(Self.quote(v))") }
            if let v = f.timeFormat { lines.append("time_format: \(Self.quote(v))") }
            if let v = f.split { lines.append("split: \(Self.quote(v))") }
            if let v = f.defaultValue { lines.append("default: \(Self.quote(v))") }
            if lines.count == 1, f.map.isEmpty, let simple {
                out.append("  \(f.name): \(simple)")
                continue
            }
            out.append("  \(f.name):")
            for l in lines { out.append("    " + l) }
            if !f.map.isEmpty {
                out.append("    map:")
                for e in f.map {
                    let note = e.guessed ? t("geraten", "guessed") : (e.target == .placeholder ? t("offen", "open") : "")
                    let count = t("\(e.count)×", "\(e.count)×")
                    out.append("      \(Self.quote(e.value)): \(Self.render(e.target))  # \(count)\(note.isEmpty ? "" : ", " + note)")
                }
            }
        }
        if !unassigned.isEmpty {
            out.append(t("# Nicht zugeordnet:", "# Not mapped:"))
            for u in unassigned { out.append(t("#   „\(u.reference)“: ", "#   '\(u.reference)': ") + u.note.text(language)) }
        }
        // Comments carry column names from the data: no line break in one may end a comment early.
        return out.map(Self.neutralised).joined(separator: "\n") + "\n"
    }

    /// Control characters and the YAML/Unicode line breaks (NEL, LS, PS).
    static func breaksLine(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || u.value == 0x7F || (0x80...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }

    /// `line` with every control or line-break character replaced by `?`; quoted scalars (`quote`)
    /// have escaped theirs already, so only comments change.
    static func neutralised(_ line: String) -> String {
        var out = String.UnicodeScalarView()
        for u in line.unicodeScalars { out.append(breaksLine(u) ? "?" : u) }
        return String(out)
    }

    static func render(_ target: Target) -> String {
        switch target {
        case .placeholder: return quote(placeholder)
        case .empty: return "~"
        case .value(let v): return quote(v)
        }
    }

    /// A YAML scalar: plain when unambiguous, else double-quoted.
    static func quote(_ s: String) -> String {
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""]
        let plainOK = !reserved.contains(s.lowercased()) && s.first.map { $0.isLetter } == true && s.last != " "
            && s.allSatisfy { $0.isLetter || $0.isNumber || " ._()-".contains($0) }
        if plainOK { return s }
        var q = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": q += "\\\\"
            case "\"": q += "\\\""
            case "\n": q += "\\n"
            case "\t": q += "\\t"
            case "\r": q += "\\r"
            default:
                if breaksLine(u) { q += String(format: "\\u%04X", u.value) } else { q.unicodeScalars.append(u) }
            }
        }
        return q + "\""
    }
}

extension ProfileIssue {
    /// A drafted target not yet replaced (`profiles draft`).
    static func draftPlaceholder(_ at: SourcePosition, field: String, value: String?) -> ConfigError {
        let what = value.map { " für „\($0)“" } ?? ""
        let whatEN = value.map { " for '\($0)'" } ?? ""
        return ConfigError(at, code: "profile.draft-placeholder",
                           de: "„\(ProfileDraft.placeholder)“ in „\(field)“\(what) ist noch offen: durch ein Ziel ersetzen (oder die Zeile löschen)",
                           en: "'\(ProfileDraft.placeholder)' in '\(field)'\(whatEN) is still open: replace it by a target (or delete the line)")
    }
}
