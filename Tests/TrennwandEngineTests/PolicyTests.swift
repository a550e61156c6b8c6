import Foundation
import TrennwandRecords
import XCTest

@testable import TrennwandEngine

/// Writes fixtures into a fresh temporary directory.
private final class FixtureDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func write(_ name: String, _ text: String) throws -> String {
        let path = url.appendingPathComponent(name).path
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

private func assertConfigError(_ expression: @autoclosure () throws -> Any, code: String, file path: String,
                               line: Int, column: Int, file: StaticString = #filePath, testLine: UInt = #line) {
    do {
        _ = try expression()
        XCTFail("expected ConfigError \(code)", file: file, line: testLine)
    } catch let error as ConfigError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: testLine)
        XCTAssertEqual(error.position, SourcePosition(file: path, line: line, column: column), "\(error)",
                       file: file, line: testLine)
        XCTAssertFalse(error.message.de.isEmpty || error.message.en.isEmpty, file: file, line: testLine)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: testLine)
    }
}

private let smallTaxonomy = """
categories:
  - id: gesundheit
    title: {de: Gesundheitsdaten, en: Health data}
    basis: "Art. 9 DSGVO"
  - id: gesundheit.gutachten
    parent: gesundheit
    title: {de: Gutachten, en: Expert reports}
    basis: "§ 76 SGB X"
  - id: teilnahme
    title: {de: Teilnahme, en: Participation}
    basis: "§ 61 SGB II"

"""

private func cellYAML(_ decision: String, basis: String? = "§ 69 SGB X") -> String {
    var s = "      decision: \(decision)\n"
    if let basis { s += "      legal_basis: \"\(basis)\"\n" }
    s += "      note: {de: Begründung, en: Reasoning}\n"
    return s
}

final class PolicyTaxonomyTests: XCTestCase {
    func testShippedTaxonomyLoads() throws {
        let t = try Taxonomy.load(path: TestPaths.rules.appendingPathComponent("taxonomy.yaml").path)
        for id in [
            "stamm", "stamm.identitaet", "kennung", "kennung.kundennummer", "kennung.bg_nummer", "kennung.steuer_id",
            "kennung.iban", "kennung.rv_nummer", "kennung.kvnr", "kennung.ausweis", "sozial", "sozial.leistung",
            "sozial.sanktion", "sozial.bg", "sozial.einkommen", "sozial.unterkunft", "gesundheit",
            "gesundheit.gutachten", "gesundheit.einschraenkung", "intern", "intern.potenzialanalyse",
            "intern.kooperationsplan", "intern.prozess", "vermittlung", "beratung", "beratung.schulden",
            "beratung.sucht", "beratung.psychosozial", "teilnahme",
        ] {
            XCTAssertTrue(t.contains(id), id)
            XCTAssertFalse(t.categories[id]?.basis.isEmpty ?? true, id)
        }
        XCTAssertEqual(t.categories["kennung.iban"]?.parent, "kennung")
        XCTAssertEqual(t.categories["kennung"]?.parent, nil)
        XCTAssertEqual(t.categories["gesundheit.gutachten"]?.title.de.isEmpty, false)
        XCTAssertEqual(t.children(of: "gesundheit"), ["gesundheit.einschraenkung", "gesundheit.gutachten"])
        XCTAssertEqual(t.lineage("sozial.sanktion"), ["sozial.sanktion", "sozial"])
        XCTAssertEqual(t.nearestKnown("gesundheit.gutachten.psych"), "gesundheit.gutachten")
        XCTAssertNil(t.nearestKnown("unbekannt.x"))
    }

    func testIsWithin() throws {
        let t = try Taxonomy.load(path: TestPaths.rules.appendingPathComponent("taxonomy.yaml").path)
        XCTAssertTrue(t.isWithin("sozial.leistung", "sozial"))
        XCTAssertTrue(t.isWithin("sozial", "sozial"))
        XCTAssertFalse(t.isWithin("sozial", "sozial.leistung"))
        XCTAssertFalse(t.isWithin("sozialx", "sozial"))
        XCTAssertFalse(t.isWithin("beratung.psychosozial", "sozial"))
    }

