import Foundation
import TrennwandRecords

/// Drafts a source profile from the first records of an unknown export (`trennwand profiles draft`).
///
/// Reads with the format's own reader (CSV: encoding and delimiter detection of `CSVReader`; XML:
/// `XMLSurvey`), guesses the record kind from which canonical fields the headers name
/// (`HeaderSynonyms`), detects timestamp formats from the values (also a date and a time column
/// apart), and writes value-map stubs for columns with few distinct values. Every decision carries
/// its confidence; what cannot be decided says so instead of guessing silently.
package struct ProfileDrafter {
    /// Records read from the start of the file.
    package var records = 5_000
    /// A symbol or vocabulary column with at most this many distinct values gets a value map.
    package var maxMapValues = 30
    /// Force the record kind instead of guessing.
    package var kind: RecordKind?
    package var id: String?

    package init(records: Int = 5_000, kind: RecordKind? = nil, id: String? = nil) {
        self.records = records
        self.kind = kind
        self.id = id
    }

    /// One column (CSV) or path (XML) with its sampled values.
    struct Column {
        var reference: String
        /// Names to match against synonyms, best first.
        var labels: [String]
        /// Trimmed non-empty values in sample order.
        var values: [String]
        /// Records in the sample (for XML: of the record element).
        var records: Int
        /// Some records have the value more than once (XML repetition).
        var repeats = false
    }

    /// What the values of a column look like.
    enum Shape {
        case empty
        case timestamp(format: String, hasDate: Bool, hasTime: Bool, ambiguous: Bool)
        case other
    }

    /// Throws `InputError` for a file that cannot be read and `DraftError` for a format the
    /// drafter does not support.
    package func draft(file: String) throws -> ProfileDraft {
        let format = try ProfileCatalog.sniffFormat(path: file)
        switch format {
        case .csv: return try draftCSV(file)
        case .xml: return try draftXML(file)
        case .jsonl:
            throw InputError(file: file, code: "draft.format",
                             de: "Für JSON Lines gibt es noch keinen Profilentwurf; ein Beispielprofil steht in Samples/profiles/.",
                             en: "no profile draft for JSON Lines yet; see Samples/profiles/ for an example profile.")
        }
    }

    // MARK: - CSV

    private struct Stop: Error {}

    private func draftCSV(_ file: String) throws -> ProfileDraft {
        let reader = try CSVReader(path: file)
        let header = reader.header
        var values = Array(repeating: [String](), count: header.count)
        var count = 0
        do {
            try reader.forEachRecord({ row in
                guard count < records else { throw Stop() }
                count += 1
                for i in 0..<min(row.count, header.count) {
                    let v = row.string(i).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !v.isEmpty { values[i].append(v) }
                }
            }, rejected: { _ in })
        } catch is Stop {}
        var columns: [Column] = []
        var seen = Set<String>()
        var draft = ProfileDraft(id: id ?? Self.id(for: file), file: file, kindNote: Localized(de: "", en: ""), format: .csv,
                                 encoding: reader.encoding, delimiter: reader.delimiter, recordsRead: count)
        for (i, name) in header.enumerated() {
            let key = ProfileNormaliser.headerKey(name)
            guard !key.isEmpty, seen.insert(key).inserted else {
                draft.unassigned.append((name, Localized(de: "leerer oder doppelter Spaltenname – kann nicht bestimmt werden",
                                                         en: "empty or repeated column name – cannot tell")))
                continue
            }
            columns.append(Column(reference: name.trimmingCharacters(in: .whitespaces), labels: [name], values: values[i], records: count))
        }
        draft.header = columns.map(\.reference)
        if !Self.looksLikeHeader(header) {
            draft.remarks.append(Localized(
                de: "Achtung: Die erste Zeile sieht nach Daten aus, nicht nach einer Kopfzeile – Profile brauchen Spaltennamen (kann nicht bestimmt werden).",
                en: "Warning: the first line looks like data, not like a header – profiles need column names (cannot tell)."))
        }
        assign(columns, into: &draft, xml: false)
        return draft
    }

    /// A header has no empty, numeric or timestamp-like cells.
    static func looksLikeHeader(_ cells: [String]) -> Bool {
        cells.allSatisfy { c in
            let t = c.trimmingCharacters(in: .whitespaces)
            return !t.isEmpty && Double(t.replacingOccurrences(of: ",", with: ".")) == nil && shape([t]).isOther
        }
    }

    // MARK: - XML

    private func draftXML(_ file: String) throws -> ProfileDraft {
        // The record element is not known before the survey: about 50 elements per record.
        let survey = try XMLSurvey(path: file, maxElements: max(records, 20) * 50)
        if survey.root == nil, let problem = survey.problem {
            throw InputError(file: file, code: "xml.malformed", de: "XML nicht lesbar: \(problem)", en: "XML not readable: \(problem)")
        }
        var draft = ProfileDraft(id: id ?? Self.id(for: file), file: file, kindNote: Localized(de: "", en: ""), format: .xml,
                                 recordsRead: 0)
        if let problem = survey.problem {
            draft.remarks.append(Localized(de: "XML-Fehler nach dem gelesenen Teil: \(problem)", en: "XML error after the part read: \(problem)"))
        }
        guard let root = survey.root else {
            throw InputError(file: file, code: "xml.empty", de: "XML-Datei enthält kein Element.", en: "XML file contains no element.")
        }
        // Namespaces: the file's own prefix, else ns1, ns2 … (default namespace).
        var prefixes: [String: String] = [:]
        for n in survey.nodes {
            guard let uri = n.name.namespace, prefixes[uri] == nil else { continue }
            var p = n.prefix ?? "ns\(prefixes.count + 1)"
            while prefixes.values.contains(p) { p += "_" }
            prefixes[uri] = p
        }
        draft.namespaces = prefixes.map { ($0.value, $0.key) }.sorted { $0.0 < $1.0 }
        let prefixOf: (String) -> String? = { prefixes[$0] }
        draft.xmlRoot = survey.nodes[root].name.description

        // The record element: the most frequent repeating element that has child elements or
        // attributes (the shallower one on a tie); leaf elements are fields, not records.
        let candidates = survey.nodes.indices.filter { i in
            i != root && survey.nodes[i].count >= 2 && (survey.nodes[i].hasChildElements || !survey.nodes[i].attributes.isEmpty)
        }
        let record = candidates.max { a, b in
            let na = survey.nodes[a], nb = survey.nodes[b]
            return na.count != nb.count ? na.count < nb.count : na.depth > nb.depth
        } ?? survey.nodes[root].children.first ?? root
        let recordNode = survey.nodes[record]
        draft.xmlRecord = survey.absolutePath(record, prefixOf: prefixOf)
        draft.recordsRead = recordNode.count
        if candidates.isEmpty {
            draft.remarks.append(Localized(de: "Datensatzelement: kann nicht bestimmt werden (kein sich wiederholendes Element) – „record“ prüfen.",
                                           en: "record element: cannot tell (no repeating element) – check 'record'."))
        }

        var columns: [Column] = []
        let n = recordNode.count
        for a in recordNode.attributes {
            columns.append(Column(reference: "@\(a)", labels: [a], values: (recordNode.attributeValues[a] ?? []).filter { !$0.isEmpty }, records: n))
        }
        // Descendant leaves and their attributes.
        func walk(_ i: Int) {
            for c in survey.nodes[i].children {
                let node = survey.nodes[c]
                let rel = survey.relativePath(c, from: record, prefixOf: prefixOf)
                if !node.hasChildElements {
                    columns.append(Column(reference: rel, labels: [node.name.localName], values: node.texts.filter { !$0.isEmpty },
                                          records: n, repeats: node.count > n))
                }
                for a in node.attributes {
                    columns.append(Column(reference: "\(rel)/@\(a)", labels: [node.name.localName + a, a],
                                          values: (node.attributeValues[a] ?? []).filter { !$0.isEmpty }, records: n))
                }
                walk(c)
            }
        }
        walk(record)
        // Attributes of ancestors below the root (`../@nr`): named after the element (`Teilnehmer nr`).
        var up = recordNode.parent
        var dots = "../"
        while let u = up, u != root {
            let node = survey.nodes[u]
            for a in node.attributes {
                columns.append(Column(reference: "\(dots)@\(a)", labels: [a, node.name.localName + a, node.name.localName],
                                      values: (node.attributeValues[a] ?? []).filter { !$0.isEmpty }, records: n))
            }
            up = node.parent
            dots += "../"
        }
        assign(columns, into: &draft, xml: true)
        return draft
    }

    // MARK: - Kind and fields

    private func assign(_ columns: [Column], into draft: inout ProfileDraft, xml: Bool) {
        let shapes = columns.map { Self.shape($0.values) }
        var chosen = kind
        if chosen == nil {
            var best: (kind: RecordKind, score: Int, matched: Int)?
            for k in RecordKind.allCases {
                let (pairs, _) = matches(columns, shapes, kind: k)
                let score = pairs.reduce(0) { $0 + $1.score } - 3 * missingRequired(k, pairs.map(\.field)).count
                if pairs.count > 0, best == nil || score > best!.score { best = (k, score, pairs.count) }
            }
            if let best, best.score > 0 {
                chosen = best.kind
                draft.kindNote = Localized(
                    de: "Datensatzart \(best.kind.rawValue): \(best.score >= 6 ? "sicher" : "wahrscheinlich") (\(best.matched) von \(columns.count) \(xml ? "Pfaden" : "Spalten") passen)",
                    en: "record kind \(best.kind.rawValue): \(best.score >= 6 ? "certain" : "likely") (\(best.matched) of \(columns.count) \(xml ? "paths" : "columns") fit)")
            } else {
                draft.kindNote = Localized(
                    de: "Datensatzart: kann nicht bestimmt werden (keine Spalte passt) – mit --kind angeben",
                    en: "record kind: cannot tell (no column fits) – give it with --kind")
            }
        } else {
            draft.kindNote = Localized(de: "Datensatzart vorgegeben (--kind)", en: "record kind given (--kind)")
        }
        draft.kind = chosen
        guard let k = chosen else {
            for c in columns {
                draft.unassigned.append((c.reference, Localized(de: "kann nicht bestimmt werden (\(Self.describe(c, Self.shape(c.values)).de))",
                                                                en: "cannot tell (\(Self.describe(c, Self.shape(c.values)).en))")))
            }
            return
        }
        let schema = k.schema
        let (pairs, timePair) = matches(columns, shapes, kind: k)
        var used = Set<Int>()
        var fields: [ProfileDraft.Field] = []
        // `matches` pairs only a date-shaped with a time-shaped column.
        if let timePair, case .timestamp(let df, _, _, let amb) = shapes[timePair.date],
           case .timestamp(let tf, _, _, _) = shapes[timePair.time] {
            let d = columns[timePair.date], t = columns[timePair.time]
            used.formUnion([timePair.date, timePair.time])
            fields.append(ProfileDraft.Field(
                name: "time", source: .dateTime(date: d.reference, time: t.reference), dateFormat: df, timeFormat: tf,
                note: Localized(de: "„\(d.reference)“ + „\(t.reference)“ → time: Datum und Uhrzeit getrennt, \(amb ? "Format unsicher (Tag/Monat)" : "sicher")",
                                en: "'\(d.reference)' + '\(t.reference)' → time: date and time apart, \(amb ? "format uncertain (day/month)" : "certain")")))
        }
        for p in pairs {
            used.insert(p.column)
            fields.append(field(schema.field(p.field)!, column: columns[p.column], shape: shapes[p.column], score: p.score, xml: xml))
        }
        // File-level and required fields without a column: a constant to fill in.
        let have = Set(fields.map(\.name))
        var constants = HeaderSynonyms.fileLevelFields[k] ?? []
        for f in schema.fields where f.required && !constants.contains(f.name) { constants.append(f.name) }
        for name in constants where !have.contains(name) {
            fields.append(ProfileDraft.Field(
                name: name, source: .constant(.placeholder),
                note: Localized(de: "\(name): keine Spalte gefunden – einen Wert für die ganze Datei eintragen\(schema.field(name)!.required ? " (Pflichtfeld)" : " oder die Zeile löschen")",
                                en: "\(name): no column found – enter one value for the whole file\(schema.field(name)!.required ? " (required)" : " or delete the line")")))
        }
        fields.sort { (schema.slot($0.name) ?? 0) < (schema.slot($1.name) ?? 0) }
        draft.fields = fields
        for (i, c) in columns.enumerated() where !used.contains(i) {
            let d = Self.describe(c, shapes[i])
            draft.unassigned.append((c.reference, Localized(de: "kann nicht bestimmt werden (\(d.de))", en: "cannot tell (\(d.en))")))
        }
    }

    private func missingRequired(_ k: RecordKind, _ fields: [String]) -> [String] {
        let constants = Set(HeaderSynonyms.fileLevelFields[k] ?? [])
        return k.schema.fields.filter { $0.required && !constants.contains($0.name) && !fields.contains($0.name) }.map(\.name)
    }

    /// Greedy assignment of columns to the fields of `k`: best synonym score first, then column order.
    /// Timestamp fields take only columns whose values are dates; `time` may take a date and a time
    /// column together (returned apart).
    private func matches(_ columns: [Column], _ shapes: [Shape], kind k: RecordKind)
        -> (pairs: [(column: Int, field: String, score: Int)], timePair: (date: Int, time: Int)?) {
        let schema = k.schema
        var candidates: [(column: Int, field: String, score: Int)] = []
        for (i, c) in columns.enumerated() {
            for f in schema.fields {
                let s = c.labels.map { HeaderSynonyms.score(header: $0, field: f.name) }.max() ?? 0
                guard s > 0 else { continue }
                if f.type == .timestamp {
                    switch shapes[i] {
                    case .timestamp(_, let hasDate, _, _) where hasDate: break
                    case .empty: break
                    default: continue
                    }
                }
                candidates.append((i, f.name, s))
            }
        }
        var usedColumns = Set<Int>(), usedFields = Set<String>()
        var timePair: (date: Int, time: Int)?
        if schema.field("time") != nil {
            let timeCols = columns.indices.filter { i in columns[i].labels.contains { HeaderSynonyms.score(header: $0, field: "time") > 0 } }
            let full = timeCols.first { if case .timestamp(_, true, true, _) = shapes[$0] { return true } else { return false } }
            if full == nil,
               let d = timeCols.first(where: { if case .timestamp(_, true, false, _) = shapes[$0] { return true } else { return false } }),
               let t = timeCols.first(where: { if case .timestamp(_, false, true, _) = shapes[$0] { return true } else { return false } }) {
                timePair = (d, t)
                usedColumns.formUnion([d, t])
                usedFields.insert("time")
            }
        }
        var pairs: [(column: Int, field: String, score: Int)] = []
        for c in candidates.enumerated().sorted(by: { $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset }).map(\.element)
        where !usedColumns.contains(c.column) && !usedFields.contains(c.field) {
            pairs.append(c)
            usedColumns.insert(c.column)
            usedFields.insert(c.field)
        }
        pairs.sort { $0.column < $1.column }
        return (pairs, timePair)
    }

    private func field(_ spec: FieldSpec, column c: Column, shape: Shape, score: Int, xml: Bool) -> ProfileDraft.Field {
        let name = spec.name
        let confidence: ProfileDraft.Confidence = score >= 2 ? .certain : .likely
        var f = ProfileDraft.Field(name: name, source: .single(c.reference),
                                   note: Localized(de: "„\(c.reference)“ → \(name): \(confidence.text.de)",
                                                   en: "'\(c.reference)' → \(name): \(confidence.text.en)"))
        func addNote(_ de: String, _ en: String) {
            f.note = Localized(de: f.note.de + "; " + de, en: f.note.en + "; " + en)
        }
        switch spec.type {
        case .timestamp:
            if case .timestamp(let format, _, _, let ambiguous) = shape {
                f.format = format
                let n = c.values.count
                addNote("Format \(format) aus \(n == 1 ? "einem Wert" : "\(n) Werten")\(ambiguous ? " (Tag/Monat unsicher)" : "")",
                        "format \(format) from \(n == 1 ? "one value" : "\(n) values")\(ambiguous ? " (day/month uncertain)" : "")")
                let bad = c.values.count - Self.fitting(format, c.values)
                if bad > 0 {
                    addNote(bad == 1 ? "1 Wert passt nicht (der Datensatz wird zurückgewiesen)" : "\(bad) Werte passen nicht (diese Datensätze werden zurückgewiesen)",
                            bad == 1 ? "1 value does not fit (its record will be rejected)" : "\(bad) values do not fit (those records will be rejected)")
                }
            } else {
                f.format = ProfileDraft.placeholder
                addNote("Format kann nicht bestimmt werden (keine Werte)", "format: cannot tell (no values)")
            }
        case .list:
            if c.repeats { f.source = .several([c.reference]) }
            if let s = Self.separator(c.values) {
                f.split = s
                addNote("Listentrenner „\(s)“", "list separator '\(s)'")
            } else if !c.repeats {
                f.split = ","
                addNote("kein Listentrenner in den Werten: „,“ angenommen", "no list separator in the values: ',' assumed")
            }
        case .text:
            if c.repeats { f.source = .several([c.reference]) }
        case .bool:
            let words = Set((SourceProfile.defaultTrueWords + SourceProfile.defaultFalseWords).map { $0.lowercased() })
            let unknown = Self.distinct(c.values).filter { !words.contains($0.value.lowercased()) }
            for u in unknown.prefix(maxMapValues) { f.map.append(.init(value: u.value, target: .placeholder, count: u.count, guessed: false)) }
            if !unknown.isEmpty { addNote("Werte außer ja/nein: „ja“ oder „nein“ eintragen", "values other than yes/no: enter ja or nein") }
            if xml && c.values.count < c.records {
                f.defaultValue = "nein"
                addNote("fehlt in \(c.records - c.values.count) Datensätzen: fehlend = nein angenommen",
                        "absent from \(c.records - c.values.count) records: absent = no assumed")
            }
        default:
            break
        }
        var symbols: [String]?
        if case .symbol(let allowed) = spec.type { symbols = allowed }
        if symbols != nil || HeaderSynonyms.vocabularyFields.contains(name) {
            let distinct = Self.distinct(c.values)
            let allowedFolded = Set((symbols ?? []).map { $0.lowercased() })
            let open = distinct.filter { !allowedFolded.contains($0.value.lowercased()) }
            if distinct.count > maxMapValues && symbols == nil {
                addNote("\(distinct.count) verschiedene Werte: keine Wertetabelle", "\(distinct.count) distinct values: no value map")
            } else {
                for d in open.prefix(maxMapValues) {
                    let guess = symbols.flatMap { HeaderSynonyms.guessTarget(value: d.value, allowed: $0) }
                    f.map.append(.init(value: d.value, target: guess.map { .value($0) } ?? .placeholder, count: d.count, guessed: guess != nil))
                }
                let already = distinct.count - open.count
                if already > 0 {
                    addNote(already == 1 ? "1 Wert ist schon ein Zielwert (ohne Eintrag)" : "\(already) Werte sind schon Zielwerte (ohne Eintrag)",
                            already == 1 ? "1 value is a target already (no entry)" : "\(already) values are targets already (no entry)")
                }
                let n = distinct.count
                let countDE = n == 0 ? "leer in den gelesenen Datensätzen" : n == 1 ? "ein Wert" : "\(n) verschiedene Werte"
                let countEN = n == 0 ? "empty in the records read" : n == 1 ? "one value" : "\(n) distinct values"
                let targetsDE = symbols.map { " (Ziele: \($0.joined(separator: ", ")))" } ?? " (Ziele: Kategorien der Taxonomie bzw. Wörter der Regeln; ~ = leer)"
                let targetsEN = symbols.map { " (targets: \($0.joined(separator: ", ")))" } ?? " (targets: taxonomy categories or the rules' words; ~ = empty)"
                addNote(countDE + targetsDE, countEN + targetsEN)
                if open.count > maxMapValues { addNote("nur die ersten \(maxMapValues) aufgeführt", "only the first \(maxMapValues) listed") }
            }
        }
        return f
    }

    // MARK: - Values

    static let dateTimeFormats = [
        "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm:ss",
        "dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy HH:mm",
        "yyyy/MM/dd HH:mm:ss", "dd-MM-yyyy HH:mm:ss", "dd.MM.yyyy, HH:mm:ss", "dd.MM.yyyy, HH:mm",
    ]
    static let dateFormats = ["dd.MM.yyyy", "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "yyyy/MM/dd", "dd-MM-yyyy"]
    static let timeFormats = ["HH:mm:ss", "HH:mm"]

    /// The first format every value parses with; `iso8601` last. Day/month order is ambiguous when
    /// both `dd/MM` and `MM/dd` fit (the German order is then taken).
    static func shape(_ values: [String]) -> Shape {
        guard !values.isEmpty else { return .empty }
        let sample = values.count > 2_000 ? Array(values.prefix(2_000)) : values
        func fitting(_ text: String) -> Int { Self.fitting(text, sample) }
        // A few bad values (an export's own errors) do not hide the format: 90 % must fit.
        var best: (format: String, fit: Int)?
        for f in dateTimeFormats + dateFormats + timeFormats + ["iso8601"] {
            let n = fitting(f)
            if n == sample.count { best = (f, n); break }
            if n > (best?.fit ?? 0) { best = (f, n) }
        }
        guard let best, best.fit * 10 >= sample.count * 9 else { return .other }
        let f = best.format
        let hasDate = f.contains("yyyy") || f == "iso8601", hasTime = f.contains("HH") || f == "iso8601"
        let swapped = f.hasPrefix("dd/MM") ? "MM/dd" + f.dropFirst(5) : nil
        return .timestamp(format: f, hasDate: hasDate, hasTime: hasTime,
                          ambiguous: swapped.map { fitting(String($0)) == best.fit } ?? false)
    }

    /// How many of `values` parse with the timestamp format `text`.
    static func fitting(_ text: String, _ values: [String]) -> Int {
        guard let f = TimestampFormat.compile(text) else { return 0 }
        return values.filter { v in Array(v.utf8).withUnsafeBytes { f.parse($0) != nil } }.count
    }

    /// Distinct values, case-folded, in first-seen order with counts.
    static func distinct(_ values: [String]) -> [(value: String, count: Int)] {
        var order: [String] = [], first: [String: String] = [:], counts: [String: Int] = [:]
        for v in values {
            let k = v.lowercased()
            if first[k] == nil { first[k] = v; order.append(k) }
            counts[k, default: 0] += 1
        }
        return order.map { (first[$0]!, counts[$0]!) }
    }

    /// The list separator most values use, among `,` `|` `;`.
    static func separator(_ values: [String]) -> String? {
        let counts = [",", "|", ";"].map { s in (s, values.filter { $0.contains(s) }.count) }
        guard let best = counts.max(by: { $0.1 < $1.1 }), best.1 > 0 else { return nil }
        return best.0
    }

    /// What a column's values look like, without showing them (they may be personal data).
    static func describe(_ c: Column, _ shape: Shape) -> Localized {
        switch shape {
        case .empty: return Localized(de: "keine Werte", en: "no values")
        case .timestamp(let f, _, _, _): return Localized(de: "Zeitangaben im Format \(f)", en: "timestamps in format \(f)")
        case .other:
            let n = distinct(c.values).count
            let digits = c.values.allSatisfy { $0.allSatisfy { $0.isNumber || ".,-".contains($0) } }
            let de = n == 1 ? "ein Wert" : "\(n) verschiedene Werte", en = n == 1 ? "one value" : "\(n) distinct values"
            return Localized(de: de + (digits ? ", Zahlen" : ""), en: en + (digits ? ", numbers" : ""))
        }
    }

    /// `Traeger-Zugriffe.csv` → `traeger-zugriffe`.
    package static func id(for file: String) -> String {
        var base = (file as NSString).lastPathComponent
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        var out = ""
        for ch in base.lowercased() {
            switch ch {
            case "ä": out += "ae"
            case "ö": out += "oe"
            case "ü": out += "ue"
            case "ß": out += "ss"
            default:
                if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) } else if !out.hasSuffix("-") { out += "-" }
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "entwurf" : out
    }
}

extension ProfileDrafter.Shape {
    var isOther: Bool { if case .other = self { return true } else { return false } }
}
