import XCTest
import TrennwandRecords
@testable import TrennwandReaders

final class ProfileErrorTests: XCTestCase {
    typealias F = ProfileFixtures

    private func profile(_ fields: String, kind: String = "offers", header: String = "[Angebot, Anbieter]") throws -> SourceProfile {
        try SourceProfile.parse(yaml: """
            id: test-profil
            title: { de: Test, en: Test }
            kind: \(kind)
            format: csv
            delimiter: ";"
            detect:
              header: \(header)
            fields:
            \(fields)
            """, file: "test.yaml")
    }

    private func configError(_ body: () throws -> Void) -> ConfigError? {
        do { try body() } catch let e as ConfigError { return e } catch { XCTFail("unexpected \(error)") }
        return nil
    }

    func testUnknownKeyNamesFileLineColumn() throws {
        let e = try XCTUnwrap(configError {
            _ = try profile("""
              offer:
                column: Angebot
                colum: Anbieter
              provider: Anbieter
            """)
        })
        XCTAssertEqual(e.code, "yaml.unknown-key")
        XCTAssertEqual(e.position, SourcePosition(file: "test.yaml", line: 11, column: 5))
        XCTAssertTrue(e.text(.en).hasPrefix("test.yaml:11:5: unknown key 'colum'"), e.text(.en))

        let top = try XCTUnwrap(configError {
            _ = try SourceProfile.parse(yaml: "id: x\ntitle: {de: a, en: b}\nkind: offers\nformat: csv\nencodng: utf-8\n", file: "p.yaml")
        })
        XCTAssertEqual(top.position.description, "p.yaml:5:1")
    }

    func testMissingRequiredFieldAndUnknownField() throws {
        let missing = try XCTUnwrap(configError { _ = try profile("  offer: Angebot") })
        XCTAssertEqual(missing.code, "profile.missing-field")
        XCTAssertTrue(missing.message.de.contains("„test-profil“"), missing.message.de)
        XCTAssertTrue(missing.message.en.contains("'provider'"), missing.message.en)

        let unknown = try XCTUnwrap(configError { _ = try profile("  offer: Angebot\n  provider: Anbieter\n  anbieter: X") })
        XCTAssertEqual(unknown.code, "profile.unknown-field")
        XCTAssertEqual(unknown.position.line, 11)
    }

    func testBadFormatTimezoneAndMapTarget() throws {
        let fmt = try XCTUnwrap(configError {
            _ = try profile("  participant: Teilnehmer\n  categories: Kat\n  given: { column: Datum, format: dd.MM.jjjj }",
                            kind: "consents", header: "[Teilnehmer]")
        })
        XCTAssertEqual(fmt.code, "profile.timestamp-format")
        let target = try XCTUnwrap(configError {
            _ = try profile("  person: P\n  org: { column: O, map: { JC: jobcentre } }", kind: "staff", header: "[P]")
        })
        XCTAssertEqual(target.code, "profile.map-target")
        XCTAssertEqual(target.position.line, 10)
    }

    func testProfileColumnMissingInFile() throws {
        let p = try F.catalog.require(id: "stammdaten-angebote")
        let path = F.temp("angebote-ohne-anbieter.csv", "Angebot;Träger\nBewerbungswerkstatt;Familienwerk\n")
        let (result, records) = F.ingest(path, profile: p)
        XCTAssertTrue(records.isEmpty)
        let error = try XCTUnwrap(result.account.fileError)
        XCTAssertEqual(error.reason.code, "profile.missing-column")
        XCTAssertTrue(error.reason.message.de.contains("„stammdaten-angebote“"))
        XCTAssertTrue(error.reason.message.de.contains("„Anbieter“"))
        XCTAssertTrue(error.reason.message.en.contains("column 'Anbieter'"))
    }

    func testUnmappedValueAndMissingValueRejectedWithLocator() throws {
        let path = F.temp("fluesse.csv", """
            Fluss-ID;Von Organisation;An Organisation;Datenkategorien;Verschlüsselt;Nebenbei
            FL-1;Jobcenter;Träger;stamm;ja;x
            FL-2;Landratsamt;Träger;stamm;ja;x
            FL-3;Jobcenter;Träger;;ja;x
            FL-4;Jobcenter;Träger;stamm;vielleicht;x

            """)
        let reduced = try SourceProfile.parse(yaml: """
            id: fluesse-kurz
            title: { de: Kurz, en: Short }
            kind: flow
            format: csv
            detect: { header: [Fluss-ID] }
            fields:
              flow_id: Fluss-ID
              from_org: { column: Von Organisation, map: { Jobcenter: jobcenter, Träger: traeger } }
              to_org: { column: An Organisation, map: { Jobcenter: jobcenter, Träger: traeger } }
              categories: { column: Datenkategorien, split: "," }
              encrypted: Verschlüsselt
            """, file: "kurz.yaml")
        let catalog = try ProfileCatalog(profiles: [reduced])
        var records: [Record] = []
        let result = Ingest.run(file: path, profile: nil, catalog: catalog) { records.append($0) }
        XCTAssertEqual(result.account.profile, "fluesse-kurz")
        XCTAssertEqual(result.unusedColumns, ["Nebenbei"])
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(result.account.read, 4)
        XCTAssertTrue(result.account.isBalanced)
        let r = result.account.rejections
        XCTAssertEqual(r.map(\.reason.code), ["profile.unmapped-value", "profile.missing-value", "profile.invalid-bool"])
        XCTAssertEqual(r[0].locator.line, 3)
        XCTAssertEqual(r[0].locator.recordID, "FL-2")
        // The message names field and source column and describes the value, never quotes it.
        XCTAssertFalse(r[0].reason.message.de.contains("Landratsamt"), r[0].reason.message.de)
        XCTAssertTrue(r[0].reason.message.de.contains("Von Organisation"), r[0].reason.message.de)
        XCTAssertTrue(r[0].reason.message.en.contains("11 bytes, letters"), r[0].reason.message.en)
        XCTAssertEqual(r[1].locator.line, 4)
        XCTAssertEqual(r[2].locator.line, 5)
    }

