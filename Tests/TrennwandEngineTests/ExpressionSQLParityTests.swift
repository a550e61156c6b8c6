import XCTest
@testable import TrennwandEngine
import TrennwandRecords

/// Compares the compiled closures with the rendered SQL on the same data. The Swift side always
/// runs; with TW_EXPR_SQL_PARITY=<dir> it writes `setup.sql` (tables, fixture rows), `queries.sql`
/// and `expected.tsv` so that `psql -f setup.sql -f queries.sql` can be diffed against it.
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
        guard let dir = ProcessInfo.processInfo.environment["TW_EXPR_SQL_PARITY"] else { return }
        try setupSQL().write(toFile: dir + "/setup.sql", atomically: true, encoding: .utf8)
        try queries.write(toFile: dir + "/queries.sql", atomically: true, encoding: .utf8)
        try expected.write(toFile: dir + "/expected.tsv", atomically: true, encoding: .utf8)
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
        var out = "SET client_min_messages = warning;\nDROP SCHEMA IF EXISTS parity CASCADE; CREATE SCHEMA parity; SET search_path = parity;\n"
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
        out += "CREATE FUNCTION tw_within_schedule(timestamptz, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';\n"
        return out
    }
}
