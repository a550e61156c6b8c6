import XCTest
import TrennwandRecords
@testable import TrennwandReaders

final class ProfileNormaliseTests: XCTestCase {
    typealias F = ProfileFixtures

    func testJobcenterCP1252ExportNormalises() throws {
        let (result, records) = F.ingest(F.sample("Jobcenter-Zugriffe.csv"))
        let account = result.account
        XCTAssertNil(account.fileError)
        XCTAssertEqual(account.profile, "jobcenter-zugriffe")
        XCTAssertEqual(result.encoding, .windows1252)
        XCTAssertEqual(account.read, 48)
        XCTAssertEqual(account.normalised, 46)
        XCTAssertEqual(account.rejected, 2)
        XCTAssertEqual(records.count, 46)
        XCTAssertEqual(result.unusedColumns, [])

        let first = records[0]
        XCTAssertEqual(first.kind, .access)
        XCTAssertEqual(F.iso(first["time"]), "2025-02-03T07:12:05Z") // CET, UTC+1
        XCTAssertEqual(F.str(first["actor"]), "JC-M-0042")
        XCTAssertEqual(F.str(first["actor_org"]), "jobcenter")
        XCTAssertEqual(F.str(first["system"]), "VerBIS")
        XCTAssertEqual(F.str(first["system_owner"]), "jobcenter")
        XCTAssertEqual(F.str(first["action"]), "read")
        XCTAssertEqual(F.str(first["category"]), "vermittlung")
        XCTAssertEqual(F.str(first["network"]), "jobcenter")
        XCTAssertTrue(first["decision_type"].isMissing)
        XCTAssertTrue(first["traeger"].isMissing)
        XCTAssertEqual(first.locator.line, 2)
        XCTAssertEqual(first.locator.index, 1)
        XCTAssertEqual(F.str(records[1]["action"]), "update") // „Ändern“ from cp1252 bytes

        // Summer time (CEST, UTC+2) after 30.03.2025, winter time again after 26.10.2025.
        let byTimeAndActor = records.filter { F.str($0["actor"]) == "JC-M-0042" }.compactMap { F.iso($0["time"]) }
        XCTAssertTrue(byTimeAndActor.contains("2025-03-28T08:00:00Z"))
        XCTAssertTrue(byTimeAndActor.contains("2025-03-31T07:00:00Z"))
        XCTAssertTrue(byTimeAndActor.contains("2025-10-24T21:59:59Z"))
        XCTAssertTrue(byTimeAndActor.contains("2025-10-27T06:30:00Z"))

        let export = try XCTUnwrap(records.first { F.str($0["channel"]) == "E-Mail (unverschlüsselt)" })
        XCTAssertEqual(F.str(export["action"]), "export")
        XCTAssertEqual(F.str(export["destination_org"]), "traeger")
        XCTAssertEqual(F.str(export["network"]), "traeger")
        XCTAssertEqual(F.str(export["category"]), "sozial.leistung")
        XCTAssertEqual(F.str(export["purpose"]), "Unterlagen für Coaching")
        XCTAssertEqual(F.str(export["traeger"]), "Familienwerk Beispielstadt")

        let gutachten = try XCTUnwrap(records.first { F.str($0["purpose"]) == "Ärztliches Gutachten einsehen" })
        XCTAssertEqual(F.str(gutachten["category"]), "gesundheit.gutachten")
        let sanction = try XCTUnwrap(records.first { F.str($0["decision_type"]) == "sanktion" })
        XCTAssertEqual(F.str(sanction["action"]), "decide")
        XCTAssertEqual(F.str(sanction["purpose"]), "Minderung § 31a SGB II")
        let refund = try XCTUnwrap(records.first { F.str($0["decision_type"]) == "rueckforderung" })
        XCTAssertEqual(F.str(refund["purpose"]), "Überzahlung")

        // The two planted bad rows are exactly the rejections.
        XCTAssertEqual(account.rejections.count, 2)
        let ragged = account.rejections[0]
        XCTAssertEqual(ragged.reason.code, "csv.ragged-row")
        XCTAssertEqual(ragged.locator.line, 22)
        let badDate = account.rejections[1]
        XCTAssertEqual(badDate.reason.code, "profile.invalid-timestamp")
        XCTAssertEqual(badDate.locator.line, 33)
        XCTAssertEqual(badDate.locator.file, F.sample("Jobcenter-Zugriffe.csv"))
        XCTAssertFalse(badDate.reason.message.de.contains("31.02.2025"), badDate.reason.message.de)
        XCTAssertTrue(badDate.reason.message.de.contains("Zeitpunkt"), badDate.reason.message.de)
        XCTAssertTrue(badDate.reason.message.de.contains("19 Bytes"), badDate.reason.message.de)
        XCTAssertTrue(badDate.reason.message.en.contains("dd.MM.yyyy HH:mm:ss"), badDate.reason.message.en)
    }

