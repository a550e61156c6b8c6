import TrennwandRecords
import TrennwandYAML

/// The container format of an export. Each case carries its `InputFormat` spec, which lives in the
/// format's own folder (`CSV/`, `XML/`, `JSONLines/`); `spec` is the one list that registers them.
public enum SourceFormat: String, Sendable, CaseIterable {
    case csv, xml, jsonl

    /// The format's spec: profile keys, sniffing and detection, reader and chunking.
    var spec: any InputFormat.Type {
        switch self {
        case .csv: return CSVFormat.self
        case .xml: return XMLFormat.self
        case .jsonl: return JSONLinesFormat.self
        }
    }

    /// The file extensions (lower case, no dot) a directory scan picks up, over all formats.
    public static var fileExtensions: Set<String> { Set(allCases.flatMap { $0.spec.fileExtensions }) }

    /// The format a file's first significant byte suggests: a format that claims it, else CSV
    /// (which has no marker of its own).
    static func claiming(_ first: UInt8) -> SourceFormat {
        allCases.first { $0.spec.claims(firstByte: first) } ?? .csv
    }
}

/// The YAML keys that name a field's source in a profile of one format.
struct SourceKeys: Sendable {
    /// One column or path (`column`, `path`).
    var one: String
    /// Several (`columns`, `paths`).
    var many: String
    /// Date and time apart (`date_column` + `time_column`).
    var date: String
    var time: String

    var all: [String] { [one, many, date, time] }
}

/// What a profile of one format says beyond the format-independent keys (delimiter, record path,
/// detect keys …). Each format defines its own type.
protocol FormatOptions: Sendable {}

/// The profile section of a format being parsed: the root mapping, the `detect` mapping, the id.
struct ProfileSection {
    let root: YAMLNode
    let mapping: YAMLMapping
    let detect: YAMLMapping?
    let id: String
}

/// One input format: everything about it that is not format-independent.
///
/// Adding a format = a folder under `Sources/TrennwandReaders/` with a type conforming to this
/// protocol plus its reader, one case in `SourceFormat` and one line in `SourceFormat.spec`.
protocol InputFormat {
    /// Source keys of a field mapping (`column` / `path` …).
    static var sourceKeys: SourceKeys { get }
    /// Keys under `detect:` this format reads.
    static var detectKeys: Set<String> { get }
    /// Top-level profile keys this format reads besides the common ones.
    static var profileKeys: Set<String> { get }
    /// What a profile must say to be detectable, for `profile.detect` (e.g. `detect.header`).
    static var detectRequirement: String { get }
    /// File extensions (lower case, no dot) a directory scan picks up.
    static var fileExtensions: [String] { get }

    /// Reads the format's own profile keys; throws `ConfigError` (e.g. `profile.detect`).
    static func parseOptions(_ section: ProfileSection) throws -> any FormatOptions
    /// Checks one column name or path of a field mapping (XML prefixes, JSON path syntax).
    static func checkReference(_ reference: String, at: SourcePosition, options: any FormatOptions) throws
    /// Checks a parsed profile as a whole (XML: the compiled record spec).
    static func validate(_ profile: SourceProfile) throws

    /// Whether a file whose first significant byte (after BOM and whitespace) is `firstByte` is
    /// of this format.
    static func claims(firstByte: UInt8) -> Bool
    /// The profile of `catalog` that fits `file` (header, root element, keys of the first object).
    /// Throws `InputError` (`profile.no-match`, `profile.ambiguous`, the reader's errors).
    static func detect(file: String, catalog: ProfileCatalog) throws -> SourceProfile
    /// Opens `file` for reading with `profile` compiled against it.
    static func open(file: String, profile: SourceProfile) throws -> any RecordSource
    /// `file` prepared for chunked parallel reading, or nil: read whole.
    static func chunkSource(path: String, profile: SourceProfile) -> (any ChunkSource)?
}

extension InputFormat {
    static func checkReference(_ reference: String, at: SourcePosition, options: any FormatOptions) throws {}
    static func validate(_ profile: SourceProfile) throws {}
    static func chunkSource(path: String, profile: SourceProfile) -> (any ChunkSource)? { nil }
}
