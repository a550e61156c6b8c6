import Foundation
import XCTest

/// `trennwand scan --engine postgresql://…` against a throwaway server (scripts/pg-test-server.sh,
/// a Unix socket in a temporary directory): the Samples give the in-process scan's findings and
/// exit code; the run's schema is dropped (kept with --keep); a dead server, a wrong password and a
/// missing database exit 3 with their code and leave no report and no state behind.
final class ScanEngineCLITests: XCTestCase {
    nonisolated(unsafe) static var server: PostgresTestServer?

    override class func setUp() {
        super.setUp()
        server = PostgresTestServer()
    }

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private func runningServer() throws -> PostgresTestServer {
        let server = try XCTUnwrap(Self.server)
        try server.check()
        return server
    }

    static let now = "2025-12-31T12:00:00+01:00"

    /// A copy of the Samples (the configuration writes its html and sarif reports to ../out).
    private func workspace() throws -> URL {
        let root = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(at: TestPaths.samples, to: root.appendingPathComponent("Samples"))
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        return root
    }

    private func url(_ server: PostgresTestServer, user: String = "trennwand", password: String? = nil, database: String = "postgres") -> String {
        let socket = server.directory.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_."))) ?? ""
        return "postgresql://\(user)\(password.map { ":" + $0 } ?? "")@/\(database)?host=\(socket)"
    }

