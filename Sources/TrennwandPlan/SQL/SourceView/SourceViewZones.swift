/// The zone step tables (`ZoneSteps`) a script's source views need, one per pair of profile and
/// pack time zone, each created once.
package struct SourceViewZones {
    package struct Table {
        package let name: String
        /// Change points per bucket: the columns `l1, f1, h1` … `l<changes>, f<changes>, h<changes>`.
        package let changes: Int
    }

    private var tables: [String: Table] = [:]
    /// The statements creating the tables, in the order they were first needed.
    package private(set) var statements: [String] = []

    package init() {}

    mutating func table(source: String, target: String, input: String) throws -> Table {
        let key = source + "\u{0}" + target
        if let t = tables[key] { return t }
        guard let steps = ZoneSteps(source: source, target: target) else {
            throw SourceViewIssue("profile.timezone", "\(input): unknown time zone \(source) or \(target)")
        }
        let syntax = DuckDBSyntax()
        let table = Table(name: "tw_zone_\(tables.count + 1)", changes: max(steps.maxChanges, 1))
        var columns = ["b", "f0", "h0"]
        for k in 1...table.changes { columns += ["l\(k)", "f\(k)", "h\(k)"] }
        statements.append("CREATE OR REPLACE TEMP TABLE \(syntax.identifier(table.name)) (" + columns.map { "\($0) BIGINT" }.joined(separator: ", ") + ")")
        var rows: [String] = []
        for (b, bucket) in steps.buckets.enumerated() {
            var values = ["\(b)", "\(bucket.f)", "\(bucket.h)"]
            for k in 0..<table.changes {
                if k < bucket.changes.count {
                    let c = bucket.changes[k]
                    values += ["\(c.local)", "\(c.f)", "\(c.h)"]
                } else {
                    values += ["NULL", "NULL", "NULL"]
                }
            }
            rows.append("(" + values.joined(separator: ", ") + ")")
        }
        statements.append("INSERT INTO \(syntax.identifier(table.name)) VALUES " + rows.joined(separator: ", "))
        tables[key] = table
        return table
    }
}
