// XML as an input format: profile keys (`record`, `namespaces`, `detect.root`, `path`…),
// detection by the root element, the libxml2 reader as a `RecordSource`, parts of a large file
// read in parallel through `XMLChunkSource` (split at record elements, see XMLChunkSource.swift).
import TrennwandRecords
import TrennwandYAML

/// The XML profile keys.
struct XMLOptions: FormatOptions {
    /// Root element in Clark notation `{uri}local`.
    var detectRoot: String
    /// Absolute path of the record element.
    var recordPath: String
    var recordPosition: SourcePosition
    /// prefix → namespace URI for `recordPath` and field paths.
    var namespaces: [String: String]
}

enum XMLFormat: InputFormat {
    static let sourceKeys = SourceKeys(one: "path", many: "paths", date: "date_path", time: "time_path")
    static let detectKeys: Set<String> = ["root"]
    static let profileKeys: Set<String> = ["record", "namespaces"]
    static let detectRequirement = "detect.root, record"
    static let fileExtensions = ["xml"]

    static func parseOptions(_ section: ProfileSection) throws -> any FormatOptions {
        var namespaces: [String: String] = [:]
        if let n = section.mapping.optional("namespaces") {
            for e in try n.mapping().entries { namespaces[e.key] = try e.value.string() }
        }
        var detectRoot: String?
        if let r = section.detect?.optional("root") { detectRoot = try resolveName(r, namespaces: namespaces) }
        let recordNode = section.mapping.optional("record")
        let recordPath = try recordNode?.string()
        if let recordNode, let recordPath { try checkPrefixes(recordPath, at: recordNode.position, namespaces: namespaces) }
        guard let detectRoot, let recordPath else {
            throw ProfileIssue.missingDetect(section.root.position, profile: section.id, format: .xml)
        }
        return XMLOptions(detectRoot: detectRoot, recordPath: recordPath,
                          recordPosition: recordNode?.position ?? section.root.position, namespaces: namespaces)
    }

    static func checkReference(_ reference: String, at: SourcePosition, options: any FormatOptions) throws {
        try checkPrefixes(reference, at: at, namespaces: (options as? XMLOptions)?.namespaces ?? [:])
    }

    /// Compiles the record spec once, so that a bad path is a configuration error.
    static func validate(_ profile: SourceProfile) throws {
        guard let options = profile.options as? XMLOptions else { return }
        do { try ProfileNormaliser(profile: profile, file: options.recordPosition.file).xmlSpec.validate() } catch let e as XMLPathError {
            throw ConfigError(options.recordPosition, code: "profile.xml-path",
                              de: "Profil „\(profile.id)“: \(e.message.de)", en: "profile '\(profile.id)': \(e.message.en)")
        }
    }

    static func claims(firstByte: UInt8) -> Bool { firstByte == UInt8(ascii: "<") }

    static func detect(file: String, catalog: ProfileCatalog) throws -> SourceProfile {
        let root = try XMLRecordReader.rootElement(path: file)
        return try catalog.detect(root: root.description, file: file)
    }

    static func open(file: String, profile: SourceProfile) throws -> any RecordSource {
        try XMLRecordSource(file: file, profile: profile)
    }

    /// A plain UTF-8 file without DOCTYPE whose records are below the root; else nil (read whole).
    static func chunkSource(path: String, profile: SourceProfile) -> (any ChunkSource)? {
        XMLChunkSource(path: path, profile: profile)
    }

    /// `{uri}local`, or `prefix:local` resolved through `namespaces`, or a plain `local`.
    private static func resolveName(_ node: YAMLNode, namespaces: [String: String]) throws -> String {
        let s = try node.string()
        if s.hasPrefix("{") { return s }
        if let colon = s.firstIndex(of: ":") {
            let prefix = String(s[..<colon])
            guard let uri = namespaces[prefix] else { throw ProfileIssue.unknownPrefix(node.position, prefix: prefix) }
            return "{\(uri)}\(s[s.index(after: colon)...])"
        }
        return s
    }

