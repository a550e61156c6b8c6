import TrennwandRecords

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

/// One CSV record as a view into the reader's buffers: valid only inside the callback.
///
/// Fields point into the read buffer when they need no change, else into a scratch buffer
/// (unescaped `""`, transcoded to UTF-8). Copy what must outlive the callback (`ByteString`).
public struct CSVRow {
    let base: UnsafeRawPointer
    let scratch: UnsafeRawPointer
    let fields: UnsafePointer<CSVFieldRef>
    /// Number of fields in this record.
    public let count: Int
    /// 1-based physical line where the record starts.
    public let line: Int
    /// Byte offset of the record's first byte in the file.
    public let byteOffset: Int64
    /// 1-based index of the data record (header excluded; rejected records count too).
    public let index: Int

    /// The i-th field as UTF-8 bytes (quotes removed, `""` unescaped, transcoded).
    @inline(__always)
    public func field(_ i: Int) -> UnsafeRawBufferPointer {
        precondition(i >= 0 && i < count, "CSV field index out of range")
        let ref = fields[i]
        let start = ref.start >= 0 ? base + ref.start : scratch + (-ref.start &- 1)
        return UnsafeRawBufferPointer(start: start, count: ref.count)
    }

    /// The i-th field copied out as an owned value.
    public func byteString(_ i: Int) -> ByteString { ByteString(field(i)) }

    /// The i-th field decoded as a `String` (for edges and tests, not for hot paths).
    public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }
}

@available(*, unavailable, message: "CSVRow points into the reader's buffers; copy fields out instead")
extension CSVRow: Sendable {}

/// Streaming, byte-level RFC 4180 reader over `read(2)` in large blocks.
///
/// Quoting per RFC 4180 (`""` escapes, line ends inside quotes), CRLF / LF / lone CR line ends,
/// delimiter detection among `,` `;` TAB `|`, UTF-8 (BOM stripped), Windows-1252 and ISO-8859-15
/// transcoded to UTF-8. Blank lines between records are skipped: they are neither records nor
/// counted in `index` (only their line numbers advance). Every data record goes either to `body`
/// or to `rejected`, so `recordCount == accepted + rejected`.
public final class CSVReader {
    /// Default read block: 1 MiB.
    public static let defaultBlockSize = 1 << 20
    /// Largest record the reader buffers (a stray open quote would otherwise buffer the whole
    /// file); beyond it reading stops with `InputError` `csv.record-too-large`.
    public static let maxRecordBytes = 256 << 20

    public let name: String
    public private(set) var header: [String] = []
    public private(set) var delimiter: UInt8 = UInt8(ascii: ",")
    public private(set) var encoding: TextEncoding = .utf8
    /// Bytes read from the file so far (updated when `forEachRecord` returns, not inside it).
    public var bytesRead: Int64 { input.bytesRead }
    /// Data records seen so far, delivered plus rejected (updated when `forEachRecord` returns).
    public private(set) var recordCount = 0
    /// Fields every record must have: the header's count, or the first record's without header.
    public private(set) var expectedFieldCount: Int?

    var input: CSVBlockInput
    var parser: CSVRecordParser
    var transcodeTable: UnsafeMutablePointer<UInt32>?
    var line = 1
    var finished = false

    /// Opens the file and reads the header. Throws `InputError` when the file cannot be read
    /// (`input.unreadable`), is empty (`csv.empty`) or its header cannot be parsed.
    public convenience init(path: String, dialect: CSVDialect = CSVDialect()) throws {
        try self.init(path: path, dialect: dialect, blockSize: CSVReader.defaultBlockSize)
    }

    /// Reads from memory (tests, rule examples).
    public convenience init(bytes: [UInt8], name: String, dialect: CSVDialect = CSVDialect()) throws {
        try self.init(bytes: bytes, name: name, dialect: dialect, blockSize: CSVReader.defaultBlockSize)
    }

    /// Opens a gzip file or zip member (`InputFile.openStream`) with explicit bomb limits.
    public convenience init(path: String, dialect: CSVDialect = CSVDialect(), limits: ArchiveLimits) throws {
        try self.init(path: path, dialect: dialect, blockSize: CSVReader.defaultBlockSize, limits: limits)
    }

