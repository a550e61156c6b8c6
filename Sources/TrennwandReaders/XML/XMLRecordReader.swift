import CTrennwandLibXML2
import Glibc
import TrennwandRecords

/// An expanded XML name.
public struct XMLName: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String?
    public var localName: String

    public init(namespace: String?, localName: String) {
        self.namespace = namespace
        self.localName = localName
    }

    /// Clark notation `{uri}local`, or `local` without a namespace.
    public var description: String { namespace.map { "{\($0)}\(localName)" } ?? localName }
}

/// Which elements are records and which values become fields.
///
/// Names match by namespace URI and local name, whatever prefixes the file itself uses; an
/// unprefixed step means "no namespace" (also for attributes, as in XML Namespaces).
public struct XMLRecordSpec: Sendable {
    /// Absolute path of the record element, e.g. `/d:Dokumentation/d:Teilnehmer/d:Vermerk`.
    public var recordPath: String
    /// Prefix → namespace URI, for the prefixes used in the paths (independent of the file's prefixes).
    public var namespaces: [String: String]
    /// Field paths relative to the record element; the index is the field number in `XMLRecordView`.
    /// Syntax: `d:Text` (child element text, all descendant text joined), `d:Kopf/d:Datum` (nested),
    /// `@id`, `d:Kopf/@typ`, `@x:attr` (attributes), `.` (the record's whole text content),
    /// `../@nr` and `../../@nr` (attributes of ancestors on the record path).
    public var fieldPaths: [String]

    public init(recordPath: String, namespaces: [String: String] = [:], fieldPaths: [String]) {
        self.recordPath = recordPath
        self.namespaces = namespaces
        self.fieldPaths = fieldPaths
    }

    /// Checks every path; throws `XMLPathError` naming the first bad one.
    public func validate() throws { _ = try CompiledSpec(self) }
}

/// One record element: valid only inside the callback.
///
/// `line` is the line of the start tag's `<`; `column` counts characters from the line start to `<`
/// (exact for UTF-8 input; for a start tag spanning lines whose line starts more than 64 bytes
/// before `<`, the count over those 64 bytes — the same whether the file is read whole or in parts). `byteOffset` is the offset of `<` in the file (exact for UTF-8, approximate for
/// single-byte encodings when the start tag holds non-ASCII characters).
public struct XMLRecordView {
    let state: XMLParseState

    /// Every occurrence of field `i` in document order (text pieces and CDATA joined).
    public func values(_ i: Int) -> [ByteString] {
        precondition(i >= 0 && i < state.spec.fieldCount, "field index out of range")
        let field = state.fields[i]
        return field.ranges.map { ByteString(field.bytes($0)) }
    }

    /// Calls `body` with every occurrence of field `i` in document order, without copying.
    @inline(__always)
    func forEachValue(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        let field = state.fields[i]
        for r in field.ranges { body(field.bytes(r)) }
    }

    /// The first occurrence of field `i` that is not empty after trimming, trimmed; valid while
    /// the record is delivered (the parser does not append to a field buffer meanwhile).
    @inline(__always)
    func firstNonEmpty(_ i: Int, trimmedBy trim: (UnsafeRawBufferPointer) -> UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let field = state.fields[i]
        for r in field.ranges {
            let t = trim(field.bytes(r))
            if t.count > 0 { return t }
        }
        return nil
    }

    /// The first occurrence of field `i`, if any.
    public func first(_ i: Int) -> ByteString? {
        precondition(i >= 0 && i < state.spec.fieldCount, "field index out of range")
        let field = state.fields[i]
        return field.ranges.first.map { ByteString(field.bytes($0)) }
    }

    /// How many occurrences field `i` has.
    public func count(_ i: Int) -> Int {
        precondition(i >= 0 && i < state.spec.fieldCount, "field index out of range")
        return state.fields[i].ranges.count
    }

    public var line: Int { state.recordLine }
    public var column: Int { state.recordColumn }
    /// 1-based index of the record element in the file.
    public var index: Int { state.recordIndex }
    public var byteOffset: Int64 { state.recordOffset }

