import Foundation
import TrennwandReaders
import TrennwandRecords

/// One record as the tests compare it: every field's values as strings, plus where it starts.
struct XMLTestRecord: Equatable {
    var fields: [[String]]
    var line: Int
    var column: Int
    var index: Int
    var byteOffset: Int64
}

/// What one read produced: records, rejections and the error that ended it (if any).
struct XMLTestOutcome {
    var records: [XMLTestRecord] = []
    var rejections: [Rejection] = []
    var error: (any Error)?

    var inputError: InputError? { error as? InputError }
}

enum XMLTest {
    static func read(_ reader: XMLRecordReader, fieldCount: Int) -> XMLTestOutcome {
        var outcome = XMLTestOutcome()
        do {
            try reader.forEachRecord({ view in
                outcome.records.append(XMLTestRecord(
                    fields: (0..<fieldCount).map { view.values($0).map(\.string) },
                    line: view.line, column: view.column, index: view.index, byteOffset: view.byteOffset))
            }, rejected: { outcome.rejections.append($0) })
        } catch {
            outcome.error = error
        }
        return outcome
    }

    static func read(_ text: String, spec: XMLRecordSpec, chunkSize: Int = 256 * 1024) throws -> XMLTestOutcome {
        let reader = try XMLRecordReader(bytes: Array(text.utf8), name: "test.xml", spec: spec, chunkSize: chunkSize)
        return read(reader, fieldCount: spec.fieldPaths.count)
    }

    static func read(file: String, spec: XMLRecordSpec, chunkSize: Int = 256 * 1024) -> XMLTestOutcome {
        do {
            let reader = try XMLRecordReader(path: file, spec: spec, chunkSize: chunkSize)
            return read(reader, fieldCount: spec.fieldPaths.count)
        } catch {
            return XMLTestOutcome(error: error)
        }
    }

    /// Peak resident set size of this process in bytes.
    static func maxRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    static func temporaryFile(_ bytes: [UInt8], name: String = "t.xml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}
