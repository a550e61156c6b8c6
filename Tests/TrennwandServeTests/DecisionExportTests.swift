import Foundation
import Hummingbird
import HummingbirdTesting
import TrennwandFindings
import TrennwandRecords
import TrennwandServe
import TrennwandState
import XCTest

/// Decisions recorded in the workspace become a waiver file the scan's own parser reads, and
/// that file applies to the findings they were taken on.
final class DecisionExportTests: XCTestCase {
    func testDecisionsExportAsWaiversTheScanHonours() async throws {
        let harness = try Harness()
        try await harness.allRoles()
        let open = try harness.state.findings().filter { $0.status.isOpen }
        let single = try XCTUnwrap(open.first)
        // A group: every open finding of a rule with more than one finding.
        let byRule = Dictionary(grouping: open, by: \.ruleID)
        let (groupRule, groupFindings) = try XCTUnwrap(byRule.filter { $0.value.count > 1 && $0.key != single.ruleID }
            .sorted { $0.key < $1.key }.first)
        let export: String = try await harness.application().test(.router) { client in
            let dpo = try await client.login("dpo")
            let one = try await client.post("/findings/\(single.fingerprint)/decision", form: [
                ("csrf", dpo.csrf), ("kind", "accepted_risk"), ("reason", "Risiko bewusst getragen \"bis Umbau\""),
                ("assignee", "IT-Team"), ("expires", "2027-06-30"),
            ], cookie: dpo.cookie)
            XCTAssertEqual(one.status, .seeOther)
            let group = try await client.post("/decisions/group", form: [
                ("csrf", dpo.csrf), ("rule", groupRule), ("kind", "reported_art33"), ("reason", "gemeldet"),
                ("authority_reference", "LfD-2027-17"), ("reported_on", "2027-01-10"),
            ], cookie: dpo.cookie)
            XCTAssertEqual(group.status, .seeOther)
            // An invalid one (expiry beyond 12 months) is refused with the waiver file's own reason.
            let tooLate = try await client.post("/findings/\(single.fingerprint)/decision", form: [
                ("csrf", dpo.csrf), ("kind", "mitigated"), ("reason", "x"), ("expires", "2031-01-01"),
            ], cookie: dpo.cookie)
            XCTAssertEqual(tooLate.status, .unprocessableContent)
            // The finding page shows the decision and its history.
            let page = String(buffer: try await client.get("/findings/\(single.fingerprint)", cookie: dpo.cookie).body)
            XCTAssertTrue(page.contains("IT-Team"))
            let reader = try await client.login("reader")
            let response = try await client.get("/decisions/export", cookie: reader.cookie)
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers[.contentType], "application/yaml; charset=utf-8")
            return String(buffer: response.body)
        }
        let set = try WaiverSet.parse(export, file: "export.yaml")
        XCTAssertEqual(set.waivers.count, 1 + groupFindings.count)
        let w = try XCTUnwrap(set.waivers.first { $0.fingerprint == single.fingerprint })
        XCTAssertEqual(w.decision, .acceptedRisk)
        XCTAssertEqual(w.owner, "IT-Team")
        XCTAssertEqual(w.approver, "dpo")
        XCTAssertEqual(w.reason, "Risiko bewusst getragen \"bis Umbau\"")
        let art33 = set.waivers.filter { $0.rule == groupRule }
        XCTAssertEqual(Set(art33.compactMap(\.fingerprint)), Set(groupFindings.map(\.fingerprint)))
        XCTAssertTrue(art33.allSatisfy { $0.decision == .reportedArt33 && $0.authorityReference == "LfD-2027-17" })
        // Applied to the stored findings, the file waives exactly the decided ones.
        let findings = try harness.state.reportFindingList(ReportSelection(runID: nil)).map(\.finding)
        let outcome = set.apply(to: findings, now: harness.clock.now)
        let waived = Set(zip(findings, outcome.applied).compactMap { $1 == nil ? nil : $0.fingerprint })
        XCTAssertEqual(waived, Set([single.fingerprint] + groupFindings.map(\.fingerprint)))
        // Every decision and the export are in the trail, which is intact.
        let trail = try await harness.state.review.auditEvents(limit: 1000)
        XCTAssertEqual(trail.filter { $0.action == "decision" }.count, 1 + groupFindings.count)
        XCTAssertEqual(trail.filter { $0.action == "decisions_exported" }.count, 1)
        XCTAssertTrue(try harness.state.review.verifyAuditTrail().intact)
        // Importing the export again changes nothing; into an empty store it restores every decision.
        let current = try await harness.state.review.currentDecisions()
        let again = WaiverExport.decisions(from: set, current: current, at: harness.clock.now)
        XCTAssertEqual(again.decisions.count, 0)
        XCTAssertEqual(again.unchanged, set.waivers.count)
        let fresh = WaiverExport.decisions(from: set, current: [], at: harness.clock.now)
        XCTAssertEqual(fresh.decisions.count, set.waivers.count)
        XCTAssertTrue(fresh.decisions.allSatisfy { $0.origin == .import })
    }

    func testGroupDecisionOverTheLimitIsRefusedNotCutOff() async throws {
        let open = try Harness().state.findings().filter { $0.status.isOpen }
        let (rule, findings) = try XCTUnwrap(Dictionary(grouping: open, by: \.ruleID).filter { $0.value.count > 2 }.sorted { $0.key < $1.key }.first)
        let form = [("rule", rule), ("kind", "mitigated"), ("reason", "Gruppe")]
        // One below the group's size: refused, nothing recorded.
        let small = try Harness(maxGroupDecision: findings.count - 1)
        try await small.allRoles()
        try await small.application().test(.router) { client in
            let dpo = try await client.login("dpo")
            let r = try await client.post("/decisions/group", form: [("csrf", dpo.csrf)] + form, cookie: dpo.cookie)
            XCTAssertEqual(r.status, .unprocessableContent)
            XCTAssertTrue(String(buffer: r.body).contains("Mehr als \(findings.count - 1) Feststellungen im Filter"))
        }
        let none = try await small.state.review.currentDecisions()
        XCTAssertEqual(none.count, 0)
        // Exactly the group's size: every finding decided.
        let exact = try Harness(maxGroupDecision: findings.count)
        try await exact.allRoles()
        try await exact.application().test(.router) { client in
            let dpo = try await client.login("dpo")
            let r = try await client.post("/decisions/group", form: [("csrf", dpo.csrf)] + form, cookie: dpo.cookie)
            XCTAssertEqual(r.status, .seeOther)
        }
        let all = try await exact.state.review.currentDecisions()
        XCTAssertEqual(Set(all.map(\.fingerprint)), Set(findings.map(\.fingerprint)))
    }

    func testExpiredDecisionsAreLeftOut() throws {
        let d = ReviewDecision(fingerprint: "0123456789abcdef0123456789abcdef", ruleID: "TW101", kind: .mitigated, reason: "r",
                               assignee: nil, expires: "2027-01-31", decidedBy: "dpo", decidedAt: 1_790_000_000, origin: .serve)
        let before = try WaiverExport.text([d], now: 1_790_000_100)
        XCTAssertEqual(before.entries, 1)
        let after = try WaiverExport.text([d], now: 1_900_000_000)
        XCTAssertEqual(after.entries, 0)
        XCTAssertEqual(after.skippedExpired, 1)
        XCTAssertEqual(try WaiverSet.parse(after.text, file: "e.yaml").waivers.count, 0)
    }
}
