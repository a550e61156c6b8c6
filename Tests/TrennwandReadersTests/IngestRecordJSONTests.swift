import XCTest
import TrennwandRecords
@testable import TrennwandReaders

final class IngestRecordJSONTests: XCTestCase {
    func testEscapingAndShape() throws {
        var r = Record(kind: .documentation, locator: Locator(file: "C:\\Export\\\"doku\".xml", line: 7, column: 5, byteOffset: 120, index: 3))
        r["record_id"] = .string("V-1")
        r["time"] = .time(1_743_408_000)
        r["text"] = .list(["Zeile 1\nZeile 2\t\"zitiert\" \\ <script>alert(1)</script>", ByteString([0x01, 0x1F, 0x7F]), "Ärztlicher Dienst \u{2028}"])
        r["deleted"] = .bool(false)
        let line = RecordJSON.line(r)
        XCTAssertEqual(line, #"{"_kind":"documentation","_file":"C:\\Export\\\"doku\".xml","_line":7,"_column":5,"_offset":120,"_index":3,"#
            + #""record_id":"V-1","time":"2025-03-31T08:00:00Z","text":["Zeile 1\nZeile 2\t\"zitiert\" \\ <script>alert(1)</script>","\u0001\u001f\u007f","Ärztlicher Dienst \u2028"],"deleted":false}"#)
        // It is valid JSON that round-trips.
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual((object["text"] as? [String])?.first, "Zeile 1\nZeile 2\t\"zitiert\" \\ <script>alert(1)</script>")
        XCTAssertNil(object["author"])
    }

    func testCSVRecordsHaveNoColumnAndNumbersPrint() {
        var r = Record(kind: .offers, locator: Locator(file: "a.csv", line: 2, byteOffset: 10, index: 1))
        r["offer"] = .string("Kurs")
        r["provider"] = .string("VHS")
        XCTAssertEqual(RecordJSON.line(r), #"{"_kind":"offers","_file":"a.csv","_line":2,"_offset":10,"_index":1,"offer":"Kurs","provider":"VHS"}"#)
    }

    func testEverySampleRecordEncodesAsJSON() {
        let (_, records) = ProfileFixtures.ingest(ProfileFixtures.sample("Traeger-Dokumentation.xml"))
        for r in records {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(RecordJSON.line(r).utf8)))
        }
    }
}