    /// Where this record sits in `file`.
    public func locator(file: String) -> Locator {
        Locator(file: file, line: line, column: column, byteOffset: byteOffset, index: index)
    }
}

/// One chunk to read (`XMLRecordReader.forEachRecord(part:…)`).
struct XMLPart {
    var start: Int64
    /// Parsed before the file's bytes from `start`: declaration, open ancestors, one LF; nil at the file start.
    var prefix: [UInt8]?
    var stopAt: Int64
    var skipping: Int
}

/// What reading one chunk found besides its records.
struct XMLPartResult {
    /// The canonical ancestors after the prefix; nil without a prefix or when the prefix did not
    /// leave the record's ancestors open without an error.
    var startContext: [UInt8]?
    var stop: XMLPartStop?
    /// Record elements seen (delivered or skipped or cut).
    var records = 0
    var names: [[UInt8]] = []
    var bytesRead: Int64 = 0

    struct UnusablePrefix: Error {}
}

/// Streaming reader on libxml2's SAX2 push parser. Safe by default: no network, no entity
/// expansion, no huge mode, any DOCTYPE rejected.
///
/// The file is fed in `read(2)` chunks (64–256 KiB by default, at most 8 MiB) so memory stays flat
/// whatever the file size. Each reader owns its parser context; readers may run on different threads.
public final class XMLRecordReader {
    public let name: String
    public private(set) var bytesRead: Int64 = 0

    private enum Source {
        case file(Int32)
        case bytes([UInt8])
        /// A gzip file or zip member: opened again (`InputFile.openStream`) for every pass.
        case stream(path: String, limits: ArchiveLimits)
    }

    private let source: Source
    private let spec: CompiledSpec
    private let chunkSize: Int

    /// libxml2's global initialisation, once per process before any context exists.
    private static let libraryReady: Bool = {
        xmlInitParser()
        return true
    }()

    /// Throws `XMLPathError` for a bad spec and `InputError` (`input.unreadable`) for a file that
    /// is missing, unreadable or a directory. A gzip file or zip member (`InputFile.openStream`)
    /// is decompressed within `limits`.
    public init(path: String, spec: XMLRecordSpec, chunkSize: Int = 256 * 1024, limits: ArchiveLimits = .standard) throws {
        self.name = path
        self.spec = try CompiledSpec(spec)
        self.chunkSize = Self.clamp(chunkSize)
        switch try InputFile.openForReading(path, limits: limits) {
        case .plain(let fd): self.source = .file(fd)
        case .stream: self.source = .stream(path: path, limits: limits)
        }
    }

    public init(bytes: [UInt8], name: String, spec: XMLRecordSpec, chunkSize: Int = 256 * 1024) throws {
        self.name = name
        self.spec = try CompiledSpec(spec)
        self.chunkSize = Self.clamp(chunkSize)
        self.source = .bytes(bytes)
    }

    deinit {
        if case .file(let fd) = source { close(fd) }
    }

    /// The root element's name, reading only as far as its start tag (profile detection).
    public static func rootElement(path: String) throws -> XMLName {
        var stream = try InputFile.openStream(path)
        let spec = try CompiledSpec(XMLRecordSpec(recordPath: "/root", fieldPaths: []))
        let state = XMLParseState(spec: spec, rootOnly: true)
        var total: Int64 = 0
        try parse(state: state, chunkSize: 64 * 1024) { buffer in
            let n = try stream.read(into: buffer)
            total += Int64(n)
            return n
        }
        if let name = state.rootName { return name }
        throw inputError(path, state: state, total: total)
    }

