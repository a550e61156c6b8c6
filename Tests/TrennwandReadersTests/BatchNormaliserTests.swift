import Foundation
import XCTest
import TrennwandRecords
@testable import TrennwandReaders

/// The batch normaliser (columns, interned symbols, fast paths for plain, mapped and timestamp
/// fields) must give exactly the record normaliser's records and rejections: same values, same
/// locators and record ids, same accounting, whatever the batch size.
final class BatchNormaliserTests: XCTestCase {
    /// Ingests `path` both ways and compares everything; returns the number of records.
    @discardableResult
    private func assertSame(_ path: String, profile: SourceProfile? = nil, capacity: Int,
                            file: StaticString = #filePath, line: UInt = #line) -> Int {
        let (rowResult, rows) = ProfileFixtures.ingest(path, profile: profile)
        let symbols = SymbolTable(seed: SymbolTable.schemaSeed())
        var batched: [Record] = []
        var sizes: [Int] = []
        let batchResult = Ingest.runBatches(file: path, profile: profile, catalog: ProfileFixtures.catalog,
                                            symbols: symbols, capacity: capacity) { batch in
            sizes.append(batch.count)
            for i in 0..<batch.count { batched.append(batch.record(i, symbols: symbols)) }
        }
        XCTAssertEqual(Self.accounting(batchResult.account), Self.accounting(rowResult.account), "accounting of \(path)", file: file, line: line)
        XCTAssertEqual(batched.count, rows.count, "records of \(path)", file: file, line: line)
        for (a, b) in zip(rows, batched) {
            XCTAssertEqual(a.kind, b.kind, file: file, line: line)
            XCTAssertEqual(a.locator, b.locator, "locator at \(a.locator)", file: file, line: line)
            for (slot, (va, vb)) in zip(a.values, b.values).enumerated() where va != vb {
                XCTFail("\(a.locator) \(a.kind.schema.fields[slot].name): record \(va), batch \(vb)", file: file, line: line)
            }
        }
        XCTAssertTrue(sizes.dropLast().allSatisfy { $0 == capacity }, "every batch but the last is full: \(sizes)", file: file, line: line)
        return rows.count
    }

    /// Everything an account says, as comparable text (counts, bytes, every rejection with place,
    /// code and German and English text, the file error).
    static func accounting(_ a: InputAccount) -> [String] {
        func text(_ r: Rejection) -> String { "\(r.locator) \(r.reason.code) \(r.reason.message.de) | \(r.reason.message.en)" }
        return ["\(a.file) \(a.profile ?? "-") read \(a.read) normalised \(a.normalised) rejected \(a.rejected) bytes \(a.bytes)",
                "by reason \(a.rejectedByReason.sorted { $0.key < $1.key })",
                "file error \(a.fileError.map(text) ?? "-")"] + a.rejections.map(text)
    }

