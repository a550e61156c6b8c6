import TrennwandRecords

/// The user-facing problems of conditions (codes `expr.*`), as named factories with German and
/// English text, each at the offending token's `file:line:column` (exit code 2). Syntax and type
/// errors share one code each; their text says what was expected.
enum ExprIssue {
    /// The condition's YAML node is a mapping or a sequence, not a scalar.
    static func notText(_ p: SourcePosition) -> ConfigError {
        ConfigError(p, code: "expr.not-text", de: "Bedingung muss ein Text sein", en: "condition must be text")
    }

    // MARK: Syntax (expr.syntax)

    static func syntax(_ p: SourcePosition, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.syntax", de: "Syntaxfehler: \(de)", en: "syntax error: \(en)")
    }

    static func emptyCondition(_ p: SourcePosition) -> ConfigError {
        syntax(p, de: "Bedingung ist leer", en: "condition is empty")
    }

    static func nestedTooDeeply(_ p: SourcePosition, maxDepth: Int) -> ConfigError {
        syntax(p, de: "Bedingung ist zu tief verschachtelt (höchstens \(maxDepth) Ebenen)",
               en: "condition is nested too deeply (at most \(maxDepth) levels)")
    }

    static func atNotAllowed(_ p: SourcePosition) -> ConfigError {
        syntax(p, de: "„at“ ist nur nach einer Tabellenabfrage oder agreement_permits erlaubt",
               en: "'at' is only allowed after a table lookup or agreement_permits")
    }

    // MARK: Types (expr.type)

    static func type(_ p: SourcePosition, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.type", de: "Typfehler: \(de)", en: "type error: \(en)")
    }

    static func notACondition(_ p: SourcePosition, found: ExprType) -> ConfigError {
        type(p, de: "die Bedingung muss wahr oder falsch ergeben, nicht \(found)", en: "the condition must be true or false, not \(found)")
    }

    static func boolExpected(_ p: SourcePosition, found: ExprType) -> ConfigError {
        type(p, de: "wahr/falsch erwartet, gefunden: \(found)", en: "true/false expected, found: \(found)")
    }

    static func listOfStringsOnly(_ p: SourcePosition) -> ConfigError {
        type(p, de: "Listen enthalten nur Zeichenketten in Anführungszeichen", en: "lists hold only quoted strings")
    }

    static func textExpected(_ p: SourcePosition, found: ExprType) -> ConfigError {
        type(p, de: "Text erwartet, gefunden: \(found)", en: "text expected, found: \(found)")
    }

    static func arity(_ p: SourcePosition, function: String, expected: Int, found: Int) -> ConfigError {
        type(p, de: "\(function) erwartet \(expected) Argument(e), gefunden: \(found)",
             en: "\(function) expects \(expected) argument(s), found: \(found)")
    }

    static func argumentType(_ p: SourcePosition, function: String, expected: ExprType, found: ExprType) -> ConfigError {
        type(p, de: "\(function) erwartet \(expected), gefunden: \(found)", en: "\(function) expects \(expected), found: \(found)")
    }

    static func cannotCompare(_ p: SourcePosition, _ a: ExprType, _ b: ExprType) -> ConfigError {
        type(p, de: "\(a) kann nicht mit \(b) verglichen werden", en: "cannot compare \(a) with \(b)")
    }

    static func badTimestamp(_ p: SourcePosition, value: String) -> ConfigError {
        type(p, de: "„\(value)“ ist kein Zeitpunkt (JJJJ-MM-TT oder JJJJ-MM-TTThh:mm[:ss][Z])",
             en: "'\(value)' is not a timestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][Z])")
    }

    // MARK: Names (each its own code)

    static func unknownTimeZone(_ p: SourcePosition, zone: String) -> ConfigError {
        ConfigError(p, code: "expr.time-zone", de: "unbekannte Zeitzone „\(zone)“", en: "unknown time zone '\(zone)'")
    }

    static func unknownField(_ p: SourcePosition, name: String, kind: RecordKind, suggestions: [String]) -> ConfigError {
        let h = hint(suggestions)
        return ConfigError(p, code: "expr.unknown-field",
                           de: "unbekanntes Feld „\(name)“ für \(kind.rawValue)-Datensätze\(h.de)",
                           en: "unknown field '\(name)' for \(kind.rawValue) records\(h.en)")
    }

    static func unknownList(_ p: SourcePosition, name: String, suggestions: [String]) -> ConfigError {
        let h = hint(suggestions)
        return ConfigError(p, code: "expr.unknown-list", de: "unbekannte Liste „@\(name)“\(h.de)", en: "unknown list '@\(name)'\(h.en)")
    }

