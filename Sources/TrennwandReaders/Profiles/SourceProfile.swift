// Profiles: the mapping layer between an export layout (columns or paths, value words, date
// formats) and the canonical record model. Readers deliver bytes; a compiled profile turns
// them into `Record`s of the schema's types or into `Rejection`s with a reason.
import TrennwandRecords

/// What a profile does with a value that its value map does not know.
public enum UnmappedPolicy: String, Sendable, CaseIterable {
    /// Reject the record (`profile.unmapped-value`); the default for symbol fields.
    case reject
    /// Keep the value as it is; the default for all other fields.
    case keep
    /// Treat the field as empty.
    case missing
}

/// Where a canonical field's value comes from in the export.
public enum FieldSource: Sendable, Hashable {
    /// One CSV column (header name), one XML path relative to the record element, one JSON path.
    case single(String)
    /// Several columns or paths: one text piece (text fields) or list elements (list fields) each.
    case several([String])
    /// Date and time in two separate columns or paths.
    case dateTime(date: String, time: String)
    /// A constant, the same for every record of the file.
    case constant(String)

    /// The column names or paths this source reads.
    public var references: [String] {
        switch self {
        case .single(let s): return [s]
        case .several(let l): return l
        case .dateTime(let d, let t): return [d, t]
        case .constant: return []
        }
    }
}

/// How one canonical field is filled from the export.
public struct FieldMapping: Sendable {
    /// Canonical field name (`time`, `actor` …).
    public let name: String
    /// The field's slot in its kind's schema.
    public let slot: Int
    public let type: FieldType
    /// The schema requires the field: a record without a value is rejected.
    public let required: Bool
    public let source: FieldSource
    /// Value map with case-folded keys; a nil target means "treat as empty".
    public let valueMap: [String: String?]
    public let unmapped: UnmappedPolicy
    /// Used when the export's value is empty.
    public let defaultValue: String?
    /// Timestamp format (for `dateTime`: the date part).
    public let timestampFormat: TimestampFormat?
    /// Time-part format for `dateTime` sources.
    public let timeFormat: TimestampFormat?
    /// Separator for list fields; nil: one element per column/path occurrence.
    public let split: String?
    public let trueWords: [String]
    public let falseWords: [String]
    /// Where the mapping is written, for configuration errors.
    public let position: SourcePosition
    /// `optional: true`: the column may be absent from a file (older export layouts); then the field
    /// is empty (or its `default`) for every record of that file. Never for required fields.
    public var optional: Bool = false
    /// `patterns:`: tried in file order after the exact `valueMap` missed; the first match wins.
    public var patterns: [ValuePattern] = []
}

/// A source profile: how one export layout maps onto one record kind.
///
/// Profiles are YAML files under `Rules/profiles/` (see docs/profiles.md) so that a
/// data-protection officer can review and extend them without touching Swift.
public struct SourceProfile: Sendable {
    public let id: String
    public let title: Localized
    public let kind: RecordKind
    public let format: SourceFormat
    /// nil: detect (BOM, valid UTF-8, else Windows-1252).
    public let encoding: TextEncoding?
    /// IANA time zone of local export times, default `Europe/Berlin`.
    public let timezone: String
    /// The format's own keys (delimiter, detect header, record path …): see the format's folder.
    let options: any FormatOptions
    /// The mapped fields in schema slot order.
    public let fields: [FieldMapping]
    /// The profile file and the position of its root mapping.
    public let position: SourcePosition

    /// Canonical fields whose date-only values mean the end of that day (23:59:59 local),
    /// because they close a validity interval.
    public static let endOfDayFields: Set<String> = ["end", "valid_to", "retention_until"]
}
