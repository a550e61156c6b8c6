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
            throw RuleIssue.exampleMissingField(node.position, field: f.name)
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
                throw RuleIssue.exampleSymbol(node.position, value: s, field: spec.name, allowed: allowed)
            }
            return .string(ByteString(s))
        case .timestamp:
            let s = try node.string()
            guard let p = CivilTime.parseISO8601(Array(s.utf8)) else {
                throw RuleIssue.exampleTimestamp(node.position, value: s)
            }
            return .time(p.utc(zone: zone))
        case .number:
            return .number(try node.double())
        case .bool:
            return .bool(try node.bool())
        }
    }
}
