import Foundation
import TrennwandReaders
import TrennwandRecords
import XCTest

final class XMLRecordReaderTests: XCTestCase {
    static let doku = """
        <?xml version="1.0" encoding="UTF-8"?>
        <d:Dokumentation xmlns:d="urn:trennwand:test:doku:1">
          <d:Teilnehmer nr="TN-0001">
            <d:Vermerk id="V1" typ="Beratung">
              <d:Kopf typ="intern"><d:Datum>2024-03-01</d:Datum></d:Kopf>
              <d:Text>Teil 1 <![CDATA[<b>roh</b>]]> Teil 2 &amp; mehr</d:Text>
              <d:Text>zweites Feld: Übergabe an Jürgen Groß</d:Text>
            </d:Vermerk>
            <d:Vermerk id="V2" typ="Notiz"><d:Kopf/><d:Text/></d:Vermerk>
          </d:Teilnehmer>
          <d:Teilnehmer nr="TN-0002">
            <d:Andere><d:Vermerk id="nicht-auf-dem-Pfad"/></d:Andere>
            <d:Vermerk id="V3"><d:Text>dritter &#x20AC; &lt;x&gt;</d:Text></d:Vermerk>
          </d:Teilnehmer>
        </d:Dokumentation>
        """

    static let spec = XMLRecordSpec(
        recordPath: "/a:Dokumentation/a:Teilnehmer/a:Vermerk",
        namespaces: ["a": "urn:trennwand:test:doku:1"],
        fieldPaths: ["@id", "a:Text", "a:Kopf/a:Datum", "../@nr", "a:Kopf/@typ", "@typ", "../../@nr"])

    static let expected: [[[String]]] = [
        [["V1"], ["Teil 1 <b>roh</b> Teil 2 & mehr", "zweites Feld: Übergabe an Jürgen Groß"], ["2024-03-01"],
         ["TN-0001"], ["intern"], ["Beratung"], []],
        [["V2"], [""], [], ["TN-0001"], [], ["Notiz"], []],
        [["V3"], ["dritter € <x>"], [], ["TN-0002"], [], [], []],
    ]

    func testNamespacedExportFields() throws {
        let outcome = try XMLTest.read(Self.doku, spec: Self.spec)
        XCTAssertNil(outcome.error)
        XCTAssertEqual(outcome.records.map(\.fields), Self.expected)
        XCTAssertEqual(outcome.records.map(\.index), [1, 2, 3])
        XCTAssertEqual(outcome.records.map(\.line), [4, 9, 13])
        XCTAssertEqual(outcome.records.map(\.column), [5, 5, 5])
        // Byte offset points at the record's `<`.
        let bytes = Array(Self.doku.utf8)
        for record in outcome.records {
            XCTAssertEqual(Array(bytes[Int(record.byteOffset)..<Int(record.byteOffset) + 10]), Array("<d:Vermerk".utf8))
        }
    }

    func testTinyChunksGiveIdenticalResults() throws {
        let big = try XMLTest.read(Self.doku, spec: Self.spec)
        for size in [1, 2, 3, 7, 13, 64] {
            let small = try XMLTest.read(Self.doku, spec: Self.spec, chunkSize: size)
            XCTAssertNil(small.error, "chunk \(size)")
            XCTAssertEqual(small.records, big.records, "chunk \(size)")
        }
    }

    func testOtherPrefixAndDefaultNamespaceMatch() throws {
        let other = Self.doku.replacingOccurrences(of: "<d:", with: "<x:").replacingOccurrences(of: "</d:", with: "</x:")
            .replacingOccurrences(of: "xmlns:d", with: "xmlns:x")
        XCTAssertEqual(try XMLTest.read(other, spec: Self.spec).records.map(\.fields), Self.expected)
        let plain = Self.doku.replacingOccurrences(of: "<d:", with: "<").replacingOccurrences(of: "</d:", with: "</")
            .replacingOccurrences(of: "xmlns:d", with: "xmlns")
        XCTAssertEqual(try XMLTest.read(plain, spec: Self.spec).records.map(\.fields), Self.expected)
        // Without a namespace the namespaced spec matches nothing; an unprefixed spec matches.
        let none = plain.replacingOccurrences(of: " xmlns=\"urn:trennwand:test:doku:1\"", with: "")
        XCTAssertEqual(try XMLTest.read(none, spec: Self.spec).records.count, 0)
        let unprefixed = XMLRecordSpec(
            recordPath: "/Dokumentation/Teilnehmer/Vermerk", fieldPaths: ["@id", "Text", "../@nr"])
        XCTAssertEqual(try XMLTest.read(none, spec: unprefixed).records.map { $0.fields[0] + $0.fields[2] },
                       [["V1", "TN-0001"], ["V2", "TN-0001"], ["V3", "TN-0002"]])
    }

