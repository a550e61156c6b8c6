import Foundation
import TrennwandEngine
import TrennwandPlan
import TrennwandRecords
import XCTest

/// The DuckDB spelling: names and constants reach SQL text through one quoting function each, and
/// exported rows carry any value (quotes, backslashes, SQL, control and non-BMP characters) as JSON.
final class DuckDBRenderingTests: XCTestCase {
    let syntax = DuckDBSyntax()

    func testIdentifiersAndLiteralsAreQuotedByOneFunctionEach() {
        XCTAssertEqual(syntax.identifier("tw_file"), "\"tw_file\"")
        XCTAssertEqual(syntax.identifier("a\"b"), "\"a\"\"b\"")
        XCTAssertEqual(syntax.literal("it's"), "'it''s'")
        XCTAssertEqual(syntax.literal("'; DROP TABLE access; --"), "'''; DROP TABLE access; --'")
        XCTAssertEqual(syntax.literal("C:\\pfad"), "'C:\\pfad'", "backslashes are literal in DuckDB strings")
        XCTAssertEqual(syntax.list(["a'b"]), "CAST(['a''b'] AS VARCHAR[])")
    }

    /// Every table of the export schema is created with quoted names, and every rule query names
    /// its tables and columns quoted (no bare `FROM access`).
    func testDDLAndQueriesUseQuotedNames() throws {
        let renderer = PlanSQLRenderer(syntax)
        let ddl = renderer.ddl()
        XCTAssertEqual(ddl.count, ExportSchema.allTables.count)
        for (statement, table) in zip(ddl, ExportSchema.allTables) {
            XCTAssertTrue(statement.hasPrefix("CREATE TABLE \"\(table.name)\" ("), statement)
            for c in table.columns { XCTAssertTrue(statement.contains("\"\(c.name)\" "), "\(table.name).\(c.name)") }
        }
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let (plans, errors) = RulePlanner(policy: policy, now: 1_764_806_400).plan(set)
        XCTAssertTrue(errors.isEmpty)
        for plan in plans {
            let query = renderer.query(plan)
            XCTAssertTrue(query.contains("FROM \"\(plan.kind.rawValue)\" AS r"), "\(plan.ruleID): \(query.prefix(300))")
            XCTAssertTrue(query.contains("'\(plan.ruleID)' AS \"rule_id\""), plan.ruleID)
        }
    }

    /// Exported strings read back identical through a JSON parser (what every engine's loader is).
    func testExportedRowsKeepHostileValues() throws {
        let hostile = ["'; DROP TABLE access; --", "back\\slash \"quoted\"", "tab\tnew\nline\r", "nul\u{0}byte", "\u{1}\u{1f}",
                       "non-BMP 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀", String(repeating: "x", count: 1 << 20)]
        let table = ExportSchema.namedLists
        for value in hostile {
            let line = ExportRows.line(table, [.string(ByteString("list")), .string(ByteString(value))])
            XCTAssertEqual(line.last, 0x0A)
            XCTAssertFalse(line.dropLast().contains(0x0A), "one line per row")
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            XCTAssertEqual(object["value"] as? String, value)
            XCTAssertEqual(object["list"] as? String, "list")
        }
        let nulls = ExportRows.line(ExportSchema.scheduleIntervals, [.null, .int(-3), .double(.nan), .list([])])
        XCTAssertEqual(String(decoding: nulls, as: UTF8.self),
                       "{\"schedule\":null,\"weekday\":-3,\"start_minute\":null,\"end_minute\":[]}\n")
    }
}
