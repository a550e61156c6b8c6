import Foundation
import TrennwandReaders
import TrennwandRecords
import XCTest

/// W3C XML Conformance Test Suite (`../shared/testsuites/xmlconf-w3c`), run through the reader.
///
/// The master catalogue includes its per-suite catalogues through external entities, which the
/// reader (rightly) refuses; so the test reads the `<!ENTITY … SYSTEM "…">` lines of the master
/// catalogue and scans each per-suite catalogue's `<TEST …>` tags itself. Test URIs are relative to
/// their catalogue's folder (the folder matches the `xml:base` of the wrapping `TESTCASES`).
final class XMLConformanceTests: XCTestCase {
    struct Case {
        var id: String
        var type: String
        var entities: String
        var recommendation: String
        var edition: String
        var url: URL
    }

    /// not-wf cases (ENTITIES="none") that the reader accepts, each with the reason. The test fails
    /// when this list is not exact: a listed case that starts being rejected, or a new acceptance.
    static let knownAcceptances: [String: String] = {
        var list = [
            "hst-lhs-007": "UTF-8 BOM with encoding='iso-8859-1' declared: libxml2 lets the BOM win (content is ASCII)",
            "hst-lhs-008": "UTF-16 BOM with encoding='utf-8' declared: libxml2 lets the BOM win",
            "rmt-016": "name character legal since XML 1.0 5th edition, which libxml2 implements (EDITION='1 2 3 4')",
            "rmt-019": "name character legal since XML 1.0 5th edition, which libxml2 implements (EDITION='1 2 3 4')",
        ]
        // version="1.1" documents with C1 control characters (0x7F-0x9F, forbidden only in XML 1.1):
        // libxml2 reads 1.1 documents with XML 1.0 rules (only a warning "Unsupported version").
        for n in 32...63 where n != 58 {
            list["ibm-1-1-not-wf-P02-ibm02n\(n).xml"] = "XML 1.1 C1 control character, legal under the XML 1.0 rules libxml2 applies"
        }
        return list
    }()

    static let root = TestPaths.testsuites.appendingPathComponent("xmlconf-w3c")

    static func cases() throws -> [Case] {
        let master = try String(contentsOf: root.appendingPathComponent("xmlconf.xml"), encoding: .utf8)
        let entity = try NSRegularExpression(pattern: #"<!ENTITY\s+[\w.-]+\s+SYSTEM\s+"([^"]+)""#)
        let test = try NSRegularExpression(pattern: #"<TEST\s([^>]*)>"#)
        let attribute = try NSRegularExpression(pattern: #"([A-Z]+)="([^"]*)""#)
        var result: [Case] = []
        for match in entity.matches(in: master, range: NSRange(master.startIndex..., in: master)) {
            let path = String(master[Range(match.range(at: 1), in: master)!])
            let catalogue = root.appendingPathComponent(path)
            let base = catalogue.deletingLastPathComponent()
            let text = try String(contentsOf: catalogue, encoding: .utf8)
            for tag in test.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let attrs = String(text[Range(tag.range(at: 1), in: text)!])
                var values: [String: String] = [:]
                for a in attribute.matches(in: attrs, range: NSRange(attrs.startIndex..., in: attrs)) {
                    values[String(attrs[Range(a.range(at: 1), in: attrs)!])] = String(attrs[Range(a.range(at: 2), in: attrs)!])
                }
                guard let id = values["ID"], let uri = values["URI"], let type = values["TYPE"] else { continue }
                result.append(Case(
                    id: id, type: type, entities: values["ENTITIES"] ?? "none",
                    recommendation: values["RECOMMENDATION"] ?? "XML1.0", edition: values["EDITION"] ?? "",
                    url: base.appendingPathComponent(uri)))
            }
        }
        return result
    }

    static let spec = XMLRecordSpec(recordPath: "/no-such-record", fieldPaths: ["."])

    func testNotWellFormedCasesAreRejected() throws {
        let all = try Self.cases()
        XCTAssertGreaterThan(all.count, 2000, "catalogue parse")
        let notWF = all.filter { $0.type == "not-wf" && $0.entities == "none" }
        var byDoctype = 0
        var byMalformed = 0
        var accepted: [String: Case] = [:]
        var otherCodes: [String] = []
        for c in notWF {
            let outcome = XMLTest.read(file: c.url.path, spec: Self.spec)
            guard let error = outcome.inputError else {
                XCTAssertNil(outcome.error, c.id)
                accepted[c.id] = c
                continue
            }
            XCTAssertFalse(error.rejection.reason.message.de.isEmpty, c.id)
            switch error.rejection.reason.code {
            case "xml.doctype-forbidden": byDoctype += 1
            case "xml.malformed", "xml.empty": byMalformed += 1
            default: otherCodes.append("\(c.id): \(error)")
            }
        }
        XCTAssertEqual(otherCodes, [])
        print("""
            W3C not-wf (ENTITIES=none): run \(notWF.count), rejected \(byDoctype + byMalformed) \
            (\(byMalformed) as not well-formed, \(byDoctype) because of their DOCTYPE), \
            accepted (known exceptions) \(accepted.count)
            """)
        let unexpected = accepted.keys.filter { Self.knownAcceptances[$0] == nil }.sorted()
        let stale = Self.knownAcceptances.keys.filter { accepted[$0] == nil }.sorted()
        XCTAssertEqual(unexpected, [], "accepted but not listed: "
            + unexpected.map { "\($0) [\(accepted[$0]!.recommendation) \(accepted[$0]!.edition)] \(accepted[$0]!.url.path)" }.joined(separator: "\n"))
        XCTAssertEqual(stale, [], "listed but now rejected")
    }

    func testValidCasesWithoutDoctypeAreRead() throws {
        // Valid and invalid cases are well-formed; without a DTD they must read without error.
        let valid = try Self.cases().filter { ($0.type == "valid" || $0.type == "invalid") && $0.entities == "none" }
        let doctype = ["<!DOCTYPE"].flatMap { text in
            [Data(text.utf8), Data(text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
             Data(text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })]
        }
        var read = 0
        var withDoctype = 0
        for c in valid {
            let bytes = try Data(contentsOf: c.url)
            if doctype.contains(where: { bytes.range(of: $0) != nil }) {
                withDoctype += 1
                continue
            }
            let outcome = XMLTest.read(file: c.url.path, spec: Self.spec)
            XCTAssertNil(outcome.error, "\(c.id) [\(c.recommendation)] \(c.url.path): \(String(describing: outcome.error))")
            read += 1
        }
        XCTAssertGreaterThan(read, 0)
        print("W3C valid+invalid (ENTITIES=none): \(valid.count), without DOCTYPE read \(read), skipped with DOCTYPE \(withDoctype)")
    }
}
