import Foundation
import TrennwandPlan
import TrennwandRecords
import XCTest

/// File names of the export and what the dialects do with names they cannot spell.
final class ExportLayoutTests: XCTestCase {
    func testInputNamesBecomeSafeAndDistinct() {
        let a = ExportLayout.name(ofInput: "jc1/Zugriffe März.csv"), b = ExportLayout.name(ofInput: "jc2/Zugriffe März.csv")
        XCTAssertNotEqual(a, b, "same file name in two folders must not collide")
        XCTAssertTrue(a.hasPrefix("Zugriffe_M__rz.csv-"), a)
        XCTAssertEqual(a, ExportLayout.name(ofInput: "jc1/Zugriffe März.csv"), "stable across runs and machines")
        for hostile in ["a\nb.csv", "x'; DROP TABLE access; --.csv", "..", "/", "\u{0}\r\n", "../../etc/passwd", String(repeating: "ä", count: 300)] {
            let name = ExportLayout.name(ofInput: hostile)
            XCTAssertTrue(name.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x2D || b == 0x5F
            }, name.debugDescription)
            XCTAssertFalse(name.hasPrefix("."), name)
            XCTAssertLessThanOrEqual(name.utf8.count, 80 + 17)
        }
    }

    /// A path with a line break cannot be a psql `\copy` argument: an error, not a crash.
    func testPsqlRefusesAPathWithALineBreakWithAnError() {
        let table = ExportSchema.table(.access)
        for path in ["a\nb.jsonl", "a\r\nb.jsonl", "a\rb.jsonl"] {
            XCTAssertThrowsError(try PostgreSQLSyntax().load(table, files: [path])) { error in
                XCTAssertEqual((error as? ExportError)?.code, "sql.path")
                XCTAssertEqual((error as? ExportError)?.isUsage, true)
            }
            XCTAssertThrowsError(try PostgreSQLSyntax().writeResult("SELECT 1", to: path))
        }
        XCTAssertNoThrow(try PostgreSQLSyntax().load(table, files: ["records/access/2025-02/a-0123.jsonl"]))
        XCTAssertNoThrow(try DuckDBSyntax().load(table, files: ["a\nb.jsonl"]), "DuckDB string literals may hold a line break")
    }
}