    func testOwnTextNestedAndNamespacedAttributes() throws {
        let xml = """
            <r xmlns:q="urn:q"><e q:k="ns" k="plain">a<i>b<j>c</j></i>d</e><e>x</e></r>
            """
        let spec = XMLRecordSpec(recordPath: "/r/e", namespaces: ["p": "urn:q"], fieldPaths: [".", "@p:k", "@k", "i", "i/j"])
        let outcome = try XMLTest.read(xml, spec: spec)
        XCTAssertEqual(outcome.records.map(\.fields), [
            [["abcd"], ["ns"], ["plain"], ["bc"], ["c"]],
            [["x"], [], [], [], []],
        ])
    }

    func testAmpersandsInAttributesAreDecodedLikeInText() throws {
        // libxml2's SAX2 hands a `&` of an attribute value over as `&#38;`; the record must hold `&`,
        // as the same value does in element text. A literal `&#38;` in the data (`&amp;#38;`) stays.
        let xml = """
            <r><e k="A &amp; B" j="&#38;&#38;" m="x &amp;#38; y" a="&lt;&gt;&quot;&apos;">A &amp; B</e></r>
            """
        let spec = XMLRecordSpec(recordPath: "/r/e", fieldPaths: [".", "@k", "@j", "@m", "@a"])
        let outcome = try XMLTest.read(xml, spec: spec)
        XCTAssertEqual(outcome.records.map(\.fields), [[["A & B"], ["A & B"], ["&&"], ["x &#38; y"], ["<>\"'"]]])
    }