    func testDuplicateIDIsErrorAtSecondID() throws {
        let dir = try FixtureDir()
        let path = try dir.write("taxonomy.yaml", """
        categories:
          - id: sozial
            title: {de: S, en: S}
            basis: "x"
          - id: sozial
            title: {de: S, en: S}
            basis: "x"
        """)
        assertConfigError(try Taxonomy.load(path: path), code: "taxonomy.duplicate-id", file: path, line: 5, column: 9)
    }

    func testUnknownParentIsErrorAtParent() throws {
        let dir = try FixtureDir()
        let path = try dir.write("taxonomy.yaml", """
        categories:
          - id: sozial
            title: {de: S, en: S}
            basis: "x"
          - id: gesundheit.gutachten
            parent: gesundheit
            title: {de: G, en: G}
            basis: "x"
        """)
        assertConfigError(try Taxonomy.load(path: path), code: "taxonomy.unknown-parent", file: path, line: 6, column: 13)
        // Derived parent (no `parent:` written): error at the id.
        let path2 = try dir.write("t2.yaml", """
        categories:
          - id: gesundheit.gutachten
            title: {de: G, en: G}
            basis: "x"
        """)
        assertConfigError(try Taxonomy.load(path: path2), code: "taxonomy.unknown-parent", file: path2, line: 2, column: 9)
    }

    func testCycleIsErrorAtFirstMember() throws {
        let dir = try FixtureDir()
        let path = try dir.write("taxonomy.yaml", """
        categories:
          - id: a
            title: {de: A, en: A}
            basis: "x"
          - id: b
            parent: c
            title: {de: B, en: B}
            basis: "x"
          - id: c
            parent: b
            title: {de: C, en: C}
            basis: "x"
        """)
        assertConfigError(try Taxonomy.load(path: path), code: "taxonomy.cycle", file: path, line: 6, column: 13)
        let selfLoop = try dir.write("self.yaml", """
        categories:
          - id: a
            parent: a
            title: {de: A, en: A}
            basis: "x"
        """)
        assertConfigError(try Taxonomy.load(path: selfLoop), code: "taxonomy.cycle", file: selfLoop, line: 3, column: 13)
    }

    func testParentMismatchAndBadIDAndUnknownKey() throws {
        let dir = try FixtureDir()
        let path = try dir.write("taxonomy.yaml", """
        categories:
          - id: a
            title: {de: A, en: A}
            basis: "x"
          - id: b
            title: {de: B, en: B}
            basis: "x"
          - id: a.x
            parent: b
            title: {de: X, en: X}
            basis: "x"
        """)
        assertConfigError(try Taxonomy.load(path: path), code: "taxonomy.parent-mismatch", file: path, line: 9, column: 13)
        let bad = try dir.write("bad.yaml", "categories:\n  - id: Sozial\n    title: {de: S, en: S}\n    basis: x\n")
        assertConfigError(try Taxonomy.load(path: bad), code: "taxonomy.bad-id", file: bad, line: 2, column: 9)
        let key = try dir.write("key.yaml", "categories:\n  - id: s\n    titel: {de: S, en: S}\n    basis: x\n")
        assertConfigError(try Taxonomy.load(path: key), code: "yaml.unknown-key", file: key, line: 3, column: 5)
    }
}

final class PolicyMatrixTests: XCTestCase {
    func testShippedMatrixLoadsAndIsComplete() throws {
        let (t, m) = try SeparationMatrix.loadPolicy(rulesDirectory: TestPaths.rules.path)
        for direction in SeparationMatrix.directions {
            for id in t.ids {
                let cell = try XCTUnwrap(m.cell(direction: direction, category: id), "\(direction) \(id)")
                XCTAssertTrue(SeparationMatrix.namesNorm(cell.legalBasis), "\(direction) \(id)")
                XCTAssertNotNil(cell.note)
            }
        }
        let j2t = "jobcenter->traeger", t2j = "traeger->jobcenter"
        XCTAssertEqual(m.cell(direction: j2t, category: "gesundheit.gutachten")?.decision, .forbidden)
        XCTAssertEqual(m.cell(direction: j2t, category: "kennung.kundennummer")?.decision, .forbidden)
        XCTAssertEqual(m.cell(direction: j2t, category: "sozial.unterkunft")?.decision, .forbidden)
        XCTAssertEqual(m.cell(direction: j2t, category: "intern.potenzialanalyse")?.decision, .forbidden)
        XCTAssertEqual(m.cell(direction: j2t, category: "stamm.kontakt")?.decision, .agreement)
        XCTAssertEqual(m.cell(direction: j2t, category: "vermittlung")?.decision, .agreement)
        XCTAssertEqual(m.cell(direction: j2t, category: "teilnahme.anwesenheit")?.decision, .allowed)
        XCTAssertEqual(m.cell(direction: t2j, category: "teilnahme")?.decision, .allowed)
        XCTAssertEqual(m.cell(direction: t2j, category: "teilnahme")?.unverified, true)
        XCTAssertEqual(m.cell(direction: t2j, category: "beratung.schulden")?.decision, .consent)
        XCTAssertEqual(m.cell(direction: t2j, category: "gesundheit")?.decision, .consent)
        XCTAssertTrue(m.cell(direction: j2t, category: "gesundheit")?.legalBasis.contains("§ 67b Abs. 1 S. 3 SGB X") ?? false)
    }