    /// psql's answer to one query (unaligned, no header).
    private func psql(_ server: PostgresTestServer, _ sql: String) throws -> String {
        let file = try CLI.temporaryDirectory().appendingPathComponent("q.sql")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let out = file.deletingLastPathComponent().appendingPathComponent("out.txt")
        try Data(("\\o " + out.path + "\n" + sql + "\n").utf8).write(to: file)
        let (status, stderr) = server.psql(file: file)
        XCTAssertEqual(status, 0, stderr)
        return (try? String(contentsOf: out, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    private func runSchemas(_ server: PostgresTestServer) throws -> [String] {
        try psql(server, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tw\\_run\\_%' ORDER BY 1;")
            .split(separator: "\n").map(String.init)
    }

    /// Findings of a JSON Lines report by fingerprint (rule, occurrences), the summary without times.
    private func findings(_ url: URL) throws -> (byFingerprint: [String: NSDictionary], order: [String], summary: NSDictionary?) {
        var by: [String: NSDictionary] = [:], order: [String] = [], summary: NSDictionary?
        for line in try Data(contentsOf: url).split(separator: 0x0A) {
            let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? NSDictionary)
            if o["type"] as? String == "summary" {
                let d = try XCTUnwrap(o.mutableCopy() as? NSMutableDictionary)
                d.removeObjects(forKeys: ["started", "finished", "elapsed", "duration_seconds"])
                summary = d
                continue
            }
            let fp = try XCTUnwrap(o["fingerprint"] as? String)
            by[fp] = o
            order.append(fp)
        }
        return (by, order, summary)
    }

    func testSamplesOnTheEngineGiveTheScansFindingsAndDropTheSchema() throws {
        let server = try runningServer()
        let ws = try workspace()
        let common = ["--config", "Samples/audit.yaml", "--now", Self.now]
        let scan = try CLI.run(["scan"] + common + ["--format", "jsonl=scan.jsonl"], cwd: ws)
        let started = Date()
        let engine = try CLI.run(["scan", "--engine", url(server)] + common + ["--format", "jsonl=engine.jsonl"], cwd: ws)
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(engine.status, scan.status, "scan --engine exits as the scan: \(engine.stderr)")
        XCTAssertEqual(scan.status, 1, "the Samples have findings at or above fail_on: high")
        let a = try findings(ws.appendingPathComponent("scan.jsonl")), b = try findings(ws.appendingPathComponent("engine.jsonl"))
        XCTAssertGreaterThan(a.order.count, 100)
        XCTAssertEqual(Set(b.order), Set(a.order), "the same fingerprints")
        for (fp, x) in a.byFingerprint {
            guard let y = b.byFingerprint[fp] else { continue }
            XCTAssertEqual(x["rule_id"] as? String, y["rule_id"] as? String, fp)
            XCTAssertEqual(x["occurrences"] as? NSArray, y["occurrences"] as? NSArray, "\(x["rule_id"] ?? "?") \(fp): occurrences")
            XCTAssertEqual(x, y, "\(x["rule_id"] ?? "?") \(fp): the whole finding")
        }
        XCTAssertEqual(b.order, a.order, "the scan's order")
        XCTAssertNotNil(a.summary)
        XCTAssertEqual(b.summary, a.summary, "summary without run times")
        // The configuration's reports are written as by the scan.
        XCTAssertTrue(FileManager.default.fileExists(atPath: ws.appendingPathComponent("out/trennwand.sarif").path))
        XCTAssertEqual(try runSchemas(server), [], "the run's schema is dropped")
        print("scan --engine on the Samples: \(b.order.count) findings identical to the scan's, exit \(engine.status), \(String(format: "%.1f", took)) s")

        // --keep: the schema stays, its name is printed, its tables hold the records.
        let kept = try CLI.run(["scan", "--engine", url(server), "--keep"] + common + ["--format", "jsonl=kept.jsonl"], cwd: ws)
        XCTAssertEqual(kept.status, scan.status, kept.stderr)
        let schemas = try runSchemas(server)
        XCTAssertEqual(schemas.count, 1, "one kept schema: \(schemas)")
        let name = try XCTUnwrap(schemas.first)
        XCTAssertTrue(kept.stderr.contains(name) && kept.stderr.contains("[engine.keep]"), kept.stderr)
        XCTAssertEqual(Set(try findings(ws.appendingPathComponent("kept.jsonl")).order), Set(a.order))
        let tables = try psql(server, "SELECT count(*) FROM pg_tables WHERE schemaname = '\(name)';")
        XCTAssertGreaterThan(Int(tables) ?? 0, 5, "tables in \(name)")
        _ = try psql(server, "DROP SCHEMA \"\(name)\" CASCADE;")

        // collect refuses --engine (it reads rows an engine wrote).
        let collect = try CLI.run(["collect", "--from", ws.path, "--engine", url(server)] + common, cwd: ws)
        XCTAssertEqual(collect.status, 2, collect.stderr)
        XCTAssertTrue(collect.stderr.contains("[collect.usage]"), collect.stderr)
    }

    /// Hostile values (as in ExportSQLEndToEndTests: quotes, backslashes, `\N`, `\.`, a tab,
    /// `'; DROP TABLE`, non-BMP characters, a 1 MB value) in the Samples' Träger log go through
    /// COPY's text format (`PostgreSQLLoad.copyLine`) and come back byte for byte: revealed, the
    /// engine's findings equal the scan's and hold the values themselves.
    func testHostileValuesComeBackByteIdenticalThroughCopy() throws {
        let server = try runningServer()
        let ws = try workspace()
        try HostileSamples.inject(ws.appendingPathComponent("Samples"))

        let common = ["--config", "Samples/audit.yaml", "--now", Self.now, "--reveal-force"]
        let scan = try CLI.run(["scan"] + common + ["--format", "jsonl=scan.jsonl"], cwd: ws)
        let engine = try CLI.run(["scan", "--engine", url(server)] + common + ["--format", "jsonl=engine.jsonl"], cwd: ws)
        XCTAssertEqual(engine.status, scan.status, engine.stderr)
        let a = try findings(ws.appendingPathComponent("scan.jsonl")), b = try findings(ws.appendingPathComponent("engine.jsonl"))
        XCTAssertEqual(b.order, a.order)
        for (fp, x) in a.byFingerprint { XCTAssertEqual(x, b.byFingerprint[fp], "\(x["rule_id"] ?? "?") \(fp)") }
        let values = b.byFingerprint.values.flatMap { ($0["evidence"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String } }
        for value in [HostileSamples.workstation, HostileSamples.bigWorkstation] {
            XCTAssertTrue(values.contains { Array($0.utf8) == Array(value.utf8) }, "\(value.prefix(20).debugDescription): byte for byte")
        }
    }

    /// Runs `scan --engine URL` with --state and every report on a fresh workspace and checks the
    /// failure leaves nothing: exit 3, the code on stderr, the password nowhere, no report, no
    /// change to the state store (`stateBefore`: a store from an earlier scan, or none).
    private func assertEngineFails(_ engineURL: String, code: String, priorState: Bool, password: String? = nil,
                                   file: StaticString = #filePath, line: UInt = #line) throws {
        let ws = try workspace()
        let common = ["--config", "Samples/audit.yaml", "--now", Self.now, "--state", "state.db"]
        let state = ws.appendingPathComponent("state.db")
        if priorState {
            let first = try CLI.run(["scan"] + common, cwd: ws)
            XCTAssertEqual(first.status, 1, first.stderr, file: file, line: line)
            try FileManager.default.removeItem(at: ws.appendingPathComponent("out"))
        }
        let before = try? Data(contentsOf: state)
        let run = try CLI.run(["scan", "--engine", engineURL] + common + ["--format", "jsonl=engine.jsonl", "--write-baseline", "next.jsonl"], cwd: ws)
        XCTAssertEqual(run.status, 3, run.stderr, file: file, line: line)
        XCTAssertTrue(run.stderr.contains("[\(code)]"), "\(code) expected: \(run.stderr)", file: file, line: line)
        if let password { XCTAssertFalse(run.stderr.contains(password) || run.stdout.contains(password), "password shown", file: file, line: line) }
        for report in ["engine.jsonl", "next.jsonl", "out"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: ws.appendingPathComponent(report).path), "\(report) written", file: file, line: line)
        }
        XCTAssertEqual(try? Data(contentsOf: state), before, "state store \(priorState ? "changed" : "created")", file: file, line: line)
        for extra in ["state.db-wal", "state.db-journal"] where !priorState {
            XCTAssertFalse(FileManager.default.fileExists(atPath: ws.appendingPathComponent(extra).path), extra, file: file, line: line)
        }
    }

    func testDeadServerExits3WithConnect() throws {
        // A socket directory with nothing listening (and a TCP port nobody serves).
        let dead = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dead) }
        try assertEngineFails("postgresql://trennwand@/postgres?host=\(dead.path)", code: "engine.connect", priorState: false)
        try assertEngineFails("postgresql://trennwand:pw@127.0.0.1:1/postgres?sslmode=disable", code: "engine.connect", priorState: true,
                              password: "pw")
    }

