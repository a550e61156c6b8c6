import Foundation
import Hummingbird
import HummingbirdTesting
import TrennwandServe
import TrennwandState
import XCTest

/// Login rate limit, setup links, session timeouts, the password KDF and the listen address.
final class ServeLoginTests: XCTestCase {
    func testFiveFailuresLockTheAccountForFifteenMinutes() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let clock = harness.clock
        try await harness.application().test(.router) { client in
            for _ in 0..<5 {
                let r = try await client.loginResponse("dpo", password: "wrong password here")
                XCTAssertEqual(r.status, .unauthorized)
            }
            // Locked: even the right password is refused, with the same answer.
            let locked = try await client.loginResponse("dpo")
            XCTAssertEqual(locked.status, .unauthorized)
            XCTAssertNil(cookieValue(locked, "tw_session"))
            // Another account is not affected.
            _ = try await client.login("reader")
            clock.advance(15 * 60 + 1)
            let again = try await client.loginResponse("dpo")
            XCTAssertEqual(again.status, .seeOther)
        }
        let trail = try await harness.state.review.auditEvents(limit: 100)
        XCTAssertEqual(trail.filter { $0.action == AuditAction.loginFailed.rawValue }.count, 6)
    }

    func testManyFailuresFromOneAddressLockIt() async throws {
        let limits = LoginThrottle.Limits(accountFailures: 5, addressFailures: 4, window: 900, lockout: 900)
        let harness = try Harness(throttle: limits)
        try await harness.allRoles()
        try await harness.application().test(.router) { client in
            for name in ["a1", "a2", "a3", "a4"] {
                _ = try await client.loginResponse(name, password: "wrong password here")
            }
            // The test client has one (unknown) address: now locked for every account.
            let r = try await client.loginResponse("reader")
            XCTAssertEqual(r.status, .unauthorized)
        }
    }

    func testSetupLinkWorksOnceAndExpires() async throws {
        let harness = try Harness()
        let token = Tokens.make()
        _ = try harness.state.review.initAdmin(name: "admin", tokenHash: Tokens.stored(token), expires: harness.clock.now + 3600,
                                               at: harness.clock.now)
        let stale = Tokens.make()
        _ = try await harness.state.review.createAccount(name: "late", role: .reader, tokenHash: Tokens.stored(stale),
                                                         expires: harness.clock.now + 10, by: "admin", at: harness.clock.now)
        let clock = harness.clock
        try await harness.application().test(.router) { client in
            let page = try await client.get("/setup/\(token)")
            XCTAssertEqual(page.status, .ok)
            let formCookie = "tw_form=\(try XCTUnwrap(cookieValue(page, "tw_form")))"
            let csrf = try XCTUnwrap(hiddenCSRF(String(buffer: page.body)))
            let short = try await client.post("/setup/\(token)", form: [("csrf", csrf), ("password", "short"), ("password2", "short")],
                                              cookie: formCookie)
            XCTAssertEqual(short.status, .unprocessableContent)
            let page2 = try await client.get("/setup/\(token)")
            let cookie2 = "tw_form=\(try XCTUnwrap(cookieValue(page2, "tw_form")))"
            let csrf2 = try XCTUnwrap(hiddenCSRF(String(buffer: page2.body)))
            let set = try await client.post("/setup/\(token)", form: [("csrf", csrf2), ("password", Harness.password),
                                                                      ("password2", Harness.password)], cookie: cookie2)
            XCTAssertEqual(set.status, .seeOther)
            // Used: gone.
            let reused = try await client.get("/setup/\(token)")
            XCTAssertEqual(reused.status, .notFound)
            let admin = try await client.login("admin")
            XCTAssertFalse(admin.csrf.isEmpty)
            // Expired: gone.
            clock.advance(11)
            let expired = try await client.get("/setup/\(stale)")
            XCTAssertEqual(expired.status, .notFound)
        }
        // Only the hash is stored.
        let stored = try harness.state.review.verifyAuditTrail()
        XCTAssertTrue(stored.intact)
        let raw = try String(contentsOfFile: harness.path, encoding: .isoLatin1)
        XCTAssertFalse(raw.contains(token))
    }

    func testIdleSessionEnds() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let clock = harness.clock
        try await harness.application().test(.router) { client in
            let reader = try await client.login("reader")
            clock.advance(29 * 60)
            let first = try await client.get("/", cookie: reader.cookie)
            XCTAssertEqual(first.status, .ok)
            clock.advance(29 * 60)  // active 58 minutes, never idle 30
            let second = try await client.get("/", cookie: reader.cookie)
            XCTAssertEqual(second.status, .ok)
            clock.advance(30 * 60)
            let idle = try await client.get("/", cookie: reader.cookie)
            XCTAssertEqual(idle.status, .seeOther)
        }
    }

    func testPasswordHashVerifiesOnlyTheRightPassword() throws {
        let cost = PasswordHasher.Cost(logN: 10, r: 8, p: 1)
        let a = try PasswordHasher.hash("correct horse battery", cost: cost)
        let b = try PasswordHasher.hash("correct horse battery", cost: cost)
        XCTAssertNotEqual(a, b, "salted")
        XCTAssertTrue(a.hasPrefix("scrypt$10$8$1$"))
        XCTAssertTrue(PasswordHasher.verify("correct horse battery", encoded: a))
        XCTAssertFalse(PasswordHasher.verify("correct horse batterY", encoded: a))
        XCTAssertFalse(PasswordHasher.verify("correct horse battery", encoded: "scrypt$10$8$1$AAAA$"))
        XCTAssertFalse(PasswordHasher.verify("x", encoded: "plain"))
        // The standard cost is the documented one and works.
        XCTAssertEqual(PasswordHasher.Cost.standard, PasswordHasher.Cost(logN: 15, r: 8, p: 3))
        let standard = try PasswordHasher.hash("correct horse battery")
        XCTAssertTrue(PasswordHasher.verify("correct horse battery", encoded: standard))
    }

    func testNonLoopbackListenWithoutTLSIsRefused() throws {
        for text in ["0.0.0.0:8080", "192.0.2.10:443", "[::]:8080", "example.org:8080"] {
            let address = try XCTUnwrap(ListenAddress(parsing: text), text)
            XCTAssertFalse(address.isLoopback, text)
            let config = ServeConfiguration(listen: address)
            XCTAssertThrowsError(try config.validate(), text) { error in
                guard case ServeError.nonLoopbackWithoutTLS = error else { return XCTFail("\(error)") }
            }
            XCTAssertThrowsError(try ServeApp(store: try Harness().state.review, config: config).application(), text)
            XCTAssertNoThrow(try ServeConfiguration(listen: address, tlsCertificate: "c.pem", tlsKey: "k.pem").validate())
        }
        for text in ["127.0.0.1:8080", "127.1.2.3:1", "[::1]:8080", "localhost:9"] {
            XCTAssertNoThrow(try ServeConfiguration(listen: try XCTUnwrap(ListenAddress(parsing: text))).validate(), text)
        }
        XCTAssertThrowsError(try ServeConfiguration(tlsCertificate: "c.pem").validate())
        // --url: the address printed links use; scheme and host only.
        XCTAssertEqual(try ServeConfiguration.publicURL(parsing: "https://dsb.example.org/"), "https://dsb.example.org")
        XCTAssertEqual(try ServeConfiguration.publicURL(parsing: "http://127.0.0.1:9000"), "http://127.0.0.1:9000")
        for bad in ["dsb.example.org", "ftp://dsb.example.org", "https://", "https://dsb.example.org/trennwand", "https://x?y=1",
                    "https://u@dsb.example.org"] {
            XCTAssertThrowsError(try ServeConfiguration.publicURL(parsing: bad), bad) { error in
                XCTAssertEqual(error as? ServeError, .badURL(bad))
            }
        }
        var proxied = ServeConfiguration()
        XCTAssertEqual(proxied.baseURL, "http://127.0.0.1:8080")
        proxied.publicURL = "https://dsb.example.org"
        XCTAssertEqual(proxied.baseURL, "https://dsb.example.org")
        for bad in ["127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":80", "[::1]8080", "::1:8080"] {
            XCTAssertNil(ListenAddress(parsing: bad), bad)
        }
    }
}
