/// DuckDB (checked with the pinned 2.0.0 of `make pydeps`).
package struct DuckDBSyntax: SQLSyntax {
    package init() {}

    package var name: String { "duckdb" }

    package func identifier(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Standard SQL string literal: quotes doubled, backslashes literal (DuckDB has no `E''` escapes
    /// in plain literals). A NUL cannot occur in rule text or policy (YAML refuses it).
    package func literal(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }

    package func type(_ type: PlanType) -> String {
        switch type {
        case .string: return "VARCHAR"
        case .stringList: return "VARCHAR[]"
        case .number: return "DOUBLE"
        case .bool: return "BOOLEAN"
        case .seconds: return "BIGINT"
        }
    }

    package func list(_ items: [String]) -> String { "CAST([" + items.map(literal).joined(separator: ", ") + "] AS VARCHAR[])" }

    /// A list lambda, not `EXISTS (SELECT … unnest(…))`: a correlated subquery per test multiplies
    /// the optimiser's work; elements whose predicate is NULL are not kept (as `WHERE` would).
    package func anyElement(_ list: String, variable: String, where predicate: String) -> String {
        "(len(list_filter(\(list), lambda \(variable): \(predicate))) > 0)"
    }

    package func listHas(_ list: String, _ element: String) -> String { "list_contains(\(list), \(element))" }
    package func contains(_ string: String, _ part: String) -> String { "contains(\(string), \(part))" }
    package func startsWith(_ string: String, _ prefix: String) -> String { "starts_with(\(string), \(prefix))" }
    package func endsWith(_ string: String, _ suffix: String) -> String { "ends_with(\(string), \(suffix))" }
    package func lower(_ string: String) -> String { "lower(\(string))" }
    package func asciiLower(_ string: String) -> String {
        "translate(\(string), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    }
    package func floorDiv(_ a: String, _ b: String) -> String { "CAST(floor((\(a)) / (\(b))) AS BIGINT)" }
    package func isoDate(days: String) -> String { "strftime(DATE '1970-01-01' + CAST(\(days) AS INTEGER), '%Y-%m-%d')" }
    package func concat(_ parts: [String]) -> String { "(" + parts.joined(separator: " || ") + ")" }
    package func isBlank(_ string: String) -> String { "(trim(\(string), ' \t') = '')" }

    package func mapAggregate(keys: String, values: String) -> String { "map(list(\(keys)), list(\(values)))" }
    package func mapGet(_ map: String, _ key: String) -> String { "\(map)[\(key)]" }
    package func listConcatAggregate(_ list: String) -> String {
        "flatten(list(\(list)) FILTER (WHERE \(list) IS NOT NULL))"
    }

    package func load(_ table: ExportTable, files: [String]) throws -> [String] {
        let columns = table.columns.map { "\(literal($0.name)): \(literal(type($0.type)))" }.joined(separator: ", ")
        let sources = "[" + files.map(literal).joined(separator: ", ") + "]"
        return ["INSERT INTO \(identifier(table.name)) SELECT * FROM read_json(\(sources), format = 'newline_delimited', "
                + "columns = {\(columns)})"]
    }

    /// `COPY … TO … (FORMAT json)`: newline-delimited objects, the query's order kept
    /// (`preserve_insertion_order` is on by default); an empty result writes an empty file.
    package func writeResult(_ query: String, to path: String) throws -> [String] {
        ["COPY (\(query)) TO \(literal(path)) (FORMAT json)"]
    }
}
