/// PostgreSQL (checked with Debian's PostgreSQL 15 in `PostgresParityTests`).
///
/// Loading: psql `\copy` of each exported JSON Lines file into a one-column staging table, then an
/// `INSERT … SELECT` that takes the columns out of the `jsonb` value. The `\copy` runs in CSV mode
/// with delimiter U+0001 and quote U+0002: the exporter escapes every control character, so neither
/// occurs in a line, and each line arrives as one field, byte for byte (no backslash processing, as
/// the text format would do). Input values never reach SQL text.
///
/// NUL: PostgreSQL `text` cannot hold U+0000, and `jsonb ->>` refuses the `\u0000` escape
/// ("unsupported Unicode escape sequence"). A record with a NUL makes the load fail with that error
/// instead of being altered or truncated; the readers pass NUL through, so such input is reported,
/// never silently changed (decision, docs/scale-out.md).
package struct PostgreSQLSyntax: SQLSyntax {
    package init() {}

    package var name: String { "postgres" }

    package func identifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Standard-conforming string literal (`standard_conforming_strings` is on since PostgreSQL 9.1:
    /// backslashes are literal, only quotes are doubled). Rule text and policy only; they hold no NUL
    /// (YAML refuses it).
    package func literal(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }

    package func type(_ type: PlanType) -> String {
        switch type {
        case .string: return "TEXT"
        case .stringList: return "TEXT[]"
        case .number: return "DOUBLE PRECISION"
        case .bool: return "BOOLEAN"
        case .seconds: return "BIGINT"
        }
    }

    package func list(_ items: [String]) -> String { "CAST(ARRAY[" + items.map(literal).joined(separator: ", ") + "]::TEXT[] AS TEXT[])" }

    /// `EXISTS` over `unnest`; elements whose predicate is NULL do not count (as `WHERE` does).
    package func anyElement(_ list: String, variable: String, where predicate: String) -> String {
        "EXISTS (SELECT 1 FROM unnest(\(list)) AS \(variable)_t(\(variable)) WHERE \(predicate))"
    }

    package func listHas(_ list: String, _ element: String) -> String {
        "EXISTS (SELECT 1 FROM unnest(\(list)) AS tw_e(e) WHERE tw_e.e = \(element))"
    }
    package func contains(_ string: String, _ part: String) -> String { "(strpos(\(string), \(part)) > 0)" }
    package func startsWith(_ string: String, _ prefix: String) -> String { "starts_with(\(string), \(prefix))" }
    package func endsWith(_ string: String, _ suffix: String) -> String { "(right(\(string), char_length(\(suffix))) = \(suffix))" }
    /// ICU's full Unicode lower case, whatever the database's locale (`C` lowers ASCII only).
    package func lower(_ string: String) -> String { "lower((\(string)) COLLATE \"und-x-icu\")" }
    package func asciiLower(_ string: String) -> String {
        "translate(\(string), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    }
    /// Exact (`numeric`), not through `double precision`.
    package func floorDiv(_ a: String, _ b: String) -> String { "CAST(floor(CAST((\(a)) AS NUMERIC) / (\(b))) AS BIGINT)" }
    package func isoDate(days: String) -> String { "to_char(DATE '1970-01-01' + CAST(\(days) AS INTEGER), 'YYYY-MM-DD')" }
    /// `COLLATE "C"`: the database's default collation may be a locale's, which ignores punctuation
    /// at first (`a-b.csv` after `a.csv` or not).
    package func byteOrder(_ string: String) -> String { "(\(string)) COLLATE \"C\"" }
    package func concat(_ parts: [String]) -> String { "(" + parts.joined(separator: " || ") + ")" }
    package func isBlank(_ string: String) -> String { "(btrim(\(string), ' \t') = '')" }

    package func mapAggregate(keys: String, values: String) -> String { "jsonb_object_agg(\(keys), \(values))" }
    package func mapGet(_ map: String, _ key: String) -> String { "(\(map) ->> \(key))" }
    package func listConcatAggregate(_ list: String) -> String { "\(identifier(Self.arrayConcatAggregate))(\(list))" }

    /// PostgreSQL has no aggregate that concatenates arrays; `array_cat` over the rows is one
    /// (NULL over no rows, NULL arrays skipped by the strict transition function).
    static let arrayConcatAggregate = "tw_array_concat_agg"

    package var helpers: [String] {
        ["CREATE AGGREGATE \(identifier(Self.arrayConcatAggregate))(anycompatiblearray) (SFUNC = array_cat, STYPE = anycompatiblearray)"]
    }

    /// Staging table, `\copy`, `INSERT … SELECT` (`PostgreSQLLoad`, shared with `scan --engine`).
    package func load(_ table: ExportTable, files: [String]) throws -> [String] {
        let stage = identifier(PostgreSQLLoad.staging)
        var statements = PostgreSQLLoad.prepare(self)
        for file in files {
            statements.append("\\copy \(stage) (line) FROM \(try clientPath(file)) WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02', ENCODING 'UTF8')")
        }
        statements.append(PostgreSQLLoad.insert(table, self))
        statements.append(PostgreSQLLoad.clear(self))
        return statements
    }

    /// A file name for psql's `\copy` and `\o`: single-quoted, quotes doubled (psql's own quoting;
    /// a meta-command ends at the line's end, so a name with a line break is refused with an error
    /// — `trennwand export` never writes such names, see `ExportLayout`).
    private func clientPath(_ path: String) throws -> String {
        if path.utf8.contains(0x0A) || path.utf8.contains(0x0D) { throw ExportError(.unloadablePath, path: path) }
        return literal(path)
    }

    /// psql: stop at the first error; rows unaligned without header or footer, so `\o` files hold
    /// exactly one JSON object per line; no notices (the staging table's `IF NOT EXISTS`).
    package var scriptPreamble: [String] {
        ["\\set ON_ERROR_STOP on", "\\pset format unaligned", "\\pset tuples_only on", "\\pset pager off",
         "SET client_min_messages TO warning"]
    }

    /// `\o FILE`, the rows as `row_to_json` (one line each: JSON escapes line breaks), `\o`. Not
    /// `\copy (…) TO`: that must fit on one line and its text format would double backslashes.
    package func writeResult(_ query: String, to path: String) throws -> [String] {
        ["\\o \(try clientPath(path))", resultQuery(query), "\\o"]
    }

    /// The rule query's rows as one JSON object each (`row_to_json`, as text): what `writeResult`
    /// prints for psql and `scan --engine` fetches, one line per row of the result file.
    package func resultQuery(_ query: String) -> String {
        "SELECT CAST(row_to_json(tw_q) AS TEXT) FROM (\(query)) AS tw_q"
    }
}
