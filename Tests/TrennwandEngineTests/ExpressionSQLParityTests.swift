import XCTest
@testable import TrennwandEngine
import TrennwandRecords

/// Compares the compiled closures with the rendered SQL on the same data: the SQL runs for real in
/// DuckDB (Tests/oracles/sql_duckdb.py, `make pydeps` installs it), and every condition × record
/// must give the same true/false/unknown. With TW_EXPR_SQL_PARITY=<dir> it also writes
/// `setup.sql` (PostgreSQL), `queries.sql` and `expected.tsv` for `psql -f setup.sql -f queries.sql`.
final class ExpressionSQLParityTests: XCTestCase {
    typealias F = Fixture

    static let conditions = [
        #"actor_org == "jobcenter" and destination_org == "traeger""#,
        #"not (destination_org == "traeger")"#,
        #"destination_org == "traeger" or actor_role in @leistungsrollen"#,
        #"exists secondments(person == actor and traeger == traeger) at time"#,
        #"not exists secondments(person == actor and traeger == traeger) at time"#,
        #"staff(person == actor).org == "jobcenter""#,
        #"not (staff(person == actor).org == "jobcenter")"#,
        #"exists consents(participant == subject and categories covers category) at time"#,
        #"matrix(direction(actor_org, destination_org), category) == "forbidden""#,
        #"matrix("jobcenter->traeger", category) == "agreement" and not agreement_permits(traeger, "jobcenter->traeger", category) at time"#,
        #"agreement_permits(traeger, "traeger->jobcenter", category) at time"#,
        #"category within "beratung" and hour(time) >= 10"#,
        #"time - "2025-03-01" > 30d or weekday(time) == 2"#,
        #"actor in participants(participant == subject).counselors"#,
        #"present(traeger) and subject istartswith "tn-""#,
    ]

    static let records: [[String: Value]] = [
        ["time": F.t("2025-03-04T10:00"), "actor": F.s("jc.mueller"), "actor_org": F.s("jobcenter"), "actor_role": F.s("leistung"),
         "traeger": F.s("awo"), "subject": F.s("TN-1"), "category": F.s("sozial.leistung"), "destination_org": F.s("traeger")],
        ["time": F.t("2025-03-04T10:00"), "actor": F.s("jc.weber"), "actor_org": F.s("jobcenter"), "traeger": F.s("awo"),
         "subject": F.s("TN-2"), "category": F.s("beratung.schulden")],
        ["time": F.t("2025-07-01T20:00"), "actor": F.s("tr.schmidt"), "actor_org": F.s("traeger"), "traeger": F.s("awo"),
         "subject": F.s("TN-1"), "category": F.s("beratung"), "destination_org": F.s("jobcenter")],
        ["time": F.t("2025-03-04T10:00"), "actor": F.s("jc.neu"), "actor_org": F.s("jobcenter"), "category": F.s("vermittlung"),
         "destination_org": F.s("traeger"), "actor_role": F.s("coach")],
    ]

    func testClosuresAndSQLAgree() throws {
        var expected = ""
        var queries = ""
        let ctx = EvalContext(environment: F.env())!
        for (ci, text) in Self.conditions.enumerated() {
            let c = try F.compile(text)
            for (ri, fields) in Self.records.enumerated() {
                var base = fields
                base["system"] = F.s("VerBIS")
                base["action"] = F.s("read")
                ctx.reset(record: F.record(.access, base))
                expected += "\(ci)|\(ri)|\(c.evaluate(ctx))\n"
            }
            let w = c.sql(dialect: .postgres)
            queries += "SELECT \(ci) || '|' || r.idx || '|' || CASE WHEN (\(w)) THEN 'true' WHEN NOT (\(w)) THEN 'false' ELSE 'unknown' END FROM access r ORDER BY r.idx;\n"
        }
        XCTAssertTrue(expected.contains("0|0|true"))
        if let dir = ProcessInfo.processInfo.environment["TW_EXPR_SQL_PARITY"] {
            try (Self.postgresPrelude + setupSQL()).write(toFile: dir + "/setup.sql", atomically: true, encoding: .utf8)
            try queries.write(toFile: dir + "/queries.sql", atomically: true, encoding: .utf8)
            try expected.write(toFile: dir + "/expected.tsv", atomically: true, encoding: .utf8)
        }

        let actual = try Self.runInDuckDB(setup: setupSQL(), queries: queries)
        let want = expected.split(separator: "\n").map(String.init)
        XCTAssertEqual(actual.count, want.count, "one row per condition × record")
        for (sql, swift) in zip(actual, want) where sql != swift {
            if Self.anyOfNullIsFalseInDuckDB.contains(String(swift.split(separator: "|").prefix(2).joined(separator: "|"))) {
                // `x = ANY(NULL::text[])`: PostgreSQL (the rendering's dialect) and the closures say
                // unknown, DuckDB says false. Anything else here is a real disagreement.
                XCTAssertTrue(swift.hasSuffix("|unknown") && sql.hasSuffix("|false"), "SQL \(sql), closures \(swift)")
                continue
            }
            let condition = Int(swift.split(separator: "|")[0]).map { Self.conditions[$0] } ?? "?"
            XCTFail("SQL \(sql), closures \(swift): \(condition)")
        }
    }

