import XCTest
@testable import TrennwandEngine
import TrennwandRecords

/// Reference-table lookups with validity intervals, consent coverage, agreements, gaps.
final class ExpressionReferenceTests: XCTestCase {
    typealias F = Fixture

    func access(_ actor: String, at time: String, traeger: String = "awo", subject: String = "TN-1",
                category: String = "beratung.schulden") -> [String: Value] {
        ["time": F.t(time), "actor": F.s(actor), "system": F.s("coSach"), "action": F.s("read"),
         "traeger": F.s(traeger), "subject": F.s(subject), "category": F.s(category)]
    }

    let seconded = #"exists secondments(person == actor and traeger == traeger) at time"#

    func testSecondmentValidityInterval() throws {
        XCTAssertEqual(try F.eval(seconded, access("jc.mueller", at: "2025-03-04T10:00")), .true, "inside")
        XCTAssertEqual(try F.eval(seconded, access("jc.mueller", at: "2024-12-31T23:00")), .false, "before start")
        XCTAssertEqual(try F.eval(seconded, access("jc.mueller", at: "2025-07-01T08:00")), .false, "after end")
        XCTAssertEqual(try F.eval(seconded, access("jc.mueller", at: "2025-06-30T23:59")), .true, "end is inclusive")
        XCTAssertEqual(try F.eval(seconded, access("jc.weber", at: "2030-01-01T08:00")), .true, "open end")
        XCTAssertEqual(try F.eval(seconded, access("jc.weber", at: "2025-02-28T08:00")), .false, "open end, before start")
        XCTAssertEqual(try F.eval(seconded, access("jc.unbekannt", at: "2025-03-04T10:00")), .false, "unknown person")
        XCTAssertEqual(try F.eval(#"not exists secondments(person == actor) at time"#, access("jc.weber", at: "2025-02-01T08:00")), .true)
        XCTAssertEqual(try F.eval(#"exists secondments(person == actor at time)"#, access("jc.weber", at: "2025-04-01T08:00")), .true)
    }

    func testExistsWithMissingKeyIsFalseLikeSQL() throws {
        var fields = access("jc.mueller", at: "2025-03-04T10:00")
        fields["traeger"] = nil
        XCTAssertEqual(try F.eval(seconded, fields), .false)
        XCTAssertEqual(try F.eval(#"secondments(person == actor and traeger == traeger).instrument == "Abordnung""#, fields), .unknown)
    }

    func testValueLookupTakesFirstRowAndAtInsideParentheses() throws {
        XCTAssertEqual(try F.eval(#"staff(person == actor).org == "jobcenter""#, access("jc.mueller", at: "2025-03-04T10:00")), .true)
        XCTAssertEqual(try F.eval(#"secondments(person == actor at time).instrument == "Abordnung""#, access("jc.mueller", at: "2025-03-04T10:00")), .true)
        XCTAssertEqual(try F.eval(#"secondments(person == actor).instrument == "Abordnung""#, access("jc.mueller", at: "2025-08-04T10:00")), .true,
                       "without at, validity is not checked")
        XCTAssertEqual(try F.eval(#"secondments(person == actor).instrument at time == "Abordnung""#, access("jc.mueller", at: "2025-08-04T10:00")), .unknown,
                       "trailing at binds to the lookup")
        XCTAssertEqual(try F.eval(#"secondments(person == actor at time).instrument == "Abordnung""#, access("jc.mueller", at: "2025-08-04T10:00")), .unknown)
        XCTAssertEqual(try F.eval(#"present(secondments(person == actor at time).end)"#, access("jc.weber", at: "2025-08-04T10:00")), .false)
    }

    /// Records as lookup tables: an access record naming an entry resolves it like a reference row.
    func testDocumentationLookupByEntryWithValidityFromItsDate() throws {
        var fields = access("tr.schmidt", at: "2025-03-04T10:00")
        fields["entry"] = F.s("V-1")
        XCTAssertEqual(try F.eval(#"documentation(record_id == entry).subject == "TN-1""#, fields), .true, "first row in table order")
        XCTAssertEqual(try F.eval(#"documentation(record_id == entry).visibility == "team""#, fields), .true)
        XCTAssertEqual(try F.eval(#"participants(participant == documentation(record_id == entry).subject).counselors contains actor"#, fields), .true)
        XCTAssertEqual(try F.eval(#"exists documentation(record_id == entry) at time"#, fields), .true)
        fields["time"] = F.t("2025-02-01T10:00")
        XCTAssertEqual(try F.eval(#"exists documentation(record_id == entry) at time"#, fields), .false, "before the entry's date")
        XCTAssertEqual(try F.eval(#"exists documentation(record_id == entry)"#, fields), .true, "without at, the date is not checked")
        fields["entry"] = F.s("V-404")
        XCTAssertEqual(try F.eval(#"documentation(record_id == entry).visibility == "all""#, fields), .unknown, "a miss is unknown")
        XCTAssertEqual(ReferenceTables.validity(of: .documentation)?.names.0, "time")
        XCTAssertNil(ReferenceTables.validity(of: .documentation)?.end)
    }

    func testDocumentationRulesCannotLookUpEntries() {
        XCTAssertThrowsError(try F.compile(#"documentation(record_id == record_id).visibility == "all""#, .documentation))
        XCTAssertNoThrow(try F.compile(#"documentation(record_id == entry).visibility == "all""#, .access))
    }

    func testConsentCoversCategoryThroughTaxonomyAncestors() throws {
        let consent = #"exists consents(participant == subject and categories covers category and direction == "traeger->jobcenter") at time"#
        XCTAssertEqual(try F.eval(consent, access("x", at: "2025-03-01T10:00", subject: "TN-1", category: "beratung.schulden")), .true, "ancestor")
        XCTAssertEqual(try F.eval(consent, access("x", at: "2025-03-01T10:00", subject: "TN-1", category: "beratung")), .true, "exact")
        XCTAssertEqual(try F.eval(consent, access("x", at: "2025-03-01T10:00", subject: "TN-1", category: "gesundheit")), .false, "other")
        XCTAssertEqual(try F.eval(consent, access("x", at: "2025-06-01T10:00", subject: "TN-1")), .false, "revoked")
        XCTAssertEqual(try F.eval(consent, access("x", at: "2025-01-01T10:00", subject: "TN-1")), .false, "not yet given")
        XCTAssertEqual(try F.eval(consent, access("x", at: "2025-03-01T10:00", subject: "TN-2", category: "beratung")), .false,
                       "a consent for a child does not cover the parent")
        XCTAssertEqual(try F.eval(#"exists consents(categories covers category)"#, access("x", at: "2025-03-01T10:00", category: "beratung.schulden")), .true,
                       "covers as the only (index) term probes the ancestors")
    }

    func testAgreementPermits() throws {
        let permits = { (traeger: String, category: String, time: String) -> Tri in
            try F.eval(#"agreement_permits(traeger, "traeger->jobcenter", category) at time"#,
                       self.access("x", at: time, traeger: traeger, category: category))
        }
        XCTAssertEqual(try permits("awo", "beratung.schulden", "2025-03-01T10:00"), .true, "ancestor in permitted_flows")
        XCTAssertEqual(try permits("awo", "beratung", "2025-03-01T10:00"), .true)
        XCTAssertEqual(try permits("awo", "gesundheit", "2025-03-01T10:00"), .false, "category not permitted")
        XCTAssertEqual(try permits("awo", "beratung", "2026-03-01T10:00"), .false, "after valid_to")
        XCTAssertEqual(try permits("awo", "beratung", "2024-03-01T10:00"), .false, "before valid_from")
        let jt = #"agreement_permits(traeger, "jobcenter->traeger", "vermittlung") at time"#
        XCTAssertEqual(try F.eval(jt, access("x", at: "2025-03-01T10:00", traeger: "caritas")), .false, "not approved by the Leitung")
        XCTAssertEqual(try F.eval(jt, access("x", at: "2025-03-01T10:00", traeger: "diakonie")), .false, "blank legal basis")
        XCTAssertEqual(try F.eval(jt, access("x", at: "2025-03-01T10:00", traeger: "unbekannt")), .false, "no agreement")
        XCTAssertEqual(try F.eval(jt, access("x", at: "2030-03-01T10:00", traeger: "awo")), .false)
    }

    func testLookupMissIsReportedAsConfigurationGap() throws {
        let c = try F.compile(#"staff(person == actor).org == "traeger" and system_owner == "jobcenter""#)
        let ctx = EvalContext(environment: F.env())!
        var r = F.record(.access, access("jc.neu", at: "2025-03-04T10:00"))
        r["system_owner"] = F.s("jobcenter")
        ctx.reset(record: r)
        let (result, gaps) = c.evaluateWithGaps(ctx)
        XCTAssertEqual(result, .unknown)
        XCTAssertEqual(gaps.count, 1)
        XCTAssertEqual(gaps.first?.kind, .lookupMiss)
        XCTAssertEqual(gaps.first?.table, "staff")
        XCTAssertEqual(gaps.first?.key, "jc.neu")
        XCTAssertEqual(gaps.first?.position.description, "rules/t.yml:1:1")
        r["actor"] = F.s("tr.schmidt")
        ctx.reset(record: r)
        XCTAssertEqual(c.evaluateWithGaps(ctx).result, .true)
        XCTAssertTrue(ctx.gaps.isEmpty)
    }

    func testUnmappedCategoryAndBadScheduleAreGaps() throws {
        let ctx = EvalContext(environment: F.env())!
        var r = F.record(.access, access("jc.kaputt", at: "2025-03-04T10:00", category: "unbekannt"))
        ctx.reset(record: r)
        let m = try F.compile(#"matrix("jobcenter->traeger", category) == "forbidden""#)
        XCTAssertEqual(m.evaluateWithGaps(ctx).result, .unknown)
        XCTAssertEqual(ctx.gaps.map(\.kind), [.unmappedCategory])
        let s = try F.compile(#"within_schedule(time, secondments(person == actor).schedule)"#)
        r["category"] = F.s("stamm")
        ctx.reset(record: r)
        XCTAssertEqual(s.evaluateWithGaps(ctx).result, .unknown)
        XCTAssertEqual(ctx.gaps.map(\.kind), [.invalidSchedule])
    }

    func testIndexesAreBuiltOnceAndShared() {
        let column = RecordSchema.staff.slot("person")!
        let a = F.reference.index(.staff, column: column)
        let b = F.reference.index(.staff, column: column)
        XCTAssertTrue(a === b)
        XCTAssertEqual(a.candidates("jc.mueller"), [0, 2])
        let roles = F.reference.index(.staff, column: RecordSchema.staff.slot("roles")!)
        XCTAssertEqual(roles.candidates("leistung"), [0])
        XCTAssertEqual(ReferenceTables.validity(of: .consents)?.names.0, "given")
        XCTAssertNil(ReferenceTables.validity(of: .staff))
    }
}
