import Foundation
import XCTest
import TrennwandRecords
@testable import TrennwandReaders

/// JSON Lines input: the reader, its rejections, chunked reading and profiles of `format: jsonl`.
final class JSONLinesReaderTests: XCTestCase {
    typealias F = ProfileFixtures

    /// An access-log profile over nested keys, and a documentation profile with a list field.
    static let access = try! SourceProfile.parse(yaml: """
        id: test-jsonl
        title: { de: Test, en: Test }
        kind: access
        format: jsonl
        detect:
          keys: ["@timestamp", user.name]
        fields:
          time: "@timestamp"
          actor: user.name
          system: { value: Testsystem }
          action:
            path: event.action
            map: { anzeigen: read }
          subject: _source.labels.app\\.id
          workstation: host.name
          purpose: note
        """, file: "test-jsonl.yaml")

    static let documentation = try! SourceProfile.parse(yaml: """
        id: test-jsonl-doc
        title: { de: Test, en: Test }
        kind: documentation
        format: jsonl
        detect:
          keys: [id, tags]
        fields:
          record_id: id
          time: ts
          attachments: tags
          deleted: gone
        """, file: "test-jsonl-doc.yaml")

    private func line(_ actor: String = "Max Mustermann", action: String = "anzeigen", extra: String = "") -> String {
        #"{"@timestamp":"2025-03-01T10:00:00Z","user":{"name":"\#(actor)"},"event":{"action":"\#(action)"}\#(extra)}"#
    }

    private func read(_ text: String, profile: SourceProfile = access, name: String = "t.jsonl") -> (IngestResult, [Record]) {
        F.ingest(F.temp(name, text), profile: profile)
    }

    private func read(bytes: [UInt8], profile: SourceProfile = access, name: String = "b.jsonl") -> (IngestResult, [Record]) {
        let path = F.temp(name, "")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return F.ingest(path, profile: profile)
    }

    private func codes(_ r: IngestResult) -> [String] { r.account.rejections.map(\.reason.code) }

    // MARK: - Good input

    func testNestedPathsEscapesAndLocators() throws {
        let text = line() + "\n"
            + #"{"@timestamp":"2025-03-01T11:00:00+01:00","user":{"name":"M\u00e4x \ud83d\ude00"},"event":{"action":"anzeigen"},"#
            + #""_source":{"labels":{"app.id":"962D000999"}},"host":{"name":12.5},"note":null}"# + "\n"
        let (r, records) = read(text)
        XCTAssertNil(r.account.fileError)
        XCTAssertEqual(r.account.read, 2)
        XCTAssertEqual(r.account.normalised, 2)
        XCTAssertTrue(r.account.isBalanced)
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(F.str(records[0]["actor"]), "Max Mustermann")
        XCTAssertEqual(F.str(records[0]["action"]), "read")
        XCTAssertEqual(F.iso(records[0]["time"]), "2025-03-01T10:00:00Z")
        XCTAssertEqual(F.str(records[1]["actor"]), "Mäx 😀")
        XCTAssertEqual(F.str(records[1]["subject"]), "962D000999", "escaped dot in a path names one key")
        XCTAssertEqual(F.str(records[1]["workstation"]), "12.5", "numbers are field text")
        XCTAssertTrue(records[1]["purpose"].isMissing, "null is missing")
        XCTAssertEqual(records[1].locator.line, 2)
        XCTAssertEqual(records[1].locator.index, 2)
        XCTAssertEqual(records[1].locator.byteOffset, Int64(line().utf8.count + 1))
        XCTAssertEqual(r.account.bytes, Int64(text.utf8.count))
    }

    func testArraysOfScalarsAreSeveralValuesBooleansAreText() throws {
        let (r, records) = read(#"{"id":"D-1","ts":"2025-01-02","tags":["a.pdf",null,"b.pdf",7],"gone":true}"# + "\n",
                                profile: Self.documentation)
        XCTAssertEqual(codes(r), [])
        XCTAssertEqual(records.first?["attachments"].strings.map(\.string), ["a.pdf", "b.pdf", "7"])
        XCTAssertEqual(records.first?["deleted"].boolValue, true)
    }

