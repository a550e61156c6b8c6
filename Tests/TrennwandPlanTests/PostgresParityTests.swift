import Foundation
import TrennwandPlan
import TrennwandRecords
import XCTest

/// Parity of the in-process engine and the PostgreSQL rendering of the plans on every rule example
/// (match and no_match), on a real server (Debian's PostgreSQL, started for this class by
/// scripts/pg-test-server.sh on a Unix socket in a temporary directory, stopped at the end). Each
/// example runs through psql in a schema of its own: the dialect's DDL, `\copy` of the exported
/// JSON Lines files, then the rule's query; a rule fires when its query returns a row. Also: hostile
/// values round-trip byte-identical through the export and `\copy`.
final class PostgresParityTests: XCTestCase {
    /// Rules whose examples must all give the same verdict in-process and on PostgreSQL (as in
    /// DuckDBParityTests; a rule that reaches parity must be added here, the test says so).
    static let covered: Set<String> = [
        "TW101", "TW102", "TW103", "TW104", "TW105", "TW106", "TW107", "TW108", "TW109", "TW110", "TW111",
        "TW201", "TW202", "TW203", "TW204", "TW205", "TW206", "TW207", "TW208",
        "TW301", "TW302", "TW303", "TW304", "TW305",
        "TW401", "TW402",
        "TW901", "TW902", "TW903", "TW904", "TW905", "TW906",
    ]

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

