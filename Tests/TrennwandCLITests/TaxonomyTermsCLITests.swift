import Foundation
import XCTest

/// `rules lint` fails when a term a taxonomy category names is detected by no list feeding it.
final class TaxonomyTermsCLITests: XCTestCase {
    /// A copy of the shipped rules without the data-matching terms of `vorgang.yaml`: lint exits 2
    /// and names the term's position in `taxonomy.yaml`, in German and in English.
    func testUncoveredTermFailsLintAtItsPosition() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("Rules")
        try FileManager.default.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        let list = rules.appendingPathComponent("lists/vorgang.yaml")
        let text = try String(contentsOf: list, encoding: .utf8)
        let cut = text.components(separatedBy: "\n").filter { !$0.lowercased().contains("datenabgleich") }.joined(separator: "\n")
        XCTAssertNotEqual(cut, text)
        try cut.write(to: list, atomically: true, encoding: .utf8)

        let taxonomy = try String(contentsOf: rules.appendingPathComponent("taxonomy.yaml"), encoding: .utf8)
        // `Datenabgleich` stands on the second line of the `terms:` of intern.prozess.
        let termsLine = try XCTUnwrap(taxonomy.components(separatedBy: "\n").firstIndex { $0.hasPrefix("    terms: [interne Vermerke") })
        let line = termsLine + 2

        let de = try CLI.run(["rules", "lint", "--rules", rules.path])
        XCTAssertEqual(de.status, 2, de.stderr)
        XCTAssertTrue(de.stderr.contains("taxonomy.yaml:\(line):"), de.stderr)
        XCTAssertTrue(de.stderr.contains("Begriff „Datenabgleich“ der Kategorie „intern.prozess“ wird nicht erkannt"), de.stderr)
        XCTAssertTrue(de.stderr.contains("[taxonomy.term-uncovered]"), de.stderr)
        let en = try CLI.run(["rules", "lint", "--rules", rules.path, "--lang", "en"])
        XCTAssertEqual(en.status, 2)
        XCTAssertTrue(en.stderr.contains("term 'Datenabgleich' of category 'intern.prozess' is not detected"), en.stderr)
    }
}