    func testBlankLinesCRLFAndBOM() throws {
        var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
        bytes += Array((line() + "\r\n\r\n   \r\n" + line("Erika Musterfrau") + "\r\n").utf8)
        let (r, records) = read(bytes: bytes)
        XCTAssertEqual(codes(r), [])
        XCTAssertEqual(records.map { F.str($0["actor"]) }, ["Max Mustermann", "Erika Musterfrau"])
        XCTAssertEqual(records.map(\.locator.line), [1, 4])
        XCTAssertEqual(records.map(\.locator.index), [1, 2], "blank lines are no records")
        XCTAssertEqual(records[0].locator.byteOffset, 3, "after the BOM")
    }

    func testLastLineWithoutLineFeed() throws {
        let (r, records) = read(line() + "\n" + line("Erika Musterfrau"))
        XCTAssertEqual(records.count, 2)
        XCTAssertTrue(r.account.isBalanced)
        let (cut, cutRecords) = read(line() + "\n" + String(line().prefix(30)))
        XCTAssertEqual(cutRecords.count, 1)
        XCTAssertEqual(codes(cut), ["jsonl.invalid-json"])
        XCTAssertEqual(cut.account.rejections.first?.locator.line, 2)
        XCTAssertTrue(cut.account.isBalanced)
    }

    // MARK: - Rejections