    static func unknownTable(_ p: SourcePosition, name: String, known: [String], suggestions: [String]) -> ConfigError {
        let h = hint(suggestions), list = known.joined(separator: ", ")
        return ConfigError(p, code: "expr.unknown-table",
                           de: "unbekannte Tabelle „\(name)“ (bekannt: \(list))\(h.de)",
                           en: "unknown table '\(name)' (known: \(list))\(h.en)")
    }

    static func unknownFunction(_ p: SourcePosition, name: String, suggestions: [String]) -> ConfigError {
        let h = hint(suggestions)
        return ConfigError(p, code: "expr.unknown-function", de: "unbekannte Funktion „\(name)“\(h.de)",
                           en: "unknown function '\(name)'\(h.en)")
    }

    static func badSymbol(_ p: SourcePosition, value: String, allowed: [String]) -> ConfigError {
        let list = allowed.joined(separator: ", ")
        return ConfigError(p, code: "expr.bad-symbol",
                           de: "„\(value)“ ist kein erlaubter Wert (erlaubt: \(list))",
                           en: "'\(value)' is not an allowed value (allowed: \(list))")
    }

    static func unknownCategory(_ p: SourcePosition, value: String, suggestions: [String]) -> ConfigError {
        let h = hint(suggestions)
        return ConfigError(p, code: "expr.unknown-category",
                           de: "„\(value)“ ist keine Kategorie der Taxonomie\(h.de)",
                           en: "'\(value)' is not a category of the taxonomy\(h.en)")
    }

    static func badDirection(_ p: SourcePosition, value: String, allowed: [String]) -> ConfigError {
        let list = allowed.joined(separator: ", ")
        return ConfigError(p, code: "expr.bad-direction", de: "unbekannte Richtung „\(value)“ (erlaubt: \(list))",
                           en: "unknown direction '\(value)' (allowed: \(list))")
    }

    /// An invalid schedule literal; `p` points into the string.
    static func badSchedule(_ p: SourcePosition, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.bad-schedule", de: "Einsatzplan: \(de)", en: "schedule: \(en)")
    }

    static func unknownDetector(_ p: SourcePosition, name: String, suggestions: [String]) -> ConfigError {
        let h = hint(suggestions)
        return ConfigError(p, code: "expr.unknown-detector", de: "unbekannter Detektor „\(name)“\(h.de)",
                           en: "unknown detector '\(name)'\(h.en)")
    }

    // MARK: Limits (ExprLimits)

    private static func limit(_ p: SourcePosition, code: String, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.\(code)", de: "Grenze überschritten: \(de)", en: "limit exceeded: \(en)")
    }

    static func tooLong(_ p: SourcePosition, bytes: Int, max: Int) -> ConfigError {
        limit(p, code: "too-long", de: "Bedingung ist zu lang (\(bytes) Bytes, höchstens \(max))",
              en: "condition is too long (\(bytes) bytes, at most \(max))")
    }

    static func tooManyNodes(_ p: SourcePosition, max: Int) -> ConfigError {
        limit(p, code: "too-many-nodes", de: "Bedingung hat zu viele Bestandteile (höchstens \(max) Werte, Namen und Operatoren)",
              en: "condition has too many parts (at most \(max) values, names and operators)")
    }

    static func tooManyPatterns(_ p: SourcePosition, max: Int) -> ConfigError {
        limit(p, code: "too-many-patterns",
              de: "Bedingung hat zu viele Textvergleiche (höchstens \(max) contains, startswith, endswith, covers)",
              en: "condition has too many text tests (at most \(max) contains, startswith, endswith, covers)")
    }

    static func listTooLong(_ p: SourcePosition, max: Int) -> ConfigError {
        limit(p, code: "list-too-long", de: "Liste hat zu viele Einträge (höchstens \(max))",
              en: "list has too many elements (at most \(max))")
    }

    // MARK: Hints

    /// Up to three known names closest to `name` (edit distance), for "did you mean" hints.
    static func suggestions(_ name: String, in candidates: [String]) -> [String] {
        func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
            if a.isEmpty { return b.count }
            var prev = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var cur = [i + 1]
                for (j, y) in b.enumerated() {
                    cur.append(min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (x == y ? 0 : 1)))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let n = Array(name.lowercased().utf8)
        let limit = max(2, n.count / 2)
        var scored: [(name: String, distance: Int)] = []
        for c in candidates {
            let d = distance(n, Array(c.lowercased().utf8))
            if d <= limit || c.hasPrefix(name) || name.hasPrefix(c) { scored.append((c, d)) }
        }
        scored.sort { (a: (name: String, distance: Int), b: (name: String, distance: Int)) -> Bool in
            a.distance != b.distance ? a.distance < b.distance : a.name < b.name
        }
        return scored.prefix(3).map { $0.name }
    }

    static func hint(_ s: [String]) -> (de: String, en: String) {
        guard !s.isEmpty else { return ("", "") }
        let list = s.joined(separator: ", ")
        return (" (meinten Sie: \(list)?)", " (did you mean: \(list)?)")
    }
}
