/// The scripts `trennwand sql` writes for one dialect, all paths relative to the export directory
/// (run them there):
///
/// - `sql/<dialect>/schema.sql`: helpers and tables (`PlanSQLRenderer.ddl`);
/// - `sql/<dialect>/load.sql`: every file the manifests list, table by table;
/// - `sql/<dialect>/rules/<rule>.sql`: the rule's query (finding rows, docs/scale-out.md);
/// - `sql/<dialect>/run-all.sql`: the three above in one script (no includes, so it runs from any
///   client as one file), each rule's rows written to `results/<dialect>/<rule>.jsonl`;
/// - the dialect's `clientFiles` (Spark: `sql/spark/run-all.py`, the driver that runs `run-all.sql`).
package struct SQLScripts<Syntax: SQLSyntax> {
    package let renderer: PlanSQLRenderer<Syntax>

    package init(_ renderer: PlanSQLRenderer<Syntax>) { self.renderer = renderer }

    /// The load statements for the files of `manifests`, in table order (records, reference,
    /// policy), each table's files in manifest order.
    package func load(_ manifests: [ExportManifest]) throws -> [String] {
        var byTable: [String: [String]] = [:]
        for m in manifests {
            for f in m.files { byTable[f.table, default: []].append(f.path) }
        }
        var out: [String] = []
        for table in ExportSchema.allTables {
            guard let files = byTable[table.name], !files.isEmpty else { continue }
            out += try renderer.syntax.load(table, files: files)
        }
        return out
    }

    /// Every file as (path relative to the export directory, text).
    package func files(plans: [RulePlan], manifests: [ExportManifest]) throws -> [(path: String, text: String)] {
        let dialect = renderer.syntax.name
        let dir = ExportLayout.sqlDirectory(dialect: dialect)
        let ddl = renderer.ddl(), loads = try load(manifests)
        var out: [(String, String)] = [
            ("\(dir)/schema.sql", script(ddl)),
            ("\(dir)/load.sql", script(loads)),
        ]
        var all = renderer.syntax.scriptPreamble + ddl + loads
        for plan in plans {
            let query = renderer.query(plan)
            out.append(("\(dir)/rules/\(plan.ruleID).sql", script([query])))
            all += try renderer.syntax.writeResult(query, to: ExportLayout.resultFile(dialect: dialect, rule: plan.ruleID))
        }
        out.append(("\(dir)/run-all.sql", script(all)))
        for f in renderer.syntax.clientFiles { out.append(("\(dir)/\(f.name)", f.text)) }
        return out
    }

    /// Statements as a script: SQL ends with `;`, client commands (`\copy`, `\o`) stand alone.
    package func script(_ statements: [String]) -> String {
        statements.map { $0.hasPrefix("\\") ? $0 : $0 + ";" }.joined(separator: "\n") + "\n"
    }
}
