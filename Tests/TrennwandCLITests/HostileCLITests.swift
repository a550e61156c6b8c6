import Foundation
import XCTest

/// `trennwand ingest` on hostile inputs: exit codes (0 ok, 2 configuration, 3 input; `--strict`
/// makes rejected records 3), good records still on stdout, every file accounted on stderr.
final class HostileCLITests: XCTestCase {
    static let binary = TestPaths.projectRoot.appendingPathComponent(".build/debug/trennwand").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// Runs the CLI with English messages; fails (instead of hanging) after `timeout` seconds.
    func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Run {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            XCTFail("\(Self.binary) not built (run `swift build` or `make test`)")
            return Run(status: -1, stdout: "", stderr: "")
        }
        let dir = Self.temp()
        let out = dir.appendingPathComponent("stdout"), err = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TRENNWAND_LANG"] = "en"
        env["TRENNWAND_RULES"] = TestPaths.projectRoot.appendingPathComponent("Rules").path
        p.environment = env
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            XCTFail("trennwand \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        p.waitUntilExit()
        return Run(status: p.terminationStatus,
                   stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static func temp() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-hostile-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let header = "Datum,Uhrzeit,Benutzer,Organisation,Rolle,Modul,Aktion,Teilnehmer,Arbeitsplatz,Netz,Zweck\n"
    static let rows = [
        "03.02.2025,08:55,TR-M-0101,Träger,Familiencoach,Teilnehmerakte,anlegen,TN-2025-0001,TR-PC-03,Träger-LAN,Aufnahme\n",
        "03.02.2025,09:30,TR-M-0101,Träger,Familiencoach,Beratungsdokumentation,anlegen,TN-2025-0001,TR-PC-03,Träger-LAN,Erstgespräch\n",
        "05.02.2025,10:05,JC-M-0042,Jobcenter,Lotsin,Anmeldung,anmelden,,TR-PC-07,Träger-LAN,Anmeldung\n",
    ]

    func write(_ bytes: [UInt8], _ name: String, in dir: URL) -> String {
        let path = dir.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func testBadFilesDoNotStopTheGoodOnes() throws {
        let dir = Self.temp()
        let gz = write([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0], "a.csv", in: dir)
        let fifo = dir.appendingPathComponent("pipe.csv").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let wide = write([0xFF, 0xFE] + Array("D\0a\0".utf8), "wide.csv", in: dir)
        let good = write(Array((Self.header + Self.rows.joined()).utf8), "good.csv", in: dir)
        let cut = write(Array((Self.header + Self.rows[0] + "03.02.2025,09:3").utf8), "cut.csv", in: dir)
        let r = try run(["ingest", gz, fifo, dir.path, wide, good, cut], timeout: 30)
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertEqual(r.lines.count, 4, "3 good records + 1 before the cut:\n\(r.stdout)")
        // A gzip header without data: read as gzip (by its magic number), cut off.
        XCTAssertTrue(r.stderr.contains("compressed data ends early at byte 8 (file cut off?) [archive.truncated]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[input.not-regular-file]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[input.unsupported-encoding]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[input.unreadable]"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(good): profile traeger-zugriffe: 3 read, 3 normalised, 0 rejected"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(cut): profile traeger-zugriffe: 2 read, 1 normalised, 1 rejected"), r.stderr)
        XCTAssertTrue(r.stderr.contains("\(cut):3: record has 2 fields, expected 11 [csv.ragged-row]"), r.stderr)
    }

    func testRejectedRecordsExitZeroUnlessStrict() throws {
        let dir = Self.temp()
        var bytes = Array((Self.header + Self.rows[0]).utf8)
        bytes += Array("03.02.2025,09:30,TR-M-0101,Tr".utf8) + [0xE4] + Array("ger,Familiencoach,Teilnehmerakte,anlegen,TN-1,PC,VPN,X\n".utf8)
        bytes += Array(Self.rows[2].utf8)
        let file = write(bytes, "cp.csv", in: dir)
        let lenient = try run(["ingest", "--profile", "traeger-zugriffe", file])
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertEqual(lenient.lines.count, 2)
        XCTAssertTrue(lenient.stderr.contains("3 read, 2 normalised, 1 rejected"), lenient.stderr)
        XCTAssertTrue(lenient.stderr.contains("\(file):3: invalid UTF-8 in field 4 [csv.invalid-utf8]"), lenient.stderr)
        let strict = try run(["ingest", "--strict", "--profile", "traeger-zugriffe", file])
        XCTAssertEqual(strict.status, 3)
        XCTAssertEqual(strict.lines.count, 2, "good records are still output under --strict")
    }

    func testRejectionsBeyondTheDetailLimitAreCounted() throws {
        let bad = "03.02.2025,08:55,TR-M-0101,Träger,Familiencoach,Teilnehmerakte,zaubern,TN-1,PC,Träger-LAN,X\n"
        let file = write(Array((Self.header + String(repeating: bad, count: 10_500) + Self.rows[0]).utf8), "many.csv", in: Self.temp())
        let r = try run(["ingest", "--strict", file])
        XCTAssertEqual(r.status, 3)
        XCTAssertEqual(r.lines.count, 1)
        XCTAssertTrue(r.stderr.contains("10501 read, 1 normalised, 10500 rejected"), String(r.stderr.prefix(300)))
        XCTAssertTrue(r.stderr.contains("… 500 more rejections (counted only)"), String(r.stderr.suffix(300)))
    }

    func testFileErrorsExitThreeWithoutStrictAndConfigurationTwo() throws {
        let dir = Self.temp()
        let wrong = TestPaths.samples.appendingPathComponent("Plattform-Datenfluesse.csv").path
        let r = try run(["ingest", "--profile", "traeger-zugriffe", wrong])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("profile 'traeger-zugriffe': column 'Datum' is missing in the file [profile.missing-column]"), r.stderr)
        let deep = write(Array(("<a>" + String(repeating: "<b>", count: 100_000)).utf8), "deep.xml", in: dir)
        let d = try run(["ingest", "--profile", "traeger-dokumentation", deep])
        XCTAssertEqual(d.status, 3)
        XCTAssertTrue(d.stderr.contains("[xml.malformed]"), d.stderr)
        let unknown = try run(["ingest", "--profile", "no-such-profile", wrong])
        XCTAssertEqual(unknown.status, 2)
        let good = write(Array((Self.header + Self.rows.joined()).utf8), "good.csv", in: dir)
        let ok = try run(["ingest", "--strict", good])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.lines.count, 3)
    }
}