    func testDetectionPicksTheProfileForEverySample() throws {
        let expected = [
            "Jobcenter-Zugriffe.csv": "jobcenter-zugriffe", "Traeger-Zugriffe.csv": "traeger-zugriffe",
            "Traeger-Dokumentation.xml": "traeger-dokumentation", "Plattform-Datenfluesse.csv": "plattform-datenfluesse",
            "Stammdaten/Mitarbeitende.csv": "stammdaten-mitarbeitende", "Stammdaten/Abordnungen.csv": "stammdaten-abordnungen",
            "Stammdaten/Vereinbarungen.csv": "stammdaten-vereinbarungen", "Stammdaten/Einwilligungen.csv": "stammdaten-einwilligungen",
            "Stammdaten/Teilnehmende.csv": "stammdaten-teilnehmende", "Stammdaten/Angebote.csv": "stammdaten-angebote",
        ]
        for (file, id) in expected {
            XCTAssertEqual(try F.catalog.detect(file: F.sample(file)).id, id, file)
        }
        // Loaded in file-name order (file names equal ids here): deterministic.
        XCTAssertEqual(F.catalog.profiles.map(\.id), F.catalog.profiles.map(\.id).sorted())
        XCTAssertEqual(F.catalog.profiles.count, 10)
    }

    func testDetectionAmbiguityAndNoMatch() throws {
        func p(_ id: String, _ header: String) throws -> SourceProfile {
            try SourceProfile.parse(yaml: """
                id: \(id)
                title: { de: T, en: T }
                kind: offers
                format: csv
                detect: { header: \(header) }
                fields: { offer: Angebot, provider: Anbieter }
                """, file: "\(id).yaml")
        }
        let catalog = try ProfileCatalog(profiles: [try p("a", "[Angebot]"), try p("b", "[anbieter ]"), try p("c", "[Angebot, Anbieter]")])
        XCTAssertEqual(try catalog.detect(header: ["Angebot", " Anbieter", "Extra"], file: "x.csv").id, "c")
        XCTAssertEqual(try catalog.detect(header: ["ANGEBOT"], file: "x.csv").id, "a")

        let tie = try ProfileCatalog(profiles: [try p("a", "[Angebot]"), try p("b", "[Anbieter]")])
        do {
            _ = try tie.detect(header: ["Angebot", "Anbieter"], file: "x.csv")
            XCTFail("expected ambiguity")
        } catch let e as InputError {
            XCTAssertEqual(e.rejection.reason.code, "profile.ambiguous")
            XCTAssertTrue(e.rejection.reason.message.en.contains("a, b"))
        }
        let path = F.temp("unbekannt.csv", "Spalte1;Spalte2\n1;2\n")
        let (result, _) = F.ingest(path)
        XCTAssertEqual(result.account.fileError?.reason.code, "profile.no-match")
        XCTAssertTrue(result.account.fileError?.reason.message.de.contains("Spalte1 | Spalte2") ?? false)
        // A file without a header: its first data line is described, not quoted.
        let headless = F.temp("ohnekopf.csv", "03.02.2025 08:12:05;Max Mustermann;962D000999;Bemerkung mit \u{1B}[2J\n")
        let (headlessResult, _) = F.ingest(headless)
        let message = headlessResult.account.fileError?.reason.message.de ?? ""
        XCTAssertEqual(headlessResult.account.fileError?.reason.code, "profile.no-match")
        XCTAssertFalse(message.contains("962D000999") || message.contains("03.02.2025") || message.contains("\u{1B}"), message)
        XCTAssertTrue(message.contains("[10 Bytes]"), message)
        let xml = F.temp("unbekannt.xml", "<?xml version=\"1.0\"?><x:Export xmlns:x=\"urn:anders\"><x:A/></x:Export>")
        let (xmlResult, _) = F.ingest(xml)
        XCTAssertEqual(xmlResult.account.fileError?.reason.code, "profile.no-match")
        XCTAssertTrue(xmlResult.account.fileError?.reason.message.en.contains("{urn:anders}Export") ?? false)
    }
}
