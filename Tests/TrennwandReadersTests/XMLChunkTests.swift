import Foundation
import TrennwandRecords
import XCTest
@testable import TrennwandReaders

/// XML read in parts (`XMLChunkSource`, merged by `ChunkChain` as the scan merges them) gives the
/// records, values, locators (line, column, byte offset, index), rejections and file error of one
/// whole-file read, whatever the content and the part size.
final class XMLChunkTests: XCTestCase {
    static let profile = ProfileFixtures.catalog.profile(id: "traeger-dokumentation")!

    /// What a read produced, comparable as a whole.
    struct Outcome: Equatable {
        var locators: [Locator] = []
        var values: [[Value]] = []
        var rejections: [Rejection] = []
        var fileError: Rejection?
        var read = 0, normalised = 0, rejected = 0
        var bytes: Int64 = 0
    }

    struct Counts: Equatable {
        var parts = 0, merged = 0, reread = 0, sequentialRests = 0
    }

    static func whole(_ path: String, profile: SourceProfile = profile) -> Outcome {
        var o = Outcome()
        let result = Ingest.run(file: path, profile: profile, catalog: ProfileFixtures.catalog) { r in
            o.locators.append(r.locator)
            o.values.append(r.values)
        }
        let a = result.account
        (o.rejections, o.fileError, o.read, o.normalised, o.rejected, o.bytes) = (a.rejections, a.fileError, a.read, a.normalised, a.rejected, a.bytes)
        return o
    }

    /// The parts read one after the other, each from its candidate start as a worker reads it,
    /// then judged and merged as the scan's merger does (`ChunkChain`).
    static func chunked(_ path: String, chunkBytes: Int, profile: SourceProfile = profile) throws -> (Outcome, Counts) {
        try chunked(path, schedule: ChunkSchedule(chunkBytes: chunkBytes), profile: profile)
    }

    /// `chunked(_:chunkBytes:profile:)` with the parts spaced by `schedule`.
    static func chunked(_ path: String, schedule: ChunkSchedule, profile: SourceProfile = profile) throws -> (Outcome, Counts) {
        let source = try XCTUnwrap(Ingest.chunkSource(path: path, profile: profile), "not split: \(path)")
        let normaliser = try source.normaliser(profile: profile)
        let starts = try source.boundaries(schedule)
        var chain = ChunkChain(source: source)
        var o = Outcome()
        var counts = Counts(parts: starts.count)
        func run(_ start: Int64, _ end: Int64, context: ChunkContext? = nil, skipping: Int = 0) -> (ChunkOutcome, [Record]) {
            var records: [Record] = []
            let outcome = Ingest.runChunk(source, normaliser: normaliser, start: start, end: end, context: context, skipping: skipping) {
                records.append($0)
            }
            return (outcome, records)
        }
        for (k, start) in starts.enumerated() where !chain.finished {
            let end = k + 1 < starts.count ? starts[k + 1] : .max
            var (outcome, records) = run(start, end)
            var verdict = chain.verdict(start: start, outcome: outcome)
            if case .reread(let trueStart, let context) = verdict {
                counts.reread += 1
                (outcome, records) = run(trueStart, end, context: context)
                verdict = chain.verdict(start: trueStart, outcome: outcome, reread: true)
            }
            var offsets = (lineOffset: 0, indexOffset: 0)
            if case .sequentialRest(let skipping) = verdict {
                counts.sequentialRests += 1
                (outcome, records) = run(0, .max, skipping: skipping)
                chain.endWithSequentialRest()
                o.bytes = outcome.bytesRead
            } else {
                offsets = chain.absorb(outcome)
            }
            counts.merged += 1
            for var r in records {
                r.locator.line += offsets.lineOffset
                r.locator.index += offsets.indexOffset
                o.locators.append(r.locator)
                o.values.append(r.values)
            }
            for var r in outcome.account.rejections {
                r.locator.line += offsets.lineOffset
                r.locator.index += offsets.indexOffset
                o.rejections.append(r)
            }
            if var e = outcome.account.fileError {
                if e.locator.line > 0 { e.locator.line += offsets.lineOffset }
                o.fileError = e
            }
            o.read += outcome.account.read
            o.normalised += outcome.account.normalised
            o.rejected += outcome.account.rejected
        }
        if o.fileError == nil { o.bytes = source.fileSize }
        return (o, counts)
    }

    /// Whole and chunked for every size; returns the counts per size.
    @discardableResult
    func assertSame(_ path: String, sizes: [Int] = [1, 97, 700, 4_096, 65_536], profile: SourceProfile = profile,
                    file: StaticString = #filePath, line: UInt = #line) throws -> [Int: Counts] {
        let whole = Self.whole(path, profile: profile)
        XCTAssertGreaterThan(whole.read, 0, file: file, line: line)
        var all: [Int: Counts] = [:]
        for size in sizes {
            let (parts, counts) = try Self.chunked(path, chunkBytes: size, profile: profile)
            all[size] = counts
            XCTAssertEqual(parts.locators.count, whole.locators.count, "chunk \(size)", file: file, line: line)
            for (i, (a, b)) in zip(whole.locators, parts.locators).enumerated() where a != b {
                XCTFail("chunk \(size): record \(i) at \(b), whole read: \(a)", file: file, line: line)
                break
            }
            XCTAssertEqual(parts, whole, "chunk \(size), \(counts)", file: file, line: line)
        }
        return all
    }

