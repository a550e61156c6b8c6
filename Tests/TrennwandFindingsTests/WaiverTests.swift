import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest

/// UTC epoch seconds of an ISO 8601 text with zone (test helper).
func epoch(_ iso: String) -> Int64 {
    let p = CivilTime.parseISO8601(Array(iso.utf8))!
    return p.local - (p.offset ?? 0)
}

func makeFinding(rule: String = "TW105", fingerprint: String = "00112233445566778899aabbccddeeff",
                 file: String = "/data/exports/zugriffe.csv", line: Int = 12, recordID: String? = nil,
                 persons: [String: String] = ["actor": "P-0a1b2c3d4e5f"],
                 evidence: [Evidence] = [Evidence(field: "destination_org", value: "traeger")],
                 severity: Severity = .high) -> Finding {
    Finding(ruleID: rule, title: Localized(de: "Export an Träger", en: "Export to provider"), severity: severity,
            findingClass: .violation, norms: [], locator: Locator(file: file, line: line, byteOffset: 0, index: 1, recordID: recordID),
            time: nil, evidence: evidence, persons: persons, remediation: Localized(de: "-", en: "-"), fingerprint: fingerprint)
}

final class WaiverTests: XCTestCase {
    let fp1 = "00112233445566778899aabbccddeeff"
    let fp2 = "ffeeddccbbaa99887766554433221100"

    func entry(rule: String = "TW105", fingerprint: String? = nil, match: String? = nil, expires: String = "2025-06-30") -> String {
        var t = "- rule: \(rule)\n"
        if let fingerprint { t += "  fingerprint: \(fingerprint)\n" }
        if let match { t += "  match:\n" + match }
        t += "  reason: \"Testexport, keine echten Daten\"\n  approver: \"DSB Jobcenter\"\n  created: 2025-01-15\n  expires: \(expires)\n"
        return t
    }

    // MARK: Expiry

    func testValidTodayExpiredYesterdayReactivatesWithWarning() throws {
        let text = entry(fingerprint: fp1, expires: "2025-03-10") + entry(fingerprint: fp2, expires: "2025-03-09")
        let set = try WaiverSet.parse(text, file: "trennwand-waivers.yaml")
        let now = epoch("2025-03-10T09:00:00Z")
        let findings = [makeFinding(fingerprint: fp1), makeFinding(fingerprint: fp2, line: 40)]
        let outcome = set.apply(to: findings, now: now)
        XCTAssertEqual(outcome.applied[0]?.approver, "DSB Jobcenter")
        XCTAssertNil(outcome.applied[1], "expired yesterday: open again")
        XCTAssertEqual(outcome.reactivated, [1])
        XCTAssertEqual(outcome.waivedCount, 1)
        XCTAssertEqual(outcome.warnings.count, 1)
        let w = outcome.warnings[0]
        XCTAssertEqual(w.kind, .expired(finding: findings[1].locator, fingerprint: fp2))
        XCTAssertEqual(w.waiver.line, 7)
        XCTAssertTrue(w.text(.de).hasPrefix("trennwand-waivers.yaml:7: "), w.text(.de))
        XCTAssertTrue(w.text(.de).contains("/data/exports/zugriffe.csv:40"), w.text(.de))
        XCTAssertTrue(w.text(.de).contains("abgelaufen"))
        XCTAssertTrue(w.text(.en).contains("expired"))
        XCTAssertTrue(w.text(.en).contains("/data/exports/zugriffe.csv:40"))
    }

