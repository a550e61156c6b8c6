import Foundation
import TrennwandRecords
import TrennwandYAML
import Yams

/// A condition's text together with the file position of every byte, so that an error at any
/// token names the exact `file:line:column` in the rule file, whatever the YAML scalar style.
///
/// Plain and block scalars (`|`, `>`) are re-read from the file text itself (whitespace, including
/// line breaks, is insignificant in the language, so folding does not matter); quoted scalars are
/// mapped by walking the decoded value and the raw text in parallel (escapes, `''`).
public struct ConditionSource: Sendable {
    /// UTF-8 bytes of the condition as the lexer sees it.
    public let bytes: [UInt8]
    /// Line and column (1-based, columns in Unicode scalars like Yams) per byte; one extra entry
    /// for the end of the text.
    let lines: [Int32]
    let columns: [Int32]
    public let file: String

    /// A condition given as a string that starts at `origin` (one line; newlines advance lines).
    public init(text: String, origin: SourcePosition) {
        var bytes: [UInt8] = []
        var lines: [Int32] = []
        var columns: [Int32] = []
        var line = Int32(origin.line), column = Int32(origin.column)
        for b in text.utf8 {
            bytes.append(b)
            lines.append(line)
            columns.append(column)
            if b == 0x0A {
                line += 1
                column = Int32(origin.column)
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        lines.append(line)
        columns.append(column)
        self.init(bytes: bytes, lines: lines, columns: columns, file: origin.file)
    }

    init(bytes: [UInt8], lines: [Int32], columns: [Int32], file: String) {
        self.bytes = bytes
        self.lines = lines
        self.columns = columns
        self.file = file
    }

    /// The position of byte `offset` (clamped to the end of the text).
    public func position(_ offset: Int) -> SourcePosition {
        let i = min(max(offset, 0), lines.count - 1)
        return SourcePosition(file: file, line: Int(lines[i]), column: Int(columns[i]))
    }

    /// The condition of a YAML scalar node. `fileText` is the whole file the node came from; when
    /// nil it is read from `node.file`. Without file text the positions are derived from the
    /// node's mark alone (exact for one-line plain scalars).
    public init(node: YAMLNode, fileText: String? = nil) throws {
        guard case .scalar(let scalar) = node.node else {
            throw ExprIssue.notText(node.position)
        }
        let mark = node.position
        let source = fileText.map(YAMLSource.init(text:)) ?? node.source
            ?? FileManager.default.contents(atPath: node.file).map { YAMLSource(text: String(decoding: $0, as: UTF8.self)) }
        guard let source else {
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            let origin = SourcePosition(file: node.file, line: mark.line, column: mark.column + (quoted ? 1 : 0))
            self.init(text: scalar.string, origin: origin)
            return
        }
        let fileLines = FileLines(source)
        switch scalar.style {
        case .literal, .folded:
            self = ConditionSource.block(fileLines, mark: mark)
        case .singleQuoted, .doubleQuoted:
            self = ConditionSource.quoted(fileLines, mark: mark, value: scalar.string, double: scalar.style == .doubleQuoted)
        default:
            self = ConditionSource.plain(fileLines, mark: mark, value: scalar.string)
        }
    }

    /// File lines as Unicode scalar arrays (CRLF and LF both end a line; every CR is dropped),
    /// decoded on first use: a condition reads a few lines of its file, not all of them.
    private final class FileLines {
        let source: YAMLSource
        private var decoded: [Int: [Unicode.Scalar]] = [:]
        private var last: (index: Int, line: [Unicode.Scalar]) = (-1, [])

        init(_ source: YAMLSource) { self.source = source }

        var count: Int { source.lineStarts.count }

        subscript(i: Int) -> [Unicode.Scalar] {
            if last.index == i { return last.line }
            let line: [Unicode.Scalar]
            if let known = decoded[i] {
                line = known
            } else {
                line = String(decoding: source.line(i), as: UTF8.self).unicodeScalars.filter { $0 != "\r" }
                decoded[i] = line
            }
            last = (i, line)
            return line
        }
    }

    /// Builder collecting bytes with positions.
    private struct Builder {
        var bytes: [UInt8] = []
        var lines: [Int32] = []
        var columns: [Int32] = []

        mutating func append(_ u: Unicode.Scalar, line: Int, column: Int) {
            if u.isASCII {  // no String per character: conditions can be 1 MiB
                bytes.append(UInt8(u.value))
                lines.append(Int32(line))
                columns.append(Int32(column))
                return
            }
            for b in String(u).utf8 {
                bytes.append(b)
                lines.append(Int32(line))
                columns.append(Int32(column))
            }
        }

        func finish(file: String, endLine: Int, endColumn: Int) -> ConditionSource {
            ConditionSource(bytes: bytes, lines: lines + [Int32(endLine)], columns: columns + [Int32(endColumn)], file: file)
        }
    }

    private static func isSpace(_ u: Unicode.Scalar) -> Bool { u == " " || u == "\t" }

    /// `|` or `>`: the content lines below the header, their common indentation removed.
    private static func block(_ lines: FileLines, mark: SourcePosition) -> ConditionSource {
        var b = Builder()
        var indent: Int?
        var lastLine = mark.line, lastColumn = mark.column
        var li = mark.line  // 0-based index of the first content line = mark.line (1-based header)
        while li < lines.count {
            let line = lines[li]
            let lead = line.prefix { $0 == " " }.count
            let blank = line.allSatisfy(isSpace)
            if !blank {
                if indent == nil { indent = lead }
                if lead < indent! { break }
            }
            if let ind = indent, !blank || line.count > ind {
                for (ci, u) in line.enumerated() where ci >= ind {
                    b.append(u, line: li + 1, column: ci + 1)
                    lastLine = li + 1
                    lastColumn = ci + 2
                }
            }
            b.append("\n", line: li + 1, column: max(line.count + 1, 1))
            li += 1
        }
        return b.finish(file: mark.file, endLine: lastLine, endColumn: lastColumn)
    }

    /// Plain scalar: raw text from the mark until all non-blank characters of the value are seen.
    private static func plain(_ lines: FileLines, mark: SourcePosition, value: String) -> ConditionSource {
        var remaining = value.unicodeScalars.filter { !isSpace($0) && $0 != "\n" }.count
        var b = Builder()
        var li = mark.line - 1, ci = mark.column - 1
        var endLine = mark.line, endColumn = mark.column
        while remaining > 0, li < lines.count {
            let line = lines[li]
            while ci < line.count, remaining > 0 {
                let u = line[ci]
                b.append(u, line: li + 1, column: ci + 1)
                if !isSpace(u) { remaining -= 1 }
                ci += 1
                endLine = li + 1
                endColumn = ci + 1
            }
            if remaining > 0 {
                b.append("\n", line: li + 1, column: line.count + 1)
                li += 1
                ci = 0
            }
        }
        return b.finish(file: mark.file, endLine: endLine, endColumn: endColumn)
    }

    /// Quoted scalar: the decoded value, each character mapped to its raw position.
    private static func quoted(_ lines: FileLines, mark: SourcePosition, value: String, double: Bool) -> ConditionSource {
        var b = Builder()
        var li = mark.line - 1, ci = mark.column  // just after the opening quote
        func raw(_ l: Int, _ c: Int) -> Unicode.Scalar? {
            guard l < lines.count else { return nil }
            return c < lines[l].count ? lines[l][c] : "\n"
        }
        let vals = Array(value.unicodeScalars)
        var vi = 0
        while vi < vals.count {
            guard let r = raw(li, ci) else {
                b.append(vals[vi], line: li + 1, column: ci + 1)
                vi += 1
                continue
            }
            if r == "\n" {
                // Line folding: skip the break and the next line's indentation.
                b.append(vals[vi], line: li + 1, column: ci + 1)
                li += 1
                ci = 0
                while let n = raw(li, ci), isSpace(n) { ci += 1 }
                vi += 1
                continue
            }
            if double, r == "\\" {
                b.append(vals[vi], line: li + 1, column: ci + 1)
                let e = raw(li, ci + 1) ?? "\\"
                switch e {
                case "x": ci += 4
                case "u": ci += 6
                case "U": ci += 10
                default: ci += 2
                }
                vi += 1
                continue
            }
            if !double, r == "'", raw(li, ci + 1) == "'" {
                b.append(vals[vi], line: li + 1, column: ci + 1)
                ci += 2
                vi += 1
                continue
            }
            b.append(vals[vi], line: li + 1, column: ci + 1)
            ci += 1
            vi += 1
        }
        return b.finish(file: mark.file, endLine: li + 1, endColumn: ci + 1)
    }
}
