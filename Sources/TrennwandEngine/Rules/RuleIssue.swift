import TrennwandRecords

/// The user-facing problems of rule files and their examples (codes `rule.*`, `example.*`), as named
/// factories with German and English text, each at its `file:line:column` (exit code 2). Condition
/// errors inside a rule are `ExprIssue`s.
enum RuleIssue {
    // MARK: Loading a rule directory

    static func unreadable(_ p: SourcePosition, reason: Error) -> ConfigError {
        ConfigError(p, code: "rule.unreadable", de: "Regeldatei nicht lesbar: \(reason)", en: "rule file not readable: \(reason)")
    }

    static func fileName(_ p: SourcePosition, id: String) -> ConfigError {
        ConfigError(p, code: "rule.file-name", de: "Dateiname muss mit der Regel-ID \(id) beginnen",
                    en: "file name must start with the rule id \(id)")
    }

    static func duplicateID(_ p: SourcePosition, id: String, other: String) -> ConfigError {
        ConfigError(p, code: "rule.duplicate-id", de: "Regel-ID \(id) gibt es schon in \(other)",
                    en: "rule id \(id) already used in \(other)")
    }

    /// A compile error that is not a `ConfigError` (none is known; kept so no rule vanishes silently).
    static func compile(_ p: SourcePosition, reason: Error) -> ConfigError {
        ConfigError(p, code: "rule.compile", de: "\(reason)", en: "\(reason)")
    }

    static func aggregateLimit(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.aggregate-limit", de: "höchstens 64 Aggregatregeln je Regelwerk", en: "at most 64 aggregate rules per rule pack")
    }

    // MARK: Keys of a rule file

    static func badID(_ p: SourcePosition, id: String) -> ConfigError {
        ConfigError(p, code: "rule.id", de: "Regel-ID muss die Form TWnnn haben: „\(id)“", en: "rule id must look like TWnnn: '\(id)'")
    }