    /// A date means through the end of that day in Europe/Berlin (summer: UTC+2, winter: UTC+1).
    func testDateExpiryEndsAtMidnightBerlin() throws {
        let summer = try WaiverSet.parse(entry(fingerprint: fp1, expires: "2025-06-30"), file: "w.yaml").waivers[0]
        XCTAssertEqual(summer.expires, epoch("2025-06-30T22:00:00Z"))
        XCTAssertTrue(summer.isValid(at: epoch("2025-06-30T21:59:59Z")))
        XCTAssertFalse(summer.isValid(at: epoch("2025-06-30T22:00:00Z")))
        let winter = try WaiverSet.parse(entry(fingerprint: fp1, expires: "2025-01-31"), file: "w.yaml").waivers[0]
        XCTAssertEqual(winter.expires, epoch("2025-01-31T23:00:00Z"))
        XCTAssertEqual(winter.created, epoch("2025-01-14T23:00:00Z"), "created date = 00:00 Berlin")
        // Applied across the boundary.
        let set = try WaiverSet.parse(entry(fingerprint: fp1, expires: "2025-06-30"), file: "w.yaml")
        XCTAssertNotNil(set.apply(to: [makeFinding()], now: epoch("2025-06-30T23:59:00+02:00")).applied[0])
        XCTAssertNil(set.apply(to: [makeFinding()], now: epoch("2025-07-01T00:00:00+02:00")).applied[0])
    }

    func testDateTimeExpiryNeedsZone() throws {
        let w = try WaiverSet.parse(entry(fingerprint: fp1, expires: "2025-06-30T18:00:00+02:00"), file: "w.yaml").waivers[0]
        XCTAssertEqual(w.expires, epoch("2025-06-30T16:00:00Z"))
        let z = try WaiverSet.parse(entry(fingerprint: fp1, expires: "2025-06-30T18:00:00Z"), file: "w.yaml").waivers[0]
        XCTAssertEqual(z.expires, epoch("2025-06-30T18:00:00Z"))
        XCTAssertThrowsError(try WaiverSet.parse(entry(fingerprint: fp1, expires: "2025-06-30T18:00:00"), file: "w.yaml")) { error in
            let e = error as! ConfigError
            XCTAssertEqual(e.position.description, "w.yaml:6:12")
            XCTAssertEqual(e.code, "waiver.expires")
            XCTAssertTrue(e.message.de.contains("Zeitzone"))
        }
    }

    // MARK: Matching

    func testUnmatchedWaiverWarns() throws {
        let set = try WaiverSet.parse(entry(fingerprint: fp1) + entry(rule: "TW201", fingerprint: fp2), file: "w.yaml")
        let outcome = set.apply(to: [makeFinding(fingerprint: fp1)], now: epoch("2025-03-01T00:00:00Z"))
        XCTAssertNotNil(outcome.applied[0])
        XCTAssertEqual(outcome.warnings.map(\.kind), [.unmatched])
        XCTAssertEqual(outcome.warnings[0].waiver.line, 7)
        XCTAssertTrue(outcome.warnings[0].text(.de).contains("keine Feststellung"))
        XCTAssertTrue(outcome.warnings[0].text(.en).contains("matches no finding"))
        // A rule that was not evaluated (e.g. `scan --rule TW105`) gives no unmatched warning.
        let only = set.apply(to: [makeFinding(fingerprint: fp1)], now: epoch("2025-03-01T00:00:00Z"), evaluatedRules: ["tw105"])
        XCTAssertTrue(only.warnings.isEmpty)
    }

    func testFingerprintMatchIsExactAndRuleBound() throws {
        let set = try WaiverSet.parse(entry(rule: "tw105", fingerprint: fp1.uppercased()), file: "w.yaml")
        let now = epoch("2025-03-01T00:00:00Z")
        XCTAssertNotNil(set.apply(to: [makeFinding(fingerprint: fp1)], now: now).applied[0])
        XCTAssertNil(set.apply(to: [makeFinding(fingerprint: fp2)], now: now).applied[0])
        XCTAssertNil(set.apply(to: [makeFinding(rule: "TW106", fingerprint: fp1)], now: now).applied[0])
    }

