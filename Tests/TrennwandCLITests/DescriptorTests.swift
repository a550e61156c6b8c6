import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Closed standard descriptors, planted symlinks at temporary names, and the pseudonym key
/// (issue #12 B3, B4, B5). Foundation's `Process` cannot start a child with a closed
/// descriptor, so `spawn` uses posix_spawn file actions.
final class DescriptorTests: XCTestCase {
    static let key = String(repeating: "0123456789abcdef", count: 4)

    struct Spawned {
        var status: Int32
        /// Killed by this signal (0 when it exited).
        var signal: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs trennwand with the descriptors in `closed` closed; the others go to files (stdin: /dev/null).
    /// The child inherits the test's working directory: give absolute paths.
    func spawn(_ args: [String], closed: Set<Int32>, env extra: [String: String] = [:]) throws -> Spawned {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("stdout").path, errPath = dir.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let targets: [(Int32, String, Int32)] = [(0, "/dev/null", O_RDONLY), (1, outPath, O_WRONLY | O_CREAT | O_TRUNC),
                                                 (2, errPath, O_WRONLY | O_CREAT | O_TRUNC)]
        for (fd, path, flags) in targets {
            if closed.contains(fd) {
                posix_spawn_file_actions_addclose(&actions, fd)
            } else {
                posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o600)
            }
        }
        var environment = ProcessInfo.processInfo.environment
        environment["TRENNWAND_KEY"] = Self.key
        environment.removeValue(forKey: "TRENNWAND_LANG")
        for (k, v) in extra { environment[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = ([CLI.binary] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, CLI.binary, &actions, nil, argv, envp)
        XCTAssertEqual(rc, 0, "posix_spawn failed")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7F == 0
        let read = { (p: String) in String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self) }
        return Spawned(status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), signal: exited ? 0 : status & 0x7F,
                       stdout: read(outPath), stderr: read(errPath))
    }

    /// A copy of Samples in a fresh folder; `audit.yaml` writes HTML and SARIF into `<copy>/out`.
    func samplesCopy() throws -> URL {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(at: TestPaths.samples, to: dir.appendingPathComponent("Samples"))
        return dir
    }

