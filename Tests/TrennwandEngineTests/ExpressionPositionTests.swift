import XCTest
@testable import TrennwandEngine
import TrennwandRecords
import TrennwandYAML

/// Conditions inside rule files: errors point into the file for every YAML scalar style.
final class ExpressionPositionTests: XCTestCase {
    func position(_ yaml: String, key: String = "when", kind: RecordKind = .access) -> String? {
        do {
            let root = try YAMLNode.parse(yaml, file: "rules/x.yml")
            let node = try root.mapping().required(key)
            _ = try CompiledCondition.compile(node, fileText: yaml, environment: Fixture.env(kind))
            return nil
        } catch let e as ConfigError {
            return e.position.description
        } catch {
            return "\(error)"
        }
    }

    func testPlainScalar() {
        XCTAssertEqual(position("id: TW1\nwhen: actor_org == \"jobcentre\"\n"), "rules/x.yml:2:20")
    }

    func testPlainScalarOverTwoLines() {
        XCTAssertEqual(position("id: TW1\nwhen: actor_org == \"jobcenter\"\n  and actr == \"x\"\nseverity: high\n"), "rules/x.yml:3:7")
    }

    func testDoubleQuotedWithEscapes() {
        XCTAssertEqual(position(#"when: "actor == \"x\" and actr == \"y\"""# + "\n"), "rules/x.yml:1:27")
    }

    func testSingleQuotedWithDoubledQuotes() {
        XCTAssertEqual(position("when: 'actor == ''x'' and actr == ''y'''\n"), "rules/x.yml:1:27")
    }

    func testLiteralBlockErrorOnThirdLine() {
        let yaml = """
        id: TW2
        when: |
          actor_org == "jobcenter"
          and category within "sozial"
          and actr == "x"
        severity: high

        """
        XCTAssertEqual(position(yaml), "rules/x.yml:5:7")
    }

    func testFoldedBlockInNestedMapping() {
        let yaml = """
        rule:
          id: TW3
        when: >-
            actor_org == "jobcenter"
            and system_owner == "traeger"
            and category within "sozil"

        """
        XCTAssertEqual(position(yaml), "rules/x.yml:6:25")
    }

    func testBlockScalarValidCompiles() throws {
        let yaml = "when: |\n  actor_org == \"traeger\"\n  and system_owner == \"jobcenter\"  # Träger in JC systems\n"
        XCTAssertNil(position(yaml))
    }

    func testWithoutFileTextFallsBackToTheMark() throws {
        let root = try YAMLNode.parse("when: actr == \"x\"\n", file: "/nonexistent/rules/y.yml")
        let node = try root.mapping().required("when")
        XCTAssertThrowsError(try CompiledCondition.compile(node, environment: Fixture.env())) { e in
            XCTAssertEqual((e as? ConfigError)?.position.description, "/nonexistent/rules/y.yml:1:7")
        }
    }

    func testCRLFLineEndings() {
        let yaml = "id: TW2\r\nwhen: |\r\n  actor_org == \"jobcenter\"\r\n  and category within \"sozial\"\r\n  and actr == \"x\"\r\n"
        XCTAssertEqual(position(yaml), "rules/x.yml:5:7")
    }

    func testUmlautsCountAsOneColumn() {
        XCTAssertEqual(position("when: purpose == \"Prüfung\" and actr == \"x\"\n"), "rules/x.yml:1:32")
    }

    func testQuotedScalarOverTwoLines() {
        XCTAssertEqual(position("when: \"actor_org == 'jobcenter'\n  and actr == 'x'\"\n"), "rules/x.yml:2:7")
    }

    func testFlowMapping() {
        XCTAssertEqual(position("{id: TW9, when: actr == \"x\"}\n"), "rules/x.yml:1:17")
    }
}