    /// Streams every record element to `body`. A fatal parse error throws `InputError` with line
    /// and column after the records before it were delivered; a record cut by it goes to `rejected`.
    public func forEachRecord(_ body: (XMLRecordView) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        let state = XMLParseState(spec: spec)
        bytesRead = 0
        switch source {
        case .file(let fd):
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw Self.unreadable(name, errno) }
        case .bytes, .stream:
            break
        }
        var stream: (any ByteStream)?
        if case .stream(let path, let limits) = source { stream = try InputFile.openStream(path, limits: limits) }
        var position = 0
        try withoutActuallyEscaping(body) { escapable in
            state.body = escapable
            defer { state.body = nil }
            try Self.parse(state: state, chunkSize: chunkSize) { buffer in
                let n: Int
                switch source {
                case .file(let fd):
                    n = try Self.readChunk(fd, buffer, name: name)
                case .stream:
                    n = try stream?.read(into: buffer) ?? 0
                case .bytes(let bytes):
                    n = min(buffer.count, bytes.count - position)
                    if n > 0 {
                        bytes.withUnsafeBytes { raw in
                            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + position, byteCount: n)
                        }
                    }
                    position += n
                }
                bytesRead += Int64(n)
                return n
            }
        }
        if let error = state.bodyError { throw error }
        guard state.problem != nil || bytesRead == 0 else { return }
        try rejectCutRecord(state, rejected)
        throw Self.inputError(name, state: state, total: bytesRead)
    }

    // MARK: - Chunks

    /// Reads one chunk of a plain file for `XMLChunkSource`: `part.prefix` (declaration, open
    /// ancestors, one LF) is parsed first, then the file from `part.start` in blocks on the same
    /// grid as `forEachRecord` (block ends at multiples of the block size), until the first record at
    /// a clean line start at or after `part.stopAt`, the end of the file, or an error. Lines and
    /// indices are chunk-local (the line at `start` is 1), byte offsets are the file's. `result` is
    /// kept current even when this throws.
    func forEachRecord(part: XMLPart, result: inout XMLPartResult, _ body: (XMLRecordView) throws -> Void,
                       rejected: (Rejection) throws -> Void) throws {
        guard case .file(let fd) = source else { throw InputFile.notSeekable(name) }
        let state = XMLParseState(spec: spec)
        state.stopAt = part.stopAt
        state.skipRecords = part.skipping
        state.captureContext = true
        state.trackNames = true
        var pendingPrefix = part.prefix
        if let prefix = part.prefix {
            precondition(prefix.last == 0x0A && prefix.dropLast().allSatisfy { $0 != 0x0A }, "a prefix is one line")
            state.lineShift = 1
            state.offsetShift = part.start - Int64(prefix.count)
        }
        var contextChecked = part.prefix == nil
        var position = part.start
        bytesRead = 0
        defer {
            result.stop = state.stop
            result.records = state.recordIndex
            result.names = state.newNames
            result.bytesRead = bytesRead
        }
        do {
            try withoutActuallyEscaping(body) { escapable in
                state.body = escapable
                defer { state.body = nil }
                try Self.parse(state: state, chunkSize: chunkSize) { buffer in
                    if let prefix = pendingPrefix {
                        pendingPrefix = nil
                        guard prefix.count <= buffer.count else { throw XMLPartResult.UnusablePrefix() }
                        prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: prefix.count) }
                        return prefix.count
                    }
                    if !contextChecked {
                        // The replayed ancestors must be open, each on its record-path step, no error.
                        contextChecked = true
                        guard state.problem == nil, !state.inRecord, state.depth == state.steps.count - 1,
                              state.matched == state.depth else { throw XMLPartResult.UnusablePrefix() }
                        result.startContext = state.contextTags.flatMap { $0 }
                    }
                    let block = Int64(buffer.count)
                    let want = Int(block - position % block)
                    let n = try Self.readChunk(fd, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: position, name: name)
                    position += Int64(n)
                    bytesRead += Int64(n)
                    return n
                }
            }
        } catch is XMLPartResult.UnusablePrefix {
            result.startContext = nil
            return
        }
        if !contextChecked {
            // The parse ended within the prefix.
            return
        }
        if let error = state.bodyError { throw error }
        // An error libxml2 parses on after (an undeclared prefix) may precede the stop: it counts.
        guard state.problem != nil else { return }
        try rejectCutRecord(state, rejected)
        throw Self.inputError(name, state: state, total: bytesRead + Int64(part.prefix?.count ?? 0))
    }

    // MARK: - Parsing

    /// Feeds chunks from `read` into a push parser until EOF or a stop; `read` returns 0 at EOF.
    private static func parse(
        state: XMLParseState, chunkSize: Int, read: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws {
        precondition(libraryReady)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var first = try read(buffer)
        guard first > 0 else { return }
        var sax = makeSAXHandler()
        let user = Unmanaged.passUnretained(state).toOpaque()
        // The first bytes go to the constructor so libxml2 can detect the encoding.
        let head = min(first, 4)
        guard let ctxt = xmlCreatePushParserCtxt(
            &sax, user, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(head), nil)
        else {
            throw InputError(file: "?", code: "input.unreadable", de: "libxml2-Kontext nicht erzeugt.",
                             en: "could not create a libxml2 context.")
        }
        defer { xmlFreeParserCtxt(ctxt) }
        // NONET only: no NOENT (would expand and fetch entities), no DTDLOAD, no HUGE.
        xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue))
        state.ctxt = ctxt
        defer { state.ctxt = nil }
        state.intern(into: ctxt)
        var offset = head
        while true {
            if first > offset {
                let p = (buffer.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                xmlParseChunk(ctxt, p, Int32(first - offset), 0)
                if state.problem != nil || state.bodyError != nil || state.rootName != nil || state.stop != nil { return }
            }
            first = try read(buffer)
            offset = 0
            if first == 0 { break }
        }
        xmlParseChunk(ctxt, nil, 0, 1)
    }

    // MARK: - Files and errors

    private static func clamp(_ size: Int) -> Int { min(max(size, 1), 8 << 20) }

    private static func readChunk(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64, name: String) throws -> Int {
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n >= 0 { return n }
            if errno != EINTR { throw unreadable(name, errno) }
        }
    }

    private static func readChunk(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, name: String) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw unreadable(name, errno) }
        }
    }

    private static func unreadable(_ path: String, _ code: Int32) -> InputError {
        let reason = SystemErrorText.describe(code)
        return InputError(
            file: path, code: "input.unreadable",
            de: "Datei nicht lesbar (\(reason.de)).", en: "file not readable (\(reason.en)).")
    }

    /// The record a fatal XML error cut off is rejected, not evaluated (not for a forbidden
    /// DOCTYPE, which stops the file before any record).
    private func rejectCutRecord(_ state: XMLParseState, _ rejected: (Rejection) throws -> Void) throws {
        guard state.inRecord, state.problem?.code != "xml.doctype-forbidden" else { return }
        let locator = Locator(
            file: name, line: state.recordLine, column: state.recordColumn,
            byteOffset: state.recordOffset, index: state.recordIndex)
        try rejected(Rejection(locator: locator, reason: RejectReason(
            code: "xml.record-cut",
            de: "Datensatz durch einen XML-Fehler abgeschnitten; nicht ausgewertet.",
            en: "Record cut off by an XML error; not evaluated.")))
    }

    private static func inputError(_ file: String, state: XMLParseState, total: Int64) -> InputError {
        guard total > 0, let problem = state.problem else {
            return InputError(file: file, code: "xml.empty", de: "XML-Datei ist leer.", en: "XML file is empty.")
        }
        let de: String
        let en: String
        switch problem.code {
        case "xml.doctype-forbidden":
            de = "DOCTYPE ist nicht erlaubt (DTDs und Entitäten werden aus Sicherheitsgründen abgelehnt)."
            en = "DOCTYPE is forbidden (DTDs and entities are rejected for safety)."
        case "xml.empty":
            de = "XML-Datei enthält kein Element (\(problem.message))."
            en = "XML file contains no element (\(problem.message))."
        default:
            de = "XML nicht wohlgeformt: \(problem.message)"
            en = "XML not well-formed: \(problem.message)"
        }
        return InputError(
            file: file, line: problem.line, column: problem.column, byteOffset: problem.byteOffset,
            code: problem.code, de: de, en: en)
    }
}
