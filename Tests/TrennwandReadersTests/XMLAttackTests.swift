import Foundation
import TrennwandReaders
import TrennwandRecords
import XCTest

/// The XML attack samples in `../shared/testsuites/xml-attacks/` must all be refused without
/// reading any external file and without memory growth; the two harmless samples must read.
final class XMLAttackTests: XCTestCase {
    static let folder = TestPaths.testsuites.appendingPathComponent("xml-attacks")

    /// file → (root element used as record, expected outcome: nil = reads fine, else the error code).
    static let expectations: [String: (root: String, code: String?)] = [
        "cyclic.xml": ("bomb", "xml.doctype-forbidden"),  // entities referring to each other (a → b → a)
        "dtd.xml": ("html", "xml.doctype-forbidden"),  // external DTD by public id over HTTP (XHTML)
        "external.xml": ("root", "xml.doctype-forbidden"),  // XXE: external general entity over HTTP
        "external_file.xml": ("root", "xml.doctype-forbidden"),  // XXE: external general entity, file:// URL
        "harem.dtd": ("colHAREM", "xml.malformed"),  // a bare DTD, not a document at all
        "harem.xml": ("colHAREM", "xml.doctype-forbidden"),  // external DTD from a local SYSTEM file
        "quadratic.xml": ("bomb", "xml.doctype-forbidden"),  // quadratic blowup: one big entity referenced many times
        "simple-ns.xml": ("n:root", nil),  // harmless: PI, comment, default namespace, no DOCTYPE
        "simple.xml": ("root", nil),  // harmless: comment, no DOCTYPE
        "teste.xml": ("colHAREM", "xml.doctype-forbidden"),  // external DTD plus an internal subset
        "xmlbomb.xml": ("bomb", "xml.doctype-forbidden"),  // billion laughs (nested entity expansion)
        "xmlbomb2.xml": ("root", "xml.doctype-forbidden"),  // small internal entity in content
        "xxe-etc-hostname.xml": ("Dokumentation", "xml.doctype-forbidden"),  // XXE: file:///etc/hostname as entity
        "xxe-parameter-entity.xml": ("Dokumentation", "xml.doctype-forbidden"),  // XXE via parameter entity %p;
    ]

    func testEveryAttackSampleIsRefused() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).sorted()
        XCTAssertEqual(Set(files), Set(Self.expectations.keys), "a new sample needs an expectation")
        let hostname = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let before = XMLTest.maxRSS()
        for file in files {
            guard let expectation = Self.expectations[file] else { continue }
            let path = Self.folder.appendingPathComponent(file).path
            let spec = XMLRecordSpec(
                recordPath: "/\(expectation.root)", namespaces: ["n": "namespace"], fieldPaths: [".", "Vermerk/Text"])
            for chunk in [256 * 1024, 7] {
                let outcome = XMLTest.read(file: path, spec: spec, chunkSize: chunk)
                let everything = outcome.records.flatMap { $0.fields.flatMap { $0 } }.joined(separator: "\n")
                    + (outcome.error.map { "\($0)" } ?? "") + outcome.rejections.map { "\($0)" }.joined()
                if hostname.count >= 3 {
                    XCTAssertFalse(everything.contains(hostname), "\(file): external file content leaked")
                }
                if let code = expectation.code {
                    let error = try XCTUnwrap(outcome.inputError, "\(file) must be refused")
                    XCTAssertEqual(error.rejection.reason.code, code, file)
                    XCTAssertTrue(outcome.records.isEmpty, file)
                    XCTAssertGreaterThan(error.rejection.locator.line, 0, file)
                    if code == "xml.doctype-forbidden" {
                        XCTAssertTrue(error.text(.de).contains("DOCTYPE ist nicht erlaubt"), file)
                        XCTAssertTrue(error.text(.en).contains("DOCTYPE is forbidden"), file)
                    }
                } else {
                    XCTAssertNil(outcome.error, file)
                    XCTAssertEqual(outcome.records.count, 1, file)
                }
            }
        }
        let grown = XMLTest.maxRSS() - before
        print("XML attacks: \(files.count) samples, peak RSS growth \(grown / 1024) KiB")
        XCTAssertLessThan(grown, 100 << 20)
    }

    func testSimpleSamplesContent() throws {
        let spec = XMLRecordSpec(recordPath: "/n:root/n:element", namespaces: ["n": "namespace"], fieldPaths: ["@key", "."])
        let outcome = XMLTest.read(file: Self.folder.appendingPathComponent("simple-ns.xml").path, spec: spec)
        XCTAssertNil(outcome.error)
        XCTAssertEqual(outcome.records.map(\.fields), [[["value"], ["text"]], [[], ["text"]]])
    }

    func testUndeclaredEntityIsMalformed() throws {
        let outcome = try XMLTest.read("<r><e>&leak;</e></r>", spec: XMLRecordSpec(recordPath: "/r/e", fieldPaths: ["."]))
        XCTAssertEqual(outcome.inputError?.rejection.reason.code, "xml.malformed")
        XCTAssertTrue(outcome.inputError?.text(.en).contains("leak") ?? false)
        XCTAssertEqual(outcome.rejections.map(\.reason.code), ["xml.record-cut"])
    }

    func testDoctypeAfterRecordsIsStillRefusedAndLateDoctypeMalformed() throws {
        // A DOCTYPE can only precede the root; one later is a well-formedness error.
        let late = try XMLTest.read("<r><e/><!DOCTYPE r></r>", spec: XMLRecordSpec(recordPath: "/r/e", fieldPaths: []))
        XCTAssertEqual(late.records.count, 1)
        XCTAssertEqual(late.inputError?.rejection.reason.code, "xml.malformed")
    }
}
