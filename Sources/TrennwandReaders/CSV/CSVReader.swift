import TrennwandRecords

// STUB — API contract only; the CSV work package replaces the bodies.

/// How a CSV file is written. `nil` means: detect.
public struct CSVDialect: Sendable {
    /// One of `,` `;` TAB `|`; nil: detect from the header line.
    public var delimiter: UInt8?
    /// nil: detect (BOM, else UTF-8 if the first block is valid UTF-8, else Windows-1252).
    public var encoding: TextEncoding?
    public var hasHeader: Bool

    public init(delimiter: UInt8? = nil, encoding: TextEncoding? = nil, hasHeader: Bool = true) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.hasHeader = hasHeader
    }
}

/// One CSV record as a view into the reader's buffer: valid only inside the callback.
public struct CSVRow {
    /// Number of fields in this record.
    public var count: Int { 0 }
    /// The i-th field as UTF-8 bytes (quotes removed, `""` unescaped, transcoded).
    public func field(_ i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }
    /// 1-based physical line where the record starts.
    public var line: Int { 0 }
    /// Byte offset of the record's first byte in the file.
    public var byteOffset: Int64 { 0 }
    /// 1-based index of the data record (header excluded).
    public var index: Int { 0 }
}

/// Streaming, byte-level RFC 4180 reader over `read(2)` in large blocks.
public final class CSVReader {
    public let name: String
    public private(set) var header: [String] = []
    public private(set) var delimiter: UInt8 = UInt8(ascii: ",")
    public private(set) var encoding: TextEncoding = .utf8
    public private(set) var bytesRead: Int64 = 0

    /// Opens the file and reads the header. Throws `InputError` when the file cannot be read.
    public init(path: String, dialect: CSVDialect = CSVDialect()) throws {
        self.name = path
    }

    /// Reads from memory (tests, rule examples).
    public init(bytes: [UInt8], name: String, dialect: CSVDialect = CSVDialect()) throws {
        self.name = name
    }

    /// Streams every data record to `body`; records that cannot be parsed (ragged, unterminated
    /// quote) go to `rejected` with locator and reason, and reading goes on.
    public func forEachRecord(_ body: (CSVRow) throws -> Void, rejected: (Rejection) throws -> Void) throws {}
}