    func write(_ o: CraftedXMLExports.Options, _ name: String) throws -> String {
        try CraftedXMLExports.write(CraftedXMLExports.document(o), name: name)
    }

    // MARK: - Equal to the whole read

    func testSamplesExportEveryPartVerifiedNoneReadAgain() throws {
        let path = ProfileFixtures.sample("Traeger-Dokumentation.xml")
        let counts = try assertSame(path)
        // Every record line is a true boundary and the guessed ancestors are right.
        // Part 0 ends before the first record; then one part per record.
        let records = Self.whole(path).read
        XCTAssertEqual(counts[1], Counts(parts: records + 1, merged: records + 1, reread: 0, sequentialRests: 0))
        XCTAssertEqual(counts[700]?.reread, 0)
        XCTAssertGreaterThan(counts[700]?.parts ?? 0, 10)
    }

    func testCraftedExportWithDecoysNamespacesAndRejections() throws {
        let path = try write(CraftedXMLExports.Options(), "crafted.xml")
        let whole = Self.whole(path)
        XCTAssertNil(whole.fileError)
        XCTAssertGreaterThan(whole.rejected, 5, "records the profile rejects")
        // Start tag over two lines, its line starting 100 bytes before it: counted over the window only.
        XCTAssertEqual(whole.locators.first { $0.recordID == "V-19-0" }?.column, XMLParseState.lineWindow + 1)
        XCTAssertTrue(whole.values.contains { $0.contains(.string(ByteString("TN-2"))) }, "default namespace on the ancestor")
        let counts = try assertSame(path)
        // Decoys are read again from the true boundary; nothing falls back to a sequential read.
        XCTAssertGreaterThan(counts[1]?.reread ?? 0, 10)
        XCTAssertEqual(counts[1]?.sequentialRests, 0)
        XCTAssertGreaterThan(counts[1]?.merged ?? 0, whole.read / 2)
    }

    func testCRLFLineEnds() throws {
        try assertSame(try write(CraftedXMLExports.Options(participants: 25, crlf: true), "crlf.xml"), sizes: [1, 500, 4_096])
    }

    func testFatalErrorAtStartMiddleAndEnd() throws {
        for at in [0, 31, 59] {
            let path = try write(CraftedXMLExports.Options(fatalAt: at), "fatal-\(at).xml")
            let whole = Self.whole(path)
            XCTAssertEqual(whole.fileError?.reason.code, "xml.malformed")
            XCTAssertTrue(whole.fileError?.reason.message.en.contains("mismatch") ?? false, "\(String(describing: whole.fileError))")
            XCTAssertEqual(whole.rejections.last?.reason.code, "xml.record-cut")
            let counts = try assertSame(path)
            for (size, c) in counts where c.parts > 1 { XCTAssertEqual(c.sequentialRests, 1, "chunk \(size)") }
        }
    }

    /// An undeclared prefix is an error libxml2 reports and parses on after: the sequential read
    /// still delivers the records that follow it in the same 256 KiB block, then stops with the
    /// error; the chunked read the same. (A part stopped at its end still reports such an error.)
    func testUndeclaredPrefixMidFile() throws {
        let all = Self.whole(try write(CraftedXMLExports.Options(participants: 1_500), "all.xml"))
        let path = try write(CraftedXMLExports.Options(participants: 1_500, undeclaredPrefixAt: 700), "prefix.xml")
        let whole = Self.whole(path)
        XCTAssertEqual(whole.fileError?.reason.code, "xml.malformed")
        XCTAssertTrue(whole.fileError?.reason.message.en.contains("prefix x") ?? false, "\(String(describing: whole.fileError))")
        let error = try XCTUnwrap(whole.fileError?.locator.byteOffset)
        let after = whole.locators.filter { $0.byteOffset > error }.count
        XCTAssertGreaterThan(after, 0, "records after the error, up to the end of its block")
        XCTAssertLessThan(whole.read, all.read)
        let counts = try assertSame(path, sizes: [700, 65_536])
        XCTAssertEqual(counts[65_536]?.sequentialRests, 1)
    }

    /// More distinct names than the budget: the rest is read sequentially, the result the whole read's.
    func testManyDistinctNamesFallBackToOneSequentialRead() throws {
        let path = try write(CraftedXMLExports.Options(participants: 4_000, distinctNameBytes: 120), "names.xml")
        let counts = try assertSame(path, sizes: [65_536])
        XCTAssertEqual(counts[65_536]?.sequentialRests, 1)
        let few = try write(CraftedXMLExports.Options(participants: 400, distinctNameBytes: 120), "few-names.xml")
        XCTAssertEqual(try assertSame(few, sizes: [4_096])[4_096]?.sequentialRests, 0)
    }