    /// Condition|record pairs whose list operand is NULL (no `participants` row for the subject):
    /// DuckDB reads `= ANY(NULL)` as false where PostgreSQL reads unknown.
    static let anyOfNullIsFalseInDuckDB: Set<String> = ["13|1", "13|3"]

    static let postgresPrelude = """
        SET client_min_messages = warning;
        DROP SCHEMA IF EXISTS parity CASCADE; CREATE SCHEMA parity; SET search_path = parity;
        CREATE FUNCTION tw_within_schedule(timestamptz, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';

        """

    /// Runs `setup` and `queries` through Tests/oracles/sql_duckdb.py; one output line per row.
    static func runInDuckDB(setup: String, queries: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-sql-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try setup.write(to: dir.appendingPathComponent("setup.sql"), atomically: true, encoding: .utf8)
        try queries.write(to: dir.appendingPathComponent("queries.sql"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.txt"), err = dir.appendingPathComponent("err.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", TestPaths.projectRoot.appendingPathComponent("Tests/oracles/sql_duckdb.py").path,
                       dir.appendingPathComponent("setup.sql").path, dir.appendingPathComponent("queries.sql").path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        let errors = try String(contentsOf: err, encoding: .utf8)
        XCTAssertEqual(p.terminationStatus, 0, errors, file: file, line: line)
        return try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func literal(_ v: Value) -> String {
        switch v {
        case .missing: return "NULL"
        case .string(let s): return ConditionSQLRenderer.quote(s.string)
        case .number(let n): return String(n)
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .time(let t): return "TIMESTAMPTZ '\(CivilTime.iso8601(t))'"
        case .list(let l): return "ARRAY[\(l.map { ConditionSQLRenderer.quote($0.string) }.joined(separator: ", "))]::text[]"
        }
    }

    func sqlType(_ t: FieldType) -> String {
        switch t {
        case .timestamp: return "timestamptz"
        case .bool: return "boolean"
        case .number: return "double precision"
        case .list, .text: return "text[]"
        default: return "text"
        }
    }

    func setupSQL() -> String {
        var out = ""
        func table(_ kind: RecordKind, rows: [Record], extra: String) {
            let cols = kind.schema.fields.map { "\(ConditionSQLRenderer.column($0.name)) \(sqlType($0.type))" }
            out += "CREATE TABLE \(kind.rawValue) (\(extra) int, \(cols.joined(separator: ", ")));\n"
            for (i, r) in rows.enumerated() {
                out += "INSERT INTO \(kind.rawValue) VALUES (\(i), \(r.values.map(literal).joined(separator: ", ")));\n"
            }
        }
        table(.access, rows: Self.records.map { var b = $0; b["system"] = F.s("VerBIS"); b["action"] = F.s("read"); return F.record(.access, b) },
              extra: "idx")
        for kind in [RecordKind.staff, .secondments, .agreements, .consents, .participants, .offers] {
            table(kind, rows: F.reference.rows(kind), extra: "row_no")
        }
        out += "CREATE TABLE separation_matrix (direction text, category text, decision text);\n"
        for (dir, row) in F.matrix.cells.sorted(by: { $0.key < $1.key }) {
            for (cat, cell) in row.sorted(by: { $0.key < $1.key }) {
                out += "INSERT INTO separation_matrix VALUES ('\(dir)', '\(cat)', '\(cell.decision.rawValue)');\n"
            }
        }
        return out
    }
}