    static func badSeverity(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.severity", de: "Schweregrad muss critical, high, medium, low oder info sein",
                    en: "severity must be critical, high, medium, low or info")
    }

    static func badOver(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.over", de: "over: access, documentation oder flow erwartet", en: "over: access, documentation or flow expected")
    }

    static func badAppliesTo(_ p: SourcePosition, kinds: String) -> ConfigError {
        ConfigError(p, code: "rule.applies-to", de: "applies_to muss aggregate oder eine Datensatzart sein (\(kinds))",
                    en: "applies_to must be aggregate or a record kind (\(kinds))")
    }

    static func badAsOf(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.as-of", de: "as_of muss ein Datum JJJJ-MM-TT sein", en: "as_of must be a date YYYY-MM-DD")
    }

    static func noNorms(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.norms", de: "mindestens eine Norm angeben", en: "name at least one norm")
    }

    static func badClass(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.class", de: "class muss violation oder gap sein", en: "class must be violation or gap")
    }

    static func unknownEvidenceField(_ p: SourcePosition, field: String, kind: RecordKind) -> ConfigError {
        ConfigError(p, code: "rule.evidence", de: "Beweisfeld „\(field)“ gibt es bei \(kind.rawValue) nicht",
                    en: "evidence field '\(field)' does not exist for \(kind.rawValue)")
    }

    static func conditionOnAggregate(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.condition", de: "Aggregatregeln nutzen aggregate.filter statt condition",
                    en: "aggregate rules use aggregate.filter instead of condition")
    }

    static func unknownFingerprintField(_ p: SourcePosition, field: String, kind: RecordKind) -> ConfigError {
        ConfigError(p, code: "rule.fingerprint", de: "Feld „\(field)“ gibt es bei \(kind.rawValue) nicht",
                    en: "field '\(field)' does not exist for \(kind.rawValue)")
    }

    static func badFingerprintBucket(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.fingerprint", de: "bucket: none, hour, day, week oder month", en: "bucket: none, hour, day, week or month")
    }

    // MARK: Aggregates

    static func unknownGroupField(_ p: SourcePosition, field: String) -> ConfigError {
        ConfigError(p, code: "rule.group-by", de: "Gruppierungsfeld „\(field)“ unbekannt", en: "unknown group_by field '\(field)'")
    }

    static func badWindow(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.window", de: "Fenster wie 1h, 30m oder 7d angeben", en: "give a window like 1h, 30m or 7d")
    }

    static func windowOnGap(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.window", de: "Lücken (gap) werden über den ganzen Lauf gemessen: window weglassen",
                    en: "gaps are measured over the whole run: leave out window")
    }

    static func unknownMeasureField(_ p: SourcePosition, field: String) -> ConfigError {
        ConfigError(p, code: "rule.measure", de: "Feld „\(field)“ unbekannt", en: "unknown field '\(field)'")
    }

    static func badGapCalendar(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.measure", de: "gap: weekdays (nur Montag–Freitag) oder all", en: "gap: weekdays (Monday–Friday only) or all")
    }

    static func badMeasure(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.measure", de: "measure: count, gap, {distinct: FELD}, {ratio: AUSDRUCK} oder {gap: weekdays}",
                    en: "measure: count, gap, {distinct: FIELD}, {ratio: EXPRESSION} or {gap: weekdays}")
    }

    static func badGapThreshold(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.threshold", de: "Schwelle für gap als Dauer angeben, z. B. 3d oder 36h",
                    en: "give the gap threshold as a duration, e.g. 3d or 36h")
    }

    // MARK: Examples and lint

    static func exampleWithoutRecord(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "rule.example", de: "Beispiel ohne record/records", en: "example without record/records")
    }

    /// An example that could not be read into records (the reader's error as text).
    static func badExample(_ p: SourcePosition, reason: Error) -> ConfigError {
        ConfigError(p, code: "rule.example", de: "\(reason)", en: "\(reason)")
    }

    static func unknownReferenceTable(_ p: SourcePosition, name: String) -> ConfigError {
        ConfigError(p, code: "rule.reference", de: "unbekannte Stammdatentabelle „\(name)“", en: "unknown reference table '\(name)'")
    }

    static func examplesMissing(_ p: SourcePosition, id: String) -> ConfigError {
        ConfigError(p, code: "rule.examples", de: "\(id) braucht mindestens ein Beispiel unter match und eines unter no_match",
                    en: "\(id) needs at least one example under match and one under no_match")
    }

    static func noEvidence(_ p: SourcePosition, id: String) -> ConfigError {
        ConfigError(p, code: "rule.evidence", de: "\(id) nennt keine Beweisfelder (evidence)", en: "\(id) names no evidence fields")
    }

    static func constantCondition(_ p: SourcePosition, id: String, truth: Bool) -> ConfigError {
        ConfigError(p, code: "rule.constant-condition",
                    de: "\(id): Bedingung ist immer \(truth ? "wahr" : "falsch") (hängt von keinem Datensatz ab)",
                    en: "\(id): condition is always \(truth) (depends on no record)")
    }

    static func exampleMissingField(_ p: SourcePosition, field: String) -> ConfigError {
        ConfigError(p, code: "example.missing-field", de: "Pflichtfeld „\(field)“ fehlt im Beispiel",
                    en: "required field '\(field)' is missing in the example")
    }

    static func exampleSymbol(_ p: SourcePosition, value: String, field: String, allowed: [String]) -> ConfigError {
        let list = allowed.joined(separator: ", ")
        return ConfigError(p, code: "example.symbol", de: "„\(value)“ ist kein Wert von \(field) (\(list))",
                           en: "'\(value)' is not a value of \(field) (\(list))")
    }

    static func exampleTimestamp(_ p: SourcePosition, value: String) -> ConfigError {
        ConfigError(p, code: "example.timestamp", de: "Zeitpunkt im Format ISO 8601 erwartet: „\(value)“",
                    en: "ISO 8601 timestamp expected: '\(value)'")
    }
}
