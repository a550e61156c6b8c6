import Foundation
import TrennwandEngine
import TrennwandPlan
import XCTest

/// The two commands end to end on the Samples: `trennwand export --config Samples/audit.yaml`,
/// `trennwand sql --dialect …`, the generated `run-all.sql` run by the engine in the export
/// directory, and its result rows (`results/<dialect>/<rule>.jsonl`) compared rule by rule with the
/// findings of `trennwand scan` on the same configuration (JSON Lines, every occurrence).
///
/// What is compared: a record rule's finding is its record (file, line) — each occurrence of an
/// in-process finding against one result row; an aggregate rule's finding is its window start
/// (the finding's `time`; group keys are pseudonymised in-process) together with the record it
/// points at (file, line: `tw_file`, `tw_line` of the row). A mismatch names the rule, the record
/// or window and both verdicts.
final class ExportSQLEndToEndTests: XCTestCase {
    /// The Samples copied to a scratch directory (the configuration writes reports to `../out`),
    /// scanned and exported there.
    private struct Workspace {
        let root: URL
        let export: URL
        let findings: URL
        /// The exit code of the scan (`collect` must end the same way).
        let scanStatus: Int32
    }

    /// `prepare` may change the copied Samples directory before scan and export.
    private func workspace(rejectedRecords: Bool = true, prepare: (URL) throws -> Void = { _ in }) throws -> Workspace {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tw-export-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Samples"), to: root.appendingPathComponent("Samples"))
        try prepare(root.appendingPathComponent("Samples"))
        let scan = try Self.tool(["scan", "--config", "Samples/audit.yaml", "--format", "jsonl=findings.jsonl"], cwd: root)
        XCTAssertTrue(scan.status == 0 || scan.status == 1, "scan: \(scan.status) \(scan.stderr)")
        let ws = Workspace(root: root, export: root.appendingPathComponent("exp"), findings: root.appendingPathComponent("findings.jsonl"),
                           scanStatus: scan.status)
        let export = try Self.tool(["export", "--config", "Samples/audit.yaml", "--out", "exp"], cwd: root)
        XCTAssertEqual(export.status, 0, export.stderr)
        // Rejected records are reported as by scan (the Samples have two in Jobcenter-Zugriffe.csv).
        if rejectedRecords { XCTAssertTrue(export.stderr.contains("[input.rejected]"), export.stderr) }
        return ws
    }

    static let duckDBScript = "import duckdb, sys\ncon = duckdb.connect(config={'threads': 1})\ncon.execute(open('sql/duckdb/run-all.sql', encoding='utf-8').read())\n"

    /// `sql --dialect duckdb` and `run-all.sql` in the workspace's export directory.
    private func runDuckDB(_ ws: Workspace) throws {
        let sql = try Self.tool(["sql", "--dialect", "duckdb", "--config", "Samples/audit.yaml", "--out", "exp"], cwd: ws.root)
        XCTAssertEqual(sql.status, 0, sql.stderr)
        let run = try Self.tool(["python3", "-c", Self.duckDBScript], cwd: ws.export, executable: "/usr/bin/env")
        XCTAssertEqual(run.status, 0, "run-all.sql on DuckDB: \(run.stderr)")
    }

    /// `sql --dialect postgres` and `run-all.sql` run by psql in the export directory, in a schema of its own.
    private func runPostgreSQL(_ ws: Workspace, _ server: PostgresTestServer, schema: String = "e2e") throws {
        let sql = try Self.tool(["sql", "--dialect", "postgres", "--config", "Samples/audit.yaml", "--out", "exp"], cwd: ws.root)
        XCTAssertEqual(sql.status, 0, sql.stderr)
        let syntax = PostgreSQLSyntax()
        let wrapper = ws.root.appendingPathComponent("wrapper.sql")
        try Data(["\\cd \(syntax.literal(ws.export.path))", "CREATE SCHEMA \(schema);", "SET search_path TO \(schema);", "\\i sql/postgres/run-all.sql", ""]
            .joined(separator: "\n").utf8).write(to: wrapper)
        let (status, output) = server.psql(file: wrapper)
        XCTAssertEqual(status, 0, "run-all.sql on PostgreSQL: \(output)")
    }