    /// Cells stricter than statute name who decided them and say so in their note (issue #15);
    /// cells that follow from the statute itself name nobody.
    func testPolicyCellsNameWhoDecided() throws {
        let (_, m) = try SeparationMatrix.loadPolicy(rulesDirectory: TestPaths.rules.path)
        let j2t = "jobcenter->traeger"
        let gutachten = try XCTUnwrap(m.cell(direction: j2t, category: "gesundheit.gutachten"))
        XCTAssertEqual(gutachten.decidedBy, "Datenschutzbeauftragte")
        XCTAssertTrue(gutachten.note?.de.hasPrefix("Festlegung der Trennungsmatrix (Datenschutzbeauftragte):") ?? false)
        XCTAssertFalse(gutachten.legalBasis.contains("§ 50"), "§ 50 Abs. 1 S. 2 SGB II concerns external assessors only")
        XCTAssertNil(m.cell(direction: j2t, category: "kennung.kundennummer")?.decidedBy)
        for (direction, row) in m.cells {
            for (category, cell) in row where cell.decidedBy != nil {
                XCTAssertTrue(cell.note?.de.hasPrefix("Festlegung der Trennungsmatrix") ?? false, "\(direction) \(category)")
            }
        }
    }

    func testInheritanceDownTheTaxonomy() throws {
        let dir = try FixtureDir()
        let tPath = try dir.write("taxonomy.yaml", smallTaxonomy)
        let t = try Taxonomy.load(path: tPath)
        let inherit = try dir.write("m1.yaml", """
        directions:
          jobcenter->traeger:
            gesundheit:
        \(cellYAML("forbidden", basis: "§ 67b Abs. 1 S. 3 SGB X"))    teilnahme:
        \(cellYAML("allowed"))  traeger->jobcenter:
            gesundheit:
        \(cellYAML("consent", basis: "Art. 9 Abs. 2 lit. a DSGVO"))    gesundheit.gutachten:
        \(cellYAML("forbidden", basis: "§ 76 SGB X"))    teilnahme:
        \(cellYAML("allowed"))
        """)
        let m = try SeparationMatrix.load(path: inherit, taxonomy: t)
        // Own cell absent: inherits gesundheit.
        XCTAssertEqual(m.cell(direction: "jobcenter->traeger", category: "gesundheit.gutachten")?.legalBasis,
                       "§ 67b Abs. 1 S. 3 SGB X")
        // Own cell present: overrides.
        XCTAssertEqual(m.cell(direction: "traeger->jobcenter", category: "gesundheit.gutachten")?.decision, .forbidden)
        XCTAssertEqual(m.cell(direction: "traeger->jobcenter", category: "gesundheit")?.decision, .consent)
        XCTAssertNil(m.cell(direction: "x->y", category: "gesundheit"))
        XCTAssertEqual(m.cell(direction: "jobcenter->traeger", category: "gesundheit")?.position?.line, 3)
    }

