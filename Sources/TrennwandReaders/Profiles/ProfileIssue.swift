import TrennwandRecords

/// The user-facing problems of profiles and their use, as named cases with German and English text.
///
/// Configuration problems (exit code 2) become `ConfigError`s, file-level problems (exit code 3)
/// `InputError`s, per-record problems `RejectReason`s.
enum ProfileIssue {
    // MARK: Profile files (ConfigError)

    static func invalidValue(_ at: YAMLPositioned, key: String, value: String, allowed: [String]) -> ConfigError {
        let list = allowed.joined(separator: ", ")
        return ConfigError(at.position, code: "profile.invalid-value",
                           de: "ungültiger Wert „\(value)“ für „\(key)“ (erlaubt: \(list))",
                           en: "invalid value '\(value)' for '\(key)' (allowed: \(list))")
    }

    static func unknownField(_ at: SourcePosition, profile: String, field: String, kind: RecordKind) -> ConfigError {
        let list = kind.schema.fields.map(\.name).joined(separator: ", ")
        return ConfigError(at, code: "profile.unknown-field",
                           de: "Profil „\(profile)“: Feld „\(field)“ gibt es für die Art „\(kind.rawValue)“ nicht (Felder: \(list))",
                           en: "profile '\(profile)': field '\(field)' does not exist for kind '\(kind.rawValue)' (fields: \(list))")
    }

    static func missingRequiredField(_ at: SourcePosition, profile: String, field: String) -> ConfigError {
        ConfigError(at, code: "profile.missing-field",
                    de: "Profil „\(profile)“ ordnet das Pflichtfeld „\(field)“ nicht zu",
                    en: "profile '\(profile)' does not map the required field '\(field)'")
    }

    static func badSource(_ at: SourcePosition, profile: String, field: String, format: SourceFormat) -> ConfigError {
        let k = format.spec.sourceKeys
        let keys = "\(k.one), \(k.many), \(k.date) + \(k.time), value"
        return ConfigError(at, code: "profile.field-source",
                           de: "Profil „\(profile)“, Feld „\(field)“: genau eine Quelle angeben (\(keys))",
                           en: "profile '\(profile)', field '\(field)': give exactly one source (\(keys))")
    }

    static func keyNotForType(_ at: SourcePosition, key: String, field: String, type: FieldType) -> ConfigError {
        ConfigError(at, code: "profile.key-not-for-type",
                    de: "„\(key)“ passt nicht zum Feld „\(field)“ vom Typ \(type.name)",
                    en: "'\(key)' does not fit field '\(field)' of type \(type.name)")
    }

    static func badTimestampFormat(_ at: SourcePosition, text: String) -> ConfigError {
        ConfigError(at, code: "profile.timestamp-format",
                    de: "ungültiges Zeitformat „\(text)“ (iso8601 oder Muster aus dd MM yyyy HH mm ss)",
                    en: "invalid timestamp format '\(text)' (iso8601 or a pattern of dd MM yyyy HH mm ss)")
    }

    static func unknownTimeZone(_ at: SourcePosition, zone: String) -> ConfigError {
        ConfigError(at, code: "profile.timezone",
                    de: "unbekannte Zeitzone „\(zone)“", en: "unknown time zone '\(zone)'")
    }

    static func mapTargetNotSymbol(_ at: SourcePosition, field: String, target: String, allowed: [String]) -> ConfigError {
        let list = allowed.joined(separator: ", ")
        return ConfigError(at, code: "profile.map-target",
                           de: "Zielwert „\(target)“ ist für „\(field)“ nicht erlaubt (erlaubt: \(list))",
                           en: "target value '\(target)' is not allowed for '\(field)' (allowed: \(list))")
    }

    static func invalidConstant(_ at: SourcePosition, field: String, reason: RejectReason) -> ConfigError {
        ConfigError(at, code: "profile.invalid-constant",
                    de: "Feld „\(field)“: \(reason.message.de)", en: "field '\(field)': \(reason.message.en)")
    }

    static func missingDetect(_ at: SourcePosition, profile: String, format: SourceFormat) -> ConfigError {
        let what = format.spec.detectRequirement
        return ConfigError(at, code: "profile.detect",
                           de: "Profil „\(profile)“: \(what) fehlt", en: "profile '\(profile)': \(what) missing")
    }

    static func duplicateID(_ at: SourcePosition, id: String, other: SourcePosition) -> ConfigError {
        ConfigError(at, code: "profile.duplicate-id",
                    de: "Profil-ID „\(id)“ gibt es schon in \(other)",
                    en: "profile id '\(id)' already defined in \(other)")
    }

    static func unknownPrefix(_ at: SourcePosition, prefix: String) -> ConfigError {
        ConfigError(at, code: "profile.namespace-prefix",
                    de: "Namensraum-Präfix „\(prefix)“ ist unter namespaces nicht erklärt",
                    en: "namespace prefix '\(prefix)' is not declared under namespaces")
    }

    static func unknownProfile(_ id: String, known: [String]) -> ConfigError {
        ConfigError(SourcePosition(file: "--profile", line: 1, column: 1), code: "profile.unknown",
                    de: "unbekanntes Profil „\(id)“ (bekannt: \(known.joined(separator: ", ")))",
                    en: "unknown profile '\(id)' (known: \(known.joined(separator: ", ")))")
    }

    // MARK: Files (InputError)