    /// The export's "Zuweisung"/"Zuweisen" become the canonical referral action `refer` (TW401).
    func testJobcenterReferralActionMapsToRefer() throws {
        let header = "Zeitpunkt;Benutzerkennung;Organisation;Rolle;Verfahren;Aktion;Entscheidungsart;Kunden-Nr.;Datenkategorie;Arbeitsplatz;Netz;Übertragungsweg;Empfänger;Empfänger-Organisation;Zweck;Träger;Angebot"
        let rows = [
            "05.05.2025 08:00:00;JC-M-0042;JC;Integrationsfachkraft;VerBIS;Zuweisung;;962D000100;Vermittlung;JC-PC-0815;JC-Netz;;;;;;Bewerbungswerkstatt",
            "05.05.2025 09:00:00;JC-M-0042;JC;Integrationsfachkraft;VerBIS;zuweisen;;962D000101;Vermittlung;JC-PC-0815;JC-Netz;;;;;;Bewerbungswerkstatt",
            "05.05.2025 10:00:00;JC-M-0042;JC;Integrationsfachkraft;VerBIS;Anlegen;;962D000102;Vermittlung;JC-PC-0815;JC-Netz;;;;;;Bewerbungswerkstatt",
        ]
        let path = F.temp("zuweisungen.csv", ([header] + rows).joined(separator: "\r\n") + "\r\n", encoding: .windowsCP1252)
        let (result, records) = F.ingest(path)
        XCTAssertEqual(result.account.profile, "jobcenter-zugriffe")
        XCTAssertEqual(result.account.rejected, 0)
        XCTAssertEqual(records.map { F.str($0["action"]) }, ["refer", "refer", "create"])
        XCTAssertEqual(F.str(records[0]["offer"]), "Bewerbungswerkstatt")
    }

    func testTraegerLogWithSeparateDateAndTimeColumns() throws {
        let (result, records) = F.ingest(F.sample("Traeger-Zugriffe.csv"))
        XCTAssertNil(result.account.fileError)
        XCTAssertEqual(result.account.profile, "traeger-zugriffe")
        XCTAssertEqual(records.count, 29)
        XCTAssertEqual(result.account.rejected, 0)
        XCTAssertEqual(F.iso(records[0]["time"]), "2025-02-03T07:55:00Z")
        XCTAssertEqual(F.str(records[0]["system"]), "FallKompass")
        XCTAssertEqual(F.str(records[0]["system_owner"]), "traeger")
        XCTAssertEqual(F.str(records[0]["actor_org"]), "traeger")
        XCTAssertEqual(F.str(records[0]["action"]), "create")
        // "Anmeldung" maps to ~ : the category is empty, not "Anmeldung".
        XCTAssertTrue(records[2]["category"].isMissing)
        XCTAssertEqual(F.str(records[2]["action"]), "login")
        let deletion = try XCTUnwrap(records.first { F.iso($0["time"]) == "2025-12-15T16:05:00Z" })
        XCTAssertEqual(F.str(deletion["action"]), "delete") // „löschen“
        XCTAssertTrue(records.contains { F.str($0["purpose"]) == "Folgegespräch, Wintertermin" }) // quoted field with comma
    }

