/// How an exported JSON Lines file gets into a PostgreSQL table, shared by the psql script
/// (`PostgreSQLSyntax.load`, `\copy`) and `scan --engine` (`COPY … FROM STDIN` through
/// postgres-nio), so both load the same column values: each line arrives whole in the one-column
/// staging table, and one `INSERT … SELECT` per table takes the columns out of `CAST(line AS JSONB)`.
///
/// The two clients send the line differently. psql's `\copy` reads the file in CSV mode with
/// delimiter U+0001 and quote U+0002 (neither occurs: the exporter escapes every control
/// character). postgres-nio's `copyFrom` offers only the text format, so `copyLine` escapes the
/// line for it: backslash, line feed, carriage return and tab (the delimiter) as `\\`, `\n`, `\r`,
/// `\t`. An escaped line never contains a lone `\.` or `\N`, so it is never end-of-data or NULL,
/// and the server unescapes it to the exact bytes of the file's line.
///
/// NUL: the JSON escape `\u0000` fails `CAST(line AS JSONB) ->>` on both paths (docs/scale-out.md);
/// the line itself never holds a raw NUL (the exporter escapes control characters).
package enum PostgreSQLLoad {
    /// The staging table (temporary: one per session, never in the run's schema).
    package static let staging = "tw_load"

    /// Creates (once per session) and empties the staging table.
    package static func prepare(_ syntax: PostgreSQLSyntax) -> [String] {
        let stage = syntax.identifier(staging)
        return ["CREATE TEMPORARY TABLE IF NOT EXISTS \(stage) (line TEXT)", "TRUNCATE \(stage)"]
    }

    /// Takes the columns of `table` out of the staged lines.
    package static func insert(_ table: ExportTable, _ syntax: PostgreSQLSyntax) -> String {
        let names = table.columns.map { syntax.identifier($0.name) }.joined(separator: ", ")
        let values = table.columns.map { column($0, syntax) }.joined(separator: ", ")
        return "INSERT INTO \(syntax.identifier(table.name)) (\(names)) SELECT \(values) FROM (SELECT CAST(line AS JSONB) AS j FROM \(syntax.identifier(staging))) AS s"
    }

    /// Empties the staging table after a table's insert.
    package static func clear(_ syntax: PostgreSQLSyntax) -> String { "TRUNCATE \(syntax.identifier(staging))" }

    /// One column out of the line's `jsonb`; a list only when the value is an array (`null` → NULL).
    static func column(_ c: ExportColumn, _ syntax: PostgreSQLSyntax) -> String {
        let key = syntax.literal(c.name)
        switch c.type {
        case .stringList:
            return "CASE WHEN jsonb_typeof(j -> \(key)) = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(j -> \(key))) END"
        default:
            return "CAST(j ->> \(key) AS \(syntax.type(c.type)))"
        }
    }

    /// The lines of an exported file (split at line feeds; the empty piece after the last line
    /// feed is no line).
    package static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var out = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if out.last?.isEmpty == true { out.removeLast() }
        return out
    }

    /// `line` as one row of COPY's text format (default delimiter tab), with its line feed.
    package static func copyLine(_ line: some Collection<UInt8>, into out: inout [UInt8]) {
        for b in line {
            switch b {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            default: out.append(b)
            }
        }
        out.append(0x0A)
    }
}
