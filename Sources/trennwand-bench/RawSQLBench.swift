import Foundation
import TrennwandEngine
import TrennwandPlan
import TrennwandReaders
import TrennwandRecords
import TrennwandScan

/// `trennwand-bench rawsql --out DIR --now T [--rules DIR] [--sequential] PATH…`: the rule pack on
/// DuckDB from the raw CSV inputs, for the bench's like-for-like rows (docs/performance-notes.md).
/// Writes `DIR/sql/duckdb-raw/run-all.sql` (source views of the inputs, the generated rule queries)
/// and the policy tables under `DIR/policy/`; run the script in DIR, the rows go to
/// `DIR/results/duckdb-raw/`. The inputs are resolved as `trennwand scan` resolves them (directories
/// expanded, profiles detected, same order, so `tw_row_no` is the scan's). No export is made: the
/// only values Swift computes are the policy tables and the parsed schedules of secondments files.
enum RawSQLBench {
    static func run(_ arguments: [String]) throws {
        var out: String?, now: String?, rules = "Rules", parallel = true
        var paths: [String] = []
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--out": i += 1; out = i < arguments.count ? arguments[i] : nil
            case "--now": i += 1; now = i < arguments.count ? arguments[i] : nil
            case "--rules": i += 1; rules = i < arguments.count ? arguments[i] : rules
            case "--sequential": parallel = false
            default: paths.append(arguments[i])
            }
            i += 1
        }
        guard let out, let now, !paths.isEmpty else {
            throw BenchError("usage: trennwand-bench rawsql --out DIR --now ISO8601 [--rules DIR] [--sequential] PATH…")
        }
        guard let parsed = CivilTime.parseISO8601(Array(now.utf8)), let utc = ZoneConverter(identifier: "UTC") else {
            throw BenchError("--now: ISO 8601 timestamp expected")
        }
        let ruleSet = RuleSet.load(rulesDirectory: rules)
        if let e = ruleSet.errors.first { throw BenchError("rules: \(e.text(.en))") }
        let policy = try PolicyData.load(rulesDirectory: rules)
        let catalog = try ProfileCatalog(directories: [rules + "/profiles"])
        let (plans, errors) = RulePlanner(policy: policy, now: parsed.utc(zone: utc)).plan(ruleSet)
        if let e = errors.first { throw BenchError("plan: \(e.text(.en))") }

        var inputs: [SourceViewInput] = []
        var schedules: [String] = []
        for (n, path) in expandPaths(paths).enumerated() {
            let resolved = try UnitReader.resolve(ScanInput(path: path), catalog: catalog)
            guard let profile = resolved.profile else {
                throw BenchError("\(path): \(resolved.failure?.fileError.map { "\($0.reason.message.text(.en)) [\($0.reason.code)]" } ?? "no profile")")
            }
            inputs.append(try SourceViewInput.open(path: path, profile: profile, ordinal: n + 1))
            // Schedules have no SQL form: their texts are parsed in Swift into the policy tables.
            if profile.kind == .secondments, let slot = RecordKind.secondments.schema.slot("schedule") {
                _ = UnitReader.readWhole(path: path, profile: profile, catalog: catalog) { record in
                    if let s = record[slot].stringValue { schedules.append(s.string) }
                }
            }
        }
        let files = try ExportWriter.writePolicy(directory: out, policy: policy, plans: plans, moreSchedules: schedules)
        let statements = try SourceViewScripts.statements(inputs: inputs, plans: plans, policyTimeZone: policy.timeZone,
                                                          policyFiles: files.map { ($0.table, $0.path) }, parallel: parallel)
        let script = ExportLayout.sqlDirectory(dialect: SourceViewScripts.dialect) + "/run-all.sql"
        try ExportWriter.writeFile(Array(SourceViewScripts.script(statements).utf8), directory: out, path: script)
        let results = (out as NSString).appendingPathComponent("results/\(SourceViewScripts.dialect)")
        try? FileManager.default.removeItem(atPath: results)
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        print("\(plans.count) rules, \(inputs.count) inputs: \(out)/\(script)")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