    /// A scratch directory (TW_PLAN_PARITY_DIR=<dir> keeps the scripts and files there).
    private func scratch(_ name: String) throws -> (URL, keep: Bool) {
        let keep = ProcessInfo.processInfo.environment["TW_PLAN_PARITY_DIR"]
        let dir = keep.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tw-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir, keep != nil)
    }

    func testRuleExamplesGiveTheSameVerdictInProcessAndOnPostgreSQL() throws {
        let server = try runningServer()
        let (dir, keep) = try scratch("pg-parity")
        defer { if !keep { try? FileManager.default.removeItem(at: dir) } }

        let (rules, cases) = try ParityCases.build(PlanSQLRenderer(PostgreSQLSyntax()), dir: dir)
        let started = Date()
        var results: [String: EngineVerdict] = [:]
        for (n, c) in cases.enumerated() {
            let schema = "case_\(n + 1)"
            let out = dir.appendingPathComponent("\(c.id).out"), script = dir.appendingPathComponent("\(c.id).sql")
            let syntax = PostgreSQLSyntax()
            var lines = ["CREATE SCHEMA \(syntax.identifier(schema));", "SET search_path TO \(syntax.identifier(schema));"]
            lines += c.setup.map { $0.hasPrefix("\\") ? $0 : $0 + ";" }
            lines += ["\\o \(syntax.literal(out.path))", c.query + ";", "\\o", "DROP SCHEMA \(syntax.identifier(schema)) CASCADE;"]
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: script)
            let (status, stderr) = server.psql(file: script)
            if status != 0 {
                results[c.id] = EngineVerdict(error: "psql exit \(status): \(stderr)")
            } else {
                let text = try String(contentsOf: out, encoding: .utf8)
                results[c.id] = EngineVerdict(rows: text.split(separator: "\n").map { $0.replacingOccurrences(of: "\u{1F}", with: " | ") })
            }
        }
        print("PostgreSQL parity: \(cases.count) examples in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        ParityCases.compare(cases, results, engine: "PostgreSQL", rules: rules, covered: Self.covered, testName: "PostgresParityTests")
    }

    /// Values that break naive quoting or COPY's text format, exported and loaded through `\copy`,
    /// come back byte for byte (read back as hex, so psql's output format cannot hide a change).
    func testHostileValuesRoundTripByteIdenticalThroughCopy() throws {
        let server = try runningServer()
        let (dir, keep) = try scratch("pg-hostile")
        defer { if !keep { try? FileManager.default.removeItem(at: dir) } }

        let syntax = PostgreSQLSyntax(), renderer = PlanSQLRenderer(syntax)
        let table = ExportTable(name: "tw_hostile", columns: [
            ExportColumn(name: "id", type: .seconds), ExportColumn(name: "s", type: .string), ExportColumn(name: "l", type: .stringList),
        ])
        let big = String(repeating: "ä'\\\"𝄞,\t", count: 120_000)
        XCTAssertGreaterThan(big.utf8.count, 1_000_000)
        let values: [String?] = [
            "'", "''", "\"", "\\", "\\\\N", "\\N", "\\.", "'; DROP TABLE tw_hostile; --", "\"; DROP TABLE \"tw_hostile\"; --",
            "a\tb\nc\rd\r\n", "\u{1}\u{2}\u{1F}\u{7F}", "𝄞 😀 \u{10FFFF} \u{FFFD}", "Ä ẞ e\u{301} \u{202E}rtl", "", nil,
            "$$; SELECT 1; $$", ":'v' :\"v\" :v", "\\copy tw_hostile from '/etc/passwd'", "E'\\x41'", "{\"a\": [1, \"\\u0041\"]}",
            "{a,b}", "NULL", "null", big,
        ]
        var rows: [[UInt8]] = []
        for (i, v) in values.enumerated() {
            let s: ExportValue = v.map { .string(ByteString($0)) } ?? .null
            let l: ExportValue = v.map { .list([ByteString($0), ByteString(""), ByteString($0)]) } ?? .null
            rows.append(ExportRows.line(table, [.int(Int64(i)), s, l]))
        }
        let file = try ParityCases.write(rows, to: dir.appendingPathComponent("hostile.jsonl"))
        let out = dir.appendingPathComponent("hostile.out"), script = dir.appendingPathComponent("hostile.sql")
        let hex = "encode(convert_to(%@, 'UTF8'), 'hex')"
        let s = "coalesce('x' || " + hex.replacingOccurrences(of: "%@", with: "s") + ", 'NULL')"
        let l = "CASE WHEN l IS NULL THEN 'NULL' ELSE (SELECT string_agg('x' || " + hex.replacingOccurrences(of: "%@", with: "e")
            + ", ',' ORDER BY o) FROM unnest(l) WITH ORDINALITY AS u(e, o)) END"
        var lines = [renderer.createTable(table) + ";"]
        lines += try syntax.load(table, files: [file.path]).map { $0.hasPrefix("\\") ? $0 : $0 + ";" }
        lines += ["\\o \(syntax.literal(out.path))", "SELECT id, \(s), \(l) FROM tw_hostile ORDER BY id;", "\\o"]
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: script)
        let (status, stderr) = server.psql(file: script)
        XCTAssertEqual(status, 0, stderr)

        func decode(_ field: Substring) -> [UInt8]? {
            guard field != "NULL" else { return nil }
            XCTAssertTrue(field.hasPrefix("x"), String(field.prefix(40)))
            let digits = Array(field.dropFirst().utf8)
            return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)! }
        }
        let back = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(back.count, values.count)
        for (line, value) in zip(back, values) {
            let fields = line.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            XCTAssertEqual(fields.count, 3)
            guard fields.count == 3 else { continue }
            let expected = value.map { Array($0.utf8) }
            let label = value.map { String($0.prefix(40)).debugDescription } ?? "null"
            XCTAssertEqual(decode(fields[1]), expected, "value \(fields[0]) \(label) changed")
            if let expected {
                let items = fields[2].split(separator: ",", omittingEmptySubsequences: false).map(decode)
                XCTAssertEqual(items, [expected, [], expected], "list \(fields[0]) \(label) changed")
            } else {
                XCTAssertEqual(fields[2], "NULL")
            }
        }
    }

    /// PostgreSQL text cannot hold U+0000: a record with a NUL makes the load fail with the
    /// server's error (decision in PostgreSQLSyntax and docs/scale-out.md), nothing is inserted.
    func testNULInAValueFailsTheLoadInsteadOfBeingAltered() throws {
        let server = try runningServer()
        let (dir, keep) = try scratch("pg-nul")
        defer { if !keep { try? FileManager.default.removeItem(at: dir) } }

        let syntax = PostgreSQLSyntax(), renderer = PlanSQLRenderer(syntax)
        let table = ExportTable(name: "tw_nul", columns: [ExportColumn(name: "id", type: .seconds), ExportColumn(name: "s", type: .string)])
        let file = try ParityCases.write([ExportRows.line(table, [.int(1), .string(ByteString("fine"))]),
                                          ExportRows.line(table, [.int(2), .string(ByteString([0x61, 0x00, 0x62]))])],
                                         to: dir.appendingPathComponent("nul.jsonl"))
        let out = dir.appendingPathComponent("nul.out")
        func run(_ lines: [String]) throws -> (Int32, String) {
            let script = dir.appendingPathComponent("nul-\(UUID().uuidString).sql")
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: script)
            return server.psql(file: script)
        }
        let (status, stderr) = try run(["DROP TABLE IF EXISTS tw_nul;", renderer.createTable(table) + ";"]
                                       + (try syntax.load(table, files: [file.path]).map { $0.hasPrefix("\\") ? $0 : $0 + ";" }))
        XCTAssertNotEqual(status, 0, "a NUL must not load silently")
        XCTAssertTrue(stderr.contains("\\u0000"), stderr)
        let (countStatus, countError) = try run(["\\o \(syntax.literal(out.path))", "SELECT count(*) FROM tw_nul;", "\\o"])
        XCTAssertEqual(countStatus, 0, countError)
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), "0\n", "the failed load inserted rows")
    }
}