    func testEveryRejectionCodeWithoutTheValue() throws {
        let secret = "962D000999"
        let cases: [(String, String, Int?)] = [
            (#"{"user":{"name":"\#(secret)"},"@timestamp":"2025-03-01T10:00:00Z","event":{"action":"anzeigen"},}"#, "jsonl.invalid-json", 97),
            (#"["\#(secret)"]"#, "jsonl.not-object", 1),
            (#"{"user":{"name":"\#(secret)","name":"x"}}"#, "jsonl.duplicate-key", 30),
            (#"{"user":{"name":{"first":"\#(secret)"}}}"#, "jsonl.wrong-type", 17),
            (#"{"user":{"name":[["\#(secret)"]]}}"#, "jsonl.wrong-type", 18),
            (#"{"user":{"name":"\#(secret)"},"@timestamp":"2025-03-01T10:00:00Z","event":{"action":"anzeigen"},"x":01}"#, "jsonl.invalid-json", 102),
            (#"{"a":"\#(secret)\x"}"#, "jsonl.invalid-json", 17),
            (#"{"a":"\ud800"}"#, "jsonl.invalid-json", 7),
            (#"{"a":tru}"#, "jsonl.invalid-json", 6),
            (#"{"a":1} {"b":2}"#, "jsonl.invalid-json", 9),
            (#"{"user":{"name":"\#(secret)"},"@timestamp":"2025-03-01T10:00:00Z","event":{"action":"gucken"}}"#, "profile.unmapped-value", nil),
            (#"{"user":{"name":"\#(secret)"},"event":{"action":"anzeigen"}}"#, "profile.missing-value", nil),
        ]
        for (text, code, column) in cases {
            let (r, records) = read(line() + "\n" + text + "\n" + line() + "\n")
            XCTAssertEqual(codes(r), [code], text)
            XCTAssertEqual(records.count, 2, text)
            XCTAssertTrue(r.account.isBalanced, text)
            let rejection = try XCTUnwrap(r.account.rejections.first)
            XCTAssertEqual(rejection.locator.line, 2, text)
            XCTAssertEqual(rejection.locator.index, 2, text)
            XCTAssertEqual(rejection.locator.byteOffset, Int64(line().utf8.count + 1), text)
            if let column { XCTAssertEqual(rejection.locator.column, column, text) }
            for lang in [Language.de, .en] {
                XCTAssertFalse(rejection.reason.message.text(lang).contains(secret), "\(code): \(rejection.reason.message.text(lang))")
            }
        }
    }

    func testDuplicateKeysAfterUnescapingAndInLargeObjects() throws {
        let (r1, _) = read(#"{"a":1,"\u0061":2}"# + "\n")
        XCTAssertEqual(codes(r1), ["jsonl.duplicate-key"])
        let many = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let (r2, _) = read("{\(many),\"k37\":0}\n{\(many)}\n")
        XCTAssertEqual(codes(r2), ["jsonl.duplicate-key", "profile.missing-value"])
        // Same key in sibling and nested objects is fine.
        let (r3, records) = read(#"{"@timestamp":"2025-03-01T10:00:00Z","user":{"name":"M"},"event":{"action":"anzeigen","name":"n"},"x":{"user":1}}"# + "\n")
        XCTAssertEqual(codes(r3), [])
        XCTAssertEqual(records.count, 1)
    }

    func testDeepNestingIsARejectionNotACrash() throws {
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let (r, records) = read(deep + "\n" + line() + "\n")
        XCTAssertEqual(codes(r), ["jsonl.too-deep"])
        XCTAssertEqual(r.account.rejections.first?.locator.column, 6 + JSONLineParser.defaultMaxDepth - 1)
        XCTAssertEqual(records.count, 1)
        let fine = "{\"a\":" + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "}"
        let parser = JSONLineParser(tree: JSONPathTree(paths: []))
        XCTAssertNil(fine.utf8CString.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0.dropLast())) })
    }

    func testLongLines() throws {
        // 1 MB inside the 1 MiB limit: read; 2 MiB: rejected without buffering, the next line read.
        let pad = String(repeating: "x", count: 1_000_000)
        let (ok, okRecords) = read(line(extra: #","pad":"\#(pad)""#) + "\n")
        XCTAssertEqual(codes(ok), [])
        XCTAssertEqual(okRecords.count, 1)
        let huge = String(repeating: "y", count: 2 << 20)
        let (r, records) = read(line() + "\n" + line(extra: #","pad":"\#(huge)""#) + "\n" + line("Erika Musterfrau") + "\n")
        XCTAssertEqual(codes(r), ["jsonl.line-too-long"])
        XCTAssertEqual(r.account.rejections.first?.locator.line, 2)
        XCTAssertEqual(records.map { F.str($0["actor"]) }, ["Max Mustermann", "Erika Musterfrau"])
        XCTAssertEqual(records.last?.locator.line, 3)
        XCTAssertEqual(records.last?.locator.index, 3)
        // Without a final LF.
        let (tail, _) = read(line() + "\n" + huge)
        XCTAssertEqual(codes(tail), ["jsonl.line-too-long"])
    }

    func testInvalidUTF8AndUTF16() throws {
        var bytes = Array((line() + "\n").utf8)
        bytes += Array(#"{"user":{"name":"M"#.utf8) + [0xC3, 0x28] + Array("\"}}\n".utf8)
        bytes += Array(#"{"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array("\"}\n".utf8)  // encoded surrogate
        bytes += Array(#"{"a":""#.utf8) + [0xC0, 0xAF] + Array("\"}\n".utf8)        // overlong
        let (r, records) = read(bytes: bytes)
        XCTAssertEqual(codes(r), ["jsonl.invalid-utf8", "jsonl.invalid-utf8", "jsonl.invalid-utf8"])
        XCTAssertEqual(r.account.rejections.first?.locator.column, 19)
        XCTAssertEqual(records.count, 1)
        let (wide, _) = read(bytes: [0xFF, 0xFE] + Array("{".utf8).flatMap { [$0, 0] }, name: "wide.jsonl")
        XCTAssertEqual(wide.account.fileError?.reason.code, "input.unsupported-encoding")
    }

    // MARK: - Chunks

    /// Chunked reading (tiny chunks, every boundary after an LF) gives the records, rejections,
    /// lines and indices of one sequential read.
    func testChunkedEqualsWhole() throws {
        var text = "\n"
        for i in 0..<3000 {
            switch i % 97 {
            case 5: text += "{broken\n"
            case 6: text += "\n\n"
            case 7: text += line("Nutzer \(i)", extra: #","pad":"\#(String(repeating: "z", count: 3000))""#) + "\r\n"
            default: text += line("Nutzer \(i)") + "\n"
            }
        }
        text += line("letzte Zeile")  // no final LF
        let path = F.temp("chunks.jsonl", text)
        let (whole, wholeRecords) = F.ingest(path, profile: Self.access)
        XCTAssertGreaterThan(whole.account.rejected, 0)

        let source = try XCTUnwrap(Ingest.chunkSource(path: path, profile: Self.access))
        let normaliser = try source.normaliser(profile: Self.access)
        for chunkBytes in [1, 500, 4096, 100_000] {
            let starts = try source.boundaries(chunkBytes: chunkBytes)
            var records: [Record] = []
            var rejections: [Rejection] = []
            var line = source.firstLine, index = 0, expected = source.dataStart, read = 0
            for (k, start) in starts.enumerated() {
                XCTAssertEqual(start, expected, "JSON Lines chunks need no re-parse")
                let end = k + 1 < starts.count ? starts[k + 1] : .max
                let outcome = Ingest.runChunk(source, normaliser: normaliser, start: start, end: end) { r in
                    var r = r
                    r.locator.line += line - 1
                    r.locator.index += index
                    records.append(r)
                }
                XCTAssertNil(outcome.account.fileError)
                for var rej in outcome.account.rejections {
                    rej.locator.line += line - 1
                    rej.locator.index += index
                    rejections.append(rej)
                }
                read += outcome.account.read
                line += outcome.lineBreaks
                index += outcome.records
                expected = outcome.end
            }
            XCTAssertEqual(read, whole.account.read, "chunk \(chunkBytes)")
            XCTAssertEqual(records.map(\.locator), wholeRecords.map(\.locator), "chunk \(chunkBytes)")
            XCTAssertEqual(records.map(\.values), wholeRecords.map(\.values), "chunk \(chunkBytes)")
            XCTAssertEqual(rejections, whole.account.rejections, "chunk \(chunkBytes)")
        }
    }

    // MARK: - Profiles and detection

    func testProfileKeysAndDetection() throws {
        func error(_ yaml: String) -> ConfigError? {
            do { _ = try SourceProfile.parse(yaml: yaml, file: "p.yaml") } catch let e as ConfigError { return e } catch {}
            return nil
        }
        let head = "id: p\ntitle: { de: T, en: T }\nkind: access\nformat: jsonl\n"
        let fields = "fields:\n  time: ts\n  actor: user.name\n  system: { value: S }\n  action: { value: read }\n"
        XCTAssertNil(error(head + "detect: { keys: [ts] }\n" + fields))
        XCTAssertEqual(error(head + fields)?.code, "profile.detect")
        XCTAssertEqual(error(head + "detect: { keys: [ts] }\n" + fields.replacingOccurrences(of: "user.name", with: "user..name"))?.code,
                       "profile.jsonl-path")
        XCTAssertEqual(error(head + "detect: { keys: [\"a\\\\\"] }\n" + fields)?.code, "profile.jsonl-path")
        XCTAssertEqual(error(head + "detect: { keys: [ts] }\n" + fields + "  subject: { column: X }\n")?.code,
                       "profile.key-not-for-format")
        XCTAssertEqual(JSONPath(#"a\.b.c\\d"#)?.keys.map { String(decoding: $0, as: UTF8.self) }, ["a.b", #"c\d"#])

        let catalog = try ProfileCatalog(profiles: [Self.access, Self.documentation])
        let path = F.temp("detect.jsonl", "\n" + line() + "\n")
        XCTAssertEqual(try ProfileCatalog.sniffFormat(path: path), .jsonl)
        XCTAssertEqual(try catalog.detect(file: path).id, "test-jsonl")
        let other = F.temp("detect-none.jsonl", #"{"@timestamp":1}"# + "\n")
        XCTAssertThrowsError(try catalog.detect(file: other)) { e in
            XCTAssertEqual((e as? InputError)?.rejection.reason.code, "profile.no-match")
        }
        let result = Ingest.run(file: path, profile: nil, catalog: catalog) { _ in }
        XCTAssertEqual(result.account.profile, "test-jsonl")
        XCTAssertEqual(result.account.normalised, 1)
        // A CSV profile on a JSON Lines file is the wrong format.
        let csv = try F.catalog.require(id: "traeger-zugriffe")
        XCTAssertEqual(Ingest.run(file: path, profile: csv, catalog: catalog) { _ in }.account.fileError?.reason.code,
                       "profile.wrong-format")
        XCTAssertEqual(SourceFormat.fileExtensions, ["csv", "xml", "jsonl", "ndjson"])
    }

    /// The example profile (Samples/profiles) and its export (Examples/jsonl) load and read
    /// without rejections.
    func testExampleExport() throws {
        let dir = TestPaths.projectRoot.appendingPathComponent("Examples/jsonl")
        let catalog = try ProfileCatalog(directories: [TestPaths.projectRoot.appendingPathComponent("Samples/profiles").path])
        let file = dir.appendingPathComponent("fallkompass-graylog.jsonl").path
        var records: [Record] = []
        let r = Ingest.run(file: file, profile: nil, catalog: catalog) { records.append($0) }
        XCTAssertNil(r.account.fileError)
        XCTAssertEqual(r.account.profile, "fallkompass-graylog")
        XCTAssertEqual(r.account.rejected, 0, "\(r.account.rejections)")
        XCTAssertEqual(records.count, 5)
        XCTAssertEqual(F.str(records[1]["actor"]), "TR-M-0104")
        XCTAssertEqual(F.str(records[1]["category"]), "beratung")
        XCTAssertEqual(F.iso(records[1]["time"]), "2025-04-03T14:10:00Z")
    }
}