    func testFieldMatch() throws {
        let match = """
                file: "exports/*.csv"
                line: 12
                person: P-0a1b2c3d4e5f
                evidence:
                  destination_org: traeger

            """
        let set = try WaiverSet.parse(entry(match: match), file: "w.yaml")
        let now = epoch("2025-03-01T00:00:00Z")
        XCTAssertNotNil(set.waivers[0].match)
        XCTAssertNotNil(set.apply(to: [makeFinding()], now: now).applied[0], "relative glob matches the path's tail")
        XCTAssertNil(set.apply(to: [makeFinding(line: 13)], now: now).applied[0])
        XCTAssertNil(set.apply(to: [makeFinding(file: "/data/other/zugriffe.xml")], now: now).applied[0])
        XCTAssertNil(set.apply(to: [makeFinding(persons: ["actor": "P-ffffffffffff"])], now: now).applied[0])
        XCTAssertNil(set.apply(to: [makeFinding(evidence: [Evidence(field: "destination_org", value: "jobcenter")])], now: now).applied[0])

        let byRecord = try WaiverSet.parse(entry(match: "    record_id: DOK-77\n    detector: steuer_id\n"), file: "w.yaml")
        let hit = makeFinding(recordID: "DOK-77", evidence: [Evidence(field: "text", detector: "steuer_id", value: "12******")])
        XCTAssertNotNil(byRecord.apply(to: [hit], now: now).applied[0])
        XCTAssertNil(byRecord.apply(to: [makeFinding(recordID: "DOK-78")], now: now).applied[0])
    }

    func testFirstValidWaiverWinsAndExpiredOneIsNotWarnedThen() throws {
        let text = entry(fingerprint: fp1, expires: "2025-01-31") + entry(fingerprint: fp1, expires: "2025-12-31")
        let outcome = try WaiverSet.parse(text, file: "w.yaml").apply(to: [makeFinding()], now: epoch("2025-03-01T00:00:00Z"))
        XCTAssertEqual(outcome.applied[0]?.position.line, 7)
        XCTAssertTrue(outcome.warnings.isEmpty)
        XCTAssertTrue(outcome.reactivated.isEmpty)
    }

    // MARK: Configuration errors with file:line:column

