import Foundation
import XCTest

/// Issue #12, B7: a rule whose condition is a very long `or` chain or a very big list crashed
/// `scan` (SIGSEGV on a worker thread's stack) and `rules lint`. Now such a rule either evaluates
/// correctly or is refused with a positioned error — within 10 s and 200 MB, with 1 and 2
/// threads, never by a signal. Each run is spawned with posix_spawn and reaped with wait4, so
/// time, peak RSS and a signal are measured for exactly that child.
final class LongConditionCLITests: XCTestCase {
    static let binary = TestPaths.projectRoot.appendingPathComponent(".build/debug/trennwand").path

    struct Child {
        var status: Int32
        var signal: Int32
        var seconds: Double
        /// User plus system CPU time of the child (wait4's rusage): unlike wall time, not stretched
        /// by other processes on a shared machine.
        var cpuSeconds: Double
        var maxRSSMB: Double
        var stdout: String
        var stderr: String
    }

    /// Spawns the CLI (English messages) and waits with wait4; kills it after `timeout` seconds.
    func spawn(_ args: [String], timeout: Double = 60) throws -> Child {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("stdout").path, err = dir.appendingPathComponent("stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var environment = ProcessInfo.processInfo.environment
        environment["TRENNWAND_KEY"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        environment["TRENNWAND_LANG"] = "en"
        let argv: [UnsafeMutablePointer<CChar>?] = ([Self.binary] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = Date()
        let rc = posix_spawn(&pid, Self.binary, &actions, nil, argv, envp)
        guard rc == 0 else { throw NSError(domain: "spawn", code: Int(rc)) }
        var status: Int32 = 0
        var usage = rusage()
        // Peak RSS from the child's own VmHWM, polled while it runs: wait4's ru_maxrss is useless
        // here, because posix_spawn's vfork lends the child this test process's address space until
        // exec, and the kernel carries that high-water mark (hundreds of MB late in a full test run)
        // into the child's maxrss.
        var peakKB = 0
        while true {
            if let kb = Self.vmHWM(pid) { peakKB = max(peakKB, kb) }
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == pid { break }
            if Date().timeIntervalSince(start) > timeout {
                kill(pid, SIGKILL)
                _ = wait4(pid, &status, 0, &usage)
                XCTFail("trennwand \(args.prefix(3).joined(separator: " ")) did not finish within \(Int(timeout)) s")
                break
            }
            usleep(10_000)
        }
        let seconds = Date().timeIntervalSince(start)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
        let signal = status & 0x7F
        return Child(status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal, signal: signal, seconds: seconds, cpuSeconds: cpu,
                     maxRSSMB: Double(peakKB) / 1024,
                     stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// `VmHWM` (peak resident set, kB) of a running process; nil once it has exited.
    static func vmHWM(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.dropFirst(6).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }

    /// A copy of Rules/ without its rule files, plus `TW998-lange-kette.yaml` with `condition`
    /// as a block scalar (one line per entry of `lines`); its examples: system `match` matches,
    /// `Y999` does not.
    func rulePack(_ lines: [String], match: String, in dir: URL) throws -> URL {
        let fm = FileManager.default
        let rules = dir.appendingPathComponent("Rules")
        try fm.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        for sub in try fm.contentsOfDirectory(atPath: rules.path) {
            let path = rules.appendingPathComponent(sub).path
            for f in (try? fm.contentsOfDirectory(atPath: path)) ?? [] where f.hasPrefix("TW") {
                try fm.removeItem(atPath: path + "/" + f)
            }
        }
        var yaml = """
        id: TW998
        title: {de: Lange Kette, en: Long chain}
        description: {de: Test, en: Test}
        severity: high
        applies_to: access
        norms: [sgb1-35-1]
        rationale: {de: Test, en: Test}
        remediation: {de: Test, en: Test}
        evidence: [system]
        examples:
          match: [{record: {time: 2025-01-01T10:00:00Z, actor: A, system: "\(match)", action: read}}]
          no_match: [{record: {time: 2025-01-01T10:00:00Z, actor: A, system: "Y999", action: read}}]
        condition: |

        """
        yaml.reserveCapacity(lines.reduce(yaml.utf8.count) { $0 + $1.utf8.count + 3 })
        for l in lines { yaml += "  " + l + "\n" }
        try yaml.write(to: rules.appendingPathComponent("zugriff/TW998-lange-kette.yaml"), atomically: true, encoding: .utf8)
        return rules
    }

    /// A Jobcenter access log (header of the sample) with one record per system name.
    func accessLog(systems: [String], in dir: URL) throws -> URL {
        let sample = try Data(contentsOf: TestPaths.projectRoot.appendingPathComponent("Samples/Jobcenter-Zugriffe.csv"))
        var data = Data(sample.prefix { $0 != 0x0A } + [0x0A])
        for (i, s) in systems.enumerated() {
            data += Data("03.02.2025 08:1\(i):05;JC-M-0042;JC;Integrationsfachkraft;\(s);Lesen;;962D000101;Vermittlung;JC-PC-0815;JC-Netz;;;;Test;\n".utf8)
        }
        let url = dir.appendingPathComponent("Jobcenter-Zugriffe.csv")
        try data.write(to: url)
        return url
    }

    /// `field == "<prefix>1" or …` in lines of `perLine` terms.
    static func chainLines(_ n: Int, perLine: Int = 10) -> [String] {
        stride(from: 1, through: n, by: perLine).map { first in
            let terms = (first..<min(first + perLine, n + 1)).map { "system == \"Z\($0)\"" }.joined(separator: " or ")
            return first + perLine <= n ? terms + " or" : terms
        }
    }

    func assertBounded(_ c: Child, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        print("\(name) \(what): exit \(c.status), \(String(format: "%.2f", c.seconds)) s wall, \(String(format: "%.2f", c.cpuSeconds)) s CPU, peak RSS \(String(format: "%.1f", c.maxRSSMB)) MB")
        XCTAssertEqual(c.signal, 0, "\(what): killed by signal \(c.signal)\n\(c.stderr.suffix(2000))", file: file, line: line)
        XCTAssertLessThan(c.status, 128, what, file: file, line: line)
        // A guard against super-linear blow-up (minutes), not a speed target (that is `make bench`):
        // CPU time, so that a loaded machine does not fail it; 20 s of a debug build.
        XCTAssertLessThan(c.cpuSeconds, 20, "\(what): \(c.cpuSeconds) s CPU", file: file, line: line)
        XCTAssertLessThan(c.maxRSSMB, 200, "\(what): peak RSS \(c.maxRSSMB) MB", file: file, line: line)
    }

    /// A 30,000-term chain (~650 KB; ExpressionLimitsTests runs 40,000, near the 1 MiB limit, in
    /// process): the record matching only the last term is found, the others are not, with 1 and
    /// 2 threads (each worker compiles its own copy); lint passes.
    func testThirtyThousandTermChainIsEvaluated() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try rulePack(Self.chainLines(30_000), match: "Z30000", in: dir)
        let log = try accessLog(systems: ["VerBIS", "Z30000", "Z30001"], in: dir)
        let lint = try spawn(["rules", "lint", "--rules", rules.path])
        assertBounded(lint, "rules lint")
        XCTAssertEqual(lint.status, 0, lint.stderr)
        for threads in ["1", "2"] {
            let scan = try spawn(["scan", log.path, "--rules", rules.path, "--threads", threads, "--format", "jsonl=-",
                                  "--now", "2025-12-31T12:00:00+01:00", "--reveal"])
            assertBounded(scan, "scan --threads \(threads)")
            XCTAssertNotEqual(scan.status, 2, scan.stderr)
            XCTAssertNotEqual(scan.status, 3, scan.stderr)
            let findings = scan.stdout.split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") && $0.contains("TW998") }
            XCTAssertEqual(findings.count, 1, "threads \(threads): \(scan.stdout.prefix(2000))\n\(scan.stderr.prefix(2000))")
            XCTAssertTrue(findings.first?.contains("Z30000") ?? false, String(findings.first ?? ""))
        }
    }

    /// 100,000 terms (~2.3 MB) exceed the 1 MiB condition limit: lint and scan stop with exit 2 and
    /// a message at the condition's position in the rule file, with 1 and 2 threads.
    func testHundredThousandTermChainIsRefusedWithPosition() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try rulePack(Self.chainLines(100_000), match: "Z100000", in: dir)
        let log = try accessLog(systems: ["Z100000"], in: dir)
        var runs = [("rules lint", try spawn(["rules", "lint", "--rules", rules.path]))]
        for threads in ["1", "2"] {
            runs.append(("scan --threads \(threads)",
                         try spawn(["scan", log.path, "--rules", rules.path, "--threads", threads, "--format", "jsonl=-"])))
        }
        for (what, r) in runs {
            assertBounded(r, what)
            XCTAssertEqual(r.status, 2, "\(what): \(r.stderr.prefix(2000))")
            XCTAssertTrue(r.stderr.contains("TW998-lange-kette.yaml:13:12:"), "\(what): \(r.stderr.prefix(2000))")
            XCTAssertTrue(r.stderr.contains("1048576"), "\(what): \(r.stderr.prefix(2000))")
            XCTAssertFalse(r.stdout.contains("TW998"), what)
        }
    }

    /// A 100,000-element list literal (the list limit, ~800 KB) is evaluated: only the record
    /// holding the last element fires, with 1 and 2 threads; lint passes.
    func testHundredThousandElementListIsEvaluated() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lines = ["system in ["]
        for first in stride(from: 1, through: 100_000, by: 20) {
            let items = (first..<first + 20).map { "\"\($0)\"" }.joined(separator: ",")
            lines.append("  " + items + (first + 20 <= 100_000 ? "," : "]"))
        }
        let rules = try rulePack(lines, match: "100000", in: dir)
        let log = try accessLog(systems: ["VerBIS", "100000", "100001"], in: dir)
        let lint = try spawn(["rules", "lint", "--rules", rules.path])
        assertBounded(lint, "rules lint")
        XCTAssertEqual(lint.status, 0, lint.stderr)
        for threads in ["1", "2"] {
            let scan = try spawn(["scan", log.path, "--rules", rules.path, "--threads", threads, "--format", "jsonl=-",
                                  "--now", "2025-12-31T12:00:00+01:00", "--reveal"])
            assertBounded(scan, "scan --threads \(threads)")
            let findings = scan.stdout.split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") && $0.contains("TW998") }
            XCTAssertEqual(findings.count, 1, "threads \(threads): \(scan.stdout.prefix(2000))\n\(scan.stderr.prefix(2000))")
            XCTAssertTrue(findings.first?.contains("100000") ?? false, String(findings.first ?? ""))
        }
    }

    /// A pack of 960 record rules of one kind (the most rule ids TWnnn allow, less the test's
    /// reserve): the per-kind rule chain is built in balanced halves, so a record that every rule
    /// matches gives one finding per rule, in rule order, with 1 and 2 threads and no signal.
    func testNineHundredSixtyRulesOfOneKind() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = try rulePack(["system == \"ALLE-1\""], match: "ALLE-1", in: dir)
        let template = try String(contentsOf: rules.appendingPathComponent("zugriff/TW998-lange-kette.yaml"), encoding: .utf8)
        for i in 1...959 {
            let id = String(format: "TW%03d", i)
            try template.replacingOccurrences(of: "id: TW998", with: "id: \(id)")
                .write(to: rules.appendingPathComponent("zugriff/\(id)-regel.yaml"), atomically: true, encoding: .utf8)
        }
        let log = try accessLog(systems: ["VerBIS", "ALLE-1"], in: dir)
        for threads in ["1", "2"] {
            let scan = try spawn(["scan", log.path, "--rules", rules.path, "--threads", threads, "--format", "jsonl=-",
                                  "--now", "2025-12-31T12:00:00+01:00"])
            assertBounded(scan, "scan --threads \(threads)")
            let ids = scan.stdout.split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") }
                .compactMap { line -> Int? in
                    guard let r = line.range(of: "\"rule_id\":\"TW") else { return nil }
                    return Int(line[r.upperBound...].prefix(3))
                }
            XCTAssertEqual(Set(ids), Set(Array(1...959) + [998]), "threads \(threads): \(scan.stderr.prefix(2000))")
            XCTAssertEqual(ids.count, 960, "threads \(threads)")
        }
    }

    /// 1,000 `and` terms and 99 bracket levels of alternating `and`/`or` chains run on the workers.
    func testLongAndChainAndDeeplyMixedChains() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var and = ["actor != \"nobody\""]
        for i in 1..<1_000 { and.append("and system != \"Y\(i)\"") }
        var mixed = "system == \"Z-innermost\""
        for level in stride(from: 98, through: 0, by: -1) {
            let op = level % 2 == 0 ? "or" : "and"
            let filler = op == "or" ? (0..<20).map { "system == \"F\(level)-\($0)\"" } : (0..<20).map { _ in "actor != \"nobody\"" }
            mixed = filler.joined(separator: " \(op) ") + " \(op) (" + mixed + ")"
        }
        for (name, lines, hit) in [("and", and, "VerBIS"), ("mixed", [mixed], "Z-innermost")] {
            let sub = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let rules = try rulePack(lines, match: hit, in: sub)
            let log = try accessLog(systems: [hit, "Y999"], in: sub)
            for threads in ["1", "2"] {
                let scan = try spawn(["scan", log.path, "--rules", rules.path, "--threads", threads, "--format", "jsonl=-",
                                      "--now", "2025-12-31T12:00:00+01:00"])
                assertBounded(scan, "\(name) scan --threads \(threads)")
                let findings = scan.stdout.split(separator: "\n").filter { $0.contains("\"type\":\"finding\"") && $0.contains("TW998") }
                XCTAssertEqual(findings.count, 1, "\(name) threads \(threads): \(scan.stderr.prefix(2000))")
                XCTAssertTrue(findings.first?.contains(hit) ?? false, String(findings.first ?? ""))
            }
        }
    }
}
