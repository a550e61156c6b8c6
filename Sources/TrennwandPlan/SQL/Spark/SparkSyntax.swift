/// Spark SQL (checked with Spark 3.5.9 in local mode, pyspark of `make pydeps`, in
/// `SparkParityTests` and ExportSQLEndToEndTests).
///
/// Tables are temporary views, nothing is written to a warehouse: `createTable` makes an empty
/// view with the table's columns; `load` replaces it by a view over the exported JSON Lines files
/// with the export schema given explicitly (no inference) in `FAILFAST` mode, one JSON object per
/// line, so a malformed or mistyped line stops the run instead of becoming NULLs; `CACHE LAZY
/// TABLE` reads the files once, when the first query needs the table (a malformed line stops
/// that query, so the run).
///
/// Scripts run through the generic driver `sql/spark/run-all.py` (`SparkDriver`), which executes
/// the statements of `run-all.sql` with `spark.sql` and understands one client command, psql's
/// `\o FILE` … `\o`: the rows of the query between them go to FILE as JSON Lines.
///
/// Decisions: the preamble turns off `${…}` variable substitution (rule text reaching a literal
/// must stay literal) and pins `spark.sql.ansi.enabled=false` (the default of Spark 3.5; the
/// queries rely on NULL, not an error, for a map's missing key and never divide by zero).
package struct SparkSyntax: SQLSyntax {
    package init() {}

    package var name: String { "spark" }

    package func identifier(_ name: String) -> String { "`" + name.replacingOccurrences(of: "`", with: "``") + "`" }

    /// Spark's parser treats backslash as an escape character in string literals
    /// (`spark.sql.parser.escapedStringLiterals` is off by default): backslash and quote are
    /// escaped, line breaks written as `\n`/`\r` so every statement stays on one line of the script
    /// (the driver reads statement by line end). Rule text and policy only.
    package func literal(_ value: String) -> String {
        var out = "'"
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    package func type(_ type: PlanType) -> String {
        switch type {
        case .string: return "STRING"
        case .stringList: return "ARRAY<STRING>"
        case .number: return "DOUBLE"
        case .bool: return "BOOLEAN"
        case .seconds: return "BIGINT"
        }
    }

    package func list(_ items: [String]) -> String { "CAST(array(" + items.map(literal).joined(separator: ", ") + ") AS ARRAY<STRING>)" }

    /// `exists` with a lambda; `coalesce(…, FALSE)`: Spark's `exists` is NULL when no element
    /// satisfies the predicate and one gives NULL — here such elements do not count (as `WHERE`).
    package func anyElement(_ list: String, variable: String, where predicate: String) -> String {
        "exists(\(list), \(variable) -> coalesce(\(predicate), FALSE))"
    }

    package func listHas(_ list: String, _ element: String) -> String { "array_contains(\(list), \(element))" }
    package func contains(_ string: String, _ part: String) -> String { "contains(\(string), \(part))" }
    package func startsWith(_ string: String, _ prefix: String) -> String { "startswith(\(string), \(prefix))" }
    package func endsWith(_ string: String, _ suffix: String) -> String { "endswith(\(string), \(suffix))" }
    /// Java's `String.toLowerCase` (full Unicode, the JVM's default locale: run Spark with an
    /// English or root locale, as the test and bench invocations do).
    package func lower(_ string: String) -> String { "lower(\(string))" }
    package func asciiLower(_ string: String) -> String {
        "translate(\(string), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    }
    /// `/` is fractional division (DOUBLE) in Spark for integers, as in DuckDB.
    package func floorDiv(_ a: String, _ b: String) -> String { "CAST(floor((\(a)) / (\(b))) AS BIGINT)" }
    package func isoDate(days: String) -> String { "date_format(date_add(DATE '1970-01-01', CAST(\(days) AS INT)), 'yyyy-MM-dd')" }
    package func concat(_ parts: [String]) -> String { "concat(" + parts.joined(separator: ", ") + ")" }
    package func isBlank(_ string: String) -> String { "(trim(BOTH ' \\t' FROM \(string)) = '')" }

    /// `map_from_entries` over the group's pairs; NULL over no rows (`collect_list` would give an
    /// empty map).
    package func mapAggregate(keys: String, values: String) -> String {
        "CASE WHEN count(\(keys)) = 0 THEN NULL ELSE map_from_entries(collect_list(struct(\(keys), \(values)))) END"
    }
    /// `try_element_at`: NULL for a missing key whatever `spark.sql.ansi.enabled` says.
    package func mapGet(_ map: String, _ key: String) -> String { "try_element_at(\(map), \(key))" }
    /// `collect_list` skips NULL lists; NULL over no rows (or only NULL lists), as DuckDB's.
    package func listConcatAggregate(_ list: String) -> String {
        "CASE WHEN count(\(list)) = 0 THEN NULL ELSE flatten(collect_list(\(list))) END"
    }

    package func createTable(_ table: ExportTable, columns: String) -> String? {
        let nulls = table.columns.map { "CAST(NULL AS \(type($0.type))) AS \(identifier($0.name))" }.joined(separator: ", ")
        return "CREATE OR REPLACE TEMPORARY VIEW \(identifier(table.name)) AS SELECT \(nulls) WHERE FALSE"
    }

    /// Spark accepts a correlated scalar subquery only when it is aggregated: `min_by` over the
    /// order keys as a struct (compared field by field) picks the first row's value.
    package func firstValue(_ value: String, from: String, condition: String, order: [String]) -> String {
        "(SELECT min_by(\(value), struct(\(order.joined(separator: ", ")))) FROM \(from)\(condition))"
    }

    /// One view per file with the explicit schema (a data source reads one path, glob allowed),
    /// their `UNION ALL` as the table, cached when first read. Paths are Hadoop paths: a name with glob brackets or
    /// braces, a backslash, a colon (read as a URI scheme) or a line break is refused.
    package func load(_ table: ExportTable, files: [String]) throws -> [String] {
        let schema = table.columns.map { "\(identifier($0.name)) \(type($0.type))" }.joined(separator: ", ")
        var statements: [String] = [], parts: [String] = []
        for (n, file) in files.enumerated() {
            if file.unicodeScalars.contains(where: { "[]{}\\:\n\r".unicodeScalars.contains($0) }) {
                throw ExportError(.unloadablePath, path: file)
            }
            let view = identifier("tw_load_\(table.name)_\(n + 1)")
            statements.append("CREATE OR REPLACE TEMPORARY VIEW \(view) (\(schema)) USING json OPTIONS (path \(literal(file)), "
                              + "mode 'FAILFAST', multiLine 'false', encoding 'UTF-8')")
            parts.append("SELECT * FROM \(view)")
        }
        guard !parts.isEmpty else { return [] }
        statements.append("CREATE OR REPLACE TEMPORARY VIEW \(identifier(table.name)) AS \(parts.joined(separator: " UNION ALL "))")
        statements.append("CACHE LAZY TABLE \(identifier(table.name))")
        return statements
    }

    /// The driver's `\o FILE`, the query, `\o` (psql's convention): rows as JSON Lines in the
    /// query's order, NULL fields left out (`trennwand collect` reads a missing key as NULL).
    package func writeResult(_ query: String, to path: String) throws -> [String] {
        if path.utf8.contains(0x0A) || path.utf8.contains(0x0D) { throw ExportError(.unloadablePath, path: path) }
        return ["\\o \(path)", query, "\\o"]
    }

    /// Spark resolves an outer reference only one query level up (a lookup whose term is another
    /// lookup of the record fails with UNRESOLVED_COLUMN): every lookup becomes a column of its own.
    package var hoistsLookups: Bool { true }

    package var clientFiles: [(name: String, text: String)] { [(SparkDriver.fileName, SparkDriver.text)] }

    package var scriptPreamble: [String] {
        ["SET spark.sql.variable.substitute=false", "SET spark.sql.ansi.enabled=false", "SET spark.sql.session.timeZone=UTC",
         // Spark 3.5.9 fails TW101 with SCALAR_SUBQUERY_TOO_MANY_ROWS when the rule's filter is pushed
         // through the derived tables of hoisted lookups (correlated scalar subqueries, one in
         // another's term); without predicate push-down the same query answers (docs/scale-out.md).
         "SET spark.sql.optimizer.excludedRules=org.apache.spark.sql.catalyst.optimizer.PushDownPredicates,"
            + "org.apache.spark.sql.catalyst.optimizer.PushPredicateThroughNonJoin"]
    }
}
