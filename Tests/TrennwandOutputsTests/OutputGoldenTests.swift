import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import XCTest

/// Byte-for-byte golden files for every format (regenerate: `TRENNWAND_UPDATE_GOLDEN=1 swift test --filter OutputGolden`).
final class OutputGoldenTests: XCTestCase {
    func testSARIFGolden() throws {
        let sink = MemorySink()
        var w = SARIFWriter(sink: sink)
        try OutputFixtures.stream(&w)
        try OutputFixtures.assertGolden(sink.bytes, "report.sarif")
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(sink.bytes)))
    }

    func testJSONLinesGolden() throws {
        let sink = MemorySink()
        var w = JSONLinesWriter(sink: sink)
        try OutputFixtures.stream(&w)
        try OutputFixtures.assertGolden(sink.bytes, "report.jsonl")
    }

    /// Encoding in blocks on several threads writes the same bytes as one thread: more findings
    /// than a block (the last block partial), both languages, every fixture kind.
    func testJSONLinesParallelEncodingSameBytes() throws {
        let base = OutputFixtures.findings()
        var many: [(Finding, WaiverInfo?)] = []
        for i in 0..<(JSONLinesWriter.blockSize * 2 + 37) {
            var (f, w) = base[i % base.count]
            f.locator.line = i + 1
            many.append((f, w))
        }
        for language in [Language.de, .en] {
            var outputs: [[UInt8]] = []
            for threads in [1, 2, 3] {
                let sink = MemorySink()
                var w = JSONLinesWriter(sink: sink, encodingThreads: threads)
                try OutputFixtures.stream(&w, language: language, findings: many)
                outputs.append(sink.bytes)
            }
            XCTAssertEqual(outputs[0].filter { $0 == 0x0A }.count, many.count + 1)
            // (Not XCTAssertEqual: a failure would print megabytes of bytes.)
            XCTAssertTrue(outputs[1] == outputs[0], "2 threads wrote other bytes (\(language))")
            XCTAssertTrue(outputs[2] == outputs[0], "3 threads wrote other bytes (\(language))")
        }
    }

    func testCSVGolden() throws {
        let sink = MemorySink()
        var w = CSVWriter(sink: sink)
        try OutputFixtures.stream(&w)
        try OutputFixtures.assertGolden(sink.bytes, "report.csv")
    }

    func testCSVGoldenEnglish() throws {
        let sink = MemorySink()
        var w = CSVWriter(sink: sink)
        try OutputFixtures.stream(&w, language: .en)
        try OutputFixtures.assertGolden(sink.bytes, "report.en.csv")
    }

    func testJUnitGolden() throws {
        let sink = MemorySink()
        var w = JUnitWriter(sink: sink)
        try OutputFixtures.stream(&w)
        try OutputFixtures.assertGolden(sink.bytes, "report.junit.xml")
    }

    func testHTMLGolden() throws {
        let sink = MemorySink()
        var w = HTMLReportWriter(sink: sink)
        try OutputFixtures.stream(&w)
        try OutputFixtures.assertGolden(sink.bytes, "report.html")
    }

    func testHTMLGoldenEnglish() throws {
        let sink = MemorySink()
        var w = HTMLReportWriter(sink: sink)
        try OutputFixtures.stream(&w, language: .en)
        try OutputFixtures.assertGolden(sink.bytes, "report.en.html")
    }

    func testTextGolden() throws {
        for (lang, colors, name) in [(Language.de, false, "summary.txt"), (.en, false, "summary.en.txt"), (.de, true, "summary.ansi.txt")] {
            let sink = MemorySink()
            var w = TextSummaryWriter(sink: sink, colors: colors)
            try OutputFixtures.stream(&w, language: lang)
            try OutputFixtures.assertGolden(sink.bytes, name)
            XCTAssertEqual(sink.text.contains("\u{1B}["), colors, name)
        }
    }

    /// The fan-out counts the summary itself and feeds every writer the same numbers.
    func testFanoutCountsSummary() throws {
        let a = MemorySink(), b = MemorySink()
        var fan = FanoutWriter([JSONLinesWriter(sink: a), CSVWriter(sink: b)])
        let info = OutputFixtures.run()
        try fan.begin(run: info)
        for (f, w) in OutputFixtures.findings() { try fan.write(f, waived: w) }
        try fan.end(summary: RunSummary(finished: OutputFixtures.finished, inputs: info.inputs))
        XCTAssertEqual(fan.summary.total, 6)
        XCTAssertEqual(fan.summary.waived, 1)
        XCTAssertEqual(fan.summary.openAtOrAbove(.high), 3)
        XCTAssertEqual(fan.summary.byNorm["§ 35 Abs. 1 SGB I"], Tally(open: 2, waived: 0))
        XCTAssertEqual(a.text.split(separator: "\n").count, 7)
        XCTAssertTrue(a.text.contains("\"type\":\"summary\""))
    }
}

/// Goldens of the lifecycle / baseline / merged-records run (`LifecycleFixtures`), one per
/// machine format (regenerate deliberately: `TRENNWAND_UPDATE_GOLDEN=1 swift test --filter LifecycleGolden`).
final class LifecycleGoldenTests: XCTestCase {
    func testGoldens() throws {
        let cases: [(String, (any OutputSink) -> any FindingWriter, Language)] = [
            ("lifecycle.jsonl", { JSONLinesWriter(sink: $0) }, .de),
            ("lifecycle.csv", { CSVWriter(sink: $0) }, .de),
            ("lifecycle.sarif", { SARIFWriter(sink: $0) }, .de),
            ("lifecycle.junit.xml", { JUnitWriter(sink: $0) }, .de),
            ("summary.lifecycle.txt", { TextSummaryWriter(sink: $0, colors: false) }, .de),
            ("summary.lifecycle.en.txt", { TextSummaryWriter(sink: $0, colors: false) }, .en),
        ]
        for (name, make, lang) in cases {
            let sink = MemorySink()
            try LifecycleFixtures.stream(make(sink), language: lang)
            try OutputFixtures.assertGolden(sink.bytes, name)
        }
    }
}

/// Norm counts are kept by the citation's bytes (`CitationKey`): the same citation counts once per
/// finding, however often the finding lists it, and every finding that cites it counts.
final class RunSummaryNormTests: XCTestCase {
    func testEachCitationOncePerFindingOpenAndWaivedApart() throws {
        var (f, _) = try XCTUnwrap(OutputFixtures.findings().first)
        let other = Norm(citation: "§ 67a Abs. 1 SGB X", title: "Erhebung", asOf: "2024-01-01")
        f.norms = [OutputFixtures.sgb1, other, OutputFixtures.sgb1, OutputFixtures.dsgvo9, other]
        var summary = RunSummary(finished: 0, inputs: [])
        summary.count(f, waived: nil)
        summary.count(f, waived: nil)
        summary.count(f, waived: OutputFixtures.waiver)
        XCTAssertEqual(summary.byNorm, ["§ 35 Abs. 1 SGB I": Tally(open: 2, waived: 1), "§ 67a Abs. 1 SGB X": Tally(open: 2, waived: 1),
                                        "Art. 9 DSGVO": Tally(open: 2, waived: 1)])
        // Set and read back as a dictionary keyed by citation.
        summary.byNorm["§ 35 Abs. 1 SGB I"] = Tally(open: 7)
        XCTAssertEqual(summary.byNorm["§ 35 Abs. 1 SGB I"], Tally(open: 7))
        XCTAssertEqual(summary.byNorm.count, 3)
    }
}
