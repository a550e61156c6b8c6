import Foundation
import TrennwandRecords
import TrennwandYAML

extension YAMLNode: YAMLPositioned {}

extension SourceProfile {
    /// The format-independent top-level keys; each format adds its own (`InputFormat.profileKeys`).
    static let commonKeys: Set<String> = ["id", "title", "kind", "format", "encoding", "timezone", "detect", "fields"]
    static var topKeys: Set<String> { SourceFormat.allCases.reduce(commonKeys) { $0.union($1.spec.profileKeys) } }
    static var detectKeys: Set<String> { SourceFormat.allCases.reduce([]) { $0.union($1.spec.detectKeys) } }
    /// Field keys: the format-independent ones plus every format's source keys.
    static let fieldKeys: Set<String> = SourceFormat.allCases.reduce(
        ["value", "date_format", "time_format", "format", "map", "patterns", "unmapped", "default", "split", "true", "false", "optional"]
    ) { $0.union($1.spec.sourceKeys.all) }
    static let defaultTrueWords = ["ja", "true", "1", "x", "yes", "wahr", "j"]
    static let defaultFalseWords = ["nein", "false", "0", "no", "falsch", "n"]

    /// Loads one profile file. Every problem is a `ConfigError` with `file:line:column`.
    public static func load(path: String) throws -> SourceProfile {
        try parse(YAMLNode.load(path: path))
    }

    /// Parses a profile from YAML text (tests, inline examples).
    public static func parse(yaml: String, file: String) throws -> SourceProfile {
        try parse(YAMLNode.parse(yaml, file: file))
    }

    static func parse(_ root: YAMLNode) throws -> SourceProfile {
        let m = try root.mapping(allowed: topKeys)
        let idNode = try m.required("id")
        let id = try idNode.string()
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw idNode.error("profile.id", de: "ungültige Profil-ID „\(id)“ (Buchstaben, Ziffern, - _ .)",
                               en: "invalid profile id '\(id)' (letters, digits, - _ .)")
        }
        let title = try m.required("title").localized()

        let kindNode = try m.required("kind")
        guard let kind = RecordKind(rawValue: try kindNode.string()) else {
            throw ProfileIssue.invalidValue(kindNode, key: "kind", value: try kindNode.string(),
                                            allowed: RecordKind.allCases.map(\.rawValue))
        }
        let formatNode = try m.required("format")
        guard let format = SourceFormat(rawValue: try formatNode.string().lowercased()) else {
            throw ProfileIssue.invalidValue(formatNode, key: "format", value: try formatNode.string(),
                                            allowed: SourceFormat.allCases.map(\.rawValue))
        }

        var encoding: TextEncoding?
        if let n = m.optional("encoding") {
            let s = try n.string().lowercased()
            let aliases: [String: TextEncoding] = [
                "utf-8": .utf8, "utf8": .utf8, "windows-1252": .windows1252, "cp1252": .windows1252,
                "iso-8859-15": .iso885915, "latin-9": .iso885915,
            ]
            if s != "auto" {
                guard let e = aliases[s] else {
                    throw ProfileIssue.invalidValue(n, key: "encoding", value: s,
                                                    allowed: ["auto"] + TextEncoding.allCases.map(\.rawValue))
                }
                encoding = e
            }
        }

        var timezone = "Europe/Berlin"
        if let n = m.optional("timezone") {
            timezone = try n.string()
            guard ZoneConverter(identifier: timezone) != nil else { throw ProfileIssue.unknownTimeZone(n.position, zone: timezone) }
        }

        let detect = try m.optional("detect")?.mapping(allowed: detectKeys)
        let options = try format.spec.parseOptions(ProfileSection(root: root, mapping: m, detect: detect, id: id))

        let schema = kind.schema
        var mappings: [FieldMapping] = []
        let fieldsNode = try m.required("fields")
        for entry in try fieldsNode.mapping().entries {
            guard let spec = schema.field(entry.key), let slot = schema.slot(entry.key) else {
                throw ProfileIssue.unknownField(entry.keyNode.position, profile: id, field: entry.key, kind: kind)
            }
            let mapping = try parseField(entry.value, spec: spec, slot: slot, profile: id, format: format, options: options)
            mappings.append(mapping)
        }
        for spec in schema.fields where spec.required && !mappings.contains(where: { $0.name == spec.name }) {
            throw ProfileIssue.missingRequiredField(fieldsNode.position, profile: id, field: spec.name)
        }
        mappings.sort { $0.slot < $1.slot }