    func testWrongPasswordExits3WithAuth() throws {
        let server = try runningServer()
        // A role that must give its password (scram-sha-256), ahead of the trust line.
        _ = try psql(server, "SET password_encryption = 'scram-sha-256'; DROP ROLE IF EXISTS tw_pw; CREATE ROLE tw_pw LOGIN PASSWORD 'richtig';")
        let hba = server.directory.appendingPathComponent("data/pg_hba.conf")
        let original = try String(contentsOf: hba, encoding: .utf8)
        try ("local all tw_pw scram-sha-256\n" + original).write(to: hba, atomically: false, encoding: .utf8)
        _ = try psql(server, "SELECT pg_reload_conf();")
        Thread.sleep(forTimeInterval: 0.5)
        try assertEngineFails(url(server, user: "tw_pw", password: "falsch-Geheim"), code: "engine.auth", priorState: true,
                              password: "falsch-Geheim")
        // The right password gets in, but the role may not create the run's schema: a failing
        // statement is exit 3 [engine.query] with the server's reason, and leaves nothing either.
        try assertEngineFails(url(server, user: "tw_pw", password: "richtig"), code: "engine.query", priorState: true, password: "richtig")
        // With CREATE on the database the same login runs (so the refusal above was the password's).
        _ = try psql(server, "GRANT CREATE ON DATABASE postgres TO tw_pw;")
        let ws = try workspace()
        let ok = try CLI.run(["scan", "--engine", url(server, user: "tw_pw", password: "richtig"), "--config", "Samples/audit.yaml",
                              "--now", Self.now, "--rule", "TW101", "--format", "jsonl=ok.jsonl"], cwd: ws)
        XCTAssertTrue([0, 1].contains(ok.status), ok.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: ws.appendingPathComponent("ok.jsonl").path), ok.stderr)
        XCTAssertEqual(try runSchemas(server), [], "the run's schema is dropped")
        // No password at all: refused as a login matter too.
        try assertEngineFails(url(server, user: "tw_pw"), code: "engine.auth", priorState: false)
    }

    func testMissingDatabaseExits3WithDatabase() throws {
        let server = try runningServer()
        try assertEngineFails(url(server, database: "gibt_es_nicht"), code: "engine.database", priorState: true)
    }

    func testMalformedURLExits2() throws {
        let ws = try workspace()
        let run = try CLI.run(["scan", "--engine", "mysql://h/db", "--config", "Samples/audit.yaml", "--format", "jsonl=x.jsonl"], cwd: ws)
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("[engine.url]"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ws.appendingPathComponent("x.jsonl").path))
        let keep = try CLI.run(["scan", "--keep", "--config", "Samples/audit.yaml", "--format", "jsonl=x.jsonl"], cwd: ws)
        XCTAssertEqual(keep.status, 2, keep.stderr)
        XCTAssertTrue(keep.stderr.contains("[scan.usage]"), keep.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ws.appendingPathComponent("x.jsonl").path))
    }
}
