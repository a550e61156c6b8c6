import TrennwandRecords
import TrennwandYAML

/// Builds canonical records from the inline YAML of rule examples (`{time: 2025-03-04T09:00:00+01:00,
/// actor: JC-M-0042, …}`), typed by the schema, so examples are checked like real input.
public enum ExampleRecords {
    /// Converts one YAML mapping to a record of `kind`; unknown fields and ill-typed values are
    /// `ConfigError`s at their position. Timestamps without offset are read in `zone`.
    public static func record(_ node: YAMLNode, kind: RecordKind, zone: ZoneConverter, index: Int) throws -> Record {
        let schema = kind.schema
        let m = try node.mapping(allowed: Set(schema.fields.map(\.name)))
        let pos = node.position
        var record = Record(kind: kind, locator: Locator(file: pos.file, line: pos.line, column: pos.column,
                                                          byteOffset: 0, index: index))
        for entry in m.entries where !entry.value.isNull {
            let slot = schema.slot(entry.key)!
            record[slot] = try value(entry.value, spec: schema.fields[slot], zone: zone)
        }
        for f in schema.fields where f.required && record[schema.slot(f.name)!].isMissing {
            throw node.error("example.missing-field", de: "Pflichtfeld „\(f.name)“ fehlt im Beispiel",
                             en: "required field '\(f.name)' is missing in the example")
        }
        return record
    }

    static func value(_ node: YAMLNode, spec: FieldSpec, zone: ZoneConverter) throws -> Value {
        switch spec.type {
        case .string:
            return .string(ByteString(try node.string()))
        case .text, .list:
            return .list(try node.stringList().map { ByteString($0) })
        case .symbol(let allowed):
            let s = try node.string()
            guard allowed.contains(s) else {
                throw node.error("example.symbol", de: "„\(s)“ ist kein Wert von \(spec.name) (\(allowed.joined(separator: ", ")))",
                                 en: "'\(s)' is not a value of \(spec.name) (\(allowed.joined(separator: ", ")))")
            }
            return .string(ByteString(s))
        case .timestamp:
            let s = try node.string()
            guard let p = CivilTime.parseISO8601(Array(s.utf8)) else {
                throw node.error("example.timestamp", de: "Zeitpunkt im Format ISO 8601 erwartet: „\(s)“",
                                 en: "ISO 8601 timestamp expected: '\(s)'")
            }
            return .time(p.utc(zone: zone))
        case .number:
            return .number(try node.double())
        case .bool:
            return .bool(try node.bool())
        }
    }
}
