import Foundation
import XCTest

/// Outputs under faults (unwritable path, disk full) and the guarantee that no output becomes a
/// second copy of the social data.
final class OutputSafetyTests: XCTestCase {
    func testUnwritableOutputPathIsAnErrorAndWritesNothing() throws {
        // Below a regular file: fails even for root (ENOTDIR).
        let r = try CLI.run(["scan", "Samples/Plattform-Datenfluesse.csv", "--format", "html=Samples/audit.yaml/r.html",
                             "--format", "text=/dev/null"])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.stderr.contains("nicht schreibbar"), r.stderr)
    }

    /// Disk full simulated by a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored): exit 3, the previous
    /// report stays byte for byte, no temporary file is left behind.
    func testFullDiskLeavesThePreviousReportIntact() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("bericht.html")
        try Data("previous report\n".utf8).write(to: report)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "trap '' XFSZ; ulimit -f 16; exec \"$0\" scan --config Samples/audit.yaml --format html=\"$1\" --format text=/dev/null",
                       CLI.binary, report.path]
        p.currentDirectoryURL = TestPaths.projectRoot
        var env = ProcessInfo.processInfo.environment
        env["TRENNWAND_KEY"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 3)
        XCTAssertEqual(try String(contentsOf: report, encoding: .utf8), "previous report\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".tmp") || $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
    }

    /// Every format of the Samples scan: no account, participant or customer number, no identifier
    /// and no staff name from the inputs appears — unless --reveal is given.
    func testNoIdentifierFromTheInputsLeaksIntoAnyOutput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let formats = ["sarif", "junit", "jsonl", "csv", "html", "text"]
        var args = ["scan", "--config", "Samples/audit.yaml"]
        for f in formats { args += ["--format", "\(f)=\(dir.appendingPathComponent("out.\(f)").path)"] }
        let r = try CLI.run(args)
        XCTAssertTrue([0, 1].contains(r.status), r.stderr)
        let outputs = try formats.map { try String(contentsOf: dir.appendingPathComponent("out.\($0)"), encoding: .utf8) }
            + [r.stdout, r.stderr]
        let forbidden = try inputIdentifiers()
        XCTAssertGreaterThan(forbidden.count, 30)
        for text in outputs {
            for id in forbidden { XCTAssertFalse(text.contains(id), "'\(id)' leaked into an output") }
        }
        // The check can fail: with --reveal the identifiers are there.
        let revealed = try CLI.run(["scan", "Samples/", "--now", "2025-12-31T12:00:00+01:00", "--reveal", "--format", "csv=-", "--format", "text=/dev/null"])
        XCTAssertTrue(revealed.stdout.contains("JC-M-0042"))
        XCTAssertTrue(revealed.stdout.contains("DE89370400440532013000"))
    }

    /// Ids, identifiers and staff names as they occur in the sample inputs.
    func inputIdentifiers() throws -> Set<String> {
        var found: Set<String> = ["DE89370400440532013000", "36574261809"]
        let patterns = [#"JC-M-[0-9]{4}"#, #"TR-M-[0-9]{4}"#, #"TN-2025-[0-9]{4}"#, #"962D[0-9]{6}"#]
        let files = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.samples.path)
            .filter { $0.hasSuffix(".csv") || $0.hasSuffix(".xml") }
        for f in files {
            let data = try Data(contentsOf: TestPaths.samples.appendingPathComponent(f))
            let text = String(decoding: data, as: UTF8.self) + String(data.map { Character(UnicodeScalar($0)) })
            for p in patterns {
                let re = try NSRegularExpression(pattern: p)
                for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    found.insert(String(text[Range(m.range, in: text)!]))
                }
            }
        }
        // Staff names of the staff table (second column), never mapped by the profile.
        let staff = String(decoding: try Data(contentsOf: TestPaths.samples.appendingPathComponent("Stammdaten/Mitarbeitende.csv")), as: UTF8.self)
        for line in staff.split(whereSeparator: \.isNewline).dropFirst() {
            let cols = line.split(separator: ";")
            if cols.count > 1 { found.insert(String(cols[1]).replacingOccurrences(of: "\u{FFFD}", with: "")) }
        }
        return found.filter { $0.count >= 8 }
    }
}