    func testSamplesGiveTheSameRecordsInBatches() throws {
        let dir = TestPaths.samples
        var inputs = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".csv") || $0.hasSuffix(".xml") }.map { dir.appendingPathComponent($0).path }
        let stamm = dir.appendingPathComponent("Stammdaten")
        inputs += try FileManager.default.contentsOfDirectory(atPath: stamm.path).map { stamm.appendingPathComponent($0).path }
        var total = 0
        for path in inputs.sorted() {
            for capacity in [1, 7, RecordBatch.defaultCapacity] { total += assertSame(path, capacity: capacity) }
        }
        XCTAssertGreaterThan(total, 300, "the Samples were read")
    }

    func testRejectionsDefaultsAndMapsAreTheRecordNormalisers() {
        // Every fast path and its refusals: an unparsable time, an unmapped action (rejected by
        // the symbol's default policy), a missing required account, a value mapped to nothing,
        // case-folded map keys, surrounding blanks, a quoted field with the delimiter, a short row.
        let header = "Zeitpunkt;Benutzerkennung;Organisation;Rolle;Verfahren;Aktion;Entscheidungsart;Kunden-Nr.;Datenkategorie;Arbeitsplatz;Netz;Übertragungsweg;Empfänger;Empfänger-Organisation;Zweck;Träger;Angebot\n"
        let rows = [
            "02.01.2025 07:00:00;JC-M-1;JC;Teamleitung;zPDV;Lesen;;962D002116;Leistungsdaten;JC-PC-1;JC-Netz;;;;Termin;;",
            "32.01.2025 07:00:00;JC-M-2;JC;Teamleitung;zPDV;Lesen;;962D002116;;;;;;;;;",
            "02.01.2025 07:00:01;JC-M-3;jc;  Rolle mit Blanks  ;VerBIS;Tanzen;;;;;;;;;;;",
            "02.01.2025 07:00:02;;JC;;zPDV;Lesen;;;;;;;;;;;",
            "02.01.2025 07:00:03;JC-M-4;TRÄGER;;\"ALLEGRO;X\";lesen;;;;;;;;;;;",
            "02.01.2025 07:00:04;JC-M-5;Sonstige;;eAkte;Export;;;;;",
            "  02.01.2025 07:00:05 ;JC-M-6;Jobcenter;;zPDV;Bescheid;Sanktion;962D002116;Sanktion;;;;;;;;",
        ]
        let path = ProfileFixtures.temp("batch-crafted.csv", header + rows.joined(separator: "\n") + "\n", encoding: .windowsCP1252)
        for capacity in [1, 2, 3, 64] { assertSame(path, capacity: capacity) }
        let (result, records) = ProfileFixtures.ingest(path)
        XCTAssertGreaterThan(result.account.rejected, 1, "the crafted file has rejections to compare")
        XCTAssertGreaterThan(records.count, 2)
    }

    /// The XML batch path reads field bytes straight from the parser's buffers (`XMLRaw`):
    /// repeated elements whose first occurrence is blank, attributes with `&`, the parent's
    /// attribute, mapped, unmapped and missing values, a bad time, CDATA and an entity in text;
    /// free text (its own fast path): blank and padded occurrences, only blank ones (missing), and
    /// texts of a record rejected after them.
    func testCraftedXMLGivesTheSameRecordsInBatches() throws {
        let vermerke = [
            #"<doku:Vermerk id="V-1" typ="Erstgespräch"><doku:Datum>   </doku:Datum><doku:Datum> 2025-01-02 07:01 </doku:Datum><doku:Verfasser>TR-M-1</doku:Verfasser><doku:Organisation>Träger</doku:Organisation><doku:Text>A &amp; B</doku:Text><doku:Text><![CDATA[<x>]]></doku:Text><doku:Sichtbarkeit>Beratungsteam</doku:Sichtbarkeit></doku:Vermerk>"#,
            #"<doku:Vermerk id="V-2&amp;3" typ="a &amp; b"><doku:Text>vor der Ablehnung</doku:Text><doku:Datum>2025-02-30 07:01</doku:Datum><doku:Verfasser>TR-M-2</doku:Verfasser></doku:Vermerk>"#,
            #"<doku:Vermerk id="V-4"><doku:Datum>2025-01-03 08:00</doku:Datum><doku:Verfasser></doku:Verfasser><doku:Verfasser>TR-M-4</doku:Verfasser><doku:Organisation>JOBCENTER</doku:Organisation><doku:Text> </doku:Text><doku:Text>&#10;  eingerückt, mit Blanks  </doku:Text><doku:Text>dritter</doku:Text><doku:Sichtbarkeit>geheim</doku:Sichtbarkeit><doku:AufbewahrenBis>31.12.2027</doku:AufbewahrenBis></doku:Vermerk>"#,
            #"<doku:Vermerk><doku:Datum>2025-01-03 09:00</doku:Datum><doku:Organisation>Sonstige</doku:Organisation></doku:Vermerk>"#,
            #"<doku:Vermerk id="V-6" geloescht="ja"><doku:Datum>2025-01-03 10:00</doku:Datum><doku:Verfasser>TR-M-6</doku:Verfasser><doku:Text/><doku:Text>  </doku:Text></doku:Vermerk>"#,
        ]
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <doku:Dokumentation xmlns:doku="urn:beispiel-traeger:dokumentation:2">
          <doku:Teilnehmer nr="TN-1">
            \(vermerke[0...2].joined(separator: "\n    "))
          </doku:Teilnehmer>
          <doku:Teilnehmer nr="TN-2">
            \(vermerke[3...].joined(separator: "\n    "))
          </doku:Teilnehmer>
        </doku:Dokumentation>

        """
        let path = ProfileFixtures.temp("batch-crafted.xml", xml)
        for capacity in [1, 2, 3, 64] { assertSame(path, capacity: capacity) }
        let (result, records) = ProfileFixtures.ingest(path)
        XCTAssertGreaterThan(result.account.rejected, 0, "the crafted file has rejections to compare")
        XCTAssertGreaterThan(records.count, 2)
    }

    func testHostileInputsGiveTheSameRecordsInBatches() throws {
        // The reader's own hostile files (embedded NUL, broken UTF-8, stray quotes, huge fields):
        // the batch path must account for them exactly as the record path does.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-batch-hostile-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let header = "Zeitpunkt;Benutzerkennung;Organisation;Rolle;Verfahren;Aktion;Entscheidungsart;Kunden-Nr.;Datenkategorie;Arbeitsplatz;Netz;Übertragungsweg;Empfänger;Empfänger-Organisation;Zweck;Träger;Angebot\n"
        var bytes = Array(header.utf8)
        bytes += Array("02.01.2025 07:00:00;JC-M-\u{0}1;JC;;zPDV;Lesen;;;;;;;;;;;\n".utf8)
        bytes += Array("02.01.2025 07:00:01;JC-M-2;JC;;zPDV;Lesen;;;;;;;;;;;".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        bytes += Array("02.01.2025 07:00:02;\"JC-M-3;JC;;zPDV;Lesen;;;;;;;;;;;\n".utf8)
        bytes += Array("02.01.2025 07:00:03;JC-M-4;JC;;zPDV;Lesen;;;;;;;;;;".utf8) + Array(repeating: UInt8(ascii: "x"), count: 200_000) + [0x0A]
        bytes += Array("02.01.2025 07:00:04;JC-M-5;JC;;zPDV;Lesen;;;;;;;;;;;\n".utf8)
        let path = dir.appendingPathComponent("hostile.csv").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let profile = try XCTUnwrap(ProfileFixtures.catalog.profile(id: "jobcenter-zugriffe"))
        for capacity in [1, 2, 64] { assertSame(path, profile: profile, capacity: capacity) }
    }

    /// A reader that stops with an error (here libxml2 on a broken element after some records)
    /// has delivered every record before it in the record path; the batch path must deliver them
    /// too — the last, partial batch included — or their findings would be lost without a word.
    func testRecordsBeforeAFileErrorAreDeliveredInBatches() throws {
        let lines = try String(contentsOf: TestPaths.samples.appendingPathComponent("Traeger-Dokumentation.xml"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        // The first 100 lines (several whole records), then a record whose element is never closed properly.
        let broken = lines.prefix(100).joined(separator: "\n") + "\n    <doku:Vermerk id=\"V-9999\" typ=\"Kaputt\">\n      <doku:Datum>2025-03-01 10:00</doku:Dat>\n"
        let path = ProfileFixtures.temp("batch-broken.xml", broken)
        let (result, records) = ProfileFixtures.ingest(path)
        XCTAssertNotNil(result.account.fileError, "the file ends in an XML error")
        XCTAssertGreaterThan(records.count, 3, "records before the error are delivered by the record path")
        for capacity in [1, 2, 64, RecordBatch.defaultCapacity] { assertSame(path, capacity: capacity) }
    }

    /// Chunks read in batches (`Ingest.runChunkBatches`, the CSV batch path and the generic one
    /// for XML) give the records, rejections and chunk outcome of `Ingest.runChunk`.
    func testChunksReadInBatchesAreTheRecordPathsChunks() throws {
        for name in ["Jobcenter-Zugriffe.csv", "Traeger-Dokumentation.xml"] {
            let path = TestPaths.samples.appendingPathComponent(name).path
            let profile = try ProfileFixtures.catalog.detect(file: path)
            let source = try XCTUnwrap(Ingest.chunkSource(path: path, profile: profile), name)
            let normaliser = try source.normaliser(profile: profile)
            let starts = try source.boundaries(chunkBytes: 1_000)
            XCTAssertGreaterThan(starts.count, 3, "\(name) is cut into chunks")
            var start = starts[0], context: ChunkContext?
            var total = 0
            while start < source.fileSize {
                let nominalEnd = starts.first { $0 > start } ?? .max
                var rows: [Record] = []
                let expected = Ingest.runChunk(source, normaliser: normaliser, start: start, end: nominalEnd, context: context) { rows.append($0) }
                for capacity in [1, 3, 64] {
                    let symbols = SymbolTable(seed: SymbolTable.schemaSeed())
                    var batched: [Record] = []
                    let got = Ingest.runChunkBatches(source, normaliser: normaliser, start: start, end: nominalEnd, context: context,
                                                     symbols: symbols, capacity: capacity) { batch in
                        for i in 0..<batch.count { batched.append(batch.record(i, symbols: symbols)) }
                    }
                    XCTAssertEqual(Self.accounting(got.account), Self.accounting(expected.account), "\(name) at \(start)")
                    XCTAssertEqual([got.end, Int64(got.lineBreaks), Int64(got.records)],
                                   [expected.end, Int64(expected.lineBreaks), Int64(expected.records)], "\(name) at \(start)")
                    XCTAssertEqual(got.endContext, expected.endContext, "\(name) at \(start)")
                    XCTAssertEqual(batched.map(\.locator), rows.map(\.locator), "\(name) at \(start)")
                    XCTAssertEqual(batched.map(\.values), rows.map(\.values), "\(name) at \(start)")
                }
                total += rows.count
                XCTAssertGreaterThan(expected.end, start, "\(name): the chunk moves on")
                if expected.end <= start { break }
                start = expected.end
                context = expected.endContext
            }
            XCTAssertGreaterThan(total, 20, name)
        }
    }

    func testSymbolIdsOfTheSeedAreTheSameInEveryTable() {
        let a = SymbolTable(seed: SymbolTable.schemaSeed()), b = SymbolTable(seed: SymbolTable.schemaSeed())
        _ = a.intern(ByteString("nur-in-a"))
        XCTAssertEqual(a.id(of: "jobcenter"), b.id(of: "jobcenter"))
        XCTAssertEqual(a.id(of: "read"), b.id(of: "read"))
        XCTAssertNil(b.id(of: "nur-in-a"))
        XCTAssertGreaterThanOrEqual(Int(a.id(of: "nur-in-a")!), a.seededCount, "a value from the data is never a seeded id")
    }
}
