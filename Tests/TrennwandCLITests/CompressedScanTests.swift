import Foundation
import XCTest

/// Scanning the Samples gzipped and zipped gives the findings of the plain files, with locators
/// `archive.zip!/member:LINE`; broken archives in the same folder are file errors with a code.
final class CompressedScanTests: XCTestCase {
    struct Key: Hashable, Comparable, CustomStringConvertible {
        let rule: String, file: String, line: Int
        static func < (a: Key, b: Key) -> Bool { (a.file, a.line, a.rule) < (b.file, b.line, b.rule) }
        var description: String { "\(rule);\(file);\(line)" }
    }

    /// In the order the scan reads them (an archive's members sorted by name, like a directory):
    /// the order of inputs decides which sample an aggregate finding (TW402) is reported at.
    private let zipped = ["Jobcenter-Zugriffe-Sammelabrufe.csv", "Jobcenter-Zugriffe.csv", "Traeger-Zugriffe.csv"]
    private let gzipped = ["Jobcenter-Zuweisungen.csv", "Traeger-Dokumentation.xml", "Plattform-Datenfluesse.csv"]

    private func sh(_ command: String, in dir: URL) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.currentDirectoryURL = dir
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, command)
    }

    /// Samples copied plain into `plain/`, compressed into `packed/` (zip through python3's zipfile,
    /// gzip through /usr/bin/gzip).
    private func folders() throws -> (root: URL, plain: URL, packed: URL) {
        let root = try CLI.temporaryDirectory()
        let plain = root.appendingPathComponent("plain"), packed = root.appendingPathComponent("packed")
        try FileManager.default.createDirectory(at: packed, withIntermediateDirectories: true)
        try sh("mkdir -p plain && cp '\(TestPaths.samples.path)'/*.csv '\(TestPaths.samples.path)'/*.xml plain/ && "
               + "cp -r '\(TestPaths.samples.path)/Stammdaten' plain/", in: root)
        for f in gzipped { try sh("/usr/bin/gzip -n -c '\(f)' > '../packed/\(f).gz'", in: plain) }
        let members = zipped.map { "'\($0)'" }.joined(separator: ", ")
        try sh("""
            python3 -c "import zipfile, glob
            with zipfile.ZipFile('../packed/export.zip', 'w', zipfile.ZIP_DEFLATED) as z:
                [z.write(f, f) for f in [\(members)]]
            with zipfile.ZipFile('../packed/Stammdaten.zip', 'w', zipfile.ZIP_STORED) as z:
                z.writestr('Stammdaten/', b'')
                [z.write(f, f) for f in sorted(glob.glob('Stammdaten/*.csv'))]"
            """, in: plain)
        return (root, plain, packed)
    }

    private func keys(_ jsonl: URL, mapping: (String) -> String) throws -> [Key] {
        try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n").compactMap { line in
            let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            guard obj["type"] as? String != "summary" else { return nil }
            return Key(rule: obj["rule_id"] as! String, file: mapping(obj["file"] as! String), line: obj["line"] as? Int ?? 0)
        }.sorted()
    }

    func testCompressedSamplesGiveThePlainFindings() throws {
        let (root, plain, packed) = try folders()
        defer { try? FileManager.default.removeItem(at: root) }
        let now = "now: 2025-12-31T12:00:00+01:00\n"
        try ("sources:\n" + (zipped + gzipped).map { "  - path: \($0)\n" }.joined() + "reference:\n  - path: Stammdaten/*.csv\n" + now)
            .write(to: plain.appendingPathComponent("audit.yaml"), atomically: true, encoding: .utf8)
        try ("sources:\n  - path: export.zip\n" + gzipped.map { "  - path: \($0).gz\n" }.joined()
             + "reference:\n  - path: Stammdaten.zip\n" + now)
            .write(to: packed.appendingPathComponent("audit.yaml"), atomically: true, encoding: .utf8)
        let a = root.appendingPathComponent("a.jsonl"), b = root.appendingPathComponent("b.jsonl")
        let r1 = try CLI.run(["scan", "--config", plain.appendingPathComponent("audit.yaml").path, "--format", "jsonl=\(a.path)"])
        let r2 = try CLI.run(["scan", "--config", packed.appendingPathComponent("audit.yaml").path, "--format", "jsonl=\(b.path)"])
        XCTAssertTrue([0, 1].contains(r1.status), r1.stderr)
        XCTAssertEqual(r2.status, r1.status, r2.stderr)
        let expected = try keys(a) { $0.replacingOccurrences(of: plain.path + "/", with: "") }
        let actual = try keys(b) { file in
            var f = file.replacingOccurrences(of: packed.path + "/", with: "")
            for archive in ["export.zip!/", "Stammdaten.zip!/"] where f.hasPrefix(archive) { f.removeFirst(archive.count) }
            return f.hasSuffix(".gz") ? String(f.dropLast(3)) : f
        }
        XCTAssertGreaterThan(expected.count, 100)
        XCTAssertEqual(actual, expected)
        // Locators name the member inside its archive.
        let files = try keys(b) { $0 }.map(\.file)
        XCTAssertTrue(files.contains(packed.path + "/export.zip!/Jobcenter-Zugriffe.csv"))
        XCTAssertTrue(files.contains(packed.path + "/Traeger-Dokumentation.xml.gz"))
        XCTAssertTrue(r2.stdout.contains("export.zip!/Jobcenter-Zugriffe.csv:"), r2.stdout)
    }

    func testDirectoryScanExpandsArchivesAndRejectsBrokenOnes() throws {
        let (root, plain, packed) = try folders()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: packed.appendingPathComponent("Stammdaten.zip"))
        try FileManager.default.removeItem(at: plain.appendingPathComponent("Stammdaten"))
        let a = root.appendingPathComponent("a.jsonl"), b = root.appendingPathComponent("b.jsonl")
        let args = ["--now", "2025-12-31T12:00:00+01:00", "--format"]
        let r1 = try CLI.run(["scan", plain.path] + args + ["jsonl=\(a.path)"])
        XCTAssertTrue([0, 1].contains(r1.status), r1.stderr)
        let r2 = try CLI.run(["scan", packed.path] + args + ["jsonl=\(b.path)"])
        XCTAssertEqual(r2.status, r1.status, r2.stderr)
        let expected = try keys(a) { $0.replacingOccurrences(of: plain.path + "/", with: "") }
        let actual = try keys(b) { file in
            var f = file.replacingOccurrences(of: packed.path + "/", with: "")
            if f.hasPrefix("export.zip!/") { f.removeFirst("export.zip!/".count) }
            return f.hasSuffix(".gz") ? String(f.dropLast(3)) : f
        }
        XCTAssertGreaterThan(expected.count, 50)
        XCTAssertEqual(actual, expected)

        // Broken archives: a cut gzip file, a zip whose central-directory CRC-32s are all wrong
        // (each member's records come through, then the member is a file error), a file named .zip
        // that is none (read as what it is).
        let broken = root.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        let good = try Data(contentsOf: packed.appendingPathComponent("Jobcenter-Zuweisungen.csv.gz"))
        try good.prefix(good.count / 2).write(to: broken.appendingPathComponent("cut.csv.gz"))
        var zip = [UInt8](try Data(contentsOf: packed.appendingPathComponent("export.zip")))
        var flipped = 0
        for i in 0..<(zip.count - 20) where zip[i...(i + 3)].elementsEqual([0x50, 0x4B, 0x01, 0x02]) {
            zip[i + 16] ^= 0xFF
            flipped += 1
        }
        XCTAssertEqual(flipped, zipped.count)
        try Data(zip).write(to: broken.appendingPathComponent("crc.zip"))
        try Data("kein zip".utf8).write(to: broken.appendingPathComponent("falsch.zip"))
        let r3 = try CLI.run(["scan", broken.path, "--lang", "en"] + args + ["jsonl=\(root.appendingPathComponent("c.jsonl").path)"])
        XCTAssertEqual(r3.status, 3, r3.stderr)
        let output = r3.stdout + r3.stderr
        XCTAssertTrue(output.contains("cut.csv.gz: compressed data ends early at byte"), output)
        for member in zipped {
            XCTAssertTrue(output.contains("crc.zip!/\(member): checksum (CRC-32) of the decompressed data does not match"), output)
        }
        XCTAssertTrue(output.contains("falsch.zip: no profile matches"), output)
    }
}
