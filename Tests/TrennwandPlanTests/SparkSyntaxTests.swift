import Foundation
import TrennwandPlan
import TrennwandRecords
import XCTest

/// The Spark spelling without Spark: literals under Spark's backslash-escaping parser, paths the
/// Hadoop loader would misread refused, the driver written next to the scripts.
final class SparkSyntaxTests: XCTestCase {
    func testLiteralsEscapeBackslashQuoteAndLineBreaks() {
        let s = SparkSyntax()
        XCTAssertEqual(s.literal("a'b"), "'a\\'b'")
        XCTAssertEqual(s.literal("C:\\x\\u0041"), "'C:\\\\x\\\\u0041'")
        XCTAssertEqual(s.literal("l1\nl2\r"), "'l1\\nl2\\r'")
        XCTAssertEqual(s.literal("${env:HOME} 😀"), "'${env:HOME} 😀'")
        XCTAssertEqual(s.identifier("a`b"), "`a``b`")
        XCTAssertTrue(s.scriptPreamble.contains("SET spark.sql.variable.substitute=false"))
    }

    func testLoadRefusesPathsHadoopWouldReadAsGlobsOrURIs() throws {
        let s = SparkSyntax()
        let table = ExportSchema.namedLists
        for bad in ["a[1].jsonl", "a{b}.jsonl", "a\\b.jsonl", "c:/x.jsonl", "a\nb.jsonl"] {
            XCTAssertThrowsError(try s.load(table, files: [bad]), bad)
        }
        let statements = try s.load(table, files: ["policy/tw_named_lists.jsonl", "x/y.jsonl"])
        XCTAssertEqual(statements.count, 4)
        XCTAssertTrue(statements[0].contains("USING json OPTIONS (path 'policy/tw_named_lists.jsonl', mode 'FAILFAST', multiLine 'false'"), statements[0])
        XCTAssertTrue(statements[2].hasSuffix("`tw_load_tw_named_lists_1` UNION ALL SELECT * FROM `tw_load_tw_named_lists_2`"), statements[2])
        XCTAssertEqual(try s.load(table, files: []), [])
    }

    func testDriverIsWrittenNextToTheScripts() throws {
        let renderer = PlanSQLRenderer(SparkSyntax())
        let files = try SQLScripts(renderer).files(plans: [], manifests: [])
        let driver = try XCTUnwrap(files.first { $0.path == "sql/spark/run-all.py" })
        XCTAssertTrue(driver.text.contains("spark.sql(text)") && driver.text.contains("toLocalIterator"))
        XCTAssertTrue(files.contains { $0.path == "sql/spark/run-all.sql" })
    }
}