    static func noMatchHeader(file: String, header: [String]) -> InputError {
        // A file without a header row has data in its first line: cells that are not plausible
        // column names (more than two digits, over 40 bytes, other characters than letters,
        // digits, space and `.-_/()`) are shown by their length only.
        let h = header.prefix(40).map { cell -> String in
            let digits = cell.unicodeScalars.filter { ("0"..."9").contains($0) }.count
            let plain = cell.utf8.count <= 40 && digits <= 2 && cell.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || " .-_/()".unicodeScalars.contains($0)
            }
            return plain ? cell : "[\(cell.utf8.count) Bytes]"
        }.joined(separator: " | ") + (header.count > 40 ? " | …" : "")
        return InputError(file: file, line: 1, code: "profile.no-match",
                          de: "kein Profil passt zur Kopfzeile: \(h)", en: "no profile matches the header: \(h)")
    }

    static func noMatchRoot(file: String, root: String) -> InputError {
        InputError(file: file, line: 1, code: "profile.no-match",
                   de: "kein Profil passt zum Wurzelelement \(root)", en: "no profile matches the root element \(root)")
    }

    static func ambiguous(file: String, candidates: [String]) -> InputError {
        let c = candidates.joined(separator: ", ")
        return InputError(file: file, line: 1, code: "profile.ambiguous",
                          de: "mehrere Profile passen gleich gut: \(c); bitte --profile angeben",
                          en: "several profiles match equally well: \(c); please pass --profile")
    }

    static func missingColumn(file: String, profile: String, column: String) -> InputError {
        InputError(file: file, line: 1, code: "profile.missing-column",
                   de: "Profil „\(profile)“: Spalte „\(column)“ fehlt in der Datei",
                   en: "profile '\(profile)': column '\(column)' is missing in the file")
    }

    static func wrongFormat(file: String, profile: String, format: SourceFormat) -> InputError {
        InputError(file: file, line: 1, code: "profile.wrong-format",
                   de: "Profil „\(profile)“ erwartet \(format.rawValue.uppercased()), die Datei ist es nicht",
                   en: "profile '\(profile)' expects \(format.rawValue.uppercased()), the file is not")
    }

    static func unreadable(file: String) -> InputError {
        InputError(file: file, code: "input.unreadable",
                   de: "Datei kann nicht gelesen werden", en: "file cannot be read")
    }

    // MARK: Records (RejectReason)

    static func missingValue(field: String, source: String) -> RejectReason {
        RejectReason(code: "profile.missing-value",
                     de: "Pflichtfeld „\(field)“ ist leer (\(source))",
                     en: "required field '\(field)' is empty (\(source))")
    }

    // Values of the data are never quoted in a rejection (it lands in SARIF notifications, the
    // HTML report and on stderr): the message names the field, its source and the reason, and
    // describes the value only by its byte length and character class.

    static func invalidTimestamp(field: String, source: String, raw: some Collection<UInt8>, format: String) -> RejectReason {
        let v = shape(raw)
        return RejectReason(code: "profile.invalid-timestamp",
                            de: "Feld \(field) (Quelle \(source)): \(v.de), kein gültiger Zeitpunkt im Format \(format)",
                            en: "field \(field) (source \(source)): \(v.en), not a valid timestamp in format \(format)")
    }

    static func unmappedValue(field: String, source: String, raw: some Collection<UInt8>) -> RejectReason {
        let v = shape(raw)
        return RejectReason(code: "profile.unmapped-value",
                            de: "Feld \(field) (Quelle \(source)): \(v.de), im Profil nicht zugeordnet",
                            en: "field \(field) (source \(source)): \(v.en), not mapped by the profile")
    }

    static func invalidNumber(field: String, source: String, raw: some Collection<UInt8>) -> RejectReason {
        let v = shape(raw)
        return RejectReason(code: "profile.invalid-number",
                            de: "Feld \(field) (Quelle \(source)): \(v.de), keine Zahl",
                            en: "field \(field) (source \(source)): \(v.en), not a number")
    }

    static func invalidBool(field: String, source: String, raw: some Collection<UInt8>, words: String) -> RejectReason {
        let v = shape(raw)
        return RejectReason(code: "profile.invalid-bool",
                            de: "Feld \(field) (Quelle \(source)): \(v.de), kein Ja/Nein-Wert (\(words))",
                            en: "field \(field) (source \(source)): \(v.en), not a yes/no value (\(words))")
    }

    /// A value described without its content: byte length and character class.
    static func shape(_ raw: some Collection<UInt8>) -> (de: String, en: String) {
        var letters = false, digits = false, other = false
        for b in raw {
            if b >= 0x30 && b <= 0x39 { digits = true }
            else if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A || b >= 0x80 { letters = true }
            else if b != 0x20 && b != 0x2E && b != 0x3A && b != 0x2D && b != 0x2F { other = true }
        }
        let de: String, en: String
        switch (letters, digits, other) {
        case (false, true, false): (de, en) = ("Ziffern", "digits")
        case (true, false, false): (de, en) = ("Buchstaben", "letters")
        case (true, true, false): (de, en) = ("Buchstaben und Ziffern", "letters and digits")
        case (false, false, false): (de, en) = ("nur Trennzeichen", "separators only")
        default: (de, en) = ("mit Sonder- oder Steuerzeichen", "with special or control characters")
        }
        return ("\(raw.count) Bytes, \(de)", "\(raw.count) bytes, \(en)")
    }
}

/// Anything with a source position (YAML nodes and mapping keys).
protocol YAMLPositioned {
    var position: SourcePosition { get }
}

extension SourcePosition: YAMLPositioned {
    var position: SourcePosition { self }
}