        let profile = SourceProfile(
            id: id, title: title, kind: kind, format: format, encoding: encoding, timezone: timezone, options: options,
            fields: mappings, position: root.position)
        // Constants are converted once here so that a bad constant is a configuration error.
        try ProfileNormaliser.checkConstants(profile)
        try format.spec.validate(profile)
        return profile
    }

    private static func parseField(_ node: YAMLNode, spec: FieldSpec, slot: Int, profile: String,
                                   format: SourceFormat, options: any FormatOptions) throws -> FieldMapping {
        // Shorthand: `actor: Benutzerkennung` is a column (CSV) or path (XML).
        if case .scalar = node.node {
            let ref = try node.string()
            try format.spec.checkReference(ref, at: node.position, options: options)
            return FieldMapping(
                name: spec.name, slot: slot, type: spec.type, required: spec.required, source: .single(ref),
                valueMap: [:], unmapped: defaultUnmapped(spec.type), defaultValue: nil,
                timestampFormat: spec.type == .timestamp ? .iso8601 : nil, timeFormat: nil, split: nil,
                trueWords: defaultTrueWords, falseWords: defaultFalseWords, position: node.position)
        }
        let m = try node.mapping(allowed: fieldKeys)
        let keys = format.spec.sourceKeys
        let one = keys.one, many = keys.many, dateKey = keys.date, timeKey = keys.time
        var foreign: [String] = []
        for other in SourceFormat.allCases where other != format {
            for k in other.spec.sourceKeys.all where !keys.all.contains(k) && !foreign.contains(k) { foreign.append(k) }
        }
        if let f = foreign.first(where: { m.optional($0) != nil }) {
            let at = m.entries.first { $0.key == f }?.keyNode.position ?? node.position
            throw ConfigError(at, code: "profile.key-not-for-format",
                              de: "„\(f)“ passt nicht zu format: \(format.rawValue)",
                              en: "'\(f)' does not fit format: \(format.rawValue)")
        }

        var sources: [FieldSource] = []
        if let n = m.optional(one) { sources.append(.single(try n.string())) }
        if let n = m.optional(many) {
            guard spec.type == .text || spec.type == .list else {
                throw ProfileIssue.keyNotForType(n.position, key: many, field: spec.name, type: spec.type)
            }
            sources.append(.several(try n.stringList()))
        }
        if let n = m.optional("value") {
            let v = try n.string()
            if v == ProfileDraft.placeholder { throw ProfileIssue.draftPlaceholder(n.position, field: spec.name, value: nil) }
            sources.append(.constant(v))
        }
        let dateNode = m.optional(dateKey), timeNode = m.optional(timeKey)
        if dateNode != nil || timeNode != nil {
            guard let dateNode, let timeNode else { throw ProfileIssue.badSource(node.position, profile: profile, field: spec.name, format: format) }
            guard spec.type == .timestamp else { throw ProfileIssue.keyNotForType(dateNode.position, key: dateKey, field: spec.name, type: spec.type) }
            sources.append(.dateTime(date: try dateNode.string(), time: try timeNode.string()))
        }
        guard sources.count == 1, let source = sources.first else {
            throw ProfileIssue.badSource(node.position, profile: profile, field: spec.name, format: format)
        }
        for r in source.references { try format.spec.checkReference(r, at: node.position, options: options) }

        // Timestamps.
        var tsFormat: TimestampFormat?
        var timeFormat: TimestampFormat?
        func compileFormat(_ key: String, _ fallback: String) throws -> TimestampFormat {
            let n = m.optional(key)
            let text = try n?.string() ?? fallback
            guard let f = TimestampFormat.compile(text) else {
                throw ProfileIssue.badTimestampFormat(n?.position ?? node.position, text: text)
            }
            return f
        }
        for key in ["format", "date_format", "time_format"] where m.optional(key) != nil && spec.type != .timestamp {
            throw ProfileIssue.keyNotForType(m.optional(key)!.position, key: key, field: spec.name, type: spec.type)
        }
        if spec.type == .timestamp {
            if case .dateTime = source {
                tsFormat = try compileFormat("date_format", "dd.MM.yyyy")
                timeFormat = try compileFormat("time_format", "HH:mm")
                if case .pattern = tsFormat!, !tsFormat!.hasDate {
                    throw ProfileIssue.badTimestampFormat(m.optional("date_format")?.position ?? node.position, text: tsFormat!.description)
                }
            } else {
                tsFormat = try compileFormat("format", "iso8601")
                if !tsFormat!.hasDate { throw ProfileIssue.badTimestampFormat(m.optional("format")?.position ?? node.position, text: tsFormat!.description) }
            }
        }

        // Value map.
        var valueMap: [String: String?] = [:]
        if let n = m.optional("map") {
            for e in try n.mapping().entries {
                let key = ProfileNormaliser.foldCase(ByteString(e.key)).string
                let target: String? = e.value.isNull ? nil : try e.value.string()
                if target == ProfileDraft.placeholder { throw ProfileIssue.draftPlaceholder(e.value.position, field: spec.name, value: e.key) }
                if case .symbol(let allowed) = spec.type, let target, !allowed.contains(target) {
                    throw ProfileIssue.mapTargetNotSymbol(e.value.position, field: spec.name, target: target, allowed: allowed)
                }
                valueMap[key] = .some(target)
            }
        }
        let patterns = try m.optional("patterns").map { try parsePatterns($0, spec: spec) } ?? []
        if !patterns.isEmpty, spec.type == .text || spec.type == .timestamp || spec.type == .bool || spec.type == .number {
            throw ProfileIssue.keyNotForType(m.optional("patterns")!.position, key: "patterns", field: spec.name, type: spec.type)
        }
        var unmapped = defaultUnmapped(spec.type)
        if let n = m.optional("unmapped") {
            guard let u = UnmappedPolicy(rawValue: try n.string()) else {
                throw ProfileIssue.invalidValue(n, key: "unmapped", value: try n.string(), allowed: UnmappedPolicy.allCases.map(\.rawValue))
            }
            unmapped = u
        }

        let split = try m.optional("split")?.string()
        if split != nil && spec.type != .list {
            throw ProfileIssue.keyNotForType(m.optional("split")!.position, key: "split", field: spec.name, type: spec.type)
        }
        if split == "" { throw m.optional("split")!.error("profile.split", de: "leeres Trennzeichen", en: "empty separator") }

        var trueWords = defaultTrueWords, falseWords = defaultFalseWords
        for key in ["true", "false"] where m.optional(key) != nil && spec.type != .bool {
            throw ProfileIssue.keyNotForType(m.optional(key)!.position, key: key, field: spec.name, type: spec.type)
        }
        if let n = m.optional("true") { trueWords = try n.stringList() }
        if let n = m.optional("false") { falseWords = try n.stringList() }

        var mapping = FieldMapping(
            name: spec.name, slot: slot, type: spec.type, required: spec.required, source: source, valueMap: valueMap, unmapped: unmapped,
            defaultValue: try m.optional("default")?.string(), timestampFormat: tsFormat, timeFormat: timeFormat,
            split: split, trueWords: trueWords, falseWords: falseWords, position: node.position)
        mapping.patterns = patterns
        if let o = m.optional("optional") {
            mapping.optional = try o.bool()
            if mapping.optional && spec.required {
                throw o.error("profile.optional-required", de: "Pflichtfeld „\(spec.name)“ kann nicht optional sein",
                              en: "required field '\(spec.name)' cannot be optional")
            }
        }
        return mapping
    }

    /// `patterns:` — a list of `{prefix|suffix|email_domain|regex: TEXT, to: TARGET}`; a regex is
    /// compiled here, so a bad one is a load error at its position.
    private static func parsePatterns(_ node: YAMLNode, spec: FieldSpec) throws -> [ValuePattern] {
        var out: [ValuePattern] = []
        for item in try node.sequence() {
            let m = try item.mapping(allowed: Set(ValuePattern.keys + ["to"]))
            let given = ValuePattern.keys.filter { m.optional($0) != nil }
            guard given.count == 1, let kind = given.first, let textNode = m.optional(kind) else {
                throw item.error("profile.pattern", de: "genau einen von \(ValuePattern.keys.joined(separator: ", ")) angeben",
                                 en: "give exactly one of \(ValuePattern.keys.joined(separator: ", "))")
            }
            guard let toEntry = m.entries.first(where: { $0.key == "to" }) else {
                throw item.error("profile.pattern", de: "„to:“ (Zielwert) fehlt", en: "'to:' (target value) is missing")
            }
            let target: String? = toEntry.value.isNull ? nil : try toEntry.value.string()
            if target == ProfileDraft.placeholder {
                throw ProfileIssue.draftPlaceholder(toEntry.value.position, field: spec.name, value: try textNode.string())
            }
            if case .symbol(let allowed) = spec.type, let target, !allowed.contains(target) {
                throw ProfileIssue.mapTargetNotSymbol(toEntry.value.position, field: spec.name, target: target, allowed: allowed)
            }
            let text = try textNode.string()
            if text.isEmpty && kind != "regex" {
                throw textNode.error("profile.pattern", de: "\(kind): leerer Text", en: "\(kind): empty text")
            }
            let folded = ProfileNormaliser.foldCase(ByteString(text))
            let test: ValuePattern.Test
            switch kind {
            case "prefix": test = .prefix(folded)
            case "suffix": test = .suffix(folded)
            case "email_domain":
                test = .emailDomain(folded.string.hasPrefix("@") ? ByteString(String(folded.string.dropFirst())) : folded)
            default:
                do { test = .regex(try ByteRegex(text)) } catch let e as ByteRegex.SyntaxError {
                    throw textNode.error("profile.regex",
                                         de: "regex „\(text)“, Zeichen \(e.offset): \(e.reason.de)",
                                         en: "regex '\(text)', character \(e.offset): \(e.reason.en)")
                }
            }
            out.append(ValuePattern(test: test, target: target, position: item.position))
        }
        return out
    }

    private static func defaultUnmapped(_ type: FieldType) -> UnmappedPolicy {
        if case .symbol = type { return .reject }
        return .keep
    }
}
