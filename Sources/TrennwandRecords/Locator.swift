/// Where a record (or a rejection) sits in its source file, so a finding points to the exact place.
public struct Locator: Sendable, Hashable, Codable {
    /// Path of the input file as given on the command line or in the configuration.
    public var file: String
    /// 1-based line where the record starts (CSV: physical line; XML: line of the start tag).
    public var line: Int
    /// 1-based column (XML start tag); nil for CSV.
    public var column: Int?
    /// Byte offset of the record's first byte in the file.
    public var byteOffset: Int64
    /// 1-based index of the record in its file (CSV: data row; XML: n-th record element).
    public var index: Int
    /// The record's own id, when the source has one (documentation `record_id`, flow `flow_id`).
    public var recordID: String?

    public init(file: String, line: Int, column: Int? = nil, byteOffset: Int64, index: Int, recordID: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
        self.index = index
        self.recordID = recordID
    }

    /// `file:line` or `file:line:column`, the form editors and CI systems link.
    public var description: String {
        if let column { return "\(file):\(line):\(column)" }
        return "\(file):\(line)"
    }
}