    /// Lines of `text` that look like JSON Lines findings.
    func jsonLines(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.hasPrefix("{\"") }
    }

    func assertCompleteHTML(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let html = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(html.lowercased().hasPrefix("<!doctype html"), "not HTML: \(html.prefix(80))", file: file, line: line)
        XCTAssertTrue(html.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</html>"), file: file, line: line)
        XCTAssertEqual(jsonLines(html), [], file: file, line: line)
    }

    /// B3: `--format jsonl=- >&-` stops with exit 3 before any report is written; no report holds JSON Lines.
    func testClosedStdoutWithAStdoutOutputStopsWithExitThree() throws {
        let dir = try samplesCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try spawn(["scan", "--config", dir.path + "/Samples/audit.yaml", "--format", "jsonl=-"], closed: [1])
        XCTAssertEqual(r.signal, 0)
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("[output.stdout-closed]"), r.stderr)
        let out = dir.appendingPathComponent("out").path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] {
            let text = String(decoding: FileManager.default.contents(atPath: out + "/" + name) ?? Data(), as: UTF8.self)
            XCTAssertEqual(jsonLines(text), [], name)
            if name.hasSuffix(".html") { try assertCompleteHTML(out + "/" + name) }
        }
        // The same run with stdout open writes the JSON Lines to stdout (the check above can fail).
        let open = try spawn(["scan", "--config", dir.path + "/Samples/audit.yaml", "--format", "jsonl=-"], closed: [])
        XCTAssertTrue([0, 1].contains(open.status), open.stderr)
        XCTAssertFalse(jsonLines(open.stdout).isEmpty)
        try assertCompleteHTML(out + "/trennwand-bericht.html")
    }

    /// `ingest` writes its records to stdout: closed, it stops (exit 3) instead of writing into /dev/null.
    func testIngestWithClosedStdout() throws {
        let file = TestPaths.samples.appendingPathComponent("Plattform-Datenfluesse.csv").path
        let r = try spawn(["ingest", file], closed: [1])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertTrue(r.stderr.contains("[output.stdout-closed]"), r.stderr)
        let counted = try spawn(["ingest", "--count-only", file], closed: [1])
        XCTAssertEqual(counted.status, 0, counted.stderr)
        let open = try spawn(["ingest", file], closed: [])
        XCTAssertEqual(open.status, 0, open.stderr)
        XCTAssertFalse(open.stdout.isEmpty)
    }

    /// With stdout closed and only file outputs the scan works; the summary for stdout is dropped.
    func testClosedStdoutWithFileOutputsWritesCompleteReports() throws {
        let dir = try samplesCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let jsonl = dir.appendingPathComponent("out/r.jsonl").path
        for closed: Set<Int32> in [[1], [0, 1, 2]] {
            let r = try spawn(["scan", "--config", dir.path + "/Samples/audit.yaml", "--format", "jsonl=" + jsonl], closed: closed)
            XCTAssertEqual(r.signal, 0)
            XCTAssertTrue([0, 1].contains(r.status), "\(closed): \(r.status) \(r.stderr)")
            try assertCompleteHTML(dir.appendingPathComponent("out/trennwand-bericht.html").path)
            let lines = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n")
            XCTAssertGreaterThan(lines.count, 10)
            XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("{") }, "\(closed)")
            let sarif = try Data(contentsOf: dir.appendingPathComponent("out/trennwand.sarif"))
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: sarif), "\(closed)")
        }
    }

    /// B4: a closed stderr does not crash the first warning (was SIGILL, exit 132).
    func testClosedStderrDoesNotCrash() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = dir.appendingPathComponent("r.html").path
        // --reveal logs a warning to stderr at once.
        let args = ["scan", TestPaths.samples.path, "--now", "2025-12-31T12:00:00+01:00", "--reveal", "--format", "html=" + html]
        let r = try spawn(args, closed: [2])
        XCTAssertEqual(r.signal, 0, "killed by signal \(r.signal)")
        XCTAssertTrue([0, 1].contains(r.status), "\(r.status)")
        try assertCompleteHTML(html)
        XCTAssertFalse(r.stdout.contains("Unmaskierte Ausgabe"), "a diagnostic went to stdout")
        // Open stderr: the warning is there (so the run above did write to the closed stderr).
        let open = try spawn(args, closed: [])
        XCTAssertTrue(open.stderr.contains("--reveal"), open.stderr)
        // An early error message to a closed stderr: still our exit code, no signal.
        let bad = try spawn(["scan", TestPaths.samples.path, "--now", "gestern", "--format", "text=/dev/null"], closed: [2])
        XCTAssertEqual(bad.signal, 0)
        XCTAssertEqual(bad.status, 2)
    }

    /// A reader that goes away (EPIPE) is an output error (exit 3), not a signal.
    func testBrokenPipeIsAnOutputError() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        close(fds[0])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let args = [CLI.binary, "scan", TestPaths.samples.path, "--now", "2025-12-31T12:00:00+01:00", "--format", "jsonl=-"]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = ["TRENNWAND_KEY=" + Self.key].map { (s: String) in strdup(s) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        XCTAssertEqual(posix_spawn(&pid, CLI.binary, &actions, nil, argv, envp), 0)
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        XCTAssertEqual(status & 0x7F, 0, "killed by signal \(status & 0x7F)")
        XCTAssertEqual((status >> 8) & 0xFF, 3)
    }

    /// B5: symlinks planted at every plausible temporary name (the old `.<name>.tmp-<pid>`) and at
    /// the report names themselves leave their target untouched; reports are 0600, no temporary remains.
    func testPlantedSymlinksLeaveTheVictimUntouched() throws {
        let dir = try samplesCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let victim = dir.appendingPathComponent("victim.txt").path
        try Data("victim\n".utf8).write(to: URL(fileURLWithPath: victim))
        let names = ["trennwand-bericht.html", "trennwand.sarif", "r.jsonl"]
        let fm = FileManager.default
        // Pids handed out next (the child's is among them unless thousands of processes start meanwhile) and low ones.
        let me = Int(getpid())
        let pids = Array(1...100) + Array(me...(me + 1_500))
        var planted = 0
        for name in names {
            for pid in pids where symlink(victim, "\(out)/.\(name).tmp-\(pid)") == 0 { planted += 1 }
            try fm.createSymbolicLink(atPath: "\(out)/\(name)", withDestinationPath: victim)
        }
        XCTAssertEqual(planted, names.count * pids.count)
        let r = try spawn(["scan", "--config", dir.path + "/Samples/audit.yaml", "--format", "jsonl=\(out)/r.jsonl"], closed: [])
        XCTAssertTrue([0, 1].contains(r.status), r.stderr)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "victim\n")
        for name in names {
            let attrs = try fm.attributesOfItem(atPath: "\(out)/\(name)")
            XCTAssertEqual(attrs[.type] as? FileAttributeType, .typeRegular, name)
            XCTAssertEqual((attrs[.posixPermissions] as? NSNumber)?.intValue, 0o600, name)
        }
        try assertCompleteHTML("\(out)/trennwand-bericht.html")
        // Still links (the run neither removed nor followed them); unlinked here, FileManager is slow with thousands.
        var removed = 0
        for name in names {
            for pid in pids where unlink("\(out)/.\(name).tmp-\(pid)") == 0 { removed += 1 }
        }
        XCTAssertEqual(removed, planted)
        let leftovers = try fm.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testGroupReadableKeyFileIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("pseudonym.key").path
        try Data((0..<32).map { UInt8($0 * 7 & 0xFF) }).write(to: URL(fileURLWithPath: keyFile))
        let args = ["scan", "Samples/Plattform-Datenfluesse.csv", "--key-file", keyFile, "--format", "text=/dev/null"]
        for mode in [0o644, 0o640, 0o604] {
            chmod(keyFile, mode_t(mode))
            let r = try CLI.run(args, env: ["TRENNWAND_KEY": ""])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("[key.permissions]"), r.stderr)
            XCTAssertTrue(r.stderr.contains("chmod 600"), r.stderr)
        }
        chmod(keyFile, 0o600)
        let ok = try CLI.run(args, env: ["TRENNWAND_KEY": ""])
        XCTAssertTrue([0, 1].contains(ok.status), ok.stderr)
        // Through TRENNWAND_KEY_FILE, too; and a directory is our message, not a system text.
        chmod(keyFile, 0o644)
        let viaEnv = try CLI.run(["scan", "Samples/Plattform-Datenfluesse.csv", "--format", "text=/dev/null"],
                                 env: ["TRENNWAND_KEY": "", "TRENNWAND_KEY_FILE": keyFile])
        XCTAssertTrue(viaEnv.stderr.contains("[key.permissions]"), viaEnv.stderr)
        let directory = try CLI.run(["scan", "Samples/Plattform-Datenfluesse.csv", "--key-file", dir.path, "--format", "text=/dev/null"],
                                    env: ["TRENNWAND_KEY": ""])
        XCTAssertEqual(directory.status, 2)
        XCTAssertTrue(directory.stderr.contains("[key.not-regular]"), directory.stderr)
        XCTAssertFalse(directory.stderr.contains("Inappropriate ioctl"), directory.stderr)
    }

    /// A directory as baseline was "Inappropriate ioctl for device" (a stale errno).
    func testBaselineDirectoryIsOurMessage() throws {
        let r = try CLI.run(["scan", "Samples/Plattform-Datenfluesse.csv", "--baseline", "Samples", "--format", "text=/dev/null"])
        XCTAssertEqual(r.status, 3, r.stderr)
        XCTAssertFalse(r.stderr.contains("ioctl"), r.stderr)
        XCTAssertTrue(r.stderr.contains("Verzeichnis"), r.stderr)
    }

    /// Reports to devices and FIFOs are written in place (`make` uses `--format text=/dev/null`).
    func testCharacterDeviceAndFIFOTargetsAreWrittenInPlace() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        // A reader drains the FIFO while the scan writes.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "cat \"$0\" > \"$0.out\"", fifo]
        try reader.run()
        let r = try CLI.run(["scan", "Samples/Plattform-Datenfluesse.csv", "--format", "jsonl=" + fifo, "--format", "text=/dev/null"])
        reader.waitUntilExit()
        XCTAssertTrue([0, 1].contains(r.status), r.stderr)
        XCTAssertFalse(try String(contentsOfFile: fifo + ".out", encoding: .utf8).isEmpty)
        var st = stat()
        XCTAssertEqual(lstat("/dev/null", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "/dev/null was replaced")
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO)
    }

    func testNewInstallationKeyIsAnnouncedOnce() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["scan", "Samples/Plattform-Datenfluesse.csv", "--format", "text=/dev/null"]
        let env = ["TRENNWAND_KEY": "", "XDG_DATA_HOME": dir.path, "HOME": dir.path]
        let first = try CLI.run(args, env: env)
        XCTAssertTrue([0, 1].contains(first.status), first.stderr)
        let path = dir.path + "/trennwand/pseudonym.key"
        XCTAssertTrue(first.stderr.contains("[key.created]"), first.stderr)
        XCTAssertTrue(first.stderr.contains(path), first.stderr)
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attrs[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: dir.path + "/trennwand")
        XCTAssertEqual((folder[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        let second = try CLI.run(args, env: env)
        XCTAssertFalse(second.stderr.contains("[key.created]"), second.stderr)
        let english = try CLI.run(args + ["--lang", "en"], env: ["TRENNWAND_KEY": "", "XDG_DATA_HOME": dir.path + "/other"])
        XCTAssertTrue(english.stderr.contains("new pseudonym key created"), english.stderr)
    }

    func testTrennwandKeyMustBeHex() throws {
        let args = ["scan", "Samples/Plattform-Datenfluesse.csv", "--format", "text=/dev/null"]
        for bad in ["cli-test-key-0123456789", "short", String(Self.key.dropLast(2)), String(repeating: "zz", count: 40)] {
            let r = try CLI.run(args, env: ["TRENNWAND_KEY": bad])
            XCTAssertEqual(r.status, 2, bad)
            XCTAssertTrue(r.stderr.contains("[key.env-format]"), r.stderr)
            XCTAssertFalse(r.stderr.contains("tooShort"), r.stderr)
        }
        let ok = try CLI.run(args, env: ["TRENNWAND_KEY": Self.key.uppercased()])
        XCTAssertTrue([0, 1].contains(ok.status), ok.stderr)
    }
}
