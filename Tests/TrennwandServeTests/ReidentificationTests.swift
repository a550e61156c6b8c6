import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import TrennwandFindings
import TrennwandRecords
import TrennwandServe
import TrennwandState
import XCTest

/// Issue #18 item 5: four-eyes re-identification over HTTP. A dpo requests, a different
/// personalrat approves, only the requester then sees the identity, for a bounded time; every
/// step is a row of the hash-chained audit trail.
final class ReidentificationTests: XCTestCase {
    func testApprovedRequestRevealsToTheRequesterOnly() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        try await harness.account("dpo2", .dpo)
        let (fp, pseudonym, identities) = try await harness.findingWithKnownPerson()
        let identity = try XCTUnwrap(identities.first?.id)
        XCTAssertNotEqual(identity, pseudonym)
        let clock = harness.clock
        try await harness.application().test(.router) { client in
            let dpo = try await client.login("dpo")
            let council = try await client.login("personalrat")
            let otherDPO = try await client.login("dpo2")
            let reader = try await client.login("reader")

            // The finding page offers the request form to the dpo, shows only pseudonyms.
            let page = text(try await client.get("/findings/\(fp)", cookie: dpo.cookie))
            XCTAssertTrue(page.contains("action=\"/findings/\(fp)/reidentification\""))
            XCTAssertTrue(page.contains(pseudonym))
            XCTAssertFalse(page.contains(identity))

            let requested = try await client.post("/findings/\(fp)/reidentification",
                                                  form: [("csrf", dpo.csrf), ("pseudonym", pseudonym), ("reason", "Prüfung nach Art. 38 Abs. 4")],
                                                  cookie: dpo.cookie)
            XCTAssertEqual(requested.status, .seeOther)
            let location = try XCTUnwrap(requested.headers[.location])
            XCTAssertTrue(location.hasPrefix("/reidentifications/"))

            // Before approval nothing is revealed, to anyone.
            for s in [dpo, council, otherDPO] {
                let r = try await client.get(location, cookie: s.cookie)
                XCTAssertEqual(r.status, .ok)
                XCTAssertFalse(text(r).contains(identity))
            }
            let readerView = try await client.get(location, cookie: reader.cookie)
            XCTAssertEqual(readerView.status, .forbidden)
            // The council's list shows the open request.
            let list = text(try await client.get("/reidentifications", cookie: council.cookie))
            XCTAssertTrue(list.contains("href=\"\(location)\""))

            let approved = try await client.post(location + "/approve", form: [("csrf", council.csrf), ("note", "begründet")],
                                                 cookie: council.cookie)
            XCTAssertEqual(approved.status, .seeOther)

            // The requester sees the identity; the approver and a third user do not.
            let shown = text(try await client.get(location, cookie: dpo.cookie))
            XCTAssertTrue(shown.contains("<strong>\(identity)</strong>"), "identity shown to the requester")
            for s in [council, otherDPO] {
                let r = try await client.get(location, cookie: s.cookie)
                XCTAssertEqual(r.status, .ok)
                XCTAssertFalse(text(r).contains(identity))
            }
            // The key never leaves the server: not in any page.
            let keyHex = String(repeating: "5a", count: 32)
            XCTAssertFalse(shown.lowercased().contains(keyHex))
            // A second decision is refused.
            let again = try await client.post(location + "/refuse", form: [("csrf", council.csrf)], cookie: council.cookie)
            XCTAssertEqual(again.status, .conflict)

            // Bounded: after the validity the requester sees nothing any more.
            clock.advance(ServeConfiguration().revealValidity + 1)
            let dpoLater = try await client.login("dpo")
            let later = text(try await client.get(location, cookie: dpoLater.cookie))
            XCTAssertFalse(later.contains(identity))
            XCTAssertTrue(later.contains("abgelaufen"))
        }
        // The trail holds request, approval and exactly one reveal (the one view), none naming the identity.
        let trail = try await harness.state.review.auditEvents(limit: 1000)
        let steps = trail.filter { $0.object == "finding:\(fp)" }.map(\.action)
        XCTAssertEqual(steps.reversed(), [AuditAction.reidentificationRequested.rawValue, AuditAction.reidentificationApproved.rawValue,
                                          AuditAction.rawDataViewed.rawValue])
        let reveal = try XCTUnwrap(trail.first { $0.action == AuditAction.rawDataViewed.rawValue })
        XCTAssertEqual(reveal.account, "dpo")
        XCTAssertTrue(reveal.detail.contains(pseudonym))
        XCTAssertFalse(trail.contains { $0.detail.contains(identity) || $0.object.contains(identity) })
        XCTAssertTrue(try harness.state.review.verifyAuditTrail().intact)