    func testNamespacedXMLExportNormalises() throws {
        let (result, records) = F.ingest(F.sample("Traeger-Dokumentation.xml"))
        XCTAssertNil(result.account.fileError)
        XCTAssertEqual(result.account.profile, "traeger-dokumentation")
        XCTAssertEqual(records.count, 23)
        XCTAssertTrue(result.account.isBalanced)

        let v3 = try XCTUnwrap(records.first { F.str($0["record_id"]) == "V-0003" })
        XCTAssertEqual(v3.kind, .documentation)
        XCTAssertEqual(v3.locator.recordID, "V-0003")
        XCTAssertNotNil(v3.locator.column)
        XCTAssertEqual(F.str(v3["subject"]), "TN-2025-0001") // ancestor attribute ../@nr
        XCTAssertEqual(F.str(v3["doc_type"]), "Folgegespräch")
        XCTAssertEqual(F.iso(v3["time"]), "2025-03-31T08:00:00Z")
        XCTAssertEqual(F.str(v3["author"]), "TR-M-0101")
        XCTAssertEqual(F.str(v3["author_org"]), "traeger")
        XCTAssertEqual(F.str(v3["visibility"]), "team") // mapped to the canonical symbol
        XCTAssertEqual(F.str(v3["consent_ref"]), "EW-0001")
        XCTAssertEqual(F.iso(v3["retention_until"]), "2027-12-31T22:59:59Z") // date-only end: 23:59:59 local
        XCTAssertEqual(v3["deleted"], .bool(false)) // default
        let pieces = v3["text"].strings.map(\.string)
        XCTAssertEqual(pieces.count, 2)
        XCTAssertTrue(pieces[0].hasPrefix("Teilnehmerin hat laut eigener Aussage einen neuen Leistungsbescheid"))
        XCTAssertTrue(pieces[1].hasPrefix("Empfehlung: Rückfrage"))

        let v7 = try XCTUnwrap(records.first { F.str($0["record_id"]) == "V-0007" })
        XCTAssertEqual(v7["attachments"].strings.map(\.string), ["Abschlussbericht.pdf", "Teilnahmebescheinigung.pdf"])
        XCTAssertEqual(F.str(v7["transmitted_to"]), "Jobcenter Beispielstadt")
        XCTAssertEqual(F.iso(v7["retention_until"]), "2025-06-30T21:59:59Z")
        let v14 = try XCTUnwrap(records.first { F.str($0["record_id"]) == "V-0014" })
        XCTAssertTrue(v14["text"].strings[0].string.contains("<script>alert(1)</script>"))
        let v20 = try XCTUnwrap(records.first { F.str($0["record_id"]) == "V-0020" })
        XCTAssertEqual(v20["deleted"], .bool(true))
        XCTAssertEqual(F.str(v20["author_org"]), "jobcenter")
        let v8 = try XCTUnwrap(records.first { F.str($0["record_id"]) == "V-0008" })
        XCTAssertTrue(v8["consent_ref"].isMissing) // empty element
    }

    func testStammdatenAndFlows() throws {
        let (sec, secRecords) = F.ingest(F.sample("Stammdaten/Abordnungen.csv"))
        XCTAssertEqual(sec.account.profile, "stammdaten-abordnungen")
        XCTAssertEqual(secRecords.count, 4)
        XCTAssertEqual(F.iso(secRecords[0]["start"]), "2025-01-31T23:00:00Z") // date-only start: local midnight
        XCTAssertEqual(F.iso(secRecords[0]["end"]), "2025-12-31T22:59:59Z")  // date-only end: 23:59:59 local
        XCTAssertEqual(secRecords[0]["roles"].strings.map(\.string), ["Integrationsfachkraft", "Lotsin Akti(F)"])
        XCTAssertTrue(secRecords[2]["instrument"].isMissing)
        XCTAssertTrue(secRecords[2]["roles"].isMissing)

        let (agr, agrRecords) = F.ingest(F.sample("Stammdaten/Vereinbarungen.csv"))
        XCTAssertEqual(agr.encoding, .windows1252)
        XCTAssertEqual(agrRecords[0]["approved_by_leitung"], .bool(true))
        XCTAssertEqual(agrRecords[1]["approved_by_leitung"], .bool(false))
        XCTAssertEqual(agrRecords[0]["permitted_flows"].strings.map(\.string),
                       ["traeger->jobcenter:teilnahme", "jobcenter->traeger:stamm"])
        XCTAssertEqual(F.str(agrRecords[0]["legal_basis"]), "§ 67b Abs. 2 SGB X; Art. 6 Abs. 1 lit. e DSGVO")

        let (_, staff) = F.ingest(F.sample("Stammdaten/Mitarbeitende.csv"))
        XCTAssertEqual(staff.count, 12)
        XCTAssertEqual(staff[2]["roles"].strings.map(\.string), ["Integrationsfachkraft", "Leistungssachbearbeitung"])
        XCTAssertEqual(F.str(staff[5]["org"]), "traeger")

        let (_, flows) = F.ingest(F.sample("Plattform-Datenfluesse.csv"))
        XCTAssertEqual(flows.count, 12)
        XCTAssertEqual(flows[2]["categories"].strings.map(\.string), ["sozial.leistung", "sozial.sanktion"])
        XCTAssertEqual(flows[4]["encrypted"], .bool(false))
        XCTAssertEqual(flows[5]["encrypted"], .bool(true)) // custom true word "Ende-zu-Ende"
        XCTAssertEqual(F.str(flows[6]["to_org"]), "other")
        XCTAssertEqual(flows[0].locator.recordID, "FL-01")
    }

