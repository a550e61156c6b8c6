import Foundation
import XCTest

/// Issue #17, as an operator meets it: journald priorities and JSON log lines on stderr, plain
/// text under NO_COLOR, folders and empty inputs in audit.yaml, `--metrics` for node_exporter,
/// and the command-line conventions (`--lang` before the subcommand, unknown subcommands).
final class OperationsCLITests: XCTestCase {
    /// A folder with one synthetic export in a nested subfolder (two rejected records: a warning)
    /// and a file that does not exist (an error).
    private func workspace() throws -> URL {
        let dir = try CLI.temporaryDirectory()
        let sub = dir.appendingPathComponent("exp/2026/01")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestPaths.samples.appendingPathComponent("Jobcenter-Zugriffe.csv"),
                                         to: sub.appendingPathComponent("Jobcenter-Zugriffe.csv"))
        return dir
    }

    private var now: [String] { ["--now", "2025-12-31T12:00:00+01:00"] }

    // MARK: logging

    func testJournaldPrefixesCarryTheLevel() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["scan", dir.appendingPathComponent("exp").path, dir.appendingPathComponent("missing.csv").path] + now,
                            env: ["JOURNAL_STREAM": "8:12345"])
        XCTAssertEqual(r.status, 3, r.stderr)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        XCTAssertFalse(lines.isEmpty)
        for line in lines { XCTAssertTrue(line.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil, line) }
        XCTAssertTrue(lines.contains { $0.hasPrefix("<4>") && $0.contains("[input.rejected]") }, r.stderr)
        XCTAssertTrue(lines.contains { $0.hasPrefix("<3>") && $0.contains("[input.unreadable]") }, r.stderr)
        // Findings and summaries stay on stdout, errors never go there.
        XCTAssertFalse(r.stdout.contains("<3>") || r.stdout.contains("<4>"))

        let plain = try CLI.run(["scan", dir.appendingPathComponent("missing.csv").path] + now, env: ["JOURNAL_STREAM": ""])
        XCTAssertFalse(plain.stderr.hasPrefix("<"), plain.stderr)
    }

    func testJSONLogLinesParse() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.csv").path
        let r = try CLI.run(["scan", "--log-format", "json", dir.appendingPathComponent("exp").path, missing] + now)
        XCTAssertEqual(r.status, 3, r.stderr)
        let objects = try r.stderr.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
        XCTAssertGreaterThanOrEqual(objects.count, 2)
        for o in objects {
            XCTAssertEqual(Set(o.keys), ["time", "level", "code", "message", "file", "fields"], "\(o)")
            let time = try XCTUnwrap(o["time"] as? String)
            XCTAssertTrue(time.hasSuffix("Z") && time.count >= 20, time)
        }
        let error = try XCTUnwrap(objects.first { $0["code"] as? String == "input.unreadable" })
        XCTAssertEqual(error["level"] as? String, "error")
        XCTAssertEqual(error["file"] as? String, missing)
        XCTAssertFalse((error["message"] as? String ?? "").hasSuffix("]"), "the code is a field, not part of the message")
        XCTAssertTrue(objects.contains { $0["level"] as? String == "warning" && $0["code"] as? String == "input.rejected" })
        // Also before the subcommand.
        let before = try CLI.run(["--log-format", "json", "scan", missing] + now)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(before.stderr.split(separator: "\n").first.map(String.init)?.utf8 ?? "".utf8)),
                         before.stderr)
    }

    /// On a terminal (a pseudo-terminal from script(1)) the summary is coloured; NO_COLOR=1 and
    /// TERM=dumb take every ESC byte away.
    func testNoColorAndDumbTerminalGivePlainText() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("script(1) not installed") }
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let command = "\(CLI.binary) scan \(dir.appendingPathComponent("exp").path) --now 2025-12-31T12:00:00+01:00"
        func onTerminal(_ env: [String: String]) throws -> String {
            // NO_COLOR empty counts as unset (no-color.org); the caller's environment may set it.
            let r = try CLI.run(["-qec", command, "/dev/null"], env: env.merging(["TERM": "xterm", "NO_COLOR": ""]) { a, _ in a },
                                executable: "/usr/bin/script")
            XCTAssertTrue(r.stdout.contains("Befunde"), r.stdout + r.stderr)
            return r.stdout
        }
        let coloured = try onTerminal([:])
        XCTAssertTrue(coloured.contains("\u{1B}"), "a terminal gets colours: the check below can fail")
        // The progress line (file n/N, bytes, percentages) is drawn on a terminal only.
        XCTAssertTrue(coloured.contains("[1/1]") && coloured.contains("%"), coloured)
        let noColor = try onTerminal(["NO_COLOR": "1"])
        XCTAssertFalse(noColor.contains("\u{1B}"))
        XCTAssertTrue(noColor.contains("[1/1]"), "progress without escape sequences")
        XCTAssertFalse(try onTerminal(["TERM": "dumb"]).contains("\u{1B}"))
        let piped = try CLI.run(["scan", dir.appendingPathComponent("exp").path] + now)
        XCTAssertFalse((piped.stdout + piped.stderr).contains("\u{1B}"))
        XCTAssertFalse(piped.stderr.contains("[1/1]"), piped.stderr)
    }

    // MARK: inputs

    func testFolderInAuditYAMLIsScannedRecursively() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "sources:\n  - path: exp/\nstate: state.sqlite\n".write(to: dir.appendingPathComponent("audit.yaml"), atomically: true, encoding: .utf8)
        let r = try CLI.run(["scan", "--config", dir.appendingPathComponent("audit.yaml").path, "--format", "jsonl=-"] + now)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("NSCocoaErrorDomain") || r.stderr.contains("Error Domain"), r.stderr)
        let summary = try XCTUnwrap(r.stdout.split(separator: "\n").last.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        let inputs = try XCTUnwrap(summary["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.map { ($0["file"] as? String ?? "").hasSuffix("exp/2026/01/Jobcenter-Zugriffe.csv") }, [true])
        XCTAssertEqual(summary["records_read"] as? Int, 48)
    }

    func testEmptyFolderExitsThreeNamingThePattern() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("leer")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let cli = try CLI.run(["scan", empty.path] + now)
        XCTAssertEqual(cli.status, 3, cli.stderr)
        XCTAssertTrue(cli.stderr.contains(empty.path) && cli.stderr.contains("[input.empty]"), cli.stderr)
        XCTAssertEqual(try CLI.run(["scan", "--allow-empty", empty.path] + now).status, 0)

        try "sources:\n  - path: leer/*.csv\n".write(to: dir.appendingPathComponent("audit.yaml"), atomically: true, encoding: .utf8)
        let cfg = try CLI.run(["--lang", "en", "scan", "--config", dir.appendingPathComponent("audit.yaml").path] + now)
        XCTAssertEqual(cfg.status, 3, cfg.stderr)
        XCTAssertTrue(cfg.stderr.contains("leer/*.csv") && cfg.stderr.contains("no input file found"), cfg.stderr)
        try "sources:\n  - path: leer/\nallow_empty: true\n".write(to: dir.appendingPathComponent("audit.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try CLI.run(["scan", "--config", dir.appendingPathComponent("audit.yaml").path] + now).status, 0)
    }

    // MARK: metrics

    func testMetricsParseWithPrometheusClientAndMatchTheSummary() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let metrics = dir.appendingPathComponent("textfile/trennwand.prom")
        let r = try CLI.run(["scan", dir.appendingPathComponent("exp").path, "--metrics", metrics.path, "--format", "jsonl=-",
                             "--fail-on", "critical"] + now)
        XCTAssertEqual(r.status, 1, r.stderr)
        let summary = try XCTUnwrap(r.stdout.split(separator: "\n").last.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        let samples = try Self.parsePrometheus(metrics)
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0["name"] as? String == name && ($0["labels"] as? [String: String] ?? [:]) == labels }?["value"] as? Double
        }
        XCTAssertTrue(samples.allSatisfy { ($0["name"] as? String ?? "").hasPrefix("trennwand_") && $0["type"] as? String == "gauge" })
        XCTAssertEqual(value("trennwand_records", ["stage": "read"]), (summary["records_read"] as? Int).map(Double.init))
        XCTAssertEqual(value("trennwand_records", ["stage": "evaluated"]), (summary["records_evaluated"] as? Int).map(Double.init))
        XCTAssertEqual(value("trennwand_records", ["stage": "rejected"]), (summary["records_rejected"] as? Int).map(Double.init))
        let bySeverity = try XCTUnwrap(summary["by_severity"] as? [String: [String: Int]])
        for severity in ["critical", "high", "medium", "low", "info"] {
            XCTAssertEqual(value("trennwand_findings_open", ["severity": severity]), Double(bySeverity[severity]?["open"] ?? 0), severity)
        }
        let byRule = try XCTUnwrap(summary["by_rule"] as? [String: [String: Int]])
        let ruleSamples = samples.filter { $0["name"] as? String == "trennwand_rule_findings_open" }
        XCTAssertEqual(ruleSamples.count, byRule.count)
        for s in ruleSamples {
            let rule = try XCTUnwrap((s["labels"] as? [String: String])?["rule"])
            XCTAssertEqual(s["value"] as? Double, Double(byRule[rule]?["open"] ?? -1), rule)
        }
        XCTAssertEqual(value("trennwand_exit_code"), 1)
        XCTAssertNotNil(value("trennwand_last_success_timestamp_seconds"))
        let mode = try FileManager.default.attributesOfItem(atPath: metrics.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o644)

        // A failed run updates the exit code and keeps the last success.
        let lastSuccess = value("trennwand_last_success_timestamp_seconds")
        let failed = try CLI.run(["scan", dir.appendingPathComponent("missing.csv").path, "--metrics", metrics.path] + now)
        XCTAssertEqual(failed.status, 3)
        let after = try Self.parsePrometheus(metrics)
        XCTAssertEqual(after.first { $0["name"] as? String == "trennwand_exit_code" }?["value"] as? Double, 3)
        XCTAssertEqual(after.first { $0["name"] as? String == "trennwand_last_success_timestamp_seconds" }?["value"] as? Double, lastSuccess)
    }

    func testHistoryJSONHasISOTimesAndUnescapedSlashes() throws {
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.sqlite").path
        let metrics = dir.appendingPathComponent("trennwand.prom")
        XCTAssertEqual(try CLI.run(["scan", dir.appendingPathComponent("exp").path, "--state", state, "--metrics", metrics.path] + now).status, 0)
        let r = try CLI.run(["history", "--state", state, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("\\/"), r.stdout)
        XCTAssertTrue(r.stdout.contains("exp/2026/01/Jobcenter-Zugriffe.csv"), r.stdout)
        let runs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        // With --state the metrics carry this run's lifecycle counts, as the history records them.
        let samples = try Self.parsePrometheus(metrics)
        for status in ["new", "open", "reopened", "resolved", "waived"] {
            let value = samples.first { $0["name"] as? String == "trennwand_findings_lifecycle" && ($0["labels"] as? [String: String])?["status"] == status }?["value"] as? Double
            XCTAssertEqual(value, (runs[0][status] as? Int).map(Double.init), status)
        }
        XCTAssertGreaterThan(runs[0]["new"] as? Int ?? 0, 0)
        for key in ["started", "finished"] {
            let t = try XCTUnwrap(runs[0][key] as? String, key)
            XCTAssertNotNil(t.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression), t)
        }
    }

    /// Samples of a metrics file as prometheus_client's text parser reads them (Tests/oracles).
    static func parsePrometheus(_ file: URL) throws -> [[String: Any]] {
        let r = try CLI.run(["python3", TestPaths.projectRoot.appendingPathComponent("Tests/oracles/prometheus_parse.py").path, file.path],
                            executable: "/usr/bin/env")
        XCTAssertEqual(r.status, 0, "prometheus_client could not parse it (make pydeps installs it): " + r.stderr)
        return try r.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    // MARK: command-line conventions

    func testLangBeforeTheSubcommandAndHelpInThatLanguage() throws {
        let help = try CLI.run(["--lang", "en", "scan", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.contains("USAGE: trennwand scan") && help.stdout.contains("Scans exports"), help.stdout)
        let viaHelp = try CLI.run(["--lang", "en", "help", "scan"])
        XCTAssertTrue(viaHelp.stdout.contains("USAGE: trennwand scan") && viaHelp.stdout.contains("Scans exports"), viaHelp.stdout)
        let german = try CLI.run(["scan", "--help"])
        XCTAssertTrue(german.stdout.contains("Prüft Exporte"), german.stdout)
        let dir = try workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let scan = try CLI.run(["--lang", "en", "scan", dir.appendingPathComponent("exp").path] + now)
        XCTAssertEqual(scan.status, 0, scan.stderr)
        XCTAssertTrue(scan.stderr.contains("records rejected"), scan.stderr)
    }

    func testUnknownSubcommandExits64WithASuggestion() throws {
        let typo = try CLI.run(["scna"])
        XCTAssertEqual(typo.status, 64)
        XCTAssertTrue(typo.stderr.contains("meinten Sie scan?"), typo.stderr)
        let english = try CLI.run(["--lang", "en", "histroy"])
        XCTAssertEqual(english.status, 64)
        XCTAssertTrue(english.stderr.contains("did you mean history?"), english.stderr)
        let help = try CLI.run(["nonsense", "--help"])
        XCTAssertEqual(help.status, 64)
        XCTAssertFalse(help.stdout.contains("USAGE"), help.stdout)
        XCTAssertEqual(try CLI.run(["--help"]).status, 0)
    }
}
