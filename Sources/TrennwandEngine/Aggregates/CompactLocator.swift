import TrennwandRecords

/// A record's place as the aggregate feed and partials keep it: the file name and record id as
/// indices into the holder's string table, so keeping one costs a few stores and no reference count.
package struct CompactLocator: Sendable {
    /// Index of the file name in the holder's strings.
    var file: Int32
    /// Index of the record id in the holder's strings (−1: none).
    var recordID: Int32
    var line: Int
    var column: Int?
    var byteOffset: Int64
    var index: Int

    package init(file: Int32, recordID: Int32, line: Int, column: Int?, byteOffset: Int64, index: Int) {
        self.file = file
        self.recordID = recordID
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
        self.index = index
    }

    /// The `Locator`, its strings read from `strings`, line and index moved by a unit's offsets.
    @inline(__always)
    func locator(strings: UnsafeBufferPointer<String>, lineOffset: Int = 0, indexOffset: Int = 0) -> Locator {
        Locator(file: strings[Int(file)], line: line + lineOffset, column: column, byteOffset: byteOffset,
                index: index + indexOffset, recordID: recordID < 0 ? nil : strings[Int(recordID)])
    }
}
