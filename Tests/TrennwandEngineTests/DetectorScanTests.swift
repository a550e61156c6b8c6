import Foundation
import XCTest
import TrennwandRecords
@testable import TrennwandEngine

/// Detection on realistic notes with planted identifiers, and configuration errors.
final class DetectorScanTests: XCTestCase {
    static func set() throws -> DetectorSet { try DetectorCompoundTests.set() }

    /// (detector name, matched text) of all hits, in order.
    func hits(_ text: String) throws -> [(String, String)] {
        let set = try Self.set()
        let bytes = Array(text.utf8)
        return set.scan([ByteString(bytes)]).hits.map {
            (set.detectors[$0.detector].name, String(decoding: bytes[$0.range], as: UTF8.self))
        }
    }

    func identifierHits(_ text: String) throws -> [String] {
        let set = try Self.set()
        return try hits(text).filter { set.detectors[set.index(of: $0.0)!].kind == .identifier }.map { "\($0.0)=\($0.1)" }
    }

    func testDetectorOrderAndCategories() throws {
        let set = try Self.set()
        XCTAssertEqual(set.detectors.prefix(7).map(\.name),
                       ["steuer_id", "iban", "rv_nummer", "kvnr", "ausweis", "kundennummer", "bg_nummer"])
        XCTAssertEqual(set.detectors[0].category, "kennung.steuer_id")
        let lists = set.detectors.dropFirst(7)
        XCTAssertEqual(lists.map(\.name), lists.map(\.name).sorted())
        XCTAssertEqual(set.detectors[set.index(of: "gutachten")!].category, "gesundheit.gutachten")
        XCTAssertTrue(lists.allSatisfy { $0.kind == .keywords })
    }

    func testPlantedValidIdentifiers() throws {
        let note = """
        Beratungsgespräch am 12.03. mit Frau K. (Kd.-Nr. 123A456789). Sie bringt die Steuer-ID 36 574 261 809 \
        für den Minijob mit, IBAN DE89 3704 0044 0532 0130 00. Rentenversicherungsnummer 15 070649 C103, \
        Versichertennummer K220645122. Personalausweis-Nr.: LZ6311T475. BG-Nr: 12345BG1234567.
        """
        XCTAssertEqual(try identifierHits(note), [
            "kundennummer=123A456789", "steuer_id=36 574 261 809", "iban=DE89 3704 0044 0532 0130 00",
            "rv_nummer=15 070649 C103", "kvnr=K220645122", "ausweis=LZ6311T475", "bg_nummer=12345BG1234567",
        ])
    }

    func testByteRangesWithUmlauts() throws {
        let set = try Self.set()
        let text = "Übergabe für Müller: IBAN DE89370400440532013000 – bitte prüfen."
        let bytes = Array(text.utf8)
        let hit = try XCTUnwrap(set.scan(["x", ByteString(bytes)]).hits.first { $0.detector == set.index(of: "iban") })
        XCTAssertEqual(hit.piece, 1)
        let start = Array("Übergabe für Müller: IBAN ".utf8).count
        XCTAssertEqual(hit.range, start..<(start + 22))
    }

    /// Terms of fixed byte length are matched without start-of-match tracking (their start is
    /// their end minus the length); terms with a space (`\s+`) or `ß` (also `ẞ`) keep it. Both
    /// give the bytes of the word the term stands in (a hit covers its whole word).
    func testKeywordRangesWithAndWithoutStartTracking() throws {
        let text = "Für Frau X: krankgeschrieben, ARBEITSUNFÄHIGKEITSBESCHEINIGUNG liegt vor; Grad  der\nBehinderung 50; "
            + "Reha-Maßnahmen und Reha-MAẞNAHME beantragt; Abbruch der Maßnahme droht."
        let found = try hits(text).map { "\($0.0)=\($0.1)" }
        for expected in ["gesundheit=krankgeschrieben", "gesundheit=ARBEITSUNFÄHIGKEITSBESCHEINIGUNG", "gesundheit=Grad  der\nBehinderung",
                         "gesundheit=Reha-Maßnahmen", "gesundheit=Reha-MAẞNAHME", "sanktion=Abbruch der Maßnahme"] {
            XCTAssertTrue(found.contains(expected), "\(expected) not in \(found)")
        }
    }

    func testLookAlikesDoNotFire() throws {
        let note = """
        Artikelnummer LZ6311T475 im Katalog. Rückruf unter 36574261890 (Telefon). Rechnung 123A456789 bezahlt. Alte Kontonummer DE88370400440532013000. \
        Notiz 15 070649 C102 und K220645129. Ausweis LZ6311T470. \
        Vorgang 12345BG1234567 im Lager. 365742618091 ist zu lang, 1365742618090 auch. X36574261809 klebt.
        """
        XCTAssertEqual(try identifierHits(note), [])
    }