    /// Testing seam: a small `blockSize` makes records span blocks. Plain files are read through
    /// their descriptor, compressed inputs through `InputFile.openStream`.
    convenience init(path: String, dialect: CSVDialect, blockSize: Int, limits: ArchiveLimits = .standard) throws {
        let source: CSVBlockInput.Source
        switch try InputFile.openForReading(path, limits: limits) {
        case .plain(let fd): source = .file(fd)
        case .stream(let stream): source = .stream(stream)
        }
        try self.init(source: source, name: path, dialect: dialect, blockSize: blockSize)
    }

    /// Whether the input is read through a decompressing stream (not seekable, never chunked).
    var isCompressed: Bool {
        if case .stream = input.source { return true }
        return false
    }

    /// Testing seam: a small `blockSize` makes records span blocks.
    convenience init(bytes: [UInt8], name: String, dialect: CSVDialect, blockSize: Int) throws {
        try self.init(source: .memory(bytes), name: name, dialect: dialect, blockSize: blockSize)
    }

    init(source: CSVBlockInput.Source, name: String, dialect: CSVDialect, blockSize: Int) throws {
        self.name = name
        input = CSVBlockInput(source: source, name: name, blockSize: blockSize)
        parser = CSVRecordParser(delimiter: dialect.delimiter ?? UInt8(ascii: ","))
        try readHeader(dialect)
    }

    /// Chunk readers (`CSVChunkSource`): a reader over an open file descriptor positioned at the
    /// record boundary `start`, with the header, delimiter and encoding of `file` (no header read).
    init(chunkOf file: CSVChunkSource, descriptor fd: Int32, start: Int64, blockSize: Int) {
        name = file.path
        input = CSVBlockInput(source: .file(fd), name: file.path, blockSize: blockSize)
        input.fileOffset = start
        parser = CSVRecordParser(delimiter: file.delimiter)
        header = file.header
        delimiter = file.delimiter
        encoding = file.encoding
        expectedFieldCount = file.header.count
        transcodeTable = encoding.makeTranscodeTable()
        parser.transcode = transcodeTable.map { UnsafePointer($0) }
    }

    deinit {
        input.close()
        input.buffer.deallocate()
        parser.deallocate()
        transcodeTable?.deallocate()
    }

    /// Index of the header column `name`: exact match first, else ASCII case-insensitive with
    /// surrounding spaces ignored (exports vary in both). nil when absent.
    public func columnIndex(_ name: String) -> Int? {
        if let exact = header.firstIndex(of: name) { return exact }
        func normalized(_ s: String) -> [UInt8] {
            Array(s.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()).map(asciiLower)
        }
        let wanted = normalized(name)
        return header.firstIndex { normalized($0) == wanted }
    }

    /// The locator of a row, for findings and rejections.
    public func locator(_ row: CSVRow) -> Locator {
        Locator(file: name, line: row.line, byteOffset: row.byteOffset, index: row.index)
    }

    // MARK: Header, encoding and delimiter

