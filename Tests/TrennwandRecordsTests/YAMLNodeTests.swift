import XCTest
import TrennwandRecords
import TrennwandYAML

final class YAMLNodeTests: XCTestCase {
    func testUnknownKeyNamesPosition() throws {
        let doc = try YAMLNode.parse("id: TW1\nseverty: high\n", file: "r.yml")
        XCTAssertThrowsError(try doc.mapping(allowed: ["id", "severity"])) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.position.description, "r.yml:2:1")
            XCTAssertEqual(e.code, "yaml.unknown-key")
        }
    }

    func testSyntaxErrorNamesPosition() {
        XCTAssertThrowsError(try YAMLNode.parse("a: [1, 2\nb: 3\n", file: "x.yml")) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.code, "yaml.syntax")
            XCTAssertEqual(e.position.file, "x.yml")
            XCTAssertGreaterThanOrEqual(e.position.line, 2)
        }
    }

    func testTypedAccessors() throws {
        let m = try YAMLNode.parse("n: 3\nb: ja\nl: [a, b]\nt: {de: Hallo, en: Hello}\n", file: "t.yml").mapping()
        XCTAssertEqual(try m.required("n").int(), 3)
        XCTAssertEqual(try m.required("b").bool(), true)
        XCTAssertEqual(try m.required("l").stringList(), ["a", "b"])
        XCTAssertEqual(try m.required("t").localized().en, "Hello")
        XCTAssertThrowsError(try m.required("missing"))
        XCTAssertThrowsError(try m.required("l").int()) { error in
            XCTAssertEqual((error as! ConfigError).position.line, 3)
        }
    }
}
