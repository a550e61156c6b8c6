// JSON Lines as an input format (`format: jsonl`, files `.jsonl` / `.ndjson`): one JSON object per
// line, the export of SIEMs and log shippers (Graylog, Elasticsearch, `journalctl -o json`).
// Fields are addressed by `path: user.name` (see `JSONPath`); a profile is detected by keys that
// must exist in the first object (`detect: keys: [...]`). Lines are records, so chunks for the
// parallel scan start after any LF and need no verification.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords
import TrennwandYAML

/// The JSON Lines profile keys.
struct JSONLinesOptions: FormatOptions {
    /// Paths that must all exist in the first object.
    var detectKeys: [String]
}

enum JSONLinesFormat: InputFormat {
    static let sourceKeys = SourceKeys(one: "path", many: "paths", date: "date_path", time: "time_path")
    static let detectKeys: Set<String> = ["keys"]
    static let profileKeys: Set<String> = []
    static let detectRequirement = "detect.keys"
    static let fileExtensions = ["jsonl", "ndjson"]

    static func parseOptions(_ section: ProfileSection) throws -> any FormatOptions {
        var keys: [String] = []
        if let n = section.detect?.optional("keys") {
            keys = try n.stringList()
            for k in keys where JSONPath(k) == nil { throw JSONPath.invalid(k, at: n.position) }
        }
        if keys.isEmpty {
            throw ProfileIssue.missingDetect(section.mapping.optional("detect")?.position ?? section.root.position,
                                             profile: section.id, format: .jsonl)
        }
        return JSONLinesOptions(detectKeys: keys)
    }

    static func checkReference(_ reference: String, at: SourcePosition, options: any FormatOptions) throws {
        if JSONPath(reference) == nil { throw JSONPath.invalid(reference, at: at) }
    }

    static func claims(firstByte: UInt8) -> Bool { firstByte == UInt8(ascii: "{") }

    /// Every `detect.keys` path present in the first object (any value, null included); among
    /// several profiles the one with most keys; a tie is `profile.ambiguous`.
    static func detect(file: String, catalog: ProfileCatalog) throws -> SourceProfile {
        let candidates = catalog.profiles.filter { $0.format == .jsonl && !$0.detectKeys.isEmpty }
        var paths: [String] = []
        for p in candidates { for k in p.detectKeys where !paths.contains(k) { paths.append(k) } }
        let parser = JSONLineParser(tree: JSONPathTree(paths: paths), strict: false)
        let reader = try JSONLinesReader(path: file)
        var problem: JSONLineProblem?
        var sawLine = false
        try reader.forEachLine({ line in
            sawLine = true
            problem = parser.parse(line.bytes)
            return false
        }, tooLong: { _ in sawLine = true; problem = JSONLineProblem(kind: .invalidJSON(""), column: 1) })
        guard sawLine, problem == nil else {
            throw InputError(file: file, line: 1, code: "profile.no-match",
                             de: "kein Profil passt: die erste Zeile ist kein lesbares JSON-Objekt",
                             en: "no profile matches: the first line is not a readable JSON object")
        }
        let matching = candidates.filter { p in
            p.detectKeys.allSatisfy { k in paths.firstIndex(of: k).map { parser.present[$0] } ?? false }
        }
        guard let best = matching.map(\.detectKeys.count).max() else {
            let found = parser.present.filter { $0 }.count
            throw InputError(file: file, line: 1, code: "profile.no-match",
                             de: "kein Profil passt zu den Schlüsseln des ersten Objekts (\(found) von \(paths.count) Erkennungsschlüsseln vorhanden)",
                             en: "no profile matches the keys of the first object (\(found) of \(paths.count) detection keys present)")
        }
        let top = matching.filter { $0.detectKeys.count == best }
        guard top.count == 1 else { throw ProfileIssue.ambiguous(file: file, candidates: top.map(\.id)) }
        return top[0]
    }

    static func open(file: String, profile: SourceProfile) throws -> any RecordSource {
        try JSONLinesRecordSource(file: file, profile: profile)
    }