    func testMatrixErrorsNamePositions() throws {
        let dir = try FixtureDir()
        let t = try Taxonomy.load(path: try dir.write("taxonomy.yaml", smallTaxonomy))
        func matrix(_ body: String) -> String {
            "directions:\n  jobcenter->traeger:\n" + body + "  traeger->jobcenter:\n    gesundheit:\n" + cellYAML("consent")
                + "    teilnahme:\n" + cellYAML("allowed")
        }
        let noBasis = try dir.write("nobasis.yaml", matrix("    gesundheit:\n" + cellYAML("forbidden", basis: nil)
                                                             + "    teilnahme:\n" + cellYAML("allowed")))
        assertConfigError(try SeparationMatrix.load(path: noBasis, taxonomy: t), code: "matrix.missing-legal-basis",
                          file: noBasis, line: 3, column: 5)
        let emptyBasis = try dir.write("empty.yaml", matrix("    gesundheit:\n" + cellYAML("forbidden", basis: " ")
                                                              + "    teilnahme:\n" + cellYAML("allowed")))
        assertConfigError(try SeparationMatrix.load(path: emptyBasis, taxonomy: t),
                          code: "matrix.legal-basis-not-a-norm", file: emptyBasis, line: 5, column: 20)
        let unknownCategory = try dir.write("cat.yaml", matrix("    gesundheit:\n" + cellYAML("forbidden")
                                                                 + "    sozial.leistung:\n" + cellYAML("forbidden")))
        assertConfigError(try SeparationMatrix.load(path: unknownCategory, taxonomy: t),
                          code: "matrix.unknown-category", file: unknownCategory, line: 7, column: 5)
        let unknownDecision = try dir.write("dec.yaml", matrix("    gesundheit:\n" + cellYAML("verboten")
                                                                 + "    teilnahme:\n" + cellYAML("allowed")))
        assertConfigError(try SeparationMatrix.load(path: unknownDecision, taxonomy: t),
                          code: "matrix.unknown-decision", file: unknownDecision, line: 4, column: 17)
        let unknownDirection = try dir.write("dir.yaml", "directions:\n  jobcenter->bund:\n    gesundheit:\n"
                                             + cellYAML("forbidden"))
        assertConfigError(try SeparationMatrix.load(path: unknownDirection, taxonomy: t),
                          code: "matrix.unknown-direction", file: unknownDirection, line: 2, column: 3)
        let incomplete = try dir.write("inc.yaml", matrix("    gesundheit:\n" + cellYAML("forbidden")))
        assertConfigError(try SeparationMatrix.load(path: incomplete, taxonomy: t),
                          code: "matrix.incomplete", file: incomplete, line: 2, column: 3)
    }

    func testAgreementsOpenOnlyAgreementCellsWithANamedNorm() throws {
        let (_, m) = try SeparationMatrix.loadPolicy(rulesDirectory: TestPaths.rules.path)
        let j2t = "jobcenter->traeger", t2j = "traeger->jobcenter"
        let basis = "§ 69 Abs. 1 Nr. 1 SGB X i. V. m. § 50 Abs. 1 SGB II"
        // agreement cell: opens with a named norm only.
        XCTAssertTrue(m.opens(direction: j2t, category: "vermittlung", agreementLegalBasis: basis))
        XCTAssertTrue(m.opens(direction: j2t, category: "stamm.kontakt", agreementLegalBasis: "Art. 6 Abs. 1 lit. e DSGVO"))
        XCTAssertFalse(m.opens(direction: j2t, category: "vermittlung", agreementLegalBasis: nil))
        XCTAssertFalse(m.opens(direction: j2t, category: "vermittlung", agreementLegalBasis: "  "))
        XCTAssertFalse(m.opens(direction: j2t, category: "vermittlung", agreementLegalBasis: "Kooperationsvertrag"))
        // forbidden: never, whatever the agreement says.
        XCTAssertFalse(m.opens(direction: j2t, category: "gesundheit.gutachten", agreementLegalBasis: basis))
        XCTAssertFalse(m.opens(direction: j2t, category: "kennung.kundennummer", agreementLegalBasis: basis))
        // consent: an agreement does not replace consent.
        XCTAssertFalse(m.opens(direction: t2j, category: "beratung.schulden", agreementLegalBasis: basis))
        XCTAssertTrue(m.permits(direction: t2j, category: "beratung.schulden", agreementLegalBasis: nil, hasConsent: true))
        XCTAssertFalse(m.permits(direction: j2t, category: "gesundheit", agreementLegalBasis: basis, hasConsent: true))
        // allowed: open anyway.
        XCTAssertTrue(m.opens(direction: t2j, category: "teilnahme.eintritt_austritt", agreementLegalBasis: nil))
        // unknown: fail closed.
        XCTAssertFalse(m.opens(direction: t2j, category: "unbekannt", agreementLegalBasis: basis))
        XCTAssertFalse(m.opens(direction: "x->y", category: "teilnahme", agreementLegalBasis: basis))
    }
}

