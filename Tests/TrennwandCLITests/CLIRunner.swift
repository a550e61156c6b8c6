import Foundation
import XCTest

/// Runs the built `trennwand` binary (`make test` builds it before the tests run).
struct CLIRun {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum CLI {
    static var binary: String { TestPaths.projectRoot.appendingPathComponent(".build/debug/trennwand").path }

    /// Runs `trennwand` (or `executable`, e.g. script(1) or a Python oracle) with `args`.
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL = TestPaths.projectRoot,
                    executable: String? = nil) throws -> CLIRun {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? binary)
        p.arguments = args
        p.currentDirectoryURL = cwd
        var environment = ProcessInfo.processInfo.environment
        environment["TRENNWAND_KEY"] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        environment.removeValue(forKey: "TRENNWAND_LANG")
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        // Output goes to temporary files: no pipe can fill up and block the child.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        let outData = try Data(contentsOf: outURL), errData = try Data(contentsOf: errURL)
        return CLIRun(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