    func testLatin1IsDeliveredAsUTF8() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r><e>Gr".utf8)
        bytes += [0xFC, 0xDF, 0x65]  // üße
        bytes += Array("</e></r>".utf8)
        let reader = try XMLRecordReader(bytes: bytes, name: "l.xml", spec: XMLRecordSpec(recordPath: "/r/e", fieldPaths: ["."]))
        XCTAssertEqual(XMLTest.read(reader, fieldCount: 1).records.map(\.fields), [[["Grüße"]]])
    }

    func testBadPathsAreRejectedUpFront() {
        let bad: [(String, [String])] = [
            ("d:Doku/d:V", []), ("/x:Doku", []), ("/Doku//V", []), ("/Doku/*", []),
            ("/Doku/V", ["x:Text"]), ("/Doku/V", ["../Text"]), ("/Doku/V", ["../../../@nr"]),
            ("/Doku/V", ["Text[1]"]), ("/Doku/V", [""]), ("/Doku/V", ["@"]),
        ]
        for (record, fields) in bad {
            XCTAssertThrowsError(try XMLRecordReader(
                bytes: [], name: "x", spec: XMLRecordSpec(recordPath: record, namespaces: ["d": "urn:d"], fieldPaths: fields))
            ) { error in
                guard let error = error as? XMLPathError else { return XCTFail("\(error)") }
                XCTAssertTrue(error.text(.de).contains("XML-Pfad"))
                XCTAssertTrue(error.text(.en).contains("XML path"))
            }
        }
    }

    func testBodyErrorStopsAndPropagates() throws {
        struct Stop: Error {}
        let reader = try XMLRecordReader(bytes: Array(Self.doku.utf8), name: "t", spec: Self.spec)
        var seen = 0
        XCTAssertThrowsError(try reader.forEachRecord({ _ in seen += 1; throw Stop() }, rejected: { _ in })) {
            XCTAssertTrue($0 is Stop)
        }
        XCTAssertEqual(seen, 1)
    }

    func testRootElement() throws {
        let path = try XMLTest.temporaryFile(Array(Self.doku.utf8))
        XCTAssertEqual(try XMLRecordReader.rootElement(path: path),
                       XMLName(namespace: "urn:trennwand:test:doku:1", localName: "Dokumentation"))
        let doctype = try XMLTest.temporaryFile(Array("<!DOCTYPE r><r/>".utf8))
        XCTAssertThrowsError(try XMLRecordReader.rootElement(path: doctype)) {
            XCTAssertEqual(($0 as? InputError)?.rejection.reason.code, "xml.doctype-forbidden")
        }
    }

    // MARK: - Malformed input

    func testMalformedMidFileDeliversEarlierRecordsThenThrows() throws {
        let xml = """
            <r>
              <e id="1"><t>a</t></e>
              <e id="2"><t>b</t></e>
              <e id="3"><t>c</x></e>
              <e id="4"/>
            </r>
            """
        for chunk in [256 * 1024, 5] {
            let outcome = try XMLTest.read(xml, spec: XMLRecordSpec(recordPath: "/r/e", fieldPaths: ["@id", "t"]), chunkSize: chunk)
            XCTAssertEqual(outcome.records.map(\.fields), [[["1"], ["a"]], [["2"], ["b"]]])
            XCTAssertEqual(outcome.rejections.map(\.reason.code), ["xml.record-cut"])
            XCTAssertEqual(outcome.rejections.first?.locator.line, 4)
            XCTAssertEqual(outcome.rejections.first?.locator.index, 3)
            let error = try XCTUnwrap(outcome.inputError)
            XCTAssertEqual(error.rejection.reason.code, "xml.malformed")
            XCTAssertEqual(error.rejection.locator.line, 4)
            XCTAssertGreaterThan(error.rejection.locator.column ?? 0, 0)
            XCTAssertTrue(error.text(.de).contains("XML nicht wohlgeformt"))
            XCTAssertTrue(error.text(.en).contains("not well-formed"))
            XCTAssertTrue(error.text(.en).contains("mismatch"), error.text(.en))
        }
    }

    func testTruncatedFiles() throws {
        let full = Array("<r><e id=\"1\">Grüße</e><e id=\"2\">Straße</e></r>".utf8)
        let spec = XMLRecordSpec(recordPath: "/r/e", fieldPaths: ["@id", "."])
        // Cut mid-tag, mid-UTF-8 sequence (inside ß), mid-text and right after a record.
        let sharp = try XCTUnwrap(full.lastIndex(of: 0xC3))  // first byte of the second record's ß
        let firstEnd = "<r><e id=\"1\">Grüße</e>".utf8.count + 2  // inside the second start tag
        let cuts = [full.count - 3, sharp + 1, sharp - 1, firstEnd]
        for cut in cuts {
            let reader = try XMLRecordReader(bytes: Array(full[..<cut]), name: "cut.xml", spec: spec)
            let outcome = XMLTest.read(reader, fieldCount: 2)
            XCTAssertEqual(outcome.inputError?.rejection.reason.code, "xml.malformed", "cut \(cut)")
            XCTAssertEqual(outcome.records.first?.fields, [["1"], ["Grüße"]], "cut \(cut)")
        }
    }

    func testEmptyFileDirectoryAndMissing() throws {
        let empty = try XMLTest.temporaryFile([])
        XCTAssertEqual(XMLTest.read(file: empty, spec: Self.spec).inputError?.rejection.reason.code, "xml.empty")
        let blank = try XMLTest.temporaryFile(Array("  \n".utf8))
        XCTAssertEqual(XMLTest.read(file: blank, spec: Self.spec).inputError?.rejection.reason.code, "xml.empty")
        let dir = (empty as NSString).deletingLastPathComponent
        XCTAssertEqual(XMLTest.read(file: dir, spec: Self.spec).inputError?.rejection.reason.code, "input.unreadable")
        XCTAssertEqual(XMLTest.read(file: dir + "/missing.xml", spec: Self.spec).inputError?.rejection.reason.code, "input.unreadable")
        XCTAssertThrowsError(try XMLRecordReader.rootElement(path: dir))
    }

    func testDeepNestingIsReportedNotCrashing() throws {
        let depth = 10_000
        let xml = String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth)
        let outcome = try XMLTest.read(xml, spec: XMLRecordSpec(recordPath: "/a/a", fieldPaths: ["."]))
        let error = try XCTUnwrap(outcome.inputError)
        XCTAssertEqual(error.rejection.reason.code, "xml.malformed")
        XCTAssertTrue(error.text(.en).lowercased().contains("depth"), error.text(.en))
        XCTAssertEqual(outcome.rejections.map(\.reason.code), ["xml.record-cut"])
    }
}