    func testContextWindow() throws {
        // The context word must end at most 40 bytes before the candidate.
        XCTAssertEqual(try identifierHits("Kundennummer: 123A456789"), ["kundennummer=123A456789"])
        let far = "Kundennummer" + String(repeating: " ", count: 41) + "123A456789"
        XCTAssertEqual(try identifierHits(far), [])
        XCTAssertEqual(try identifierHits("Bedarfsgemeinschaft 12345BG1234567"), ["bg_nummer=12345BG1234567"])
        XCTAssertEqual(try identifierHits("Dokumentennummer 2406055684"), ["ausweis=2406055684"])
        XCTAssertEqual(try identifierHits("Telefon 2406055684"), [])
    }

    func testTextStartEndAndPunctuation() throws {
        XCTAssertEqual(try identifierHits("36574261809"), ["steuer_id=36574261809"])
        XCTAssertEqual(try identifierHits("(K220645122)"), ["kvnr=K220645122"])
        XCTAssertEqual(try identifierHits("IBAN:DE89370400440532013000."), ["iban=DE89370400440532013000"])
        XCTAssertEqual(try identifierHits("AB12 DE89 3704 0044 0532 0130 00"), ["iban=DE89 3704 0044 0532 0130 00"])
    }

    func testScannerPerThread() throws {
        let set = try Self.set()
        let texts = (0..<64).map { ByteString("Notiz \($0): Sanktion und Steuer-ID 36574261809.") }
        final class Counts: @unchecked Sendable {
            let lock = NSLock()
            var values = [Int](repeating: 0, count: 4)
        }
        let counts = Counts()
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            let scanner = set.makeScanner()
            var n = 0
            for text in texts { n += scanner.scan([text]).hits.count }
            counts.lock.lock(); counts.values[t] = n; counts.lock.unlock()
        }
        XCTAssertEqual(counts.values, Array(repeating: 128, count: 4))
    }

    // MARK: - Configuration errors

    func makeRules(lists: [String: String], detectors: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("lists"), withIntermediateDirectories: true)
        try (detectors ?? "identifiers:\n  iban:\n    title: {de: IBAN, en: IBAN}\n    check: iban\n")
            .write(to: dir.appendingPathComponent("detectors.yaml"), atomically: true, encoding: .utf8)
        for (name, text) in lists {
            try text.write(to: dir.appendingPathComponent("lists/\(name)"), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    func assertConfigError(_ dir: String, file: String, line: Int, column: Int, code: String,
                           _ location: StaticString = #filePath, _ at: UInt = #line) {
        XCTAssertThrowsError(try DetectorSet(rulesDirectory: dir), file: location, line: at) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)", file: location, line: at) }
            XCTAssertTrue(e.position.file.hasSuffix(file), "\(e)", file: location, line: at)
            XCTAssertEqual(e.position.line, line, "\(e)", file: location, line: at)
            XCTAssertEqual(e.position.column, column, "\(e)", file: location, line: at)
            XCTAssertEqual(e.code, code, "\(e)", file: location, line: at)
        }
    }

    func testBrokenListFiles() throws {
        let header = "category: gesundheit\ntitle: {de: G, en: H}\nterms:\n"
        assertConfigError(try makeRules(lists: ["a.yaml": header + "  - diagnose*\n  - sank*tion\n"]),
                          file: "lists/a.yaml", line: 5, column: 5, code: "detectors.term")
        assertConfigError(try makeRules(lists: ["a.yaml": header + "  - diagnose\n  - Diagnose\n"]),
                          file: "lists/a.yaml", line: 5, column: 5, code: "detectors.duplicate")
        assertConfigError(try makeRules(lists: ["a.yaml": header + "  - ab\n"]),
                          file: "lists/a.yaml", line: 4, column: 5, code: "detectors.term")
        assertConfigError(try makeRules(lists: ["a.yaml": "category: gesundheit\ntitel: {de: G, en: H}\n"]),
                          file: "lists/a.yaml", line: 2, column: 1, code: "yaml.unknown-key")
        assertConfigError(try makeRules(lists: ["a.yaml": "category: Gesundheit\n"]),
                          file: "lists/a.yaml", line: 1, column: 11, code: "detectors.category")
        assertConfigError(try makeRules(lists: ["a.yaml": header + "  - [diagnose\n"]),
                          file: "lists/a.yaml", line: 5, column: 1, code: "yaml.syntax")
    }

    func testBrokenDetectorsFile() throws {
        let bad = "identifiers:\n  kd:\n    title: {de: K, en: C}\n    check: none\n    pattern: '[0-9'\n    context: [kunde*]\n"
        assertConfigError(try makeRules(lists: [:], detectors: bad), file: "detectors.yaml", line: 5, column: 14,
                          code: "detectors.compile")
        let noContext = "identifiers:\n  kd:\n    title: {de: K, en: C}\n    check: none\n    pattern: '[0-9]{4}'\n"
        assertConfigError(try makeRules(lists: [:], detectors: noContext), file: "detectors.yaml", line: 3, column: 5,
                          code: "detectors.context")
        let badCheck = "identifiers:\n  kd:\n    title: {de: K, en: C}\n    check: luhn\n"
        assertConfigError(try makeRules(lists: [:], detectors: badCheck), file: "detectors.yaml", line: 4, column: 12,
                          code: "detectors.check")
    }
}
