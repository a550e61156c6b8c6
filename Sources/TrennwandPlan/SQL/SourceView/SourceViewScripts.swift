import TrennwandRecords

/// The rule pack on DuckDB from the raw CSV inputs (`trennwand-bench rawsql`): one script that
/// creates the source view of every input (`DuckDBSourceView`), reads each file once into a table
/// (`tw_raw_<ordinal>`, rows the reader rejects included with their reason), makes the record and
/// reference tables of the export schema from them, loads the policy tables from JSON Lines files,
/// runs every rule's query — the queries `trennwand sql --dialect duckdb` writes — and writes the
/// rows to `results/duckdb-raw/<rule>.jsonl` and the rejected rows per file and reason to
/// `results/duckdb-raw/rejected.jsonl`. Run it in the directory the policy files are relative to.
package enum SourceViewScripts {
    package static let dialect = "duckdb-raw"
    package static let rejectedFile = "results/\(dialect)/rejected.jsonl"

    /// The statements of `run-all.sql`. `inputs` in the scan's order; `policyFiles` the policy
    /// tables' files (`ExportWriter.writePolicy`), relative to the directory the script runs in.
    package static func statements(inputs: [SourceViewInput], plans: [RulePlan], policyTimeZone: String,
                                   policyFiles: [(table: String, path: String)], parallel: Bool = true) throws -> [String] {
        let syntax = DuckDBSyntax()
        let renderer = PlanSQLRenderer(syntax)
        let q = syntax.identifier
        var view = DuckDBSourceView(policyTimeZone: policyTimeZone)
        view.parallel = parallel
        var zones = SourceViewZones()
        var views: [String] = []
        var reads: [String] = []
        for input in inputs {
            views += try view.view(input, name: "tw_csv_\(input.ordinal)", zones: &zones)
            reads.append("CREATE OR REPLACE TEMP TABLE \(q("tw_raw_\(input.ordinal)")) AS SELECT * FROM \(q("tw_csv_\(input.ordinal)"))")
        }
        // DuckDB's optimiser builds the hash table of the time-zone join on the file's side (1.3 M
        // rows) instead of the step table (1,500): 1.6 s instead of 0.08 s for 176 MB. Only for
        // reading the files; the rule queries run with every optimiser.
        if !reads.isEmpty { views += ["SET disabled_optimizers = 'build_side_probe_side'"] + reads + ["RESET disabled_optimizers"] }
        let rawKinds = Set(inputs.map(\.profile.kind))

        var out = DuckDBSourceView.helpers
        out += ExportSchema.allTables.filter { t in !rawKinds.contains { $0.rawValue == t.name } }.map(renderer.createTable)
        for f in policyFiles {
            guard let table = ExportSchema.policyTables.first(where: { $0.name == f.table }) else { continue }
            out += try syntax.load(table, files: [f.path])
        }
        out += zones.statements + views

        // The record and reference tables: a record kind's is a view over its inputs' accepted rows;
        // a lookup table's is materialised with `tw_row_no` (input ordinal, row among the accepted).
        for kind in RecordKind.allCases where rawKinds.contains(kind) {
            let table = ExportSchema.table(kind)
            let columns = table.columns.filter { $0.name != "tw_row_no" }.map { q($0.name) }.joined(separator: ", ")
            let parts = inputs.filter { $0.profile.kind == kind }.map { input -> String in
                let rowNumber = kind.isLookupTable
                    ? ", CAST(\(Int64(input.ordinal) << 32) + row_number() OVER (ORDER BY tw_index) AS BIGINT) AS \(q("tw_row_no"))" : ""
                return "SELECT \(columns)\(rowNumber) FROM \(q("tw_raw_\(input.ordinal)")) WHERE tw_reject IS NULL"
            }
            let body = parts.joined(separator: " UNION ALL ")
            out.append(kind.isLookupTable ? "CREATE OR REPLACE TEMP TABLE \(q(kind.rawValue)) AS \(body)" : "CREATE OR REPLACE TEMP VIEW \(q(kind.rawValue)) AS \(body)")
        }

        if !inputs.isEmpty {
            let all = inputs.map { "SELECT tw_file, tw_reject FROM \(q("tw_raw_\($0.ordinal)"))" }.joined(separator: " UNION ALL ")
            out += try syntax.writeResult("SELECT tw_file, tw_reject AS code, count(*) AS records FROM (\(all)) WHERE tw_reject IS NOT NULL "
                                          + "GROUP BY ALL ORDER BY ALL", to: rejectedFile)
        }
        for plan in plans {
            out += try syntax.writeResult(renderer.query(plan), to: ExportLayout.resultFile(dialect: dialect, rule: plan.ruleID))
        }
        return out
    }

    /// The statements as one script (each ends with `;`).
    package static func script(_ statements: [String]) -> String { statements.map { $0 + ";" }.joined(separator: "\n") + "\n" }
}
