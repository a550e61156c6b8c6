import Foundation
import TrennwandReaders
import TrennwandRecords

/// Why a source view cannot be rendered for an input: the profile uses something the view does
/// not express, or the file does not fit its profile (the reader would refuse it too).
package struct SourceViewIssue: Error, CustomStringConvertible, Sendable {
    package let code: String
    package let message: String

    package init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(message) [\(code)]" }

    static func unsupported(_ input: String, _ what: String) -> SourceViewIssue {
        SourceViewIssue("source-view.unsupported", "\(input): no source view for \(what)")
    }
}

/// A CSV input as its source view needs it: the profile and what the reader itself finds at the
/// start of the file (decoded header, delimiter, encoding, blank lines before the header).
package struct SourceViewInput: Sendable {
    /// The path as the scan names the input (`tw_file`).
    package var path: String
    /// The path DuckDB reads (absolute, so the script runs from any directory).
    package var readPath: String
    package var profile: SourceProfile
    package var header: [String]
    package var delimiter: UInt8
    package var encoding: TextEncoding
    /// Blank lines before the header (the reader skips them; `read_csv` is told to).
    package var skipLines: Int
    /// The input's 1-based position in the scan's input list (`tw_row_no` of lookup tables).
    package var ordinal: Int

    package init(path: String, readPath: String, profile: SourceProfile, header: [String], delimiter: UInt8, encoding: TextEncoding,
                 skipLines: Int, ordinal: Int) {
        self.path = path
        self.readPath = readPath
        self.profile = profile
        self.header = header
        self.delimiter = delimiter
        self.encoding = encoding
        self.skipLines = skipLines
        self.ordinal = ordinal
    }

    /// Opens `path` with the CSV reader (header, delimiter and encoding as the scan detects them).
    package static func open(path: String, profile: SourceProfile, ordinal: Int) throws -> SourceViewInput {
        guard profile.format == .csv else { throw SourceViewIssue.unsupported(path, "format \(profile.format.rawValue) (CSV only)") }
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, dialect: CSVDialect(delimiter: profile.delimiter, encoding: profile.encoding))
        } catch {
            throw SourceViewIssue("source-view.unreadable", "\(path): \(error)")
        }
        let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return SourceViewInput(path: path, readPath: (absolute as NSString).standardizingPath, profile: profile, header: reader.header,
                               delimiter: reader.delimiter, encoding: reader.encoding, skipLines: try blankLinesBeforeHeader(path),
                               ordinal: ordinal)
    }

    /// Blank lines (LF, CR, CRLF) at the start of the file, after a UTF-8 byte order mark.
    static func blankLinesBeforeHeader(_ path: String) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SourceViewIssue("source-view.unreadable", "\(path): cannot be opened")
        }
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 1 << 16))
        var i = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lines = 0
        while i < head.count {
            if head[i] == 0x0A {
                i += 1
            } else if head[i] == 0x0D {
                i += (i + 1 < head.count && head[i + 1] == 0x0A) ? 2 : 1
            } else {
                break
            }
            lines += 1
        }
        return lines
    }
}
