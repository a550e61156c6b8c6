import Foundation
import Hummingbird
import HummingbirdTesting
import TrennwandFindings
import TrennwandServe
import TrennwandState
import XCTest

/// Issue #18 acceptance: every route except login requires a session, and each role can do
/// exactly what its row says (table over routes × roles).
final class ServeAccessTests: XCTestCase {
    /// What a route needs; `nil`: public.
    struct Route {
        var method: String
        var path: String
        var needs: Permission?
    }

    func testEveryRouteByRole() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        try await harness.account("spare", .reader)  // the one an admin may disable
        // A finding naming a person, so the re-identification routes have a pseudonym to ask for.
        let (fp, pseudonym, _) = try await harness.findingWithKnownPerson()
        let rule = try XCTUnwrap(try harness.state.finding(fingerprint: fp)?.ruleID)
        // Two open requests of the dpo: one to approve, one to refuse (each may be decided once).
        let toApprove = try await harness.state.review.requestReidentification(fingerprint: fp, pseudonym: pseudonym, reason: "A",
                                                                               by: "dpo", at: harness.clock.now)
        let toRefuse = try await harness.state.review.requestReidentification(fingerprint: fp, pseudonym: pseudonym, reason: "B",
                                                                              by: "dpo2", at: harness.clock.now)
        try await harness.application().test(.router) { client in
            var signed: [ReviewRole: Signed] = [:]
            for role in ReviewRole.allCases { signed[role] = try await client.login(role.rawValue) }
            var counter = 0
            // Each POST gets a valid form, so only the permission decides (throwaway names for accounts).
            func form(_ path: String) -> [(String, String)] {
                counter += 1
                switch path {
                case "/accounts": return [("name", "new\(counter)"), ("role", "reader")]
                case let p where p.hasSuffix("/decision"):
                    return [("kind", "false_positive"), ("reason", "Testgrund"), ("expires", "2027-06-30")]
                case let p where p.hasSuffix("/escalation/close"):
                    return [("reason", "kein Risiko")]
                case let p where p.hasSuffix("/reidentification"):
                    return [("pseudonym", pseudonym), ("reason", "Prüfung")]
                case "/decisions/group":
                    return [("rule", rule), ("kind", "mitigated"), ("reason", "Gruppe"), ("expires", "2027-06-30")]
                default: return []
                }
            }
            let routes: [Route] = [
                Route(method: "GET", path: "/", needs: .read),
                Route(method: "GET", path: "/findings", needs: .read),
                Route(method: "GET", path: "/findings?severity=critical&rule=\(rule)", needs: .read),
                Route(method: "GET", path: "/findings/\(fp)", needs: .read),
                Route(method: "GET", path: "/decisions", needs: .read),
                Route(method: "GET", path: "/decisions/export", needs: .read),
                Route(method: "GET", path: "/runs", needs: .read),
                Route(method: "GET", path: "/accounts", needs: .manageAccounts),
                Route(method: "POST", path: "/findings/\(fp)/decision", needs: .decide),
                Route(method: "POST", path: "/decisions/group", needs: .decide),
                Route(method: "POST", path: "/findings/\(fp)/escalate", needs: .decide),
                Route(method: "POST", path: "/findings/\(fp)/escalation/close", needs: .decide),
                Route(method: "POST", path: "/accounts", needs: .manageAccounts),
                Route(method: "POST", path: "/accounts/spare/disable", needs: .manageAccounts),
                Route(method: "POST", path: "/findings/\(fp)/reidentification", needs: .requestReidentification),
                Route(method: "GET", path: "/reidentifications", needs: .viewReidentifications),
                Route(method: "GET", path: "/reidentifications/\(toApprove.id)", needs: .viewReidentifications),
                Route(method: "POST", path: "/reidentifications/\(toApprove.id)/approve", needs: .approveReidentification),
                Route(method: "POST", path: "/reidentifications/\(toRefuse.id)/refuse", needs: .approveReidentification),
                Route(method: "GET", path: "/login", needs: nil),
                Route(method: "GET", path: "/static/style.css", needs: nil),
            ]
            for route in routes {
                for role in ReviewRole.allCases {
                    let s = try XCTUnwrap(signed[role])
                    let response = route.method == "GET"
                        ? try await client.get(route.path, cookie: s.cookie)
                        : try await client.post(route.path, form: [("csrf", s.csrf)] + form(route.path), cookie: s.cookie)
                    let allowed = route.needs.map { $0.allows(role) } ?? true
                    if allowed {
                        XCTAssertTrue([200, 303].contains(response.status.code),
                                      "\(route.method) \(route.path) as \(role): \(response.status.code), expected success")
                    } else {
                        XCTAssertEqual(response.status, .forbidden, "\(route.method) \(route.path) as \(role)")
                    }
                }
                // Without a session: GET → login page, POST → 401; public routes answer.
                let anonymous = route.method == "GET" ? try await client.get(route.path)
                                                      : try await client.post(route.path, form: form(route.path))
                if route.needs == nil {
                    XCTAssertEqual(anonymous.status, .ok, "\(route.path) anonymous")
                } else if route.method == "GET" {
                    XCTAssertEqual(anonymous.status, .seeOther, "\(route.path) anonymous")
                    XCTAssertTrue(anonymous.headers[.location]?.hasPrefix("/login") ?? false)
                } else {
                    XCTAssertEqual(anonymous.status, .unauthorized, "\(route.path) anonymous")
                }
            }
            // The role table as docs/serve.md states it.
            XCTAssertEqual(ReviewRole.allCases.filter { Permission.decide.allows($0) }, [.dpo])
            XCTAssertEqual(ReviewRole.allCases.filter { Permission.read.allows($0) }, [.dpo, .personalrat, .reader])
            XCTAssertEqual(ReviewRole.allCases.filter { Permission.manageAccounts.allows($0) }, [.admin])
            XCTAssertEqual(ReviewRole.allCases.filter { Permission.requestReidentification.allows($0) }, [.dpo])
            XCTAssertEqual(ReviewRole.allCases.filter { Permission.approveReidentification.allows($0) }, [.personalrat])
            XCTAssertEqual(ReviewRole.allCases.filter { Permission.viewReidentifications.allows($0) }, [.dpo, .personalrat])
            // Logout ends the session: the same cookie is refused afterwards.
            let reader = try XCTUnwrap(signed[.reader])
            let out = try await client.post("/logout", form: [("csrf", reader.csrf)], cookie: reader.cookie)
            XCTAssertEqual(out.status, .seeOther)
            let after = try await client.get("/", cookie: reader.cookie)
            XCTAssertEqual(after.status, .seeOther)
        }
        // Only the dpo's decisions were recorded: one single, one group.
        let decisions = try await harness.state.review.currentDecisions()
        XCTAssertFalse(decisions.isEmpty)
        XCTAssertEqual(Set(decisions.map(\.decidedBy)), ["dpo"])
        // Only the admin's account changes happened: the spare account is disabled, and the
        // created ones were made by the admin.
        let spare = try await harness.state.review.account(named: "spare")
        XCTAssertEqual(spare?.disabled, true)
        let trail = try await harness.state.review.auditEvents(limit: 1000)
        let created = trail.filter { $0.action == AuditAction.accountCreated.rawValue && $0.object.hasPrefix("account:new") }
        XCTAssertEqual(created.count, 1)
        XCTAssertEqual(Set(created.map(\.account)), ["admin"])
        // Only the personalrat decided on re-identification, once each; only the dpo requested.
        let decidedBy = [try await harness.state.review.reidentification(id: toApprove.id), try await harness.state.review.reidentification(id: toRefuse.id)]
        XCTAssertEqual(decidedBy.map { $0?.outcome }, [.approved, .refused])
        XCTAssertEqual(decidedBy.map { $0?.decidedBy }, ["personalrat", "personalrat"])
        let requests = trail.filter { $0.action == AuditAction.reidentificationRequested.rawValue }
        XCTAssertEqual(Set(requests.map(\.account)), ["dpo", "dpo2"])
    }

    func testPostWithoutOrWithWrongCSRFTokenIsRefused() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let fp = try XCTUnwrap(try harness.state.findings().first { $0.status.isOpen }?.fingerprint)
        try await harness.application().test(.router) { client in
            let dpo = try await client.login("dpo")
            let decision = [("kind", "false_positive"), ("reason", "Testgrund")]
            let missing = try await client.post("/findings/\(fp)/decision", form: decision, cookie: dpo.cookie)
            XCTAssertEqual(missing.status, .forbidden)
            let wrong = try await client.post("/findings/\(fp)/decision", form: [("csrf", Tokens.make())] + decision, cookie: dpo.cookie)
            XCTAssertEqual(wrong.status, .forbidden)
            // Another session's token is wrong too.
            let other = try await client.login("dpo")
            let foreign = try await client.post("/findings/\(fp)/decision", form: [("csrf", other.csrf)] + decision, cookie: dpo.cookie)
            XCTAssertEqual(foreign.status, .forbidden)
            // Login without the form token of its page is refused as well.
            let login = try await client.post("/login", form: [("name", "dpo"), ("password", Harness.password)])
            XCTAssertEqual(login.status, .forbidden)
            XCTAssertNil(cookieValue(login, "tw_session"))
            let right = try await client.post("/findings/\(fp)/decision", form: [("csrf", dpo.csrf)] + decision, cookie: dpo.cookie)
            XCTAssertEqual(right.status, .seeOther)
        }
        let decisions = try await harness.state.review.currentDecisions()
        XCTAssertEqual(decisions.count, 1)
    }

    func testResponsesCarryCSPAndCookieAttributes() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        try await harness.application().test(.router) { client in
            let login = try await client.loginResponse("reader")
            let cookie = try XCTUnwrap(setCookieHeader(login, "tw_session"))
            for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
                XCTAssertTrue(cookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.contains(attribute),
                              "\(attribute) in \(cookie)")
            }
            let session = "tw_session=\(try XCTUnwrap(cookieValue(login, "tw_session")))"
            for (path, withSession) in [("/login", false), ("/", true), ("/findings", true), ("/no-such-page", true), ("/static/style.css", false)] {
                let r = try await client.get(path, cookie: withSession ? session : nil)
                XCTAssertEqual(r.headers[.contentSecurityPolicy],
                               "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                               path)
                XCTAssertEqual(r.headers[.xContentTypeOptions], "nosniff", path)
                XCTAssertEqual(r.headers.first { $0.name.rawName == "Referrer-Policy" }?.value, "no-referrer", path)
                if path != "/static/style.css" { XCTAssertEqual(r.headers[.cacheControl], "no-store", path) }
            }
            // No page loads anything from elsewhere, and none carries a script.
            let page = String(buffer: try await client.get("/findings", cookie: session).body)
            XCTAssertFalse(page.contains("<script"))
            XCTAssertFalse(page.contains("http://") || page.contains("https://"))
        }
    }

    func testEnglishSwitchStaysForTheSession() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        try await harness.application().test(.router) { client in
            let reader = try await client.login("reader")
            let german = String(buffer: try await client.get("/", cookie: reader.cookie).body)
            XCTAssertTrue(german.contains("<h1>Übersicht</h1>"))
            let english = String(buffer: try await client.get("/?lang=en", cookie: reader.cookie).body)
            XCTAssertTrue(english.contains("<h1>Overview</h1>"))
            let later = String(buffer: try await client.get("/runs", cookie: reader.cookie).body)
            XCTAssertTrue(later.contains("<h1>Runs</h1>"))
        }
    }
}