    private static func checkPrefixes(_ path: String, at: SourcePosition, namespaces: [String: String]) throws {
        for step in path.split(separator: "/") {
            var name = step
            if name.hasPrefix("@") { name = name.dropFirst() }
            if let colon = name.firstIndex(of: ":") {
                let prefix = String(name[..<colon])
                if namespaces[prefix] == nil { throw ProfileIssue.unknownPrefix(at, prefix: prefix) }
            }
        }
    }
}

extension SourceProfile {
    /// XML detection: root element in Clark notation `{uri}local`.
    public var detectRoot: String? { (options as? XMLOptions)?.detectRoot }
    /// XML: absolute path of the record element.
    public var recordPath: String? { (options as? XMLOptions)?.recordPath }
    /// XML: prefix → namespace URI for `recordPath` and field paths.
    public var namespaces: [String: String] { (options as? XMLOptions)?.namespaces ?? [:] }
}

extension ProfileCatalog {
    /// XML detection on the root element in Clark notation `{uri}local`.
    public func detect(root: String, file: String) throws -> SourceProfile {
        let top = profiles.filter { $0.format == .xml && $0.detectRoot == root }
        guard !top.isEmpty else { throw ProfileIssue.noMatchRoot(file: file, root: root) }
        guard top.count == 1 else { throw ProfileIssue.ambiguous(file: file, candidates: top.map(\.id)) }
        return top[0]
    }
}

extension ProfileNormaliser {
    /// The reader spec: record path, namespaces, one field path per distinct profile path.
    public var xmlSpec: XMLRecordSpec {
        XMLRecordSpec(recordPath: profile.recordPath ?? "/", namespaces: profile.namespaces, fieldPaths: paths)
    }

    /// Normalises one XML record element.
    public func normalise(_ view: XMLRecordView) -> NormaliseOutcome {
        let locator = Locator(file: file, line: view.line, column: view.column, byteOffset: view.byteOffset, index: view.index)
        return normalise(XMLRaw(view: view), locator: locator)
    }
}

struct XMLRaw: BufferedRawRecord {
    let view: XMLRecordView
    @inline(__always)
    func forEach(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        view.forEachValue(i, body)
    }

    @inline(__always)
    func firstNonEmpty(_ i: Int) -> UnsafeRawBufferPointer? {
        view.firstNonEmpty(i, trimmedBy: trimmed)
    }
}

/// An XML file opened with the profile's record spec.
final class XMLRecordSource: RecordSource {
    let reader: XMLRecordReader
    let normaliser: ProfileNormaliser

    init(file: String, profile: SourceProfile) throws {
        normaliser = try ProfileNormaliser(profile: profile, file: file)
        reader = try XMLRecordReader(path: file, spec: normaliser.xmlSpec)
    }

    var bytesRead: Int64 { reader.bytesRead }

    func forEachRecord(_ body: (NormaliseOutcome) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        try reader.forEachRecord({ view in try body(normaliser.normalise(view)) }, rejected: rejected)
    }

    func forEachBatch(symbols: SymbolTable, capacity: Int, _ body: (RecordBatch) throws -> Void,
                      rejected: (Rejection) throws -> Void) throws {
        let fill = BatchFill(normaliser: normaliser, symbols: symbols, capacity: capacity)
        try BatchDelivery.run(batch: { fill.batch }, body: body) { deliver in
            try reader.forEachRecord({ view in try fill.add(view, rejected: rejected, deliver: deliver) }, rejected: rejected)
        }
    }
}

extension BatchFill {
    /// Writes the record element as the batch's next row (`add(_:line:byteOffset:index:column:rejected:deliver:)`).
    @inline(__always)
    func add(_ view: XMLRecordView, rejected: (Rejection) throws -> Void, deliver: (RecordBatch) throws -> Void) throws {
        try add(XMLRaw(view: view), line: view.line, byteOffset: view.byteOffset, index: view.index, column: view.column,
                rejected: rejected, deliver: deliver)
    }
}
