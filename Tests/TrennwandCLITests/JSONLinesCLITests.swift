import Foundation
import XCTest

/// A JSON Lines export (Examples/jsonl: a Graylog-style access log; its profile in Samples/profiles) scanned end to
/// end: the access rules fire on it with `file:line`, the same with one thread and with chunks.
final class JSONLinesCLITests: XCTestCase {
    private static let sample = "Examples/jsonl/fallkompass-graylog.jsonl"

    private func findings(_ extra: [String]) throws -> [String] {
        let r = try CLI.run(["scan", Self.sample, "Samples/Stammdaten", "--profiles", "Samples/profiles",
                             "--now", "2025-12-31T12:00:00+01:00", "--format", "jsonl=-", "--format", "text=/dev/null"] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try r.stdout.split(separator: "\n").compactMap { line -> String? in
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard o["type"] as? String != "summary", let file = o["file"] as? String, file == Self.sample else { return nil }
            return "\(o["rule_id"] ?? "?") \(file):\(o["line"] ?? 0)"
        }
    }

    func testScanFindsAccessRulesWithFileAndLine() throws {
        let sequential = try findings(["--threads", "1"])
        XCTAssertEqual(sequential, [
            "TW208 \(Self.sample):2", "TW208 \(Self.sample):3", "TW103 \(Self.sample):4", "TW107 \(Self.sample):4",
        ])
        XCTAssertEqual(try findings(["--threads", "2", "--chunk-bytes", "300"]), sequential)
    }

    /// A gzipped export and a zip member read through the decompressing stream (never in chunks):
    /// the same findings at the same lines as the plain file, with 1 and 2 threads.
    func testCompressedJSONLinesGiveThePlainFindings() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sample = TestPaths.projectRoot.appendingPathComponent(Self.sample).path
        let gz = dir.appendingPathComponent("graylog.jsonl.gz").path
        let zip = dir.appendingPathComponent("graylog.zip").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/bin/sh")
        make.arguments = ["-c", "gzip -n -c '\(sample)' > '\(gz)' && python3 -c \"import zipfile; z = zipfile.ZipFile('\(zip)', 'w', zipfile.ZIP_DEFLATED); z.write('\(sample)', 'export/graylog.jsonl'); z.close()\""]
        try make.run()
        make.waitUntilExit()
        XCTAssertEqual(make.terminationStatus, 0)
        let plain = try findings(["--threads", "1"]).map { $0.replacingOccurrences(of: Self.sample, with: "X") }
        for (input, name) in [(gz, gz), (zip, zip + "!/export/graylog.jsonl")] {
            for threads in ["1", "2"] {
                let r = try CLI.run(["scan", input, "Samples/Stammdaten", "--profiles", "Samples/profiles", "--threads", threads,
                                     "--chunk-bytes", "300", "--now", "2025-12-31T12:00:00+01:00", "--format", "jsonl=-"])
                XCTAssertEqual(r.status, 0, r.stderr)
                let got = try r.stdout.split(separator: "\n").compactMap { line -> String? in
                    let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    guard o["type"] as? String != "summary", let file = o["file"] as? String, file == name else { return nil }
                    return "\(o["rule_id"] ?? "?") X:\(o["line"] ?? 0)"
                }
                XCTAssertEqual(got, plain, "\(name), \(threads) threads: \(r.stdout)\n\(r.stderr)")
            }
        }
    }

    func testDirectoryScanPicksUpJSONLinesFiles() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let nested = dir.appendingPathComponent("export")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        let sample = TestPaths.projectRoot.appendingPathComponent(Self.sample)
        try FileManager.default.copyItem(at: sample, to: nested.appendingPathComponent("a.ndjson"))
        let r = try CLI.run(["ingest", nested.appendingPathComponent("a.ndjson").path, "--profiles", "Samples/profiles"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let scan = try CLI.run(["scan", dir.path, "Samples/Stammdaten", "--profiles", "Samples/profiles",
                                "--now", "2025-12-31T12:00:00+01:00", "--format", "jsonl=-", "--format", "text=/dev/null"])
        XCTAssertEqual(scan.status, 0, scan.stderr)
        XCTAssertTrue(scan.stdout.contains("a.ndjson"), scan.stdout)
        XCTAssertTrue(scan.stdout.contains("TW208"), scan.stdout)
    }
}
