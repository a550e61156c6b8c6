import XCTest
import TrennwandRecords
@testable import TrennwandEngine

/// German compounds, case, umlauts, punctuation: which words must fire which list, which must not.
final class DetectorCompoundTests: XCTestCase {
    nonisolated(unsafe) static var shared: DetectorSet?
    static func set() throws -> DetectorSet {
        if let s = shared { return s }
        let s = try DetectorSet(rulesDirectory: TestPaths.rules.path)
        shared = s
        return s
    }

    /// Names of the keyword lists that fire on `text`.
    func fired(_ text: String) throws -> Set<String> {
        let set = try Self.set()
        let result = set.scan([ByteString(text)])
        return Set(result.hits.map { set.detectors[$0.detector].name }.filter { set.index(of: $0)! >= 7 })
    }

    static let mustFire: [(String, String)] = [
        ("Leistungsbescheid", "leistung"),
        ("LEISTUNGSBESCHEID vom 3.4.", "leistung"),
        ("Der Leistungsbescheid.", "leistung"),
        ("siehe Leistungsbescheides", "leistung"),
        ("ALG-II-Leistungsbescheid liegt vor", "leistung"),
        ("Kosten der Unterkunft wurden angepasst", "leistung"),
        ("Kosten  der\nUnterkunft", "leistung"),
        ("Regelbedarfsstufe 1", "leistung"),
        ("KdU", "leistung"),
        ("Sanktionen", "sanktion"),
        ("Sanktion", "sanktion"),
        ("„Sanktionsbescheid“", "sanktion"),
        ("Totalsanktion", "sanktion"),
        ("Leistungsminderung um 10 Prozent", "sanktion"),
        ("Meldeversäumnis am Montag", "sanktion"),
        ("MELDEVERSÄUMNIS", "sanktion"),
        ("nach § 31a SGB II", "sanktion"),
        ("ÄRZTLICHES GUTACHTEN", "gutachten"),
        ("ärztliches Gutachten", "gutachten"),
        ("Ärztlicher Dienst", "gutachten"),
        ("das Gutachten", "gutachten"),
        ("Sozialmedizinisches Gutachten:", "gutachten"),
        ("Arbeitsunfähigkeitsbescheinigung", "gesundheit"),
        ("arbeitsunfähig", "gesundheit"),
        ("Depressionen", "gesundheit"),
        ("Rückenerkrankung", "gesundheit"),
        ("GdB 50", "gesundheit"),
        ("Schwerbehinderung", "gesundheit"),
        ("Alkoholabhängigkeit", "sucht"),
        ("Suchtberatung", "sucht"),
        ("Spielsucht", "sucht"),
        ("SPIELSÜCHTIG", "sucht"),
        ("Schulden", "schulden"),
        ("Mietschulden", "schulden"),
        ("Privatinsolvenz", "schulden"),
        ("P-Konto", "schulden"),
        ("Kontopfändung", "schulden"),
        ("Schuldnerberatung", "schulden"),
        ("Bedarfsgemeinschaft", "bedarfsgemeinschaft"),
        ("Mitglied der BG", "bedarfsgemeinschaft"),
        ("Potenzialanalyse", "intern"),
        ("Kooperationsplan", "intern"),
        ("Eingliederungsvereinbarung", "intern"),
        ("laut VerBIS", "intern"),
        ("(EGV)", "intern"),
        ("Gutachtenanforderung an den ÄD", "intern"),
        ("Laut Datenabgleich", "vorgang"),
        ("Abgleichsergebnisse liegen vor", "vorgang"),
        ("Mitteilung nach § 52 SGB II", "vorgang"),
        ("Verdacht auf Leistungsmissbrauch", "vorgang"),
        ("nach Dienstanweisung", "vorgang"),
        ("Vorlage bei der Fachaufsicht", "vorgang"),
        ("Interne Fallbewertung:", "vorgang"),
    ]

    static let mustNotFire: [String] = [
        "Leistungsbereitschaft",
        "Leistungsbereitschaft und Motivation sind hoch",
        "Leistungsträger",
        "Leistungsnachweis",
        "Leistung",
        "Bescheinigung der Teilnahme",
        "Herr M. sucht eine Wohnung",
        "Sie hat sich beworben und besucht den Kurs",
        "Sehnsucht nach Arbeit",
        "wurde untersucht",
        "versucht",
        "Eifersucht",
        "ohne Verschulden",
        "Gesundheitsamt-Öffnungszeiten",
        "Gesundheit",
        "Fehlerdiagnose am Drucker",
        "Rechtsgutachten",
        "Wertgutachten",
        "Regelbedarfsermittlungsgesetz",
        "sanktionsfrei",
        "Gesundheitsförderung im Kurs",
        "Gutachterausschuss für Grundstückswerte",
        "Egvstraße",
        "Sonnenschein",
        "Bewerbungstraining",
        "Schuldenbremse",
        "Kundenberatung",
        "Therapieplatzsuche",
        "Herapie",
        "Arbeitsplatz",
        "Allegretto",
        "Unterkunft",
        // public debate and the provider's own processes, not the Jobcenter's (vorgang.yaml)
        "Zeitungsartikel über Sozialbetrug und Schwarzarbeit",
        "Abgleich der Anwesenheitsliste",
        "Anweisung der Projektleitung",
        "Fachliche Hinweise zur Bewerbung",
        "Prüfung der Bewerbungsunterlagen",
    ]

    func testMustFire() throws {
        XCTAssertGreaterThanOrEqual(Self.mustFire.count, 30)
        for (text, list) in Self.mustFire {
            let got = try fired(text)
            XCTAssertTrue(got.contains(list), "„\(text)“ should fire \(list), fired \(got)")
        }
    }

    func testMustNotFire() throws {
        XCTAssertGreaterThanOrEqual(Self.mustNotFire.count, 30)
        for text in Self.mustNotFire {
            let got = try fired(text)
            XCTAssertEqual(got, [], "„\(text)“ should not fire")
        }
    }

    func testHitRangeCoversWord() throws {
        let set = try Self.set()
        let text = "Am Montag: ärztliches Gutachten (Ärztlicher Dienst) und Totalsanktion."
        let hits = set.scan([ByteString(text)]).hits
        let words = hits.map { String(decoding: Array(text.utf8)[$0.range], as: UTF8.self) }
        XCTAssertTrue(words.contains("ärztliches Gutachten"), "\(words)")
        XCTAssertTrue(words.contains("Totalsanktion"), "\(words)")
        XCTAssertTrue(words.contains("Ärztlicher Dienst"), "\(words)")
    }
}
