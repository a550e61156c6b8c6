import XCTest
import TrennwandYAML

/// What counts as an absent value in rule and profile files: `null`, `~`, an empty plain
/// scalar and an explicit `!!null` tag — not a quoted empty text, not `!!str null`.
final class YAMLNodeNullTests: XCTestCase {
    func testNullForms() throws {
        let text = "a: null\nb: ~\nc:\nd: !!null x\ne: ''\nf: !!str null x\ng: nil\n"
        let m = try YAMLNode.parse(text, file: "t.yaml").mapping()
        XCTAssertEqual(m.keys, ["a", "b", "c", "d", "e", "f", "g"])
        XCTAssertEqual(m.entries.map(\.value.isNull),
                       [true, true, true, true, false, false, false])
        XCTAssertNil(m.optional("d"))
        XCTAssertEqual(try m.optional("e")?.string(), "")
    }
}
