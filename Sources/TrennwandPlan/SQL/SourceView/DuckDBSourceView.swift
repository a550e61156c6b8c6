import Foundation
import TrennwandReaders
import TrennwandRecords

/// A CSV source profile rendered as a DuckDB view over `read_csv` of the raw file: the columns of
/// the export's record table for the profile's kind (`ExportSchema.table`), computed by DuckDB from
/// the file's bytes as the reader and `ProfileNormaliser` compute them in Swift — trimming, empty
/// as missing, value maps with case folding (`CASE`), unmapped policies, timestamp formats
/// (`strptime` behind a pattern check, so it accepts exactly what `TimestampFormat` accepts), the
/// profile's time zone (`ZoneSteps`), defaults, constants, optional columns, split lists, yes/no
/// words, UTF-8, Windows-1252 and ISO-8859-15 — plus `tw_reject`, the code of the reason the reader
/// rejects the row (NULL for a record). Used by the bench to run the rule pack on DuckDB from the raw
/// CSV, the same work the in-process scan does (docs/performance-notes.md).
///
/// Decisions (what the view does not do like the reader, each documented there):
/// - Locator: `tw_index` is exact (`WITH ORDINALITY`: data rows, rejected ones included, blank lines
///   not); `tw_line`, `tw_column` and `tw_offset` are NULL — DuckDB's CSV reader exposes neither
///   line numbers nor byte offsets, and computing them needs a second pass over the file.
/// - Malformed CSV: a ragged row is found (`null_padding` with a NULL string no field holds: a short
///   row ends in NULL, a long one fills a sentinel column) and rejected as `csv.ragged-row`; invalid
///   UTF-8, an unterminated quote and — in the parallel reader — a line break inside quotes make
///   DuckDB stop with its own error instead (`parallel: false` reads the latter).
/// - Windows-1252 is read as DuckDB's `latin-1` (the same characters for 0xA0–0xFF). DuckDB 2.0
///   refuses the bytes 0x80–0x9F there (€, „, “, – …: "File is not latin-1 encoded") and its
///   `encodings` extension is a download: a file holding one of them makes DuckDB stop, never read
///   differently.
/// - Not rendered (`SourceViewIssue`): other formats than CSV, `patterns:`, `iso8601` timestamps,
///   number fields and free-text fields (detectors run in Swift).
package struct DuckDBSourceView: Sendable {
    let syntax = DuckDBSyntax()
    /// The pack's time zone (`<timestamp>__local`).
    package let policyTimeZone: String
    /// `read_csv(parallel = false)`: needed for files with line breaks inside quoted fields.
    package var parallel = true

    package init(policyTimeZone: String) { self.policyTimeZone = policyTimeZone }

    /// A field whose value no real export holds: DuckDB's NULL string, so that an empty field is
    /// `''` and only a missing one (a short row, padded) is NULL.
    static let nullString = "chr(1) || 'tw-null' || chr(1)"

    /// Macros the views use (once per script, before the views).
    package static let helpers: [String] = {
        let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + String(String.UnicodeScalarView((0xC0...0xDE).filter { $0 != 0xD7 }.map { Unicode.Scalar($0)! }))
        let lower = String(String.UnicodeScalarView(upper.unicodeScalars.map { Unicode.Scalar($0.value | 0x20)! }))
        let latin9From = [0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE].map { "chr(\($0))" }.joined(separator: " || ")
        let latin9To = "\u{20AC}\u{0160}\u{0161}\u{017D}\u{017E}\u{0152}\u{0153}\u{0178}"
        let s = DuckDBSyntax()
        return [
            // The reader's trimming (space, tab, LF, CR) and "empty is missing". `trim` with a
            // character set costs ~290 ns a value, so only for values that start or end with one.
            "CREATE OR REPLACE TEMP MACRO tw_trim(x) AS CASE WHEN x = '' THEN NULL WHEN ascii(x) > 32 AND NOT (ends_with(x, ' ') OR ends_with(x, chr(9)) OR "
                + "ends_with(x, chr(10)) OR ends_with(x, chr(13))) THEN x ELSE nullif(trim(x, ' ' || chr(9) || chr(10) || chr(13)), '') END",
            // `ByteString.foldCase`: A–Z and À–Þ (not ×) lowered, nothing else. `lower()` does the
            // same on text without characters above U+00FF; `translate` (slow) only for the rest.
            "CREATE OR REPLACE TEMP MACRO tw_fold(x) AS CASE WHEN strlen(x) = length(x) OR NOT regexp_matches(x, '[^\\x{00}-\\x{ff}]') "
                + "THEN lower(x) ELSE translate(x, \(s.literal(upper)), \(s.literal(lower))) END",
            "CREATE OR REPLACE TEMP MACRO tw_latin9(x) AS CASE WHEN strlen(x) = length(x) THEN x ELSE translate(x, \(latin9From), \(s.literal(latin9To))) END",
        ]
    }()

    // MARK: - The view

    /// The statements creating view `name` over `input` (zone tables it needs are added to `zones`).
    package func view(_ input: SourceViewInput, name: String, zones: inout SourceViewZones) throws -> [String] {
        let profile = input.profile
        let kind = profile.kind
        let q = syntax.identifier, lit = syntax.literal

        // Columns of the file, by the reader's header matching (trimmed, case-insensitive, BOM ignored).
        let keys = input.header.map(Self.headerKey)
        func column(_ ref: String) -> Int? { keys.firstIndex(of: Self.headerKey(ref)) }
        var used: [Int] = []
        func use(_ ref: String) throws -> String {
            guard let i = column(ref) else {
                throw SourceViewIssue("profile.missing-column", "\(input.path): column \(ref) of profile \(profile.id) is missing")
            }
            if !used.contains(i) { used.append(i) }
            return "v\(i)"
        }

        var fields: [FieldSQL] = []
        for m in profile.fields {
            if !m.patterns.isEmpty { throw SourceViewIssue.unsupported(input.path, "patterns: of field \(m.name)") }
            if m.type == .text { throw SourceViewIssue.unsupported(input.path, "free-text field \(m.name) (detectors run in Swift)") }
            if m.type == .number { throw SourceViewIssue.unsupported(input.path, "number field \(m.name)") }
            var source = m.source
            var defaultText = m.defaultValue
            if m.optional && m.source.references.contains(where: { column($0) == nil }) {
                source = .constant(m.defaultValue ?? "")
                defaultText = nil
            }
            fields.append(try FieldSQL(m, source: source, defaultText: defaultText, use: use, input: input))
        }

        // Level A: the raw file; B: cleaned values; C: fold keys; D: map stage; E: typed values
        // (E2: timestamps checked); F: defaults, missing values and reject codes; G: time zones;
        // H: the export's columns.
        let n = input.header.count
        let columns = (0...n).map { "\(lit("c\($0)")): 'VARCHAR'" }.joined(separator: ", ")
        let encoding = input.encoding == .utf8 ? "utf-8" : "latin-1"
        let delimiter = String(UnicodeScalar(input.delimiter))
        let a = "read_csv(\(lit(input.readPath)), delim = \(lit(delimiter)), quote = '\"', escape = '\"', header = true, "
            + "skip = \(input.skipLines), auto_detect = false, encoding = \(lit(encoding)), columns = {\(columns)}, "
            + "null_padding = true, strict_mode = false, nullstr = \(Self.nullString), parallel = \(parallel)) WITH ORDINALITY AS a"
        func decode(_ c: String) -> String {
            switch input.encoding {
            case .utf8: return c
            case .windows1252: return c  // 0xA0–0xFF as Latin-1; 0x80–0x9F: DuckDB stops (see above)
            case .iso885915: return "tw_latin9(\(c))"
            }
        }
        // A short row is padded with NULL (an empty field is ''), a long one fills the sentinel `c<n>`.
        let ragged = n > 0 ? "(a.\(q("c\(n - 1)")) IS NULL OR a.\(q("c\(n)")) IS NOT NULL)" : "FALSE"
        var b = ["a.ordinality AS tw_index", "\(ragged) AS tw_ragged"]
        b += used.sorted().map { "tw_trim(\(decode("a.\(q("c\($0)"))"))) AS v\($0)" }
        var c = ["*"] + fields.flatMap(\.keys)
        var d = ["*"] + fields.flatMap(\.mapStage)
        var e = ["*"] + fields.flatMap(\.typed)
        var e2 = ["*"] + fields.flatMap(\.checked)
        var f = ["*"] + fields.flatMap(\.final)
        c = c.uniqued(); d = d.uniqued(); e = e.uniqued(); e2 = e2.uniqued(); f = f.uniqued()

        // Time zones: one step table per (profile zone, pack zone), one probe per timestamp field.
        var joins: [String] = []
        var g = ["g0.*"]
        var statements: [String] = []
        for field in fields where field.isTimestamp {
            let table = try zones.table(source: profile.timezone, target: policyTimeZone, input: input.path)
            let alias = "z_\(field.name)", local = "fin_\(field.name)"
            let bucket = "CASE WHEN g0.\(local) >= \(ZoneSteps.rangeStart) AND g0.\(local) < \(ZoneSteps.rangeEnd) "
                + "THEN (g0.\(local) - \(ZoneSteps.rangeStart)) // \(ZoneSteps.bucketSeconds) END"
            joins.append("LEFT JOIN \(q(table.name)) AS \(alias) ON \(alias).b = \(bucket)")
            var offF = "CASE WHEN \(alias).b IS NULL THEN \(local) - CAST(epoch(timezone(\(lit(profile.timezone)), make_timestamp(\(local) * 1000000))) AS BIGINT)"
            var offH = "CASE WHEN \(alias).b IS NULL THEN NULL"
            for k in stride(from: table.changes, through: 1, by: -1) {
                offF += " WHEN \(local) >= \(alias).l\(k) THEN \(alias).f\(k)"
                offH += " WHEN \(local) >= \(alias).l\(k) THEN \(alias).h\(k)"
            }
            g += ["\(offF) ELSE \(alias).f0 END AS of_\(field.name)", "\(offH) ELSE \(alias).h0 END AS oh_\(field.name)"]
        }

        // H: the export columns in table order.
        let table = ExportSchema.table(kind)
        var h: [String] = []
        let byName = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for col in table.columns where col.name != "tw_row_no" {
            let type = syntax.type(col.type)
            let expr: String
            if let field = byName[col.name] {
                expr = field.isTimestamp ? "fin_\(field.name) - of_\(field.name)" : "fin_\(field.name)"
            } else if col.name.hasSuffix("__local"), let field = byName[String(col.name.dropLast("__local".count))] {
                let utc = "(fin_\(field.name) - of_\(field.name))"
                expr = "CASE WHEN oh_\(field.name) IS NULL THEN CAST(epoch(timezone(\(lit(policyTimeZone)), to_timestamp(\(utc)))) AS BIGINT) "
                    + "ELSE \(utc) + oh_\(field.name) END"
            } else {
                switch col.name {
                case "tw_file": expr = lit(input.path)
                case "tw_index": expr = "tw_index"
                case "tw_record_id":
                    if let id = Self.idField(kind), let field = byName[id] { expr = "fin_\(field.name)" } else { expr = "NULL" }
                default: expr = "NULL"  // unmapped fields, tw_line, tw_column, tw_offset
                }
            }
            h.append("CAST(\(expr) AS \(type)) AS \(q(col.name))")
        }
        let reasons = ["CASE WHEN tw_ragged THEN 'csv.ragged-row' END"] + fields.map { "r_\($0.name)" }
        h.append("coalesce(\(reasons.joined(separator: ", "))) AS tw_reject")

        var sql = "SELECT \(b.joined(separator: ", ")) FROM \(a)"
        for (level, cols) in [("c", c), ("d", d), ("e", e), ("e2", e2), ("f", f)] {
            sql = "SELECT \(cols.joined(separator: ", ")) FROM (\(sql)) AS \(level)"
        }
        sql = "SELECT \(g.joined(separator: ", ")) FROM (\(sql)) AS g0 \(joins.joined(separator: " "))"
        sql = "SELECT \(h.joined(separator: ", ")) FROM (\(sql)) AS h0"
        statements.append("CREATE OR REPLACE TEMP VIEW \(q(name)) AS \(sql)")
        return statements
    }

    /// The field whose value is the record's own id (`Locator.recordID`), as in the reader.
    static func idField(_ kind: RecordKind) -> String? {
        switch kind {
        case .documentation: return "record_id"
        case .flow: return "flow_id"
        case .agreements: return "id"
        default: return nil
        }
    }

    /// `ProfileNormaliser.headerKey`: trimmed, lower case, without a byte order mark.
    static func headerKey(_ s: String) -> String {
        var t = s
        if t.hasPrefix("\u{FEFF}") { t.removeFirst() }
        return t.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

extension Array where Element == String {
    fileprivate func uniqued() -> [String] {
        var seen = Set<String>()
        return filter { seen.insert($0).inserted }
    }
}
