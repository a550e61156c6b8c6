import Foundation
import TrennwandRecords
@testable import TrennwandReaders

/// Everything a CSV read produced, for assertions.
struct CSVReadResult {
    var header: [String]
    var rows: [[String]] = []
    var lines: [Int] = []
    var offsets: [Int64] = []
    var indices: [Int] = []
    var rejections: [Rejection] = []
    var recordCount = 0

    /// Rows as header → value, like csv-spectrum's JSON.
    var objects: [[String: String]] {
        rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(header, row).map { ($0, $1) })
        }
    }
}

func readCSV(_ reader: CSVReader) throws -> CSVReadResult {
    var result = CSVReadResult(header: reader.header)
    try reader.forEachRecord({ row in
        result.rows.append((0..<row.count).map { row.string($0) })
        result.lines.append(row.line)
        result.offsets.append(row.byteOffset)
        result.indices.append(row.index)
    }, rejected: { result.rejections.append($0) })
    result.recordCount = reader.recordCount
    return result
}

func readCSV(_ bytes: [UInt8], dialect: CSVDialect = CSVDialect(), blockSize: Int = CSVReader.defaultBlockSize) throws -> CSVReadResult {
    try readCSV(CSVReader(bytes: bytes, name: "test.csv", dialect: dialect, blockSize: blockSize))
}

func readCSV(_ text: String, dialect: CSVDialect = CSVDialect(), blockSize: Int = CSVReader.defaultBlockSize) throws -> CSVReadResult {
    try readCSV(Array(text.utf8), dialect: dialect, blockSize: blockSize)
}

/// A fresh temporary directory, removed by the caller.
func makeTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-csv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
