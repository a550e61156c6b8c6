import Foundation
import XCTest

/// Recall and precision on a generated corpus (`trennwand-bench generate`): a scan with all rules
/// finds every planted violation (ground-truth.tsv: rule, file, line) and nothing else — nothing in
/// the clean look-alikes next to the plants, nothing in the background, no configuration gap.
/// Every rule is planted; see `CorpusGenerator` and docs/performance-notes.md ("Planted violations").
final class GeneratedCorpusTests: XCTestCase {
    static let planted = ["TW101", "TW102", "TW103", "TW104", "TW105", "TW106", "TW107", "TW108", "TW109",
                          "TW110", "TW111", "TW201", "TW202", "TW203", "TW204", "TW205", "TW206", "TW207",
                          "TW208", "TW301", "TW302", "TW303", "TW304", "TW305", "TW401", "TW402", "TW901",
                          "TW902", "TW903", "TW904", "TW905", "TW906"]

    var benchBinary: String { TestPaths.projectRoot.appendingPathComponent(".build/debug/trennwand-bench").path }

    func generate(mb: Int, seed: Int) throws -> URL {
        let dir = try CLI.temporaryDirectory().appendingPathComponent("corpus")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: benchBinary)
        p.arguments = ["generate", "--out", dir.path, "--mb", String(mb), "--seed", String(seed)]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return dir
    }

    /// (rule, file relative to the corpus, line) of every finding in JSON Lines output.
    func findings(_ jsonl: String) throws -> [String] {
        try jsonl.split(separator: "\n").compactMap { line -> String? in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            guard o["type"] as? String == "finding" else { return nil }
            let path = o["file"] as? String ?? ""
            let file = path.range(of: "/corpus/").map { String(path[$0.upperBound...]) } ?? path
            return "\(o["rule_id"] as? String ?? "")\t\(file)\t\(o["line"] as? Int ?? -1)"
        }
    }

    func testScanWithAllRulesFindsExactlyThePlantedViolations() throws {
        guard FileManager.default.isExecutableFile(atPath: benchBinary) else {
            throw XCTSkip("trennwand-bench not built (swift build --build-tests builds it)")
        }
        let dir = try generate(mb: 4, seed: 7)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let truth = try String(contentsOf: dir.appendingPathComponent("ground-truth.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map(String.init)
        XCTAssertGreaterThanOrEqual(truth.count, 60)
        XCTAssertEqual(Set(truth.map { String($0.prefix(5)) }), Set(Self.planted), "every rule is planted")
        let run = try CLI.run(["scan", dir.path, "--now", "2025-12-31T12:00:00+01:00", "--format", "jsonl=-"])
        XCTAssertLessThanOrEqual(run.status, 1, run.stderr)
        let found = try findings(run.stdout)
        XCTAssertEqual(Set(found).subtracting(truth).sorted(), [], "findings in clean look-alikes or background")
        XCTAssertEqual(Set(truth).subtracting(found).sorted(), [], "planted violations missed")
        XCTAssertEqual(found.count, truth.count, "no duplicates")
    }

    func testGeneratorIsDeterministic() throws {
        guard FileManager.default.isExecutableFile(atPath: benchBinary) else { throw XCTSkip("trennwand-bench not built") }
        let a = try generate(mb: 1, seed: 11), b = try generate(mb: 1, seed: 11)
        defer {
            try? FileManager.default.removeItem(at: a.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: b.deletingLastPathComponent())
        }
        for f in ["Jobcenter-Zugriffe.csv", "Jobcenter-Zugriffe-coSach.csv", "Traeger-Zugriffe.csv", "Traeger-Dokumentation.xml",
                  "Plattform-Datenfluesse.csv", "ground-truth.tsv", "Stammdaten/Teilnehmende.csv",
                  "Stammdaten/Mitarbeitende.csv", "Stammdaten/Abordnungen.csv", "Stammdaten/Vereinbarungen.csv"] {
            XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent(f)), try Data(contentsOf: b.appendingPathComponent(f)), f)
        }
    }

    /// Same findings in the same order for 1 and 2 threads and for whole and chunked reading
    /// (small chunks: many boundaries).
    func testThreadsAndChunksGiveTheSameFindings() throws {
        guard FileManager.default.isExecutableFile(atPath: benchBinary) else { throw XCTSkip("trennwand-bench not built") }
        let dir = try generate(mb: 2, seed: 5)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        // All rules: aggregates (ratio, window, gaps) included.
        func all(_ extra: [String]) throws -> [String] {
            let run = try CLI.run(["scan", dir.path, "--now", "2025-12-31T12:00:00+01:00", "--format", "jsonl=-"] + extra)
            XCTAssertLessThanOrEqual(run.status, 1, run.stderr)
            return run.stdout.split(separator: "\n").filter { !$0.contains("\"type\":\"summary\"") }.map(String.init)
        }
        let whole = try all(["--threads", "1"])
        XCTAssertGreaterThan(whole.count, 20)
        XCTAssertEqual(try all(["--threads", "2"]), whole, "2 threads")
        XCTAssertEqual(try all(["--threads", "1", "--chunk-bytes", "65536"]), whole, "chunked, 1 thread")
        XCTAssertEqual(try all(["--threads", "2", "--chunk-bytes", "65536"]), whole, "chunked, 2 threads")
    }
}
