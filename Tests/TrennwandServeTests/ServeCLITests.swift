import Foundation
import GRDB
import TrennwandFindings
import TrennwandServe
import TrennwandState
import XCTest

/// The built `trennwand` binary: `serve` refuses what it must refuse before it binds, prints a
/// working setup link, and `audit verify` exits 1 on a changed, removed or reordered row.
final class ServeCLITests: XCTestCase {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `.build/debug/trennwand` (built by `swift build --build-tests`) with output in files.
    func trennwand(_ args: [String]) throws -> Run {
        let binary = Repo.root.appendingPathComponent(".build/debug/trennwand").path
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "\(binary) not built")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-serve-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "TRENNWAND_LANG")
        p.environment = environment
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        return Run(status: p.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
                   stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    func testNonLoopbackListenWithoutTLSExitsTwoBeforeBinding() throws {
        let path = try SampleState.copy()
        let de = try trennwand(["serve", "--state", path, "--listen", "0.0.0.0:8080"])
        XCTAssertEqual(de.status, 2)
        XCTAssertTrue(de.stderr.contains("Fehler: --listen 0.0.0.0:8080 ist vom Netz erreichbar; das geht nur mit TLS"), de.stderr)
        let en = try trennwand(["serve", "--state", path, "--listen", "[::]:8443", "--lang", "en"])
        XCTAssertEqual(en.status, 2)
        XCTAssertTrue(en.stderr.contains("error: --listen [::]:8443 is reachable from the network; that needs TLS"), en.stderr)
        // Half a TLS configuration, a malformed address, a missing store: exit 2 as well.
        let half = try trennwand(["serve", "--state", path, "--tls-cert", "c.pem"])
        XCTAssertEqual(half.status, 2)
        XCTAssertTrue(half.stderr.contains("--tls-cert und --tls-key nur zusammen"), half.stderr)
        let bad = try trennwand(["serve", "--state", path, "--listen", "localhost"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("erwartet Adresse:Port"), bad.stderr)
        let missing = try trennwand(["serve", "--state", path + ".missing"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("[state.not-found]"), missing.stderr)
        // Unreadable TLS files are named, with TLS the address may be non-loopback.
        let tls = try trennwand(["serve", "--state", path, "--listen", "0.0.0.0:8443", "--tls-cert", path + ".c", "--tls-key", path + ".k"])
        XCTAssertEqual(tls.status, 2)
        XCTAssertTrue(tls.stderr.contains("TLS-Datei \(path).c lässt sich nicht lesen"), tls.stderr)
    }

    /// `serve --config`: the reference tables are read before anything listens; an unusable audit
    /// file or one without reference tables ends the start with exit 2 and our message.
    func testServeConfigWithoutUsableReferenceTablesExitsTwo() throws {
        let path = try SampleState.copy()
        let missing = try trennwand(["serve", "--state", path, "--config", path + ".missing.yaml"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("Konfigurationsfehler"), missing.stderr)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        let audit = dir.appendingPathComponent("audit.yaml")
        let log = Repo.samples.appendingPathComponent("Jobcenter-Zugriffe.csv").path
        try "sources:\n  - path: \(log)\n".write(to: audit, atomically: true, encoding: .utf8)
        let none = try trennwand(["serve", "--state", path, "--config", audit.path, "--lang", "en"])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("names no readable reference table (reference:)"), none.stderr)
    }

    /// Runs a tool from PATH (openssl, curl); nil when it is not installed.
    func tool(_ name: String, _ args: [String]) throws -> Run? {
        guard let dir = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "\(dir)/\(name)")
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// With --tls-cert/--tls-key the server answers HTTPS only, also on a non-loopback address,
    /// its cookies are Secure, and SIGTERM ends it with exit 0 (openssl and curl from Debian; skipped without).
    func testTLSServesHTTPSWithSecureCookiesAndStopsCleanly() throws {
        let path = try SampleState.copy()
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard let made = try tool("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                              "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "2", "-subj", "/CN=localhost"]),
              try tool("curl", ["--version"]) != nil else { throw XCTSkip("openssl or curl not installed") }
        XCTAssertEqual(made.status, 0, made.stderr)
        let binary = Repo.root.appendingPathComponent(".build/debug/trennwand").path
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "\(binary) not built")
        for _ in 0..<3 {
            let port = Int.random(in: 20_000...60_000)
            let server = Process()
            server.executableURL = URL(fileURLWithPath: binary)
            server.arguments = ["serve", "--state", path, "--listen", "0.0.0.0:\(port)", "--tls-cert", dir + "/cert.pem", "--tls-key", dir + "/key.pem"]
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            var page: Run?
            for _ in 0..<100 where server.isRunning {
                let r = try XCTUnwrap(try tool("curl", ["-sk", "-D", "-", "-o", "/dev/null", "https://127.0.0.1:\(port)/login"]))
                if r.status == 0 { page = r; break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            guard let page else {
                if server.isRunning { server.terminate() }
                server.waitUntilExit()
                continue  // the port was taken: another one
            }
            XCTAssertTrue(page.stdout.hasPrefix("HTTP/1.1 200"), page.stdout)
            let cookie = page.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: tw_form=") } ?? ""
            XCTAssertTrue(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict"), String(cookie))
            let plain = try XCTUnwrap(try tool("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/login"]))
            XCTAssertNotEqual(plain.stdout, "200", "plain HTTP must not be answered on the TLS port")
            server.terminate()
            server.waitUntilExit()
            XCTAssertEqual(server.terminationStatus, 0)
            return
        }
        XCTFail("the TLS server did not answer on any of three ports")
    }

    func testInitAdminPrintsAOneTimeSetupLink() async throws {
        let path = try SampleState.copy()
        let r = try trennwand(["serve", "--state", path, "--init-admin", "--listen", "127.0.0.1:9123"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let link = try XCTUnwrap(r.stdout.split(separator: "\n").last.map(String.init))
        XCTAssertTrue(link.hasPrefix("http://127.0.0.1:9123/setup/"), link)
        let token = String(link.dropFirst("http://127.0.0.1:9123/setup/".count))
        // The link names the admin account; the store holds only the token's hash.
        let review = try StateStore(path: path, mustExist: true).review
        let now = Int64(Date().timeIntervalSince1970)
        let account = try await review.setupAccount(tokenHash: Tokens.stored(token), at: now)
        XCTAssertEqual(account?.name, "admin")
        XCTAssertEqual(account?.role, .admin)
        // A second call renews the link: the first one is void.
        let again = try trennwand(["serve", "--state", path, "--init-admin"])
        XCTAssertEqual(again.status, 0, again.stderr)
        let stale = try await review.setupAccount(tokenHash: Tokens.stored(token), at: now)
        XCTAssertNil(stale)
        XCTAssertTrue(try review.verifyAuditTrail().intact)
        // Behind a reverse proxy the link names the proxy's address (--url); a path is refused.
        let proxied = try trennwand(["serve", "--state", path, "--init-admin", "--url", "https://dsb.example.org/"])
        XCTAssertEqual(proxied.status, 0, proxied.stderr)
        XCTAssertTrue(proxied.stdout.contains("\nhttps://dsb.example.org/setup/"), proxied.stdout)
        let prefixed = try trennwand(["serve", "--state", path, "--init-admin", "--url", "https://dsb.example.org/trennwand"])
        XCTAssertEqual(prefixed.status, 2)
        XCTAssertTrue(prefixed.stderr.contains("--url „https://dsb.example.org/trennwand“: erwartet https://name[:port] ohne Pfad"),
                      prefixed.stderr)
    }

    /// A store with six trail rows (through the store, as the workspace writes them).
    func trail() async throws -> String {
        let path = try SampleState.copy()
        let review = try StateStore(path: path, mustExist: true).review
        for i in 1...6 {
            try await review.audit(at: 1_800_000_000 + Int64(i), account: "dpo", action: .decision, object: "finding:\(i)",
                                   detail: "kind=mitigated reason=row \(i)")
        }
        return path
    }

    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete")
            try db.execute(sql: sql)
        }
    }

    func testAuditVerifyExitsOneOnAChangedRemovedOrReorderedRow() async throws {
        let intact = try await trail()
        let ok = try trennwand(["audit", "verify", "--state", intact])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("Prüfpfad intakt: 6 Zeilen; letzte Zeile #6"), ok.stdout)

        let cases: [(String, String, String)] = [
            ("changed", "UPDATE audit_event SET detail = 'kind=false_positive reason=row 3' WHERE seq = 3",
             "Zeile 3: Inhalt passt nicht zu ihrem Hash"),
            ("removed", "DELETE FROM audit_event WHERE seq = 4", "vor Zeile 5 fehlen Zeilen"),
            ("removed and renumbered", "DELETE FROM audit_event WHERE seq = 4; UPDATE audit_event SET seq = seq - 1 WHERE seq > 4",
             "Zeile 4:"),
            ("reordered", """
                UPDATE audit_event SET seq = 100 WHERE seq = 2;
                UPDATE audit_event SET seq = 2 WHERE seq = 3;
                UPDATE audit_event SET seq = 3 WHERE seq = 100;
                """, "Zeile 2:"),
        ]
        for (name, sql, message) in cases {
            let path = try await trail()
            try tamper(path, sql)
            let r = try trennwand(["audit", "verify", "--state", path])
            XCTAssertEqual(r.status, 1, name)
            XCTAssertTrue(r.stderr.contains("Fehler: Prüfpfad verändert: " + message), "\(name): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("[audit.tampered]"), name)
            XCTAssertEqual(r.stdout, "", name)
        }
        let english = try await trail()
        try tamper(english, "DELETE FROM audit_event WHERE seq = 1")
        let en = try trennwand(["audit", "verify", "--state", english, "--lang", "en"])
        XCTAssertEqual(en.status, 1)
        XCTAssertTrue(en.stderr.contains("error: audit trail tampered: rows missing before row 2 (removed)"), en.stderr)
        // No store: exit 2 with our message, not 1.
        let none = try trennwand(["audit", "verify", "--state", intact + ".missing"])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("[state.not-found]"), none.stderr)
    }

    func testExportWaiversWritesAFileTheScanReads() async throws {
        let path = try SampleState.copy()
        let state = try StateStore(path: path, mustExist: true)
        let fp = try XCTUnwrap(try state.findings().first { $0.status.isOpen })
        let now = Int64(Date().timeIntervalSince1970)
        _ = try await state.review.record([ReviewDecision(fingerprint: fp.fingerprint, ruleID: fp.ruleID, kind: .falsePositive,
                                                      reason: "Testdaten", assignee: nil, expires: WaiverTime.berlinDate(now + 90 * 86_400), decidedBy: "dpo",
                                                      decidedAt: now, origin: .serve)])
        let out = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("waivers.yaml").path
        let r = try trennwand(["audit", "export-waivers", "--state", path, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.contains(fp.fingerprint), text)
        // Imported back into the same store: nothing changes.
        let back = try trennwand(["audit", "import-waivers", "--state", path, "--in", out])
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertTrue(back.stderr.contains("0 Entscheidungen übernommen, 1 unverändert"), back.stderr)
        XCTAssertTrue(try state.review.verifyAuditTrail().intact)
    }
}
