import TrennwandRecords

// STUB — API contract only; the XML work package replaces the bodies.

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
public struct XMLRecordSpec: Sendable {
    /// Absolute path of the record element, e.g. `/d:Dokumentation/d:Teilnehmer/d:Vermerk`.
    public var recordPath: String
    /// Prefix → namespace URI, for the prefixes used in the paths (independent of the file's prefixes).
    public var namespaces: [String: String]
    /// Field paths relative to the record element; the index is the field number in `XMLRecordView`.
    /// Syntax: `d:Text` (child element text), `d:Kopf/d:Datum` (nested), `@id` (attribute),
    /// `.` (the record's own text), `../@nr` and `../../@nr` (ancestor attributes).
    public var fieldPaths: [String]

    public init(recordPath: String, namespaces: [String: String] = [:], fieldPaths: [String]) {
        self.recordPath = recordPath
        self.namespaces = namespaces
        self.fieldPaths = fieldPaths
    }
}

/// One record element: valid only inside the callback.
public struct XMLRecordView {
    /// Every occurrence of field `i` in document order (text pieces and CDATA joined).
    public func values(_ i: Int) -> [ByteString] { [] }
    public var line: Int { 0 }
    public var column: Int { 0 }
    /// 1-based index of the record element in the file.
    public var index: Int { 0 }
    public var byteOffset: Int64 { 0 }
}

/// Streaming reader on libxml2's SAX2 push parser. Safe by default: no network, no entity
/// expansion, no huge mode, any DOCTYPE rejected.
public final class XMLRecordReader {
    public let name: String
    public private(set) var bytesRead: Int64 = 0

    /// Throws `ConfigError`-free `XMLPathError` for a bad spec and `InputError` for an unreadable file.
    public init(path: String, spec: XMLRecordSpec, chunkSize: Int = 256 * 1024) throws {
        self.name = path
    }

    public init(bytes: [UInt8], name: String, spec: XMLRecordSpec, chunkSize: Int = 256 * 1024) throws {
        self.name = name
    }

    /// The root element's name, reading only as far as its start tag (profile detection).
    public static func rootElement(path: String) throws -> XMLName {
        XMLName(namespace: nil, localName: "")
    }

    /// Streams every record element to `body`. A fatal parse error throws `InputError` with line
    /// and column after the records before it were delivered; a record cut by it goes to `rejected`.
    public func forEachRecord(_ body: (XMLRecordView) throws -> Void, rejected: (Rejection) throws -> Void) throws {}
}
