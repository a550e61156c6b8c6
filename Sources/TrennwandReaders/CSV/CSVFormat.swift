// CSV as an input format: profile keys (`delimiter`, `detect.header`, `column`…), detection by
// the decoded header, the reader as a `RecordSource`, chunking through `CSVChunkSource`.
import TrennwandRecords
import TrennwandYAML

/// The CSV profile keys.
struct CSVOptions: FormatOptions {
    /// nil: detect from the header line.
    var delimiter: UInt8?
    /// Header columns that must all be present.
    var detectHeader: [String]
}

enum CSVFormat: InputFormat {
    static let sourceKeys = SourceKeys(one: "column", many: "columns", date: "date_column", time: "time_column")
    static let detectKeys: Set<String> = ["header"]
    static let profileKeys: Set<String> = ["delimiter"]
    static let detectRequirement = "detect.header"
    static let fileExtensions = ["csv"]

    static func parseOptions(_ section: ProfileSection) throws -> any FormatOptions {
        var delimiter: UInt8?
        if let n = section.mapping.optional("delimiter") {
            let s = try n.string()
            switch s {
            case ";": delimiter = UInt8(ascii: ";")
            case ",": delimiter = UInt8(ascii: ",")
            case "\t", "\\t", "tab": delimiter = 0x09
            case "|": delimiter = UInt8(ascii: "|")
            case "auto": delimiter = nil
            default: throw ProfileIssue.invalidValue(n, key: "delimiter", value: s, allowed: [";", ",", "\\t", "|", "auto"])
            }
        }
        var header: [String] = []
        if let h = section.detect?.optional("header") { header = try h.stringList() }
        if header.isEmpty {
            throw ProfileIssue.missingDetect(section.mapping.optional("detect")?.position ?? section.root.position,
                                             profile: section.id, format: .csv)
        }
        return CSVOptions(delimiter: delimiter, detectHeader: header)
    }

    static func claims(firstByte: UInt8) -> Bool { false }

    static func detect(file: String, catalog: ProfileCatalog) throws -> SourceProfile {
        let reader = try CSVReader(path: file, dialect: CSVDialect())
        return try catalog.detect(header: reader.header, file: file)
    }

    static func open(file: String, profile: SourceProfile) throws -> any RecordSource {
        try CSVRecordSource(file: file, profile: profile)
    }

    /// Right format, readable header, profile columns present; else nil (read whole).
    static func chunkSource(path: String, profile: SourceProfile) -> (any ChunkSource)? {
        guard let source = try? CSVChunkSource(path: path, dialect: profile.csvDialect),
              (try? source.normaliser(profile: profile)) != nil
        else { return nil }
        return source
    }
}

extension SourceProfile {
    /// CSV: the delimiter (nil: detect from the header line).
    public var delimiter: UInt8? { (options as? CSVOptions)?.delimiter }
    /// CSV detection: header columns that must all be present.
    public var detectHeader: [String] { (options as? CSVOptions)?.detectHeader ?? [] }
    var csvDialect: CSVDialect { CSVDialect(delimiter: delimiter, encoding: encoding) }
}

extension ProfileCatalog {
    /// CSV detection on a decoded header: every `detect.header` column present (case-insensitive,
    /// trimmed); among several, the one with most detect columns; a tie is `profile.ambiguous`.
    public func detect(header: [String], file: String) throws -> SourceProfile {
        let have = Set(header.map(ProfileNormaliser.headerKey))
        let candidates = profiles.filter { p in
            p.format == .csv && !p.detectHeader.isEmpty && p.detectHeader.allSatisfy { have.contains(ProfileNormaliser.headerKey($0)) }
        }
        guard let best = candidates.map(\.detectHeader.count).max() else {
            throw ProfileIssue.noMatchHeader(file: file, header: header)
        }
        let top = candidates.filter { $0.detectHeader.count == best }
        guard top.count == 1 else { throw ProfileIssue.ambiguous(file: file, candidates: top.map(\.id)) }
        return top[0]
    }
}

extension ProfileNormaliser {
    /// Compiles a CSV profile against the file's decoded header: a column is found by
    /// `headerKey` (case-insensitive, trimmed, BOM ignored); its index is the source index.
    /// Throws `InputError` (`profile.missing-column`) when a profile column is not in the header.
    public convenience init(profile: SourceProfile, header: [String], file: String) throws {
        let normalisedHeader = header.map(Self.headerKey)
        var used = Set<Int>()
        try self.init(profile: profile, file: file, resolve: { column in
            guard let i = normalisedHeader.firstIndex(of: Self.headerKey(column)) else {
                throw ProfileIssue.missingColumn(file: file, profile: profile.id, column: column)
            }
            used.insert(i)
            return i
        }, isAbsent: { normalisedHeader.firstIndex(of: Self.headerKey($0)) == nil })
        unusedColumns = header.indices.filter { !used.contains($0) }.map { header[$0] }
    }

    /// Normalises one CSV row.
    public func normalise(_ row: CSVRow) -> NormaliseOutcome {
        let locator = Locator(file: file, line: row.line, column: nil, byteOffset: row.byteOffset, index: row.index)
        return normalise(CSVRaw(row: row), locator: locator)
    }
}

struct CSVRaw: BufferedRawRecord {
    let row: CSVRow
    func forEach(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        body(i < row.count ? row.field(i) : emptyBuffer)
    }

    @inline(__always)
    func firstNonEmpty(_ i: Int) -> UnsafeRawBufferPointer? {
        guard i < row.count else { return nil }
        let t = trimmed(row.field(i))
        return t.count > 0 ? t : nil
    }
}

/// A CSV file opened with its profile compiled against the header.
final class CSVRecordSource: RecordSource {
    let reader: CSVReader
    let normaliser: ProfileNormaliser

    init(file: String, profile: SourceProfile) throws {
        reader = try CSVReader(path: file, dialect: profile.csvDialect)
        normaliser = try ProfileNormaliser(profile: profile, header: reader.header, file: file)
    }

    var bytesRead: Int64 { reader.bytesRead }

    func describe(_ result: inout IngestResult) {
        result.encoding = reader.encoding
        result.delimiter = reader.delimiter
        result.unusedColumns = normaliser.unusedColumns
    }

    func forEachRecord(_ body: (NormaliseOutcome) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        try reader.forEachRecord({ row in try body(normaliser.normalise(row)) }, rejected: rejected)
    }

    func forEachBatch(symbols: SymbolTable, capacity: Int, _ body: (RecordBatch) throws -> Void,
                      rejected: (Rejection) throws -> Void) throws {
        let fill = BatchFill(normaliser: normaliser, symbols: symbols, capacity: capacity)
        try BatchDelivery.run(batch: { fill.batch }, body: body) { deliver in
            try reader.forEachRecord({ row in try fill.add(row, rejected: rejected, deliver: deliver) }, rejected: rejected)
        }
    }
}

extension BatchFill {
    /// Writes `row` as the batch's next row (`add(_:line:byteOffset:index:column:rejected:deliver:)`).
    @inline(__always)
    func add(_ row: CSVRow, rejected: (Rejection) throws -> Void, deliver: (RecordBatch) throws -> Void) throws {
        try add(CSVRaw(row: row), line: row.line, byteOffset: row.byteOffset, index: row.index, rejected: rejected, deliver: deliver)
    }
}