final class PolicyDuplicateKeyTests: XCTestCase {
    func testDuplicateCellIsAnError() throws {
        let dir = try FixtureDir()
        let t = try Taxonomy.load(path: try dir.write("taxonomy.yaml", smallTaxonomy))
        let path = try dir.write("dup.yaml", "directions:\n  jobcenter->traeger:\n    teilnahme:\n" + cellYAML("allowed")
                                 + "    teilnahme:\n" + cellYAML("forbidden"))
        // Yams rejects duplicate keys while composing; YAMLNode (not ours) reports that at 1:1 so
        // far, hence only the code is asserted here.
        XCTAssertThrowsError(try SeparationMatrix.load(path: path, taxonomy: t)) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "yaml.syntax")
            XCTAssertTrue("\(error)".contains("teilnahme"))
        }
    }
}

/// The provisions a matrix cell's free-text legal basis cites, for the catalogue check in `rules lint`.
final class MatrixCitationTests: XCTestCase {
    let laws = ["SGB II", "SGB IV", "SGB X", "SGB I", "SGB V", "DSGVO", "AO", "PAuswG"].sorted { $0.count > $1.count }

    func testProvisionsAreReadWithTheirLaw() {
        XCTAssertEqual(MatrixCitation.provisions(in: "§ 69 Abs. 1 Nr. 1 SGB X i. V. m. § 50 Abs. 1 SGB II", laws: laws),
                       ["§ 69 SGB X", "§ 50 SGB II"])
        XCTAssertEqual(MatrixCitation.provisions(in: "§ 35 SGB I; §§ 67d, 69 SGB X; § 78 SGB X; Art. 5 Abs. 1 lit. b, c DSGVO", laws: laws),
                       ["§ 35 SGB I", "§ 67d SGB X", "§ 69 SGB X", "§ 78 SGB X", "Art. 5 DSGVO"])
        XCTAssertEqual(MatrixCitation.provisions(in: "§ 35 SGB I; §§ 31–32 SGB II; § 69 SGB X", laws: laws),
                       ["§ 35 SGB I", "§ 31 SGB II", "§ 32 SGB II", "§ 69 SGB X"])
        XCTAssertEqual(MatrixCitation.provisions(in: "§ 67b Abs. 2 SGB X; Art. 6 Abs. 1 lit. a, Art. 7 DSGVO", laws: laws),
                       ["§ 67b SGB X", "Art. 6 DSGVO", "Art. 7 DSGVO"])
        XCTAssertEqual(MatrixCitation.provisions(in: "§ 18f SGB IV; § 52 Abs. 2 SGB II", laws: laws), ["§ 18f SGB IV", "§ 52 SGB II"])
        XCTAssertEqual(MatrixCitation.provisions(in: "§ 139b Abs. 2 AO", laws: laws), ["§ 139b AO"])
    }

    func testShippedMatrixCitesOnlyCatalogueProvisions() throws {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let (_, matrix) = try SeparationMatrix.loadPolicy(rulesDirectory: TestPaths.rules.path)
        let catalogue = try XCTUnwrap(set.catalogue)
        XCTAssertEqual(RuleChecks.matrixCitationProblems(matrix, catalogue: catalogue).map { $0.text(.en) }, [])
        let broken = SeparationMatrix(cells: ["jobcenter->traeger": ["stamm": MatrixCell(decision: .forbidden, legalBasis: "§ 99 SGB X; § 69 SGB X")]])
        let problems = RuleChecks.matrixCitationProblems(broken, catalogue: catalogue)
        XCTAssertEqual(problems.map(\.code), ["norm.matrix-not-in-catalogue"])
        XCTAssertTrue(problems.first?.text(.en).contains("cites § 99 SGB X, which the norm catalogue lacks") ?? false)
    }
}