    /// A record path of two steps: only the root is replayed.
    func testFlatExport() throws {
        let yaml = """
            id: flach
            title: { de: Flach, en: Flat }
            kind: documentation
            format: xml
            namespaces: { d: "urn:test:flach" }
            detect: { root: "{urn:test:flach}Export" }
            record: /d:Export/d:Eintrag
            fields:
              record_id: "@id"
              time: { path: d:Zeit, format: "yyyy-MM-dd HH:mm" }
              author: d:Von
              subject: "@nr"
              text: { paths: [d:Text] }
            """
        let profile = try SourceProfile.parse(yaml: yaml, file: "flach.yaml")
        var text = "<?xml version='1.0'?>\n<Export xmlns='urn:test:flach' stand=\"2025\">\n"
        for i in 0..<300 {
            text += i % 17 == 3 ? "  <!-- <Eintrag id=\"k\"> -->\n" : ""
            text += "  <Eintrag id=\"E\(i)\" nr=\"TN-\(i % 9)\"><Zeit>2025-03-0\(1 + i % 9) 10:00</Zeit><Von>A\(i)</Von>\n"
            text += "    <Text>Notiz \(i)</Text></Eintrag>\n"
        }
        text += "</Export>\n"
        let path = try CraftedXMLExports.write(text, name: "flach.xml")
        let counts = try assertSame(path, sizes: [1, 300, 2_048], profile: profile)
        XCTAssertEqual(counts[1]?.merged, 301)
    }

    // MARK: - Not split

    func testFilesTheSplitCannotReproduceAreReadWhole() throws {
        let body = CraftedXMLExports.document(CraftedXMLExports.Options(participants: 5))
        let latin1 = body.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"")
        let doctype = body.replacingOccurrences(of: "<!-- Synthetische", with: "<!DOCTYPE doku:Dokumentation>\n<!-- Synthetische")
        for (name, text) in [("latin1.xml", latin1), ("doctype.xml", doctype)] {
            let path = try CraftedXMLExports.write(text, name: name)
            XCTAssertNil(Ingest.chunkSource(path: path, profile: Self.profile), name)
        }
        var utf16 = Data([0xFF, 0xFE])
        utf16.append(body.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"UTF-16\"").data(using: .utf16LittleEndian)!)
        let wide = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-wide-\(UUID().uuidString).xml")
        try utf16.write(to: wide)
        XCTAssertNil(Ingest.chunkSource(path: wide.path, profile: Self.profile))
        XCTAssertNotNil(Ingest.chunkSource(path: try CraftedXMLExports.write(body, name: "plain.xml"), profile: Self.profile))
    }

    // MARK: - Pieces

    func testCandidatesAreRecordStartTagsAtLineStarts() throws {
        let name = Array("Vermerk".utf8)
        func check(_ s: String, complete: Bool = true) -> Bool? {
            Array(s.utf8).withUnsafeBytes { XMLChunkSource.recordLine($0, at: 0, name: name, complete: complete) }
        }
        XCTAssertEqual(check("    <doku:Vermerk id=\"1\">"), true)
        XCTAssertEqual(check("\t<Vermerk>"), true)
        XCTAssertEqual(check("<v:Vermerk/>"), true)
        XCTAssertEqual(check("    </doku:Vermerk>"), false)
        XCTAssertEqual(check("    <doku:Vermerke>"), false)
        XCTAssertEqual(check("    <doku:AVermerk>"), false)
        XCTAssertEqual(check("  x <Vermerk>"), false)
        XCTAssertEqual(check(String(repeating: " ", count: 64) + "<Vermerk>"), false)
        XCTAssertEqual(check("    <doku:Verm", complete: false), nil)
        XCTAssertEqual(check("    <doku:Verm"), false)
    }

    func testCanonicalContextRoundTrips() throws {
        // The context a part reports at its end, replayed as the next part's prefix, parses to itself.
        let path = try write(CraftedXMLExports.Options(participants: 12), "context.xml")
        let source = try XCTUnwrap(Ingest.chunkSource(path: path, profile: Self.profile))
        let normaliser = try source.normaliser(profile: Self.profile)
        var start: Int64 = 0
        var context: ChunkContext?
        var replayed = 0
        let starts = try source.boundaries(chunkBytes: 1)
        for end in starts.dropFirst() where end > start {
            let outcome = Ingest.runChunk(source, normaliser: normaliser, start: start, end: end, context: context) { _ in }
            XCTAssertNil(outcome.account.fileError)
            if context != nil {
                XCTAssertEqual(outcome.startContext.map { String(decoding: $0.bytes, as: UTF8.self) },
                               context.map { String(decoding: $0.bytes, as: UTF8.self) })
                replayed += 1
            }
            guard outcome.end < source.fileSize else { break }
            (start, context) = (outcome.end, outcome.endContext)
            let text = String(decoding: context?.bytes ?? [], as: UTF8.self)
            XCTAssertFalse(text.contains("\n"))
            XCTAssertTrue(text.hasPrefix("<doku:Dokumentation xmlns:doku=\"\(CraftedXMLExports.namespace)\""), text)
        }
        XCTAssertGreaterThan(replayed, 20)
    }
}