    private func readHeader(_ dialect: CSVDialect) throws {
        while input.count < 4 && !input.atEOF { try input.refill() }
        let b = input.buffer
        let hasBOM = input.count >= 3 && b.load(as: UInt8.self) == 0xEF
            && b.load(fromByteOffset: 1, as: UInt8.self) == 0xBB && b.load(fromByteOffset: 2, as: UInt8.self) == 0xBF
        if hasBOM { input.position = 3 }
        // UTF-16/32 would be read as garbage with NUL bytes in every field: refuse it clearly.
        let head = (0..<min(input.count, 4)).map { b.load(fromByteOffset: $0, as: UInt8.self) }
        if !hasBOM, let bom = InputFile.wideBOM(head) { throw InputFile.unsupportedEncoding(name, bom: bom) }
        if let explicit = dialect.encoding {
            encoding = explicit
        } else if hasBOM || looksLikeUTF8(b + input.position, input.count - input.position, complete: input.atEOF) {
            encoding = .utf8
        } else {
            encoding = .windows1252
        }
        transcodeTable = encoding.makeTranscodeTable()
        parser.transcode = transcodeTable.map { UnsafePointer($0) }

        guard try skipBlankLines() else {
            throw InputError(file: name, line: line, code: "csv.empty",
                             de: "CSV-Datei ist leer (keine Kopfzeile)", en: "CSV file is empty (no header line)")
        }
        if let d = dialect.delimiter {
            delimiter = d
        } else {
            delimiter = try detectDelimiter()
        }
        parser.setDelimiter(delimiter)
        guard dialect.hasHeader else { return }

        let headerLine = line
        let headerOffset = input.fileOffset + Int64(input.position)
        while true {
            let outcome = parser.parseRecord(
                base: input.buffer, from: input.position, end: input.count, eof: input.atEOF)
            switch outcome {
            case .needMore:
                try input.refill()
                continue
            case .unterminatedQuote:
                throw InputError(file: name, line: headerLine, byteOffset: headerOffset, code: "csv.unterminated-quote",
                                 de: "Kopfzeile: Anführungszeichen wird bis zum Dateiende nicht geschlossen",
                                 en: "header line: quote is not closed before end of file")
            case .record(let next, let lineBreaks):
                if parser.invalidUTF8Field >= 0 {
                    throw InputError(file: name, line: headerLine, byteOffset: headerOffset, code: "csv.invalid-utf8",
                                     de: "Kopfzeile: ungültiges UTF-8 in Spalte \(parser.invalidUTF8Field + 1)",
                                     en: "header line: invalid UTF-8 in column \(parser.invalidUTF8Field + 1)")
                }
                let row = makeRow(line: headerLine, offset: headerOffset, index: 0)
                header = (0..<row.count).map { row.string($0) }
                expectedFieldCount = header.count
                line += lineBreaks
                input.position = next
                return
            }
        }
    }

    /// Skips blank lines at the current position. Returns false at end of input.
    private func skipBlankLines() throws -> Bool {
        while true {
            var p = input.position
            let end = input.count
            let needMore = skipBlankLineBytes(UnsafeRawPointer(input.buffer), at: &p, end: end, eof: input.atEOF, line: &line)
            input.position = p
            if p < end && !needMore { return true }
            if input.atEOF && !needMore { return false }
            try input.refill()
        }
    }

