/// The spelling of one SQL dialect: quoting, types and the few functions whose names differ.
/// Everything else — the shape of queries, the three-valued logic — is in `PlanSQLRenderer`, the
/// same for every dialect. A new dialect (PostgreSQL, Spark SQL) is one type conforming to this
/// protocol in a folder of its own under `SQL/`.
///
/// Contract: `identifier` and `literal` are the only ways names and constants reach SQL text, and
/// constants are rule text and policy only; input values reach an engine through the exported
/// files (`load`), never through SQL text.
package protocol SQLSyntax: Sendable {
    /// `duckdb`, `postgres`, `spark` (the `--dialect` value).
    var name: String { get }
    /// A quoted identifier (table, column, alias).
    func identifier(_ name: String) -> String
    /// A quoted string literal.
    func literal(_ value: String) -> String
    /// The column type of a plan type.
    func type(_ type: PlanType) -> String
    /// A list literal of strings.
    func list(_ items: [String]) -> String
    /// True if some element `v` of the (non-null) list satisfies `predicate` (which refers to the
    /// element as `variable`); false for an empty list.
    func anyElement(_ list: String, variable: String, where predicate: String) -> String
    /// `list` holds `element` (both non-null).
    func listHas(_ list: String, _ element: String) -> String
    /// Substring tests on non-null strings, without pattern syntax (no `LIKE` wildcards).
    func contains(_ string: String, _ part: String) -> String
    func startsWith(_ string: String, _ prefix: String) -> String
    func endsWith(_ string: String, _ suffix: String) -> String
    /// Lower case (`lower()` of the rule language: Unicode letters).
    func lower(_ string: String) -> String
    /// ASCII letters only lowered (`icontains` and friends compare ASCII case-insensitively).
    func asciiLower(_ string: String) -> String
    /// `a` divided by `b`, rounded towards minus infinity, as a 64-bit integer.
    func floorDiv(_ a: String, _ b: String) -> String
    /// `YYYY-MM-DD` of a day number (days since 1970-01-01).
    func isoDate(days: String) -> String
    /// A string as an ordering key in byte order (Unicode code point order for UTF-8), whatever the
    /// database's collation: file paths in the order the scan sorts them.
    func byteOrder(_ string: String) -> String
    /// String concatenation.
    func concat(_ parts: [String]) -> String
    /// The string has no characters other than spaces and tabs.
    func isBlank(_ string: String) -> String
    /// Aggregate: a map from the `keys` column to the `values` column over the group's rows (NULL
    /// over no rows).
    func mapAggregate(keys: String, values: String) -> String
    /// The value of `key` (non-null) in `map`; NULL if the map is NULL or lacks the key.
    func mapGet(_ map: String, _ key: String) -> String
    /// Aggregate: the elements of the list column over the group's rows, NULL lists skipped (NULL
    /// over no rows).
    func listConcatAggregate(_ list: String) -> String
    /// Statements that fill `table` from exported JSON Lines `files` (globs allowed). They may
    /// include client commands of the dialect's command-line client (PostgreSQL: psql `\copy`).
    /// Throws `ExportError` (`.unloadablePath`) for a name the client cannot spell.
    func load(_ table: ExportTable, files: [String]) throws -> [String]
    /// Statements that write the rows of `query` to `path` as JSON Lines, one object per row with
    /// the query's column names as keys (the result files `trennwand collect` reads).
    func writeResult(_ query: String, to path: String) throws -> [String]
    /// The statement that creates `table` empty, or nil for the standard `CREATE TABLE name
    /// (column type, …)` (`columns` is that list, already spelled). Spark: an empty temporary view,
    /// which `load` replaces by a view over the files.
    func createTable(_ table: ExportTable, columns: String) -> String?
    /// A subquery's first value: `value` of the row of `from` (`WHERE` clause `condition`, may be
    /// empty) that comes first in `order` (non-null keys); NULL over no rows. Standard: `ORDER BY …
    /// LIMIT 1`; engines that only accept aggregated correlated scalar subqueries (Spark) say `min_by`.
    func firstValue(_ value: String, from: String, condition: String, order: [String]) -> String
    /// Files the dialect's scripts need besides the SQL (Spark: the driver `run-all.py`), as
    /// (name in `sql/<dialect>/`, text).
    var clientFiles: [(name: String, text: String)] { get }
    /// Every lookup (`EXISTS`, first value) is hoisted into a derived table of its own, one per
    /// value, so no subquery is nested in another: Spark resolves outer references one level up
    /// only. Default false (DuckDB and PostgreSQL nest them).
    var hoistsLookups: Bool { get }
    /// Statements a script starts with (client settings).
    var scriptPreamble: [String] { get }
    /// Functions or aggregates the queries need that the engine lacks, created before the tables.
    var helpers: [String] { get }
}

extension SQLSyntax {
    /// Engines whose text comparison is binary (DuckDB, Spark) need nothing.
    package func byteOrder(_ string: String) -> String { string }
    package var helpers: [String] { [] }
    package var clientFiles: [(name: String, text: String)] { [] }
    package var hoistsLookups: Bool { false }
    package func createTable(_ table: ExportTable, columns: String) -> String? { nil }
    package func firstValue(_ value: String, from: String, condition: String, order: [String]) -> String {
        "(SELECT \(value) FROM \(from)\(condition) ORDER BY \(order.joined(separator: ", ")) LIMIT 1)"
    }
    package var scriptPreamble: [String] { [] }
}
