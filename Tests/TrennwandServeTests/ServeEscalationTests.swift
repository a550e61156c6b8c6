import Foundation
import Hummingbird
import HummingbirdTesting
import TrennwandFindings
import TrennwandRecords
import TrennwandServe
import TrennwandState
import XCTest

/// Issue #18 item 3: escalating a finding starts the 72-hour clock from its detection; the
/// overview shows open escalations with the time left; a notification (a `reported_art33`
/// decision) or the documented decision that no risk exists closes it.
final class ServeEscalationTests: XCTestCase {
    func testEscalationClockOverviewAndBothWaysToClose() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let open = try harness.state.findings().filter { $0.status.isOpen }
        let (a, b) = (try XCTUnwrap(open.first), try XCTUnwrap(open.dropFirst().first))
        let clock = harness.clock
        let review = harness.state.review
        let firstSeen = try XCTUnwrap(try harness.state.finding(fingerprint: a.fingerprint)).firstSeen
        try await harness.application().test(.router) { client in
            let dpo = try await client.login("dpo")
            for f in [a, b] {
                let r = try await client.post("/findings/\(f.fingerprint)/escalate", form: [("csrf", dpo.csrf)], cookie: dpo.cookie)
                XCTAssertEqual(r.status, .seeOther)
            }
            // Escalating again keeps the one clock.
            _ = try await client.post("/findings/\(a.fingerprint)/escalate", form: [("csrf", dpo.csrf)], cookie: dpo.cookie)
            let escalations = try await review.openEscalations()
            XCTAssertEqual(Set(escalations.map(\.fingerprint)), [a.fingerprint, b.fingerprint])
            let ea = try XCTUnwrap(escalations.first { $0.fingerprint == a.fingerprint })
            XCTAssertEqual(ea.detected, firstSeen, "the clock starts at the detection")
            XCTAssertEqual(ea.deadline, firstSeen + 72 * 3600)

            // The overview lists both with the time left (or overdue) as the store's deadline says.
            let reader = try await client.login("reader")
            let overview = String(buffer: try await client.get("/", cookie: reader.cookie).body)
            XCTAssertTrue(overview.contains("Art. 33: offene Eskalationen (72 Stunden)"))
            let left = ea.deadline - clock.now
            let expected = left >= 0 ? "noch \(left / 3600) h \(left % 3600 / 60) min"
                                     : "überfällig seit \(-left / 3600) h \(-left % 3600 / 60) min"
            XCTAssertTrue(overview.contains(expected), "\(expected) in the overview")
            XCTAssertTrue(overview.contains("href=\"/findings/\(b.fingerprint)\""))

            // A: the notification is recorded → closed as reported.
            let reported = try await client.post("/findings/\(a.fingerprint)/decision", form: [
                ("csrf", dpo.csrf), ("kind", "reported_art33"), ("reason", "gemeldet"), ("reported_on", "2027-01-14"),
                ("authority_reference", "LfD-2027-3"),
            ], cookie: dpo.cookie)
            XCTAssertEqual(reported.status, .seeOther)
            // B: closing without a reason is refused; with one it is closed as no risk.
            let bare = try await client.post("/findings/\(b.fingerprint)/escalation/close", form: [("csrf", dpo.csrf)], cookie: dpo.cookie)
            XCTAssertEqual(bare.status, .unprocessableContent)
            let stillOpen = try await review.openEscalations()
            XCTAssertEqual(stillOpen.map(\.fingerprint), [b.fingerprint])
            let noRisk = try await client.post("/findings/\(b.fingerprint)/escalation/close", form: [
                ("csrf", dpo.csrf), ("reason", "nur pseudonyme Testdaten betroffen"),
            ], cookie: dpo.cookie)
            XCTAssertEqual(noRisk.status, .seeOther)
            // Closing again: nothing open.
            let again = try await client.post("/findings/\(b.fingerprint)/escalation/close", form: [
                ("csrf", dpo.csrf), ("reason", "x"),
            ], cookie: dpo.cookie)
            XCTAssertEqual(again.status, .unprocessableContent)
            let after = String(buffer: try await client.get("/", cookie: reader.cookie).body)
            XCTAssertTrue(after.contains("Keine offene Eskalation."))

            // The finding's history tells the trail as sentences, not as the stored key=value text.
            let pageA = String(buffer: try await client.get("/findings/\(a.fingerprint)", cookie: reader.cookie).body)
            XCTAssertTrue(pageA.contains("dpo: Nach Art. 33 eskaliert (Regel \(a.ruleID)): Meldefrist bis \(BerlinTime.dateTime(ea.deadline)) (erkannt \(BerlinTime.dateTime(firstSeen)))"), pageA)
            XCTAssertTrue(pageA.contains("Aktenzeichen der Aufsichtsbehörde LfD-2027-3: Begründung „gemeldet“"))
            XCTAssertTrue(pageA.contains(": gemeldet (Entscheidung "))
            let pageB = String(buffer: try await client.get("/findings/\(b.fingerprint)?lang=en", cookie: reader.cookie).body)
            XCTAssertTrue(pageB.contains("no risk to the persons concerned (Art. 33(1)), reason “nur pseudonyme Testdaten betroffen”"), pageB)
            for page in [pageA, pageB] {
                XCTAssertFalse(page.contains("outcome=") || page.contains("deadline=") || page.contains("kind="))
            }
        }
        let ea = try await review.escalations(fingerprint: a.fingerprint)
        XCTAssertEqual(ea.map(\.outcome), [.reported])
        XCTAssertEqual(ea.first?.closedBy, "dpo")
        let eb = try await review.escalations(fingerprint: b.fingerprint)
        XCTAssertEqual(eb.map(\.outcome), [.noRisk])
        XCTAssertEqual(eb.first?.note, "nur pseudonyme Testdaten betroffen")
        let trail = try await review.auditEvents(limit: 1000)
        XCTAssertEqual(trail.filter { $0.action == AuditAction.escalationOpened.rawValue }.count, 2)
        XCTAssertEqual(trail.filter { $0.action == AuditAction.escalationClosed.rawValue }.count, 2)
        XCTAssertTrue(try review.verifyAuditTrail().intact)
    }

    func testTimeLeftCountsDownAndThenOverdue() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let f = try XCTUnwrap(try harness.state.findings().first { $0.status.isOpen })
        // Detected one hour before the test clock: 71 h left, then overdue after 72 more hours.
        let e = try await harness.state.review.escalate(fingerprint: f.fingerprint, ruleID: f.ruleID, detected: harness.clock.now - 3600,
                                                        by: "dpo", at: harness.clock.now)
        XCTAssertEqual(e.deadline - harness.clock.now, 71 * 3600)
        let clock = harness.clock
        try await harness.application().test(.router) { client in
            let reader = try await client.login("reader")
            let page = String(buffer: try await client.get("/findings/\(f.fingerprint)", cookie: reader.cookie).body)
            XCTAssertTrue(page.contains("<strong>noch 71 h 0 min</strong>"), "finding page")
            XCTAssertFalse(page.contains("/escalation/close"), "a reader gets no close form")
            clock.advance(72 * 3600 + 90)
            let later = try await client.login("reader")  // the first session ended idle meanwhile
            let overview = String(buffer: try await client.get("/?lang=en", cookie: later.cookie).body)
            XCTAssertTrue(overview.contains("<tr class=\"late\">"))
            XCTAssertTrue(overview.contains("overdue by 1 h 1 min"))
        }
    }
}