    static func chunkSource(path: String, profile: SourceProfile) -> (any ChunkSource)? {
        try? JSONLinesChunkSource(path: path)
    }

    static func unsupportedEncoding(_ path: String, bom: String) -> InputError {
        InputError(file: path, code: "input.unsupported-encoding",
                   de: "Datei ist \(bom)-kodiert (Byte-Order-Mark); JSON Lines wird nur als UTF-8 gelesen (RFC 8259)",
                   en: "file is \(bom)-encoded (byte order mark); JSON Lines is read only as UTF-8 (RFC 8259)")
    }
}

extension SourceProfile {
    /// JSON Lines detection: paths that must all exist in the first object.
    public var detectKeys: [String] { (options as? JSONLinesOptions)?.detectKeys ?? [] }
}

// MARK: - Rejections

extension JSONLinesFormat {
    /// The rejection for a line the parser refused. Never quotes the line: the byte column and
    /// what was wrong (a profile path is configuration, not data).
    static func reason(_ p: JSONLineProblem, labels: [String]) -> RejectReason {
        let at = (de: "Byte \(p.column)", en: "byte \(p.column)")
        switch p.kind {
        case .invalidJSON(let what):
            let parts = what.split(separator: "|", maxSplits: 1).map(String.init)
            let de = parts.first ?? "", en = parts.count > 1 ? parts[1] : de
            return RejectReason(code: "jsonl.invalid-json",
                                de: "kein gültiges JSON bei \(at.de): \(de)", en: "invalid JSON at \(at.en): \(en)")
        case .notObject:
            return RejectReason(code: "jsonl.not-object",
                                de: "Zeile ist kein JSON-Objekt (\(at.de))", en: "line is not a JSON object (\(at.en))")
        case .duplicateKey:
            return RejectReason(code: "jsonl.duplicate-key",
                                de: "Schlüssel doppelt im selben Objekt (\(at.de))",
                                en: "duplicate key in the same object (\(at.en))")
        case .tooDeep:
            return RejectReason(code: "jsonl.too-deep",
                                de: "mehr als \(JSONLineParser.defaultMaxDepth) Ebenen verschachtelt (\(at.de))",
                                en: "nested deeper than \(JSONLineParser.defaultMaxDepth) levels (\(at.en))")
        case .invalidUTF8:
            return RejectReason(code: "jsonl.invalid-utf8",
                                de: "ungültiges UTF-8 bei \(at.de)", en: "invalid UTF-8 at \(at.en)")
        case .wrongType(let source, let found):
            let label = source < labels.count ? labels[source] : "?"
            let de = found == "object" ? "ein Objekt" : "ein Array in einem Array oder ein Array aus Objekten"
            let en = found == "object" ? "an object" : "a nested array or an array of objects"
            return RejectReason(code: "jsonl.wrong-type",
                                de: "Pfad \(label): \(de) statt Zeichenkette, Zahl, Wahrheitswert oder Liste davon (\(at.de))",
                                en: "path \(label): \(en) instead of a string, number, boolean or list of them (\(at.en))")
        }
    }

    static func lineTooLong(limit: Int) -> RejectReason {
        RejectReason(code: "jsonl.line-too-long",
                     de: "Zeile länger als \(limit) Bytes, übersprungen", en: "line longer than \(limit) bytes, skipped")
    }
}

// MARK: - Reading

extension ProfileNormaliser {
    /// Normalises the values the parser found for one line.
    func normalise(_ parser: JSONLineParser, _ line: JSONLine) -> NormaliseOutcome {
        let locator = Locator(file: file, line: line.line, column: nil, byteOffset: line.byteOffset, index: line.index)
        return normalise(JSONLinesRaw(parser: parser), locator: locator)
    }
}

struct JSONLinesRaw: RawRecord {
    let parser: JSONLineParser
    func forEach(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        parser.arena.withUnsafeBytes { a in
            for o in parser.occurrences where o.source == i {
                body(UnsafeRawBufferPointer(rebasing: a[o.start..<(o.start + o.count)]))
            }
        }
    }
}