        // Tampering with the approval row is still detected.
        let seq = try XCTUnwrap(trail.first { $0.action == AuditAction.reidentificationApproved.rawValue }?.seq)
        let queue = try DatabaseQueue(path: harness.path)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete")
            try db.execute(sql: "UPDATE audit_event SET account = 'dpo' WHERE seq = ?", arguments: [seq])
        }
        XCTAssertEqual(try StateStore(path: harness.path, mustExist: true).review.verifyAuditTrail().firstBreak?.seq, seq)
    }

    func testSelfApprovalRoleLimitsAndRefusalRevealNothing() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let (fp, pseudonym, identities) = try await harness.findingWithKnownPerson()
        let identity = try XCTUnwrap(identities.first?.id)
        let review = harness.state.review
        let clock = harness.clock
        try await harness.application().test(.router) { client in
            let dpo = try await client.login("dpo")
            let council = try await client.login("personalrat")
            // A personalrat cannot request; a request needs a reason and a pseudonym of the finding.
            let byCouncil = try await client.post("/findings/\(fp)/reidentification",
                                                  form: [("csrf", council.csrf), ("pseudonym", pseudonym), ("reason", "x")], cookie: council.cookie)
            XCTAssertEqual(byCouncil.status, .forbidden)
            let noReason = try await client.post("/findings/\(fp)/reidentification",
                                                 form: [("csrf", dpo.csrf), ("pseudonym", pseudonym), ("reason", "  ")], cookie: dpo.cookie)
            XCTAssertEqual(noReason.status, .unprocessableContent)
            let foreign = try await client.post("/findings/\(fp)/reidentification",
                                                form: [("csrf", dpo.csrf), ("pseudonym", "P-000000000000"), ("reason", "Grund")], cookie: dpo.cookie)
            XCTAssertEqual(foreign.status, .unprocessableContent)
            // Without the CSRF token nothing is requested.
            let noToken = try await client.post("/findings/\(fp)/reidentification",
                                                form: [("pseudonym", pseudonym), ("reason", "Grund")], cookie: dpo.cookie)
            XCTAssertEqual(noToken.status, .forbidden)
            let none = try await review.reidentifications(fingerprint: fp)
            XCTAssertTrue(none.isEmpty)

            let requested = try await client.post("/findings/\(fp)/reidentification",
                                                  form: [("csrf", dpo.csrf), ("pseudonym", pseudonym), ("reason", "Grund")], cookie: dpo.cookie)
            let location = try XCTUnwrap(requested.headers[.location])
            // A dpo cannot approve, not even their own request.
            let selfApproval = try await client.post(location + "/approve", form: [("csrf", dpo.csrf)], cookie: dpo.cookie)
            XCTAssertEqual(selfApproval.status, .forbidden)
            let unapproved = text(try await client.get(location, cookie: dpo.cookie))
            XCTAssertFalse(unapproved.contains(identity))

            // Self-approval is refused by the store whatever the role: a request recorded in the
            // personalrat's name (as if the account's role had changed) cannot be approved by it.
            let own = try await review.requestReidentification(fingerprint: fp, pseudonym: pseudonym, reason: "eigener Antrag",
                                                               by: "personalrat", at: clock.now)
            let ownApproval = try await client.post("/reidentifications/\(own.id)/approve", form: [("csrf", council.csrf)], cookie: council.cookie)
            XCTAssertEqual(ownApproval.status, .forbidden)
            let ownAfter = try await review.reidentification(id: own.id)
            XCTAssertEqual(ownAfter?.isOpen, true)

            // Refused: nothing revealed.
            let refused = try await client.post(location + "/refuse", form: [("csrf", council.csrf), ("note", "nicht erforderlich")],
                                                cookie: council.cookie)
            XCTAssertEqual(refused.status, .seeOther)
            let page = text(try await client.get(location, cookie: dpo.cookie))
            XCTAssertTrue(page.contains("abgelehnt"))
            XCTAssertFalse(page.contains(identity))
        }
        let trail = try await review.auditEvents(limit: 1000)
        XCTAssertFalse(trail.contains { $0.action == AuditAction.rawDataViewed.rawValue })
        XCTAssertEqual(trail.filter { $0.action == AuditAction.reidentificationRequested.rawValue }.count, 2)
        XCTAssertEqual(trail.filter { $0.action == AuditAction.reidentificationRefused.rawValue }.count, 1)
        XCTAssertFalse(trail.contains { $0.action == AuditAction.reidentificationApproved.rawValue })
        XCTAssertTrue(try review.verifyAuditTrail().intact)
    }

    /// The directory is the scan's own pseudonym function over the reference tables: every
    /// person pseudonym of a finding that a reference table names maps back to that id.
    func testDirectoryRecomputesTheScansPseudonyms() async throws {
        let harness = try Harness()
        let (_, pseudonym, identities) = try await harness.findingWithKnownPerson()
        let pseudonymizer = Pseudonymizer(key: SampleState.key)
        for identity in identities {
            XCTAssertEqual(pseudonymizer.person(ByteString(identity.id)), pseudonym)
        }
        XCTAssertGreaterThan(SampleState.persons.count, 0)
        // Another key gives other pseudonyms: nothing of this finding would be found.
        let other = Pseudonymizer(key: PseudonymKey(bytes: Array(repeating: 0x11, count: 32), origin: "other"))
        XCTAssertNotEqual(other.person(ByteString(try XCTUnwrap(identities.first?.id))), pseudonym)
    }
}

func text(_ r: TestResponse) -> String { String(buffer: r.body) }
