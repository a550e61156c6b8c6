import Foundation
import XCTest
@testable import TrennwandOutputs

/// The report temporary file: random name, O_EXCL|O_NOFOLLOW, 0600, rename into place.
final class AtomicFileSinkTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-sink-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func testTemporaryIsRandomPrivateAndReplacedByTheReport() throws {
        let target = dir.appendingPathComponent("bericht.html").path
        let a = try AtomicFileSink(path: target), b = try AtomicFileSink(path: target)
        XCTAssertNotEqual(a.temporaryPath, b.temporaryPath)
        let name = (a.temporaryPath as NSString).lastPathComponent
        XCTAssertTrue(name.hasPrefix(".bericht.html.") && name.hasSuffix(".tmp"), name)
        XCTAssertEqual(name.count, ".bericht.html.".count + 16 + ".tmp".count)
        XCTAssertEqual((a.temporaryPath as NSString).deletingLastPathComponent, dir.path)
        XCTAssertEqual(try mode(a.temporaryPath), 0o600)
        b.discard()
        XCTAssertFalse(FileManager.default.fileExists(atPath: b.temporaryPath))
        try a.write("<html></html>\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        try a.commit()
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "<html></html>\n")
        XCTAssertEqual(try mode(target), 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["bericht.html"])
        // A public file (the rule catalogue) may ask for 0644.
        let doc = dir.appendingPathComponent("rules.md").path
        let c = try AtomicFileSink(path: doc, mode: 0o644)
        try c.write("# Regeln\n")
        try c.commit()
        XCTAssertEqual(try mode(doc), 0o644)
    }

    /// A symlink at the target is replaced by the report; the file it pointed to is untouched.
    func testSymlinkAtTheTargetIsReplacedNotFollowed() throws {
        let victim = dir.appendingPathComponent("victim").path
        try Data("victim\n".utf8).write(to: URL(fileURLWithPath: victim))
        let target = dir.appendingPathComponent("r.jsonl").path
        try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: victim)
        // And at the names an older version used.
        for pid in 1...64 {
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(".r.jsonl.tmp-\(pid)").path,
                                                       withDestinationPath: victim)
        }
        let s = try AtomicFileSink(path: target)
        try s.write("{}\n")
        try s.commit()
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "victim\n")
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "{}\n")
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: target))
    }

    func testErrorsCarryOurCodes() throws {
        // Below a regular file: fails even for root (ENOTDIR).
        let file = dir.appendingPathComponent("plain").path
        try Data().write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try AtomicFileSink(path: file + "/r.html")) { error in
            let e = error as? OutputError
            XCTAssertEqual(e?.code, "output.create")
            XCTAssertTrue(e?.text(.en).contains(file + "/r.html") ?? false)
            XCTAssertFalse(e?.text(.en).contains("Not a directory") ?? true, "no raw system text")
        }
        // A full device: the write error is ours too, and the buffer is not written twice.
        let full = try FileDescriptorSink(path: "/dev/full")
        try full.write("x")
        XCTAssertThrowsError(try full.flush()) { error in
            XCTAssertEqual((error as? OutputError)?.code, "output.write")
        }
        XCTAssertNoThrow(try full.flush())
        close(full.fd)
    }
}