/// Reads lines of `reader` through `parser` and `normaliser`: the loop shared by whole files and chunks.
private func readLines(_ reader: JSONLinesReader, before stop: Int64, blockSize: Int, parser: JSONLineParser,
                       normaliser: ProfileNormaliser, _ body: (NormaliseOutcome) throws -> Void,
                       rejected: (Rejection) throws -> Void) throws {
    let labels = normaliser.paths
    let file = normaliser.file
    try reader.forEachLine(before: stop, blockSize: blockSize, { line in
        if let problem = parser.parse(line.bytes) {
            let locator = Locator(file: file, line: line.line, column: problem.column, byteOffset: line.byteOffset, index: line.index)
            try rejected(Rejection(locator: locator, reason: JSONLinesFormat.reason(problem, labels: labels)))
        } else {
            try body(normaliser.normalise(parser, line))
        }
        return true
    }, tooLong: { line in
        let locator = Locator(file: file, line: line.line, column: nil, byteOffset: line.byteOffset, index: line.index)
        try rejected(Rejection(locator: locator, reason: JSONLinesFormat.lineTooLong(limit: reader.maxLineBytes)))
    })
}

/// A JSON Lines file opened with its profile.
final class JSONLinesRecordSource: RecordSource {
    let reader: JSONLinesReader
    let normaliser: ProfileNormaliser
    let parser: JSONLineParser

    init(file: String, profile: SourceProfile, maxLineBytes: Int = JSONLinesReader.defaultMaxLineBytes) throws {
        normaliser = try ProfileNormaliser(profile: profile, file: file)
        parser = JSONLineParser(tree: JSONPathTree(paths: normaliser.paths))
        reader = try JSONLinesReader(path: file, maxLineBytes: maxLineBytes)
    }

    var bytesRead: Int64 { reader.bytesRead }

    func forEachRecord(_ body: (NormaliseOutcome) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        try readLines(reader, before: .max, blockSize: 256 << 10, parser: parser, normaliser: normaliser, body, rejected: rejected)
    }
}

/// A JSON Lines file prepared for chunked reading: chunks start after an LF.
public struct JSONLinesChunkSource: ChunkSource {
    public let path: String
    public let dataStart: Int64
    public let firstLine = 1
    public let fileSize: Int64

    /// Throws `input.not-seekable` for a compressed input (gzip, zip member): it is read whole.
    init(path: String) throws {
        self.path = path
        let fd: Int32
        switch try InputFile.openForReading(path) {
        case .plain(let plain): fd = plain
        case .stream: throw InputFile.notSeekable(path)
        }
        defer { _ = close(fd) }
        dataStart = try JSONLinesReader.dataStart(path: path)
        var info = stat()
        _ = fstat(fd, &info)
        fileSize = Int64(info.st_size)
    }

    /// The byte after the first LF at or after every chunk size of `schedule`: always the start of a line.
    public func boundaries(_ schedule: ChunkSchedule) throws -> [Int64] {
        try LineBoundaries.starts(path: path, dataStart: dataStart, fileSize: fileSize, schedule: schedule,
                                  skippingLineBreaks: false)
    }

    public func normaliser(profile: SourceProfile) throws -> ProfileNormaliser {
        try ProfileNormaliser(profile: profile, file: path)
    }

    public func read(from start: Int64, before end: Int64, blockSize: Int, normaliser: ProfileNormaliser,
                     progress: inout ChunkProgress, _ body: (NormaliseOutcome) throws -> Void,
                     rejected: (Rejection) throws -> Void) throws {
        let reader = try JSONLinesReader(path: path, start: start)
        let parser = JSONLineParser(tree: JSONPathTree(paths: normaliser.paths))
        defer {
            progress.lineBreaks = reader.line - 1
            progress.records = reader.records
            progress.end = reader.position
        }
        try readLines(reader, before: end, blockSize: blockSize, parser: parser, normaliser: normaliser, body, rejected: rejected)
    }
}