    func testMissingReasonApproverExpiresAreConfigErrors() throws {
        let cases: [(drop: String, code: String)] = [
            ("reason", "waiver.missing-reason"), ("approver", "waiver.missing-approver"), ("expires", "waiver.missing-expires"),
            ("created", "waiver.missing-created"),
        ]
        for c in cases {
            let lines = ("# Ausnahmen\n" + entry(fingerprint: fp1) + entry(fingerprint: fp2))
                .split(separator: "\n", omittingEmptySubsequences: false)
            // Drop the key from the second entry (lines 8…14).
            let kept = lines.enumerated().filter { !($0.offset >= 7 && $0.element.hasPrefix("  \(c.drop):")) }.map(\.element)
            XCTAssertThrowsError(try WaiverSet.parse(kept.joined(separator: "\n"), file: "ausnahmen.yaml"), c.drop) { error in
                guard let e = error as? ConfigError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.code, c.code)
                XCTAssertEqual(e.position.description, "ausnahmen.yaml:8:3", "points at the second entry")
                XCTAssertTrue(e.text(.de).contains(c.drop))
            }
        }
    }

    func testEmptyReasonPointsAtKeyAndNoMatchIsError() throws {
        let empty = entry(fingerprint: fp1).replacingOccurrences(of: "\"Testexport, keine echten Daten\"", with: "\"  \"")
        XCTAssertThrowsError(try WaiverSet.parse(empty, file: "w.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.position.description, "w.yaml:3:3")
            XCTAssertEqual((error as? ConfigError)?.code, "waiver.empty-reason")
        }
        XCTAssertThrowsError(try WaiverSet.parse(entry(), file: "w.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "waiver.no-match")
            XCTAssertEqual((error as? ConfigError)?.position.description, "w.yaml:1:3")
        }
        XCTAssertThrowsError(try WaiverSet.parse(entry(match: "    file: \"*\"\n"), file: "w.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "waiver.too-broad")
        }
        XCTAssertThrowsError(try WaiverSet.parse(entry(fingerprint: fp1) + "  colour: blue\n", file: "w.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "yaml.unknown-key")
            XCTAssertEqual((error as? ConfigError)?.position.description, "w.yaml:7:3")
        }
    }

    func testCommentOnlyFileIsEmpty() throws {
        XCTAssertEqual(try WaiverSet.parse(WaiverFile.header, file: "w.yaml").waivers.count, 0)
        let outcome = try WaiverSet.parse("", file: "w.yaml").apply(to: [makeFinding()], now: 0)
        XCTAssertEqual(outcome.applied.count, 1)
        XCTAssertNil(outcome.applied[0])
    }

    // MARK: Validity limit, rule ids, scope

    func code(_ text: String, limits: WaiverLimits = WaiverLimits(), clock: Int64? = nil) -> String? {
        do {
            _ = try WaiverSet.parse(text, file: "w.yaml", limits: limits, clock: clock)
            return nil
        } catch let e as ConfigError {
            return e.code
        } catch {
            return "\(error)"
        }
    }

    func testExpiresAtMostTwelveMonthsAfterCreated() throws {
        // created 2025-01-15: through the end of 2026-01-15 (Berlin).
        XCTAssertNil(code(entry(fingerprint: fp1, expires: "2026-01-15")))
        XCTAssertNil(code(entry(fingerprint: fp1, expires: "2026-01-15T22:59:59Z")))
        XCTAssertEqual(code(entry(fingerprint: fp1, expires: "2026-01-16")), "waiver.expires-too-late")
        XCTAssertEqual(code(entry(fingerprint: fp1, expires: "2026-01-15T23:00:01Z")), "waiver.expires-too-late")
        XCTAssertEqual(code(entry(fingerprint: fp1, expires: "9999-12-31")), "waiver.expires-too-late")
        XCTAssertThrowsError(try WaiverSet.parse(entry(fingerprint: fp1, expires: "9999-12-31"), file: "w.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.position.description, "w.yaml:6:12", "points at the expiry")
        }
        // Configurable; a day the target month lacks becomes its last day.
        let six = WaiverLimits(maxValidityMonths: 6)
        XCTAssertNil(code(entry(fingerprint: fp1, expires: "2025-07-15"), limits: six))
        XCTAssertEqual(code(entry(fingerprint: fp1, expires: "2025-07-16"), limits: six), "waiver.expires-too-late")
        let one = WaiverLimits(maxValidityMonths: 1)
        let jan31 = entry(fingerprint: fp1, expires: "2025-02-28").replacingOccurrences(of: "created: 2025-01-15", with: "created: 2025-01-31")
        XCTAssertNil(code(jan31, limits: one))
        XCTAssertEqual(code(jan31.replacingOccurrences(of: "2025-02-28", with: "2025-03-01"), limits: one), "waiver.expires-too-late")
        XCTAssertEqual(WaiverLimits(maxValidityMonths: 12).latestExpiry(created: epoch("2024-02-28T23:00:00Z")),
                       epoch("2025-03-01T00:00:00+01:00"), "29 Feb 2024 + 12 months = end of 28 Feb 2025")
    }

    func testCreatedInTheFutureIsRefusedAgainstTheClock() {
        let text = entry(fingerprint: fp1, expires: "2025-06-30")
        XCTAssertNil(code(text, clock: epoch("2025-01-15T00:00:00+01:00")))
        XCTAssertEqual(code(text, clock: epoch("2025-01-14T23:59:59+01:00")), "waiver.created-in-future")
    }

    func testRuleIsOneExistingIDNeverAPattern() throws {
        for rule in ["\"*\"", "\"TW1*\"", "\"TW10[0-9]\"", "\"TW105, TW106\"", "\"[TW105]\""] {
            XCTAssertThrowsError(try WaiverSet.parse(entry(rule: rule, fingerprint: fp1), file: "w.yaml"), rule) { error in
                XCTAssertEqual((error as? ConfigError)?.code, "waiver.rule-pattern", rule)
                XCTAssertEqual((error as? ConfigError)?.position.description, "w.yaml:1:9", rule)
            }
        }
        let set = try WaiverSet.parse(entry(fingerprint: fp1) + entry(rule: "TW999", fingerprint: fp2), file: "w.yaml")
        XCTAssertNoThrow(try set.checkRules(known: ["TW105", "TW999"]))
        XCTAssertThrowsError(try set.checkRules(known: ["tw105", "TW106"])) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "waiver.unknown-rule")
            XCTAssertEqual((error as? ConfigError)?.position.description, "w.yaml:7:9")
        }
    }

    func testBroadScopeNeedsADifferentSecondApprover() {
        let broad = entry(fingerprint: fp1).replacingOccurrences(of: "  created:", with: "  scope: broad\n  created:")
        XCTAssertEqual(code(broad), "waiver.missing-second_approver")
        XCTAssertNil(code(broad.replacingOccurrences(of: "  created:", with: "  second_approver: \"Leitung\"\n  created:")))
        XCTAssertEqual(code(broad.replacingOccurrences(of: "  created:", with: "  second_approver: \" dsb   jobcenter\"\n  created:")),
                       "waiver.same-approver")
        XCTAssertEqual(code(entry(fingerprint: fp1).replacingOccurrences(of: "  created:", with: "  scope: wide\n  created:")),
                       "waiver.scope")
    }

    // MARK: Breadth by effect

    let now = epoch("2025-03-01T00:00:00Z")

    func findings(_ n: Int, rule: String = "TW105", file: (Int) -> String = { _ in "/data/a.csv" },
                  severity: (Int) -> Severity = { _ in .high }) -> [Finding] {
        (0..<n).map { i in
            makeFinding(rule: rule, fingerprint: hex32(i + 1), file: file(i), line: i + 2, severity: severity(i))
        }
    }

    func hex32(_ n: Int) -> String {
        let h = String(n, radix: 16)
        return String(repeating: "0", count: 32 - h.count) + h
    }

    func broadEntry(rule: String = "TW105", file: String = "*[a-z]*", second: Bool = true) -> String {
        var t = entry(rule: rule, match: "    file: \"\(file)\"\n")
        t = t.replacingOccurrences(of: "  created:", with: "  scope: broad\n" + (second ? "  second_approver: \"Leitung\"\n" : "") + "  created:")
        return t
    }

    func testMoreThanMaxMatchesIsRefusedAndCoversNothing() throws {
        let set = try WaiverSet.parse(entry(match: "    file: \"*.csv\"\n"), file: "w.yaml")
        let at = set.apply(to: findings(20), now: now)
        XCTAssertEqual(at.waivedCount, 20, "exactly at the limit")
        XCTAssertTrue(at.refused.isEmpty)
        let over = set.apply(to: findings(21), now: now)
        XCTAssertEqual(over.waivedCount, 0)
        XCTAssertEqual(over.refused.map(\.code), ["waiver.too-many-matches"])
        XCTAssertEqual(over.refused[0].position.description, "w.yaml:1:3")
        XCTAssertTrue(over.refused[0].message.en.contains("21"))
        // Configurable.
        let five = set.apply(to: findings(6), now: now, limits: WaiverLimits(maxMatches: 5))
        XCTAssertEqual(five.refused.map(\.code), ["waiver.too-many-matches"])
        // An expired waiver covers nothing anyway: not refused, the findings reopen.
        let expired = set.apply(to: findings(21), now: epoch("2025-07-01T00:00:00Z"))
        XCTAssertTrue(expired.refused.isEmpty)
        XCTAssertEqual(expired.reactivated.count, 21)
        // Declared broad with a second approver: allowed.
        let broad = try WaiverSet.parse(broadEntry(file: "*.csv"), file: "w.yaml").apply(to: findings(50), now: now)
        XCTAssertEqual(broad.waivedCount, 50)
        XCTAssertTrue(broad.refused.isEmpty)
    }

    func testMatchingEveryFileWithFindingsIsRefused() throws {
        let set = try WaiverSet.parse(entry(match: "    file: \"[!x]*\"\n"), file: "w.yaml")
        let two = findings(4, file: { "/data/\($0 % 2).csv" })
        let outcome = set.apply(to: two, now: now)
        XCTAssertEqual(outcome.refused.map(\.code), ["waiver.every-file"])
        XCTAssertEqual(outcome.waivedCount, 0)
        // A third file with findings of another rule: the waiver no longer spans every file.
        let three = two + [makeFinding(rule: "TW201", fingerprint: fp2, file: "/data/doku.xml")]
        XCTAssertTrue(set.apply(to: three, now: now).refused.isEmpty)
        XCTAssertEqual(set.apply(to: three, now: now).waivedCount, 4)
        // One file only: not "every file" (nothing to compare with).
        XCTAssertTrue(set.apply(to: findings(4), now: now).refused.isEmpty)
    }

    func testCriticalNeedsANarrowFingerprintWaiver() throws {
        let mixed = findings(3, severity: { $0 == 1 ? .critical : .high })
        let byGlob = try WaiverSet.parse(entry(match: "    file: \"*.csv\"\n"), file: "w.yaml").apply(to: mixed, now: now)
        XCTAssertEqual(byGlob.refused.map(\.code), ["waiver.critical-needs-fingerprint"])
        XCTAssertEqual(byGlob.waivedCount, 0, "refused: covers nothing, not even the high ones")
        // The fingerprint of the critical finding, narrow: covered.
        let byPrint = try WaiverSet.parse(entry(fingerprint: mixed[1].fingerprint), file: "w.yaml").apply(to: mixed, now: now)
        XCTAssertTrue(byPrint.refused.isEmpty)
        XCTAssertNotNil(byPrint.applied[1])
        // A broad waiver with a second approver covers the others, never the critical one.
        let broad = try WaiverSet.parse(broadEntry(file: "*.csv"), file: "w.yaml").apply(to: mixed, now: now)
        XCTAssertTrue(broad.refused.isEmpty)
        XCTAssertNotNil(broad.applied[0])
        XCTAssertNil(broad.applied[1])
        XCTAssertNotNil(broad.applied[2])
        XCTAssertEqual(broad.warnings.map(\.kind), [.criticalNotWaived(finding: mixed[1].locator, fingerprint: mixed[1].fingerprint)])
        XCTAssertTrue(broad.warnings[0].text(.en).contains("critical"))
        // Not even a broad waiver that names the fingerprint.
        let broadPrint = try WaiverSet.parse(entry(fingerprint: mixed[1].fingerprint).replacingOccurrences(
            of: "  created:", with: "  scope: broad\n  second_approver: \"Leitung\"\n  created:"), file: "w.yaml").apply(to: mixed, now: now)
        XCTAssertNil(broadPrint.applied[1])
    }

    /// One refused entry: the whole file does not apply. The acceptable narrow entry covers nothing
    /// either, and the expired and unmatched entries give no warnings (nothing was applied).
    func testOneRefusedEntryMakesTheWholeFileNotApply() throws {
        let narrow = entry(fingerprint: hex32(3))
        let text = narrow + entry(match: "    file: \"*.csv\"\n") + entry(fingerprint: hex32(4), expires: "2025-02-28")
            + entry(rule: "TW201", fingerprint: fp2)
        let all = findings(25)
        let outcome = try WaiverSet.parse(text, file: "w.yaml").apply(to: all, now: now)
        XCTAssertEqual(outcome.refused.map(\.code), ["waiver.too-many-matches"])
        XCTAssertEqual(outcome.refused[0].position.description, "w.yaml:7:3")
        XCTAssertFalse(outcome.fileApplies)
        XCTAssertEqual(outcome.applied.count, all.count)
        XCTAssertEqual(outcome.waivedCount, 0)
        XCTAssertTrue(outcome.warnings.isEmpty, "\(outcome.warnings.map { $0.text(.en) })")
        XCTAssertTrue(outcome.reactivated.isEmpty)
        // Without the refused entry the same file applies: the narrow one covers its finding, the
        // expired one reopens its finding, the TW201 one is unmatched.
        let fine = try WaiverSet.parse(narrow + entry(fingerprint: hex32(4), expires: "2025-02-28") + entry(rule: "TW201", fingerprint: fp2),
                                       file: "w.yaml").apply(to: all, now: now)
        XCTAssertTrue(fine.fileApplies)
        XCTAssertEqual(fine.waivedCount, 1)
        XCTAssertEqual(fine.applied[2]?.position.line, 1)
        XCTAssertEqual(fine.reactivated, [3])
        XCTAssertEqual(fine.warnings.count, 2)
    }

    func testLoadMissingFileIsConfigError() {
        XCTAssertThrowsError(try WaiverSet.load(path: "/nonexistent/trennwand-waivers.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "waiver.unreadable")
        }
    }
}
