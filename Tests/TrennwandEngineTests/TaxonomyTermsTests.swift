import Foundation
import XCTest
@testable import TrennwandEngine
import TrennwandRecords
import TrennwandYAML

/// `rules lint`'s vocabulary check: the terms a taxonomy category names must be in its
/// description and detected by a keyword list feeding it, matched by the scan's own detectors.
final class TaxonomyTermsTests: XCTestCase {
    /// A fixture rules directory: a taxonomy and keyword lists (no identifiers).
    func fixture(taxonomy: String, lists: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-terms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("lists"), withIntermediateDirectories: true)
        try taxonomy.write(to: dir.appendingPathComponent("taxonomy.yaml"), atomically: true, encoding: .utf8)
        for (name, text) in lists {
            try text.write(to: dir.appendingPathComponent("lists/\(name).yaml"), atomically: true, encoding: .utf8)
        }
        return dir
    }

    func problems(_ dir: URL) throws -> [ConfigError] {
        let taxonomy = try Taxonomy.load(path: dir.appendingPathComponent("taxonomy.yaml").path)
        let detectors = try DetectorSet(detectorsFile: nil, listsDirectory: dir.appendingPathComponent("lists").path)
        return TaxonomyTerms.problems(taxonomy, detectors: detectors)
    }

    static let taxonomy = """
    taxonomy_version: 1
    categories:
      - id: intern
        title: {de: "Interne Daten (Dienstanweisung)", en: Internal data}
        basis: "§ 35 SGB I"
        terms: [Dienstanweisung]
      - id: intern.prozess
        title: {de: "Interne Vorgänge (Datenabgleich, Abgleichsergebnisse, interne Weisung)", en: Internal processes}
        basis: "§ 52 SGB II"
        terms: [Datenabgleich, Abgleichsergebnisse, interne Weisung, "§ 52 SGB II"]
      - id: sozial
        title: {de: "Sozialdaten (Leistungsbescheid)", en: Social data}
        basis: "§ 35 SGB I"
        terms: [Leistungsbescheid]
      - id: beratung
        title: {de: "Beratung (Schuldnerberatung)", en: Counseling}
        basis: "§ 16a SGB II"
        terms: [Schuldnerberatung, Insolvenz]

    """

    static let lists = [
        // feeds intern and (as ancestor) intern.prozess
        "intern": "category: intern\ntitle: {de: Intern, en: Internal}\nterms:\n  - datenabgleich*\n  - abgleichsergebnis\n",
        // feeds intern.prozess and (lying within it) intern
        "vorgang": "category: intern.prozess\ntitle: {de: Vorgang, en: Process}\nterms:\n  - dienstanweisung*\n  - \"§ 52 SGB II\"\n",
        // detects the counseling term, but feeds only sozial.leistung
        "leistung": "category: sozial.leistung\ntitle: {de: Leistung, en: Benefit}\nterms:\n  - leistungsbescheid*\n  - schuldnerberatung\n",
    ]

    func testCoverageFollowsTheDetectorAndTheTaxonomy() throws {
        let dir = try fixture(taxonomy: Self.taxonomy, lists: Self.lists)
        defer { try? FileManager.default.removeItem(at: dir) }
        let found = try problems(dir)
        let uncovered = found.filter { $0.code == "taxonomy.term-uncovered" }.map { $0.message.en }
        // Covered: Dienstanweisung (list within intern), Datenabgleich (ancestor list, prefix term),
        // § 52 SGB II (own list), Leistungsbescheid (list within sozial).
        // Not covered: Abgleichsergebnisse (the list's whole-word term does not match the plural),
        // interne Weisung (no list has it), Schuldnerberatung (only a list of another category has
        // it), Insolvenz (no list feeds beratung at all).
        XCTAssertEqual(uncovered.count, 4, "\(found)")
        XCTAssertTrue(uncovered.contains { $0.hasPrefix("term 'Abgleichsergebnisse' of category 'intern.prozess'") }, "\(uncovered)")
        XCTAssertTrue(uncovered.contains { $0.hasPrefix("term 'interne Weisung'") && $0.contains("(intern, vorgang)") }, "\(uncovered)")
        XCTAssertTrue(uncovered.contains { $0.hasPrefix("term 'Schuldnerberatung'") && $0.contains("no keyword list feeds 'beratung'") }, "\(uncovered)")
        XCTAssertTrue(uncovered.contains { $0.hasPrefix("term 'Insolvenz'") }, "\(uncovered)")
        // Insolvenz is not named by the description either.
        let notDescribed = found.filter { $0.code == "taxonomy.term-not-described" }
        XCTAssertEqual(notDescribed.map(\.message.en), [
            "term 'Insolvenz' does not occur in the title or basis of 'beratung'; name it there or drop it from terms"])
        // Each problem at the term, in the taxonomy file (line 18: the `terms:` of beratung).
        XCTAssertEqual(notDescribed.first?.position.file, dir.appendingPathComponent("taxonomy.yaml").path)
        XCTAssertEqual(notDescribed.first?.position.line, 18)
        XCTAssertTrue(found.allSatisfy { !$0.message.de.isEmpty && $0.message.de != $0.message.en })
    }

    func testFixedListsAndDescriptionsPass() throws {
        var lists = Self.lists
        lists["intern"] = lists["intern"]! .replacingOccurrences(of: "  - abgleichsergebnis\n", with: "  - abgleichsergebnis*\n  - interne weisung*\n")
        lists["beratung"] = "category: beratung\ntitle: {de: Beratung, en: Counseling}\nterms:\n  - schuldnerberatung*\n  - insolvenz*\n"
        let taxonomy = Self.taxonomy.replacingOccurrences(of: "Beratung (Schuldnerberatung)", with: "Beratung (Schuldnerberatung, Insolvenz)")
        let dir = try fixture(taxonomy: taxonomy, lists: lists)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try problems(dir), [])
    }

    /// Description matching ignores case, umlaut case and line breaks of folded YAML strings.
    func testDescriptionComparisonFoldsCaseAndWhitespace() {
        let d = TaxonomyTerms.normalised("Interne Vorgänge (ÄRZTLICHER\n   Dienst)")
        XCTAssertTrue(TaxonomyTerms.contains(d, TaxonomyTerms.normalised("ärztlicher Dienst")))
        XCTAssertFalse(TaxonomyTerms.contains(d, TaxonomyTerms.normalised("ärztliche Dienste")))
    }

    func testDuplicateTermIsAnError() throws {
        let text = Self.taxonomy.replacingOccurrences(of: "terms: [Leistungsbescheid]", with: "terms: [Leistungsbescheid, leistungsbescheid]")
        XCTAssertThrowsError(try Taxonomy.parse(YAMLNode.parse(text, file: "t.yaml"))) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "taxonomy.bad-term")
        }
    }

    /// The shipped pack: every term is described and covered, and the vocabulary of intern.prozess
    /// (TW206) is there.
    func testShippedPackIsCovered() throws {
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        XCTAssertEqual(TaxonomyTerms.problems(policy.taxonomy, detectors: policy.detectors), [])
        let terms = try XCTUnwrap(policy.taxonomy.categories["intern.prozess"]).terms.map(\.text)
        for t in ["Datenabgleich", "Abgleichsergebnis", "§ 52 SGB II", "Leistungsmissbrauch", "Dienstanweisung", "Fachaufsicht"] {
            XCTAssertTrue(terms.contains(t), t)
        }
    }
}
