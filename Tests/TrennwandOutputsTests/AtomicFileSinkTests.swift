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
        XCTAssertTrue(name.hasPrefix(".bericht.html.\(getpid())-"), name)
        XCTAssertEqual(name.count, ".bericht.html.\(getpid())-".count + 16 + ".tmp".count)
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

    /// Temporaries left by a killed scan (`.<name>.<pid>-<random>.tmp`, pid gone, older than an hour)
    /// are removed by the next write of that report; a fresh one, one of a live process, another
    /// report's and a planted symlink (with its target) stay.
    func testStaleTemporariesOfDeadScansAreSwept() throws {
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let gone = dead.processIdentifier
        let fm = FileManager.default
        func place(_ name: String, ageSeconds: Int) throws -> String {
            let path = dir.appendingPathComponent(name).path
            XCTAssertTrue(fm.createFile(atPath: path, contents: Data("partial".utf8)))
            let then = Date(timeIntervalSinceNow: -Double(ageSeconds))
            try fm.setAttributes([.modificationDate: then], ofItemAtPath: path)
            return path
        }
        let stale = try place(".r.html.\(gone)-0123456789abcdef.tmp", ageSeconds: 7200)
        let fresh = try place(".r.html.\(gone)-1123456789abcdef.tmp", ageSeconds: 60)
        let live = try place(".r.html.1-2123456789abcdef.tmp", ageSeconds: 7200)
        let other = try place(".s.html.\(gone)-3123456789abcdef.tmp", ageSeconds: 7200)
        let victim = try place("victim.txt", ageSeconds: 0)
        let link = dir.appendingPathComponent(".r.html.\(gone)-4123456789abcdef.tmp").path
        try fm.createSymbolicLink(atPath: link, withDestinationPath: victim)
        let sink = try AtomicFileSink(path: dir.appendingPathComponent("r.html").path)
        try sink.write("report")
        try sink.commit()
        XCTAssertFalse(fm.fileExists(atPath: stale), "stale temporary of a dead scan")
        for kept in [fresh, live, other, victim] { XCTAssertTrue(fm.fileExists(atPath: kept), kept) }
        XCTAssertNotNil(try? fm.destinationOfSymbolicLink(atPath: link), "planted symlink left alone")
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "partial")
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