    /// `sql --dialect spark` and the written driver `sql/spark/run-all.py` through spark-submit in
    /// local mode in the export directory (the invocation of docs/scale-out.md).
    private func runSpark(_ ws: Workspace) throws {
        let sql = try Self.tool(["sql", "--dialect", "spark", "--config", "Samples/audit.yaml", "--out", "exp"], cwd: ws.root)
        XCTAssertEqual(sql.status, 0, sql.stderr)
        XCTAssertTrue(sql.stdout.contains("sql/spark/run-all.py"), sql.stdout)
        let started = Date()
        let run = try Self.tool(["spark-submit"] + SparkTestEnvironment.submitOptions + ["sql/spark/run-all.py"], cwd: ws.export,
                                executable: "/usr/bin/env")
        XCTAssertEqual(run.status, 0, "run-all.py on Spark: \(run.stderr)")
        print("Spark run-all.py (spark-submit, local[2]): \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    func testSamplesGiveTheSameFindingsInProcessAndOnSpark() throws {
        try SparkTestEnvironment.check()
        let ws = try workspace()
        defer { try? FileManager.default.removeItem(at: ws.root) }
        try runSpark(ws)
        try compare(ws, dialect: "spark", engine: "Spark")
        try assertCollectMatchesScan(ws, dialect: "spark")
    }

    func testHostileValuesComeBackThroughCollectOnSpark() throws {
        try SparkTestEnvironment.check()
        let ws = try workspace(prepare: HostileSamples.inject)
        defer { try? FileManager.default.removeItem(at: ws.root) }
        try runSpark(ws)
        try compare(ws, dialect: "spark", engine: "Spark")
        try assertHostileValuesThroughCollect(ws, dialect: "spark")
    }

    func testSamplesGiveTheSameFindingsInProcessAndOnDuckDB() throws {
        let ws = try workspace()
        defer { try? FileManager.default.removeItem(at: ws.root) }
        try runDuckDB(ws)
        try compare(ws, dialect: "duckdb", engine: "DuckDB")
        try assertCollectMatchesScan(ws, dialect: "duckdb")
        let script = Self.duckDBScript

        // Per file and stateless: the same inputs exported in two separate runs into one directory
        // (as two machines would) give the same result rows, byte for byte.
        let split = ws.root.appendingPathComponent("exp2")
        let first = try Self.tool(["export", "--out", "exp2", "Samples/Stammdaten", "Samples/Traeger-Dokumentation.xml", "Samples/Traeger-Zugriffe.csv",
                                   "Samples/Plattform-Datenfluesse.csv", "Samples/Jobcenter-Zuweisungen.csv",
                                   "Samples/Jobcenter-Zugriffe-Sammelabrufe.csv"], cwd: ws.root)
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try Self.tool(["export", "--out", "exp2", "Samples/Jobcenter-Zugriffe.csv"], cwd: ws.root)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try Self.tool(["sql", "--dialect", "duckdb", "--config", "Samples/audit.yaml", "--out", "exp2"], cwd: ws.root).status, 0)
        XCTAssertEqual(try Self.tool(["python3", "-c", script], cwd: split, executable: "/usr/bin/env").status, 0)
        let results = try FileManager.default.contentsOfDirectory(atPath: ws.export.appendingPathComponent("results/duckdb").path).sorted()
        XCTAssertEqual(results.count, 32)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: split.appendingPathComponent("results/duckdb").path).sorted(), results)
        for name in results {
            XCTAssertEqual(try Data(contentsOf: split.appendingPathComponent("results/duckdb/\(name)")),
                           try Data(contentsOf: ws.export.appendingPathComponent("results/duckdb/\(name)")), "\(name): split export differs")
        }
        try assertCollectRefusesBrokenResults(ws)
        try assertCollectContinuesTheScansState(ws)
    }

    /// `--state`: a collect after a scan into the same store finds the scan's findings again
    /// (same fingerprints): every finding the scan recorded as new is open now, a waived one stays
    /// waived, nothing is new or resolved.
    private func assertCollectContinuesTheScansState(_ ws: Workspace) throws {
        let scan = try Self.tool(["scan", "--config", "Samples/audit.yaml", "--state", "state.db", "--format", "jsonl=state-scan.jsonl"], cwd: ws.root)
        XCTAssertEqual(scan.status, ws.scanStatus, scan.stderr)
        let collect = try Self.tool(["collect", "--from", "exp", "--config", "Samples/audit.yaml", "--state", "state.db",
                                     "--format", "jsonl=state-collect.jsonl", "--metrics", "collect.prom"], cwd: ws.root)
        XCTAssertTrue(collect.status == 0 || collect.status == 1, collect.stderr)
        // --metrics is completed as by scan (the exit code appended after the verdict).
        let metrics = String(decoding: try Data(contentsOf: ws.root.appendingPathComponent("collect.prom")), as: UTF8.self)
        XCTAssertTrue(metrics.contains("trennwand_exit_code \(collect.status)"), metrics)
        func statuses(_ name: String) throws -> [String: String] {
            var out: [String: String] = [:]
            for line in try Data(contentsOf: ws.root.appendingPathComponent(name)).split(separator: 0x0A) {
                let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
                guard o["type"] as? String == "finding", let fp = o["fingerprint"] as? String else { continue }
                out[fp] = o["status"] as? String ?? "none"
            }
            return out
        }
        let before = try statuses("state-scan.jsonl"), after = try statuses("state-collect.jsonl")
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        XCTAssertTrue(before.values.contains("new"))
        for (fp, status) in before {
            XCTAssertEqual(after[fp], status == "new" ? "open" : status, "fingerprint \(fp): scan \(status)")
        }
    }

    /// Broken or incomplete result rows are an input error naming the file (and line), never a run
    /// without findings; an unknown dialect is a usage error.
    private func assertCollectRefusesBrokenResults(_ ws: Workspace) throws {
        func collect(_ extra: [String] = [], from: String = "exp") throws -> (status: Int32, stdout: String, stderr: String) {
            try Self.tool(["collect", "--from", from, "--config", "Samples/audit.yaml", "--format", "jsonl=broken.jsonl"] + extra, cwd: ws.root)
        }
        let unknown = try collect(["--dialect", "oracle"])
        XCTAssertEqual(unknown.status, 2, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("[collect.usage]"), unknown.stderr)
        // Spark's driver never ran in this workspace: no result directory (input error, not usage).
        let sparkNotRun = try collect(["--dialect", "spark"])
        XCTAssertEqual(sparkNotRun.status, 3, sparkNotRun.stderr)
        XCTAssertTrue(sparkNotRun.stderr.contains("[collect.row]") && sparkNotRun.stderr.contains("results/spark"), sparkNotRun.stderr)
        let noExport = try collect(from: "nowhere")
        XCTAssertEqual(noExport.status, 3, noExport.stderr)
        // PostgreSQL's run-all.sql never ran in this workspace: no result directory.
        let notRun = try collect(["--dialect", "postgres"])
        XCTAssertEqual(notRun.status, 3, notRun.stderr)
        XCTAssertTrue(notRun.stderr.contains("[collect.row]") && notRun.stderr.contains("results/postgres"), notRun.stderr)

        let results = ws.export.appendingPathComponent("results/duckdb")
        let tw101 = results.appendingPathComponent("TW101.jsonl")
        let original = try Data(contentsOf: tw101)
        try Data(original + Data("{\"rule_id\":\"TW101\",\"tw_file\":\"x\"\n".utf8)).write(to: tw101)
        let lines = original.split(separator: 0x0A).count
        let broken = try collect()
        XCTAssertEqual(broken.status, 3, broken.stderr)
        XCTAssertTrue(broken.stderr.contains("TW101.jsonl:\(lines + 1)") && broken.stderr.contains("[collect.row]"), broken.stderr)
        try FileManager.default.removeItem(at: tw101)
        let missing = try collect()
        XCTAssertEqual(missing.status, 3, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("TW101.jsonl") && missing.stderr.contains("[collect.row]"), missing.stderr)
        try original.write(to: tw101)
    }

    func testSamplesGiveTheSameFindingsInProcessAndOnPostgreSQL() throws {
        let server = PostgresTestServer()
        defer { server.stop() }
        try server.check()
        let ws = try workspace()
        defer { try? FileManager.default.removeItem(at: ws.root) }
        try runPostgreSQL(ws, server)
        try compare(ws, dialect: "postgres", engine: "PostgreSQL")
        try assertCollectMatchesScan(ws, dialect: "postgres")

        // The aggregate locators' tie-breaking on the same server.
        let crafted = try workspace(rejectedRecords: false, prepare: Self.craftAccessLogs)
        defer { try? FileManager.default.removeItem(at: crafted.root) }
        try runPostgreSQL(crafted, server, schema: "crafted")
        try compare(crafted, dialect: "postgres", engine: "PostgreSQL", samples: false)
        try Self.assertCraftedLocators(crafted, dialect: "postgres")
        try assertCollectMatchesScan(crafted, dialect: "postgres")
    }

    /// Aggregate rows point at the record the in-process engine names where input order and time
    /// order disagree: TW402's hour is read out of time order (the later Träger log, from February,
    /// is late for the watermark the crafted March log set, so the scan re-evaluates TW402 in time
    /// order: the earliest record, its twin at the same time in the later input losing the tie),
    /// and TW902's record before the gap has a twin at the same time in a later input (whole run,
    /// input order: the first input's wins). The two access logs are named so that path order
    /// differs from a locale's collation (`-2` before `.csv` in bytes, after it ignoring punctuation).
    func testAggregateLocatorsFollowInputOrderOnDuckDB() throws {
        let ws = try workspace(rejectedRecords: false, prepare: Self.craftAccessLogs)
        defer { try? FileManager.default.removeItem(at: ws.root) }
        try runDuckDB(ws)
        try compare(ws, dialect: "duckdb", engine: "DuckDB", samples: false)
        try Self.assertCraftedLocators(ws, dialect: "duckdb")
        try assertCollectMatchesScan(ws, dialect: "duckdb")
    }

    /// Replaces the Samples' Jobcenter access logs by two synthetic ones (the original's header,
    /// which ends in CR; CRLF lines as the original).
    static func craftAccessLogs(_ samples: URL) throws {
        let original = samples.appendingPathComponent("Jobcenter-Zugriffe.csv")
        let header = try Data(contentsOf: original).split(separator: 0x0A, omittingEmptySubsequences: false)[0]
        try FileManager.default.removeItem(at: original)
        try FileManager.default.removeItem(at: samples.appendingPathComponent("Jobcenter-Zugriffe-Sammelabrufe.csv"))
        func line(_ time: String, _ actor: String, _ subject: Int) -> String {
            "\(time);\(actor);JC;Integrationsfachkraft;Protokolltest;Lesen;;962D\(String(format: "%06d", subject));Vermittlung;JC-PC-0815;JC-Netz;;;;Beratung;"
        }
        // A system of its own (the Samples' VerBIS has entries in the assignments file).
        // First input: 45 people read in one hour, the 09:50 one first; then Friday noon, before the gap.
        // Second input: a twin of the hour's earliest read (09:00), a twin of Friday noon, the entries after the gap.
        var first = [line("03.03.2025 09:50:00", "JC-M-0050", 100)]
        first += (0..<44).map { line(String(format: "03.03.2025 09:%02d:00", $0), "JC-M-0050", 101 + $0) }
        first.append(line("07.03.2025 12:00:00", "JC-M-0042", 1))
        let second = [line("03.03.2025 09:00:00", "JC-M-0050", 200), line("07.03.2025 12:00:00", "JC-M-0043", 2), line("17.03.2025 08:00:00", "JC-M-0042", 3),
                      line("18.03.2025 08:00:00", "JC-M-0042", 4)]
        for (name, lines) in [("Jobcenter-Zugriffe-2.csv", first), ("Jobcenter-Zugriffe.csv", second)] {
            try (header + Data(("\n" + lines.joined(separator: "\r\n") + "\r\n").utf8)).write(to: samples.appendingPathComponent(name))
        }
    }

    /// The crafted rows themselves (besides the comparison with the scan): TW402 at the first
    /// input's line 3 (09:00), TW902 before the gap at its last line.
    private static func assertCraftedLocators(_ ws: Workspace, dialect: String) throws {
        func rows(_ rule: String) throws -> [[String: Any]] {
            try Data(contentsOf: ws.export.appendingPathComponent(ExportLayout.resultFile(dialect: dialect, rule: rule)))
                .split(separator: 0x0A).map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
        }
        func at(_ o: [String: Any]) -> String { "\(o["tw_file"] as? String ?? "?"):\((o["tw_line"] as? NSNumber)?.intValue ?? 0)" }
        let tw402 = try rows("TW402").filter { $0["actor"] as? String == "JC-M-0050" }
        XCTAssertEqual(tw402.map(at), ["Samples/Jobcenter-Zugriffe-2.csv:3"], dialect)
        let tw902 = try rows("TW902").filter { $0["system"] as? String == "Protokolltest" && ($0["tw_window_end"] as? NSNumber)?.int64Value == 1_742_194_800 }
        XCTAssertEqual(tw902.map(at), ["Samples/Jobcenter-Zugriffe-2.csv:47"], dialect)
    }

    /// Compares every rule's result rows with the in-process findings; fails with rule, record or
    /// window and both verdicts.
    /// `samples`: the Samples as shipped (every rule fires, many findings); else crafted input.
    private func compare(_ ws: Workspace, dialect: String, engine: String, samples: Bool = true) throws {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let (plans, errors) = RulePlanner(policy: policy, now: 0).plan(set)
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        let aggregate = Set(plans.filter { if case .aggregate = $0.body { return true } else { return false } }.map(\.ruleID))

        var inProcess: [String: [String: Int]] = [:]
        for line in try Data(contentsOf: ws.findings).split(separator: 0x0A) {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            guard o["type"] as? String == "finding", let rule = o["rule_id"] as? String else { continue }
            let window = aggregate.contains(rule) ? "window from \(o["time"] as? String ?? "none") at " : ""
            for occurrence in o["occurrences"] as? [[String: Any]] ?? [] {
                inProcess[rule, default: [:]]["\(window)\(occurrence["file"] as? String ?? "?"):\(occurrence["line"] as? Int ?? 0)", default: 0] += 1
            }
        }

        var onEngine: [String: [String: Int]] = [:]
        var rows = 0
        for plan in plans {
            let file = ws.export.appendingPathComponent(ExportLayout.resultFile(dialect: dialect, rule: plan.ruleID))
            let data = try Data(contentsOf: file)
            for line in data.split(separator: 0x0A) {
                rows += 1
                let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], String(decoding: line, as: UTF8.self))
                XCTAssertEqual(o["rule_id"] as? String, plan.ruleID)
                var key = "\(o["tw_file"] as? String ?? "?"):\((o["tw_line"] as? NSNumber)?.intValue ?? 0)"
                if aggregate.contains(plan.ruleID) {
                    let start = try XCTUnwrap((o["tw_window_start"] as? NSNumber)?.int64Value)
                    key = "window from \(Self.iso(start)) at " + key
                }
                onEngine[plan.ruleID, default: [:]][key, default: 0] += 1
            }
        }

        var findings = 0
        for plan in plans {
            let a = inProcess[plan.ruleID] ?? [:], b = onEngine[plan.ruleID] ?? [:]
            findings += a.values.reduce(0, +)
            for key in Set(a.keys).union(b.keys).sorted() where a[key] != b[key] {
                XCTFail("\(plan.ruleID), \(key): in-process \(a[key] ?? 0) finding(s), \(engine) \(b[key] ?? 0) row(s)")
            }
        }
        if samples {
            XCTAssertGreaterThan(findings, 100, "the Samples give findings of many rules")
            XCTAssertEqual(Set(inProcess.keys), Set(plans.map(\.ruleID)), "every rule fires on the Samples")
        } else {
            XCTAssertTrue(inProcess["TW402"] != nil && inProcess["TW902"] != nil, "crafted input: TW402 and TW902 fire")
        }
        print("\(engine) end to end on \(samples ? "the Samples" : "crafted input"): \(plans.count) rules, \(findings) in-process occurrences, \(rows) result rows")
    }

    /// `trennwand collect --from exp --dialect …` with the scan's configuration and `--format jsonl`
    /// gives the scan's JSON Lines: the same findings in the same order, each the same object —
    /// fingerprint, rule, severity, class, texts, norms, file:line, time, masked evidence,
    /// pseudonyms, every occurrence — and the same exit code. Only the summary's run times differ.
    /// `options` are given to both (`scanned`: the scan's JSON Lines made with them, `status` its exit
    /// code; default the workspace's scan). Returns the collected findings by fingerprint.
    @discardableResult
    private func assertCollectMatchesScan(_ ws: Workspace, dialect: String, options: [String] = [], scanned: URL? = nil,
                                          status: Int32? = nil) throws -> [String: NSDictionary] {
        let output = "collected-\(dialect)\(options.joined()).jsonl"
        let collect = try Self.tool(["collect", "--from", "exp", "--dialect", dialect, "--config", "Samples/audit.yaml",
                                     "--format", "jsonl=\(output)"] + options, cwd: ws.root)
        XCTAssertEqual(collect.status, status ?? ws.scanStatus, "collect (\(dialect)) ends as the scan: \(collect.stderr)")
        func findings(_ url: URL) throws -> (order: [String], byFingerprint: [String: NSDictionary], summary: NSDictionary?) {
            var order: [String] = [], by: [String: NSDictionary] = [:], summary: NSDictionary?
            for line in try Data(contentsOf: url).split(separator: 0x0A) {
                let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? NSDictionary)
                if o["type"] as? String == "summary" { summary = o; continue }
                let fp = try XCTUnwrap(o["fingerprint"] as? String)
                XCTAssertNil(by[fp], "\(url.lastPathComponent): fingerprint \(fp) twice")
                order.append(fp)
                by[fp] = o
            }
            return (order, by, summary)
        }
        let scan = try findings(scanned ?? ws.findings), collected = try findings(ws.root.appendingPathComponent(output))
        XCTAssertGreaterThan(scan.order.count, 0)
        for fp in Set(scan.order).union(collected.order).sorted() {
            guard let a = scan.byFingerprint[fp], let b = collected.byFingerprint[fp] else {
                let o = scan.byFingerprint[fp] ?? collected.byFingerprint[fp]
                XCTFail("\(dialect): \(o?["rule_id"] ?? "?") \(o?["file"] ?? "?"):\(o?["line"] ?? "?") fingerprint \(fp) only in \(scan.byFingerprint[fp] == nil ? "collect" : "scan")")
                continue
            }
            for key in Set(a.allKeys.compactMap { $0 as? String }).union(b.allKeys.compactMap { $0 as? String }).sorted()
            where !((a[key] as? NSObject)?.isEqual(b[key]) ?? (b[key] == nil)) {
                XCTFail("\(dialect): \(a["rule_id"] ?? "?") \(a["file"] ?? "?"):\(a["line"] ?? "?") \(key): scan \(a[key] ?? "nil"), collect \(b[key] ?? "nil")")
            }
        }
        XCTAssertEqual(collected.order, scan.order, "\(dialect): findings in the scan's order")
        // The summary (rules, inputs, counts, verdict) too, except the run's own times.
        let summaries = [scan.summary, collected.summary].map { s -> NSDictionary? in
            guard let d = s?.mutableCopy() as? NSMutableDictionary else { return nil }
            d.removeObjects(forKeys: ["started", "finished", "elapsed", "duration_seconds"])
            return d
        }
        XCTAssertNotNil(summaries[0])
        XCTAssertEqual(summaries[0], summaries[1], "\(dialect): summary")
        print("collect (\(dialect)\(options.isEmpty ? "" : " " + options.joined(separator: " "))): \(collected.order.count) findings identical to the scan's, exit \(collect.status)")
        return collected.byFingerprint
    }

    /// The hostile values (`HostileSamples`) through export → engine → collect, masked (the default: the 1 MB value's
    /// byte count, the participant's pseudonym) and revealed (`--reveal-force`: the values
    /// themselves), each compared with the scan's JSON Lines; the revealed evidence must hold the
    /// values byte for byte.
    private func assertHostileValuesThroughCollect(_ ws: Workspace, dialect: String) throws {
        let masked = try assertCollectMatchesScan(ws, dialect: dialect)
        func values(_ findings: [String: NSDictionary]) -> [String] {
            findings.values.flatMap { ($0["evidence"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String } }
        }
        XCTAssertTrue(values(masked).contains("[Text, \(HostileSamples.bigWorkstation.utf8.count) Bytes]"), "masked: the 1 MB value's length")
        XCTAssertFalse(values(masked).contains(HostileSamples.workstation), "masked: the hostile value is not shown")
        let revealed = ws.root.appendingPathComponent("revealed.jsonl")
        let scan = try Self.tool(["scan", "--config", "Samples/audit.yaml", "--reveal-force", "--format", "jsonl=revealed.jsonl"], cwd: ws.root)
        let shown = try assertCollectMatchesScan(ws, dialect: dialect, options: ["--reveal-force"], scanned: revealed, status: scan.status)
        for value in [HostileSamples.workstation, HostileSamples.bigWorkstation] {
            XCTAssertTrue(values(shown).contains { Array($0.utf8) == Array(value.utf8) },
                          "revealed: \(value.utf8.count) bytes of \(value.prefix(20).debugDescription) byte for byte")
        }
    }

    func testHostileValuesComeBackThroughCollectOnDuckDB() throws {
        let ws = try workspace(prepare: HostileSamples.inject)
        defer { try? FileManager.default.removeItem(at: ws.root) }
        try runDuckDB(ws)
        try compare(ws, dialect: "duckdb", engine: "DuckDB")
        try assertHostileValuesThroughCollect(ws, dialect: "duckdb")
    }

    func testHostileValuesComeBackThroughCollectOnPostgreSQL() throws {
        let server = PostgresTestServer()
        defer { server.stop() }
        try server.check()
        let ws = try workspace(prepare: HostileSamples.inject)
        defer { try? FileManager.default.removeItem(at: ws.root) }
        try runPostgreSQL(ws, server, schema: "hostile")
        try compare(ws, dialect: "postgres", engine: "PostgreSQL")
        try assertHostileValuesThroughCollect(ws, dialect: "postgres")
    }

    static func iso(_ seconds: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Runs the built `trennwand` (or `executable`) in `cwd`; stdout and stderr through files.
    static func tool(_ args: [String], cwd: URL, executable: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? TestPaths.projectRoot.appendingPathComponent(".build/debug/trennwand").path)
        p.arguments = args
        p.currentDirectoryURL = cwd
        var env = ProcessInfo.processInfo.environment
        env["TRENNWAND_KEY"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        env.removeValue(forKey: "TRENNWAND_LANG")
        env["TRENNWAND_RULES"] = TestPaths.rules.path
        p.environment = env
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        return (p.terminationStatus, String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