    func testAccountingIsBalancedOnEverySample() {
        let files = ["Jobcenter-Zugriffe.csv", "Traeger-Zugriffe.csv", "Traeger-Dokumentation.xml", "Plattform-Datenfluesse.csv",
                     "Stammdaten/Mitarbeitende.csv", "Stammdaten/Abordnungen.csv", "Stammdaten/Vereinbarungen.csv",
                     "Stammdaten/Einwilligungen.csv", "Stammdaten/Teilnehmende.csv", "Stammdaten/Angebote.csv"]
        for f in files {
            let (result, records) = F.ingest(F.sample(f))
            XCTAssertNil(result.account.fileError, f)
            XCTAssertTrue(result.account.isBalanced, f)
            XCTAssertEqual(result.account.normalised, records.count, f)
            XCTAssertGreaterThan(records.count, 0, f)
            XCTAssertEqual(result.account.rejected, f == "Jobcenter-Zugriffe.csv" ? 2 : 0, f)
        }
    }

    func testTimestampFormats() throws {
        let zone = try XCTUnwrap(ZoneConverter(identifier: "Europe/Berlin"))
        func parse(_ format: String, _ value: String) -> String? {
            guard let f = TimestampFormat.compile(format) else { return "bad format" }
            let bytes = Array(value.utf8)
            return bytes.withUnsafeBytes { f.parse($0) }.map {
                CivilTime.iso8601(ProfileNormaliser.toUTC($0, endOfDay: false, zone: zone))
            }
        }
        XCTAssertEqual(parse("iso8601", "2025-07-01T10:00:00+02:00"), "2025-07-01T08:00:00Z")
        XCTAssertEqual(parse("iso8601", "2025-07-01T10:00:00Z"), "2025-07-01T10:00:00Z")
        XCTAssertEqual(parse("iso8601", "2025-07-01T10:00:00.250-0130"), "2025-07-01T11:30:00Z")
        XCTAssertEqual(parse("iso8601", "2025-01-15 10:00"), "2025-01-15T09:00:00Z")
        XCTAssertEqual(parse("iso8601", "2025-01-15"), "2025-01-14T23:00:00Z")
        XCTAssertEqual(parse("dd.MM.yyyy HH:mm", "1.3.2025 7:05"), "2025-03-01T06:05:00Z")
        XCTAssertEqual(parse("yyyy-MM-dd HH:mm", "2025-08-01 12:00"), "2025-08-01T10:00:00Z")
        XCTAssertNil(parse("dd.MM.yyyy", "29.02.2025"))
        XCTAssertNil(parse("dd.MM.yyyy HH:mm:ss", "01.03.2025 24:00:00"))
        XCTAssertNil(parse("dd.MM.yyyy", "01.03.2025x"))
        XCTAssertNil(TimestampFormat.compile("dd.MM.yyyy QQ"))
        XCTAssertNil(TimestampFormat.compile("mm:ss"))
    }
}
