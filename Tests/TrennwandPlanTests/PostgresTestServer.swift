import Foundation
import XCTest

/// A throwaway PostgreSQL server for one test class (scripts/pg-test-server.sh: initdb in a fresh
/// directory under /tmp, a Unix socket there, no TCP), and psql against it.
///
/// `make test` sets TW_REQUIRE_POSTGRES=1 (and installs Debian's `postgresql`): then a server that
/// cannot start fails the tests. Without it (a plain `swift test` on a machine without PostgreSQL)
/// the tests are skipped with the reason.
final class PostgresTestServer: Sendable {
    let directory: URL
    let startError: String?

    static let required = ProcessInfo.processInfo.environment["TW_REQUIRE_POSTGRES"] == "1"
    static let script = TestPaths.projectRoot.appendingPathComponent("scripts/pg-test-server.sh")

    /// Starts a server (an error is kept in `startError`, reported by `check()`).
    init() {
        // Directly under /tmp: as root the server runs as `nobody`, which must reach the directory.
        directory = URL(fileURLWithPath: "/tmp/tw-pg-\(UUID().uuidString.prefix(8))")
        let (status, output) = Self.run("/bin/bash", [Self.script.path, "start", directory.path])
        startError = status == 0 ? nil : "scripts/pg-test-server.sh start failed (\(status)): \(output)"
    }

    /// Stops the server and removes its directory.
    func stop() {
        if startError == nil {
            let (status, output) = Self.run("/bin/bash", [Self.script.path, "stop", directory.path])
            if status != 0 { print("scripts/pg-test-server.sh stop failed (\(status)): \(output)") }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Fails (under `make test`) or skips the calling test if the server is not running.
    func check() throws {
        guard let startError else { return }
        if Self.required { XCTFail("PostgreSQL is required (TW_REQUIRE_POSTGRES=1): \(startError)") }
        throw XCTSkip("PostgreSQL not available: \(startError)")
    }

    /// Runs a psql script file (`-f`): stops at the first error, no .psqlrc, unaligned output
    /// without headers, fields separated by U+001F. Returns the exit status and stderr.
    func psql(file: URL) -> (status: Int32, stderr: String) {
        Self.run("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\u{1F}",
                                   "-h", directory.path, "-U", "trennwand", "-d", "postgres", "-f", file.path],
                 environment: ["PGCLIENTENCODING": "UTF8"])
    }

    /// Runs a program to its end; stdout and stderr together (stdout goes to the null device when
    /// the program is psql: results are written with `\o` to files).
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("tw-pg-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        do {
            let handle = try FileHandle(forWritingTo: errFile)
            p.standardError = handle
            p.standardOutput = handle
            try p.run()
            p.waitUntilExit()
            try handle.close()
        } catch {
            return (-1, "\(program): \(error)")
        }
        let text = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        return (p.terminationStatus, text)
    }
}