    /// Picks the most frequent of `,` `;` TAB `|` outside quotes on the first line (ties: in
    /// that order; none: `,`, a one-column file).
    private func detectDelimiter() throws -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]
        while true {
            var counts = [0, 0, 0, 0]
            var inQuotes = false
            var complete = false
            let b = input.buffer
            var p = input.position
            while p < input.count {
                let c = b.load(fromByteOffset: p, as: UInt8.self)
                if c == asciiQuote {
                    inQuotes.toggle()
                } else if !inQuotes {
                    if c == asciiLF || c == asciiCR {
                        complete = true
                        break
                    }
                    if let k = candidates.firstIndex(of: c) { counts[k] += 1 }
                }
                p += 1
            }
            if complete || input.atEOF {
                var best = 0
                for k in 1..<4 where counts[k] > counts[best] { best = k }
                return candidates[best]
            }
            try input.refill()
        }
    }

    @inline(__always)
    private func makeRow(line: Int, offset: Int64, index: Int) -> CSVRow {
        CSVRow(base: input.buffer, scratch: parser.scratch, fields: parser.fields, count: parser.fieldCount,
               line: line, byteOffset: offset, index: index)
    }

    // MARK: Records

    /// Streams every data record to `body`; records that cannot be parsed (ragged, unterminated
    /// quote) go to `rejected` with locator and reason, and reading goes on.
    ///
    /// An unterminated quote swallows the rest of the file (no resync is possible inside an open
    /// quote): it is rejected as one record and reading ends. A read error throws `InputError`.
    public func forEachRecord(_ body: (CSVRow) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        try readRecords(before: .max, learnFieldCount: true, body, rejected: rejected)
    }

    /// The record loop of both the sequential reader and the chunk reader (`forEachRecord(before:)`):
    /// records that start before the file offset `stop`. `learnFieldCount`: a file without header
    /// takes its field count from the first record (chunks get it from their source).
    @inline(__always)
    func readRecords(before stop: Int64, learnFieldCount: Bool, _ body: (CSVRow) throws -> Void,
                     rejected: (Rejection) throws -> Void) throws {
        // Hot state in locals: no class-property exclusivity checks per record.
        var input = self.input
        var parser = self.parser
        var line = self.line
        var index = self.recordCount
        var finished = self.finished
        var expectedKnown = expectedFieldCount ?? -1
        defer {
            self.input = input
            self.parser = parser
            self.line = line
            self.recordCount = index
            self.finished = finished
            if expectedKnown >= 0 { self.expectedFieldCount = expectedKnown }
        }

        while !finished {
            let b = UnsafeRawPointer(input.buffer)
            let end = input.count
            let eof = input.atEOF
            var p = input.position
            // Blank lines are not records.
            let needMore = skipBlankLineBytes(b, at: &p, end: end, eof: eof, line: &line)
            input.position = p
            if !needMore && input.fileOffset &+ Int64(p) >= stop { break }
            if needMore || p >= end {
                if eof && !needMore {
                    finished = true
                    break
                }
                try input.refill()
                continue
            }

            let outcome = parser.parseRecord(base: b, from: p, end: end, eof: eof)
            switch outcome {
            case .needMore:
                try input.refill()
            case .record(let next, let lineBreaks):
                index &+= 1
                let row = CSVRow(base: b, scratch: parser.scratch, fields: parser.fields, count: parser.fieldCount,
                                 line: line, byteOffset: input.fileOffset &+ Int64(p), index: index)
                line &+= lineBreaks
                input.position = next
                if learnFieldCount && expectedKnown < 0 { expectedKnown = row.count }
                if let reason = CSVRecordCheck.problem(row, invalidUTF8Field: parser.invalidUTF8Field, expected: expectedKnown) {
                    try rejected(Rejection(locator: locator(row), reason: reason))
                } else {
                    try body(row)
                }
            case .unterminatedQuote:
                index &+= 1
                let row = CSVRow(base: b, scratch: parser.scratch, fields: parser.fields, count: 0,
                                 line: line, byteOffset: input.fileOffset &+ Int64(p), index: index)
                input.position = end
                finished = true
                try rejected(Rejection(locator: locator(row), reason: CSVRecordCheck.unterminatedQuote))
            }
        }
    }
}

/// Skips blank lines (LF, CR, CRLF) from `p`, counting them in `line`; blank lines are not records.
/// Returns true when a CR ends the buffer before end of file, so the next byte is needed to decide.
/// Shared by the sequential reader and the chunk reader so both see the same records.
@inline(__always)
func skipBlankLineBytes(_ b: UnsafeRawPointer, at p: inout Int, end: Int, eof: Bool, line: inout Int) -> Bool {
    while p < end {
        let c = b.load(fromByteOffset: p, as: UInt8.self)
        if c == asciiLF {
            p &+= 1
        } else if c == asciiCR {
            if p &+ 1 < end {
                p &+= b.load(fromByteOffset: p &+ 1, as: UInt8.self) == asciiLF ? 2 : 1
            } else if eof {
                p &+= 1
            } else {
                return true
            }
        } else {
            return false
        }
        line &+= 1
    }
    return false
}

/// Why a parsed CSV record is rejected: one place for the codes and texts, shared by the sequential
/// reader and the chunk reader so both report the same reasons.
enum CSVRecordCheck {
    /// The record's problem, or nil when it is well-formed (valid UTF-8, the expected field count).
    static func problem(_ row: CSVRow, invalidUTF8Field: Int, expected: Int) -> RejectReason? {
        if invalidUTF8Field >= 0 {
            let column = invalidUTF8Field + 1
            return RejectReason(code: "csv.invalid-utf8", de: "ungültiges UTF-8 in Feld \(column)",
                                en: "invalid UTF-8 in field \(column)")
        }
        if row.count != expected {
            return RejectReason(code: "csv.ragged-row", de: "Datensatz hat \(row.count) Felder, erwartet \(expected)",
                                en: "record has \(row.count) fields, expected \(expected)")
        }
        return nil
    }

    static let unterminatedQuote = RejectReason(
        code: "csv.unterminated-quote",
        de: "Anführungszeichen wird bis zum Dateiende nicht geschlossen; Rest der Datei nicht lesbar",
        en: "quote is not closed before end of file; rest of the file cannot be read")
}
