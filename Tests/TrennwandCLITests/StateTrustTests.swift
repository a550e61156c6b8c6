import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `scan --state` against a store that cannot be trusted and inputs that change under the scan:
/// exit 3 with our message code in stderr (` [state.damaged]`), never a silently recreated store,
/// never a ledger entry for bytes that were not read.
final class StateTrustCLITests: XCTestCase {
    static let binary = TestPaths.projectRoot.appendingPathComponent(".build/debug/trennwand").path
    static let samples = TestPaths.projectRoot.appendingPathComponent("Samples/Jobcenter-Zugriffe.csv").path

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func start(_ arguments: [String], dir: URL) throws -> (Process, URL, URL) {
        let out = dir.appendingPathComponent("stdout-\(UUID().uuidString)"), err = dir.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TRENNWAND_LANG"] = "en"
        env["TRENNWAND_KEY"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        env["TRENNWAND_RULES"] = TestPaths.projectRoot.appendingPathComponent("Rules").path
        p.environment = env
        p.currentDirectoryURL = dir
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    func finish(_ started: (Process, URL, URL), timeout: TimeInterval = 300) -> Run {
        let (p, out, err) = started
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); XCTFail("scan did not finish within \(Int(timeout)) s") }
        p.waitUntilExit()
        return Run(status: p.terminationStatus,
                   stdout: String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self),
                   stderr: String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self))
    }

    func run(_ arguments: [String], dir: URL) throws -> Run { finish(try start(arguments, dir: dir)) }

    func temp() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-state-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A store made by a real scan (so its lock is beside it), then closed.
    func scannedStore(in dir: URL) throws -> String {
        let state = dir.appendingPathComponent("state.sqlite").path
        let r = try run(["scan", Self.samples, "--state", state], dir: dir)
        XCTAssertNotEqual(r.status, 3, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: state + ".lock"))
        return state
    }

    func assertDamage(_ r: Run, code: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 3, r.stderr, file: file, line: line)
        XCTAssertTrue(r.stderr.contains("[\(code)]"), r.stderr, file: file, line: line)
        XCTAssertFalse(r.stderr.contains("SQLite error"), r.stderr, file: file, line: line)
    }

    func testFlippedIndexBytesExitThreeNamingTheDamage() throws {
        let dir = temp()
        let state = try scannedStore(in: dir)
        // Ten flipped bits in the keys of the finding_file_path index (its root page's cell
        // content, at the page's end): the page stays well-formed, rows go missing from the index.
        let script = """
            import sqlite3, sys
            p = sys.argv[1]
            c = sqlite3.connect(p)
            root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'finding_file_path'").fetchone()[0]
            size = c.execute("PRAGMA page_size").fetchone()[0]
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()
            d = bytearray(open(p, 'rb').read())
            end = root * size
            for i in range(10): d[end - 8 - i * 9] ^= 0x01
            open(p, 'wb').write(d)
            try:
                print(sqlite3.connect(p).execute("PRAGMA integrity_check").fetchall())
            except sqlite3.DatabaseError as e:  # where the flips land depends on the stored rows
                print("damaged:", e)
            """
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", "-c", script, state]
        try py.run()
        py.waitUntilExit()
        XCTAssertEqual(py.terminationStatus, 0)
        assertDamage(try run(["scan", Self.samples, "--state", state], dir: dir), code: "state.damaged")
        assertDamage(try run(["history", "--state", state], dir: dir), code: "state.damaged")
    }

    func testEmptyStateBesideItsLockExitsThree() throws {
        let dir = temp()
        let state = try scannedStore(in: dir)
        XCTAssertEqual(truncate(state, 0), 0)
        let r = try run(["scan", Self.samples, "--state", state], dir: dir)
        assertDamage(r, code: "state.damaged")
        XCTAssertTrue(r.stderr.contains(".lock"), r.stderr)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: state)[.size] as? Int), 0, "recreated")
    }

    func testForeignSQLiteFileExitsThree() throws {
        let dir = temp()
        let state = dir.appendingPathComponent("other.sqlite").path
        let py = Process()
        py.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        py.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE kunden (name)'); c.commit()", state]
        try py.run()
        py.waitUntilExit()
        let before = try Data(contentsOf: URL(fileURLWithPath: state))
        assertDamage(try run(["scan", Self.samples, "--state", state], dir: dir), code: "state.foreign")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: state)), before)
    }

    func testNewStateFileIsPrivate() throws {
        let dir = temp()
        let old = umask(0o022)
        defer { umask(old) }
        let state = try scannedStore(in: dir)
        for path in [state, state + ".lock"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
            XCTAssertEqual(mode, 0o600, path)
        }
    }

    /// Does the process `pid` hold `path` open (any descriptor)?
    func holds(_ pid: Int32, _ path: String) -> Bool {
        let fds = "/proc/\(pid)/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: fds) else { return false }
        return names.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fds)/\($0)")) == path }
    }

    func testFileTruncatedDuringTheScanIsReportedAndRescannedInFull() throws {
        let dir = temp()
        let lines = try Data(contentsOf: URL(fileURLWithPath: Self.samples)).split(separator: UInt8(ascii: "\n"))
        let header = Data(lines[0]) + Data([0x0A])
        let row = Data(lines[1]) + Data([0x0A])
        let csv = dir.appendingPathComponent("zugriffe.csv").path
        let state = dir.appendingPathComponent("state.sqlite").path
        // The scan of the debug build takes seconds for this many rows; if it still finishes
        // before the truncation lands, the file is made larger and the try repeated.
        var rows = 20_000
        for _ in 0..<3 {
            for sidecar in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: state + sidecar) }
            var content = header
            for _ in 0..<rows { content.append(row) }
            try content.write(to: URL(fileURLWithPath: csv))
            let started = try start(["scan", csv, "--state", state, "--threads", "1"], dir: dir)
            // Truncate once the scan has the file open (hashing or reading): after its snapshot.
            while started.0.isRunning && !holds(started.0.processIdentifier, csv) { usleep(1_000) }
            let truncated = started.0.isRunning && truncate(csv, off_t(content.count / 3)) == 0
            let first = finish(started)
            guard truncated, first.stderr.contains("[input.changed-during-scan]") || first.status != 0 else {
                rows *= 4
                continue
            }
            XCTAssertEqual(first.status, 3, first.stderr)
            XCTAssertTrue(first.stderr.contains("[input.changed-during-scan]"), first.stderr)
            // The export is complete again: the next run reads every record, nothing is skipped.
            try content.write(to: URL(fileURLWithPath: csv))
            let second = finish(try start(["scan", csv, "--state", state, "--threads", "1"], dir: dir))
            XCTAssertNotEqual(second.status, 3, second.stderr)
            XCTAssertFalse(second.stderr.contains("skipped (unchanged"), second.stderr)
            XCTAssertTrue(second.stdout.contains("read \(rows),"), second.stdout)
            // And the complete scan is recorded: a third run skips it.
            let third = finish(try start(["scan", csv, "--state", state, "--threads", "1"], dir: dir))
            XCTAssertTrue(third.stderr.contains("skipped (unchanged"), third.stderr)
            return
        }
        XCTFail("the scan always finished before the file could be truncated")
    }

    /// Baselines from another key or rule pack are warned about; a missing one is our message.
    func testForeignKeyAndPackAreWarnedMissingBaselineNamed() throws {
        let t = self
        let dir = t.temp()
        let samples = StateTrustCLITests.samples
        let base = dir.appendingPathComponent("base.sarif").path
        XCTAssertNotEqual(try t.run(["scan", samples, "--format", "sarif=\(base)"], dir: dir).status, 3)
        let same = try t.run(["scan", samples, "--baseline", base], dir: dir)
        XCTAssertFalse(same.stderr.contains("[baseline.foreign"), same.stderr)
        var sarif = try String(contentsOfFile: base, encoding: .utf8)
        XCTAssertTrue(sarif.contains("\"trennwand/keyID\":\"K-"), "key id written")
        // Another rule pack: the recorded pack hash differs.
        let range = try XCTUnwrap(sarif.range(of: #""trennwand/rulePack":"[0-9a-f]+""#, options: .regularExpression))
        sarif.replaceSubrange(range, with: "\"trennwand/rulePack\":\"0000\"")
        let otherPack = dir.appendingPathComponent("other-pack.sarif").path
        try sarif.write(toFile: otherPack, atomically: true, encoding: .utf8)
        let pack = try t.run(["scan", samples, "--baseline", otherPack], dir: dir)
        XCTAssertTrue(pack.stderr.contains("[baseline.foreign-pack]"), pack.stderr)
        let range2 = try XCTUnwrap(sarif.range(of: #""trennwand/keyID":"K-[0-9a-f]+""#, options: .regularExpression))
        sarif.replaceSubrange(range2, with: "\"trennwand/keyID\":\"K-0000000000000000\"")
        let otherKey = dir.appendingPathComponent("other-key.sarif").path
        try sarif.write(toFile: otherKey, atomically: true, encoding: .utf8)
        let key = try t.run(["scan", samples, "--baseline", otherKey], dir: dir)
        XCTAssertTrue(key.stderr.contains("[baseline.foreign-key]"), key.stderr)
        let missing = try t.run(["scan", samples, "--baseline", dir.appendingPathComponent("nope.sarif").path], dir: dir)
        XCTAssertEqual(missing.status, 3)
        XCTAssertTrue(missing.stderr.contains("[baseline.missing]"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("nope.sarif"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("No such file"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("nope.sarif:0"), missing.stderr)
    }

    /// B11: a file whose name is not UTF-8 is found in its folder, read, and shown escaped.
    func testNonUTF8FileNameIsScannedAndShownEscaped() throws {
        let dir = temp()
        let folder = dir.appendingPathComponent("exports")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var name = Array(folder.path.utf8) + Array("/bad".utf8) + [0xFF, 0xFE] + Array("name.csv".utf8)
        name.append(0)
        let content = try Data(contentsOf: URL(fileURLWithPath: Self.samples))
        let fd = name.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o600) }
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let jsonl = dir.appendingPathComponent("out.jsonl").path
        let r = try run(["scan", folder.path, "--format", "jsonl=\(jsonl)"], dir: dir)
        XCTAssertNotEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stdout.contains("read 48,"), r.stdout)
        XCTAssertTrue(r.stdout.contains("bad\\xFF\\xFEname.csv"), r.stdout)
        let out = try String(contentsOfFile: jsonl, encoding: .utf8)
        XCTAssertTrue(out.contains(#"bad\\xFF\\xFEname.csv"#), String(out.prefix(500)))
        XCTAssertFalse(out.contains("\u{FFFD}"))
    }

    /// A store that cannot grow (file size limit, like a full disk) is our `state.io`, not
    /// "SQLite error 13 … COMMIT TRANSACTION".
    func testStoreThatCannotGrowIsOurIOError() throws {
        let dir = temp()
        let state = dir.appendingPathComponent("state.sqlite").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "trap '' XFSZ; ulimit -f 48; exec \"$0\" scan \"$1\" --state \"$2\" --format text=/dev/null",
                       Self.binary, TestPaths.projectRoot.appendingPathComponent("Samples").path, state]
        var env = ProcessInfo.processInfo.environment
        env["TRENNWAND_KEY"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        env["TRENNWAND_LANG"] = "en"
        p.environment = env
        let err = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        let stderr = try String(contentsOf: err, encoding: .utf8)
        XCTAssertEqual(p.terminationStatus, 3, stderr)
        XCTAssertTrue(stderr.contains("[state.io]"), stderr)
        XCTAssertFalse(stderr.contains("SQLite error"), stderr)
    }
}
