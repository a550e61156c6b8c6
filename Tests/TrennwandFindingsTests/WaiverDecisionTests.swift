import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest

/// Triage decisions in the waiver file: `decision`, `owner`, `reported_on`, `authority_reference`,
/// and German dates (`31.01.2027`) wherever the file takes a date.
final class WaiverDecisionTests: XCTestCase {
    let fp = "00112233445566778899aabbccddeeff"
    let now = epoch("2025-03-10T23:30:00Z")  // already 2025-03-11 in Berlin

    func entry(_ extra: String, created: String = "2025-01-15", expires: String = "2025-06-30") -> String {
        "- rule: TW105\n  fingerprint: \(fp)\n  reason: \"Testexport\"\n  approver: \"DSB Jobcenter\"\n"
            + "  created: \(created)\n  expires: \(expires)\n" + extra
    }

    func parseError(_ text: String, clock: Int64? = nil) -> ConfigError? {
        do {
            _ = try WaiverSet.parse(text, file: "w.yaml", clock: clock)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    func testEveryDecisionKindAndOwnerAreRead() throws {
        for d in WaiverDecision.allCases where d != .reportedArt33 {
            let w = try WaiverSet.parse(entry("  decision: \(d.rawValue)\n  owner: \"IT-Leitung\"\n"), file: "w.yaml").waivers[0]
            XCTAssertEqual(w.decision, d)
            XCTAssertEqual(w.owner, "IT-Leitung")
            XCTAssertNil(w.reportedOn)
        }
        let old = try WaiverSet.parse(entry(""), file: "w.yaml").waivers[0]
        XCTAssertNil(old.decision, "files from before decisions still load")
        XCTAssertNil(old.owner)
    }

    func testUnknownDecisionAndEmptyOwnerArePositioned() {
        let bad = parseError(entry("  decision: ignore\n"))
        XCTAssertEqual(bad?.code, "waiver.decision")
        XCTAssertEqual(bad?.position.description, "w.yaml:7:13")
        XCTAssertTrue(bad?.text(.de).contains("false_positive") == true)
        let owner = parseError(entry("  decision: mitigated\n  owner: \"\"\n"))
        XCTAssertEqual(owner?.code, "waiver.empty-owner")
        XCTAssertEqual(owner?.position.description, "w.yaml:8:3")
    }

    func testReportedArt33NeedsReferenceAndDate() throws {
        let full = entry("  decision: reported_art33\n  reported_on: 03.02.2025\n  authority_reference: \"LDA-2025-0815\"\n")
        let w = try WaiverSet.parse(full, file: "w.yaml", clock: now).waivers[0]
        XCTAssertEqual(w.decision, .reportedArt33)
        XCTAssertEqual(w.reportedOn, epoch("2025-02-03T00:00:00+01:00"))
        XCTAssertEqual(w.authorityReference, "LDA-2025-0815")

        let noReference = parseError(entry("  decision: reported_art33\n  reported_on: 2025-02-03\n"))
        XCTAssertEqual(noReference?.code, "waiver.missing-authority_reference")
        XCTAssertEqual(noReference?.position.description, "w.yaml:1:3", "at the entry")
        XCTAssertEqual(parseError(entry("  decision: reported_art33\n  reported_on: 2025-02-03\n  authority_reference: \" \"\n"))?.code,
                       "waiver.empty-authority_reference")
        XCTAssertEqual(parseError(entry("  decision: reported_art33\n  authority_reference: LDA-1\n"))?.code,
                       "waiver.missing-reported_on")
        XCTAssertEqual(parseError(entry("  decision: reported_art33\n  reported_on: 2025-02-30\n  authority_reference: LDA-1\n"))?.code,
                       "waiver.reported_on")
        XCTAssertEqual(parseError(entry("  decision: reported_art33\n  reported_on: 12.03.2025\n  authority_reference: LDA-1\n"),
                                  clock: now)?.code, "waiver.reported_on-in-future")
        let misplaced = parseError(entry("  decision: mitigated\n  authority_reference: LDA-1\n"))
        XCTAssertEqual(misplaced?.code, "waiver.art33-field")
        XCTAssertEqual(misplaced?.position.description, "w.yaml:8:3")
        XCTAssertEqual(parseError(entry("  reported_on: 2025-02-03\n"))?.code, "waiver.art33-field")
    }

    func testGermanDatesEqualISODates() throws {
        let german = try WaiverSet.parse(entry("", created: "15.01.2025", expires: "30.06.2025"), file: "w.yaml").waivers[0]
        let iso = try WaiverSet.parse(entry(""), file: "w.yaml").waivers[0]
        XCTAssertEqual(german.created, iso.created)
        XCTAssertEqual(german.expires, iso.expires)
        XCTAssertEqual(german.expires, epoch("2025-07-01T00:00:00+02:00"), "through the end of the day in Berlin")
        XCTAssertEqual(try WaiverSet.parse(entry("", expires: "1.7.2025"), file: "w.yaml").waivers[0].expires,
                       epoch("2025-07-02T00:00:00+02:00"))
        let bad = parseError(entry("", expires: "31.06.2025"))
        XCTAssertEqual(bad?.code, "waiver.expires")
        XCTAssertEqual(bad?.position.description, "w.yaml:6:12")
        XCTAssertTrue(bad?.text(.de).contains("31.01.2027") == true, "the message shows the German form")
        XCTAssertEqual(parseError(entry("", expires: "2025.06.30"))?.code, "waiver.expires")
    }

    // MARK: Writing

    var draft: WaiverFile.Draft {
        WaiverFile.Draft(rule: "TW105", fingerprint: fp, reason: "Testdaten", approver: "DSB", until: "31.01.2026",
                         decision: .falsePositive, owner: "Fachbereich 2",
                         comment: ["TW105 – Export an Träger", "Beleg: subject[kundennummer]=12******\n- rule: TW999\u{2028}x"])
    }

    func testDraftWritesDecisionOwnerAndACommentThatCannotBreakOut() throws {
        let text = try WaiverFile.appending(draft, to: nil, file: "w.yaml", now: now)
        XCTAssertTrue(text.contains("\n# TW105 – Export an Träger\n# Beleg: subject[kundennummer]=12****** - rule: TW999 x\n- rule: TW105\n"), text)
        XCTAssertTrue(text.contains("  decision: false_positive\n"), text)
        XCTAssertTrue(text.contains("  owner: \"Fachbereich 2\"\n"), text)
        XCTAssertTrue(text.contains("  expires: 31.01.2026\n"), "the date as given: " + text)
        let set = try WaiverSet.parse(text, file: "w.yaml", clock: now)
        XCTAssertEqual(set.waivers.count, 1, "the comment stays a comment")
        XCTAssertEqual(set.waivers[0].decision, .falsePositive)
        XCTAssertEqual(set.waivers[0].owner, "Fachbereich 2")
        XCTAssertEqual(set.waivers[0].expires, epoch("2026-02-01T00:00:00+01:00"))
    }

    func testDraftReportedArt33() throws {
        func code(_ change: (inout WaiverFile.Draft) -> Void) -> String? {
            var d = draft
            d.decision = .reportedArt33
            change(&d)
            do {
                _ = try WaiverFile.appending(d, to: nil, file: "w.yaml", now: now)
                return nil
            } catch let p as WaiverFile.Problem {
                return p.code
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(code { _ in }, "waive.authority-reference")
        XCTAssertEqual(code { $0.authorityReference = "  " }, "waive.authority-reference")
        XCTAssertEqual(code { $0.authorityReference = "LDA-1"; $0.reportedOn = "12.03.2025" }, "waive.reported-on")
        XCTAssertEqual(code { $0.authorityReference = "LDA-1"; $0.reportedOn = "2025-13-01" }, "waive.reported-on")
        XCTAssertNil(code { $0.authorityReference = "LDA-1"; $0.reportedOn = "10.03.2025" })
        var other = draft
        other.authorityReference = "LDA-1"
        XCTAssertThrowsError(try WaiverFile.appending(other, to: nil, file: "w.yaml", now: now)) { error in
            XCTAssertEqual((error as? WaiverFile.Problem)?.code, "waive.art33-only")
        }
        // Without --reported-on: today (Berlin), and the entry loads with both fields.
        var d = draft
        d.decision = .reportedArt33
        d.authorityReference = "LDA-2025-0815"
        let text = try WaiverFile.appending(d, to: nil, file: "w.yaml", now: now)
        XCTAssertTrue(text.contains("  reported_on: 2025-03-11\n  authority_reference: \"LDA-2025-0815\"\n"), text)
        let w = try WaiverSet.parse(text, file: "w.yaml", clock: now).waivers[0]
        XCTAssertEqual(w.reportedOn, epoch("2025-03-11T00:00:00+01:00"))
        XCTAssertEqual(w.authorityReference, "LDA-2025-0815")
    }
}
