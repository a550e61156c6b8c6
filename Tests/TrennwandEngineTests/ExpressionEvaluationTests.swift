import XCTest
@testable import TrennwandEngine
import TrennwandRecords

final class ExpressionEvaluationTests: XCTestCase {
    typealias F = Fixture

    /// A Jobcenter user reading social data in VerBIS on Tuesday 2025-03-04 10:00 (Berlin).
    static let access: [String: Value] = [
        "time": F.t("2025-03-04T10:00"), "actor": F.s("jc.mueller"), "actor_org": F.s("jobcenter"),
        "actor_role": F.s("leistung"), "system": F.s("VerBIS"), "system_owner": F.s("jobcenter"),
        "action": F.s("read"), "category": F.s("sozial.leistung"), "traeger": F.s("awo"), "subject": F.s("TN-1"),
    ]

    func check(_ cases: [(String, Tri)], _ fields: [String: Value] = access, kind: RecordKind = .access,
               file: StaticString = #filePath, line: UInt = #line) {
        for (cond, expected) in cases {
            do {
                let value = try F.eval(cond, fields, kind: kind)
                XCTAssertEqual(value, expected, cond, file: file, line: line)
            } catch {
                XCTFail("\(cond): \(error)", file: file, line: line)
            }
        }
    }

    func testComparisonsAndSymbols() {
        check([
            (#"actor_org == "jobcenter""#, .true),
            (#"actor_org != "jobcenter""#, .false),
            (#""jobcenter" == actor_org"#, .true),
            (#"actor_org == system_owner"#, .true),
            (#"actor == "jc.mueller" and action == "read""#, .true),
            (#"actor > "ja" and actor <= "jc.mueller""#, .true),
        ])
    }

    func testMissingValuesAreUnknown() {
        check([
            (#"destination_org == "traeger""#, .unknown),
            (#"not (destination_org == "traeger")"#, .unknown),
            (#"destination_org == "traeger" and actor_org == "traeger""#, .false),
            (#"destination_org == "traeger" or actor_org == "jobcenter""#, .true),
            (#"channel in ["email"]"#, .unknown),
            (#"channel not in ["email"]"#, .unknown),
            (#"present(destination)"#, .false),
            (#"missing(destination)"#, .true),
            (#"present(actor)"#, .true),
        ])
    }

    func testListsAndCategories() {
        check([
            (#"actor_role in @leistungsrollen"#, .true),
            (#"actor_role not in ["coach", "pap"]"#, .true),
            (#"action in ["read", "search", "export", "print", "download", "send", "login"]"#, .true),
            (#"category within "sozial""#, .true),
            (#"category within "gesundheit""#, .false),
            (#"category within "sozial.leistung""#, .true),
            (#"category in ["sozial.leistung", "sozial.bg"]"#, .true),
        ])
    }

    func testStringPredicates() {
        check([
            (#"actor startswith "jc.""#, .true),
            (#"actor istartswith "JC.""#, .true),
            (#"actor startswith "JC.""#, .false),
            (#"actor endswith "ller""#, .true),
            (#"system icontains "verb""#, .true),
            (#"system contains "verb""#, .false),
            (#"lower(system) == "verbis""#, .true),
            (#"lower("ÄRZTLICHES") == "ärztliches""#, .true),
            (#"destination contains "x""#, .unknown),
        ])
    }

    func testTimeFunctions() {
        check([
            (#"hour(time) == 10"#, .true),
            (#"hour(time) >= 8 and hour(time) < 17"#, .true),
            (#"weekday(time) == 2"#, .true),
            (#"date(time) == "2025-03-04""#, .true),
            (#"time > "2025-03-01""#, .true),
            (#"time < "2025-03-04T09:00Z""#, .false),
            (#"time - "2025-03-01" > 3d"#, .true),
            (#"time - "2025-03-01" > 4d"#, .false),
            (#"time - 8h < "2025-03-04T02:01""#, .true),
            (#"1d + 12h == 36h"#, .true),
            (#"within_schedule(time, "Mo-Fr 08:00-16:30")"#, .true),
            (#"within_schedule(time, "Sa,So 00:00-24:00")"#, .false),
            (#"within_schedule(time, "Mo,Mi 08:00-12:00; Di 13:00-17:00")"#, .false),
        ])
    }

    func testLocalTimeFollowsSummerTime() {
        var summer = Self.access
        summer["time"] = F.t("2025-07-06T23:30")  // Sunday in Berlin, Sunday 21:30 UTC
        check([
            (#"hour(time) == 23"#, .true),
            (#"weekday(time) == 7"#, .true),
            (#"date(time) == "2025-07-06""#, .true),
            (#"time == "2025-07-06T21:30Z""#, .true),
            (#"within_schedule(time, "So 23:00-24:00")"#, .true),
        ], summer)
    }

    func testLookupsMatrixAndAgreements() {
        check([
            (#"exists secondments(person == actor and traeger == traeger) at time"#, .true),
            (#"exists secondments(person == actor and traeger == "caritas") at time"#, .false),
            (#"within_schedule(time, secondments(person == actor).schedule)"#, .true),
            (#"staff(person == actor).org == "jobcenter""#, .true),
            (#""leistung" in staff(person == actor).roles"#, .true),
            (#"matrix("jobcenter->traeger", category) == "forbidden""#, .true),
            (#"matrix(direction(actor_org, destination_org), category) == "forbidden""#, .unknown),
            (#"matrix(direction("jobcenter", "traeger"), "vermittlung") == "agreement""#, .true),
            (#"exists participants(participant == subject and counselors contains actor) at time"#, .true),
            (#"agreement_permits(traeger, "jobcenter->traeger", "vermittlung") at time"#, .true),
            (#"agreement_permits(traeger, "jobcenter->traeger", category) at time"#, .false),
        ])
    }

    func testConstantFoldingAndReordering() throws {
        XCTAssertEqual(try F.compile(#"true or actor == "x""#).constantValue, .true)
        XCTAssertEqual(try F.compile(#"1d > 2h and not false"#).constantValue, .true)
        XCTAssertNil(try F.compile(#"true and actor == "x""#).constantValue)
        let c = try F.compile(#"detects(text, "iban") and exists staff(person == author) and author_org == "traeger""#, .documentation)
        guard case .and(let xs) = c.checked else { return XCTFail("expected and") }
        guard case .compare = xs[0], case .exists = xs[1], case .builtin(let call) = xs[2], call.function == .detects else {
            return XCTFail("cheap operands must come first: \(xs)")
        }
    }

    func testDetectorsScanEachTextFieldOncePerRecord() throws {
        let counting = CountingDetectors(F.detectors)
        let env = F.env(.documentation, detectors: counting)
        let a = try CompiledCondition.compile(#"detects(text, "iban")"#, origin: F.origin, environment: env)
        let b = try CompiledCondition.compile(#"detects(text, any ["steuer_id", "sanktion"])"#, origin: F.origin, environment: env)
        let c = try CompiledCondition.compile(#"detects_category(text, "gesundheit")"#, origin: F.origin, environment: env)
        let d = try CompiledCondition.compile(#"detects_category(text, "sozial")"#, origin: F.origin, environment: env)
        let e = try CompiledCondition.compile(#"text icontains "iban""#, origin: F.origin, environment: env)
        let ctx = EvalContext(environment: env)!
        ctx.reset(record: F.record(.documentation, ["record_id": F.s("1"), "text": F.l("Kontakt", "IBAN DE00, Gutachten folgt")]))
        XCTAssertEqual([a, b, c, d, e].map { $0.evaluate(ctx) }, [.true, .false, .true, .false, .true])
        XCTAssertEqual(counting.scans, 1)
        XCTAssertEqual(b.detectorReferences, [DetectorReference(slot: RecordSchema.documentation.slot("text")!, field: "text", detectors: [0, 4])])
        XCTAssertEqual(ctx.detection(RecordSchema.documentation.slot("text")!)?.hits.map(\.piece), [1, 1])
        XCTAssertEqual(counting.scans, 1, "evidence comes from the cache")
        XCTAssertEqual(try F.compile(#"author_org == "traeger" and detects(text, "iban") and author != "x""#, .documentation).fieldsRead,
                       ["author_org", "author", "text"])
        ctx.reset(record: F.record(.documentation, ["record_id": F.s("2"), "text": F.s("Sanktion geprüft")]))
        XCTAssertEqual([a, b, c, d].map { $0.evaluate(ctx) }, [.false, .true, .false, .true])
        XCTAssertEqual(counting.scans, 2)
        ctx.reset(record: F.record(.documentation, ["record_id": F.s("3")]))
        XCTAssertEqual(a.evaluate(ctx), .unknown, "no text: unknown like SQL NULL")
        XCTAssertEqual(counting.scans, 2)
    }

    func testFlowListsAndCovers() {
        let flow: [String: Value] = [
            "flow_id": F.s("F1"), "from_org": F.s("traeger"), "to_org": F.s("jobcenter"),
            "categories": F.l("beratung.schulden", "teilnahme"), "encrypted": .bool(false),
        ]
        check([
            (#"categories within "beratung""#, .true),
            (#"categories covers "teilnahme""#, .true),
            (#"categories contains "teilnahme""#, .true),
            (#"categories contains "beratung""#, .false),
            (#"not encrypted"#, .true),
            (#"encrypted == false and from_org == "traeger""#, .true),
            (#"matrix(direction(from_org, to_org), "beratung.sucht") == "forbidden""#, .true),
            (#"present(legal_basis) or encrypted"#, .false),
        ], flow, kind: .flow)
    }

    func testThreeValuedTruthTable() throws {
        let t = #"actor_org == "jobcenter""#, f = #"actor_org == "traeger""#, u = #"destination_org == "traeger""#
        let values: [(String, Tri)] = [(t, .true), (f, .false), (u, .unknown)]
        for (a, ta) in values {
            XCTAssertEqual(try F.eval("not (\(a))", Self.access), !ta)
            for (b, tb) in values {
                let and = try F.eval("(\(a)) and (\(b))", Self.access)
                let or = try F.eval("(\(a)) or (\(b))", Self.access)
                XCTAssertEqual(and, Tri(rawValue: min(ta.rawValue, tb.rawValue)), "\(ta) and \(tb)")
                XCTAssertEqual(or, Tri(rawValue: max(ta.rawValue, tb.rawValue)), "\(ta) or \(tb)")
            }
        }
        XCTAssertEqual(Tri.unknown && .false, .false)
        XCTAssertEqual(Tri.unknown || .true, .true)
        XCTAssertEqual(!Tri.unknown, .unknown)
    }

    /// Evaluates 100k records with one compiled condition and one reused context: the closures
    /// resolve slots once, so the result only depends on the values.
    func testManyRecordsWithReusedContext() throws {
        let c = try F.compile(#"actor_org == "traeger" and system_owner == "jobcenter" and not (actor_role in @leistungsrollen) and hour(time) < 18"#)
        let ctx = EvalContext(environment: F.env())!
        var fired = 0, expected = 0
        let base = F.ts("2025-03-04T00:00")
        for i in 0..<100_000 {
            let org = i % 3 == 0 ? "traeger" : "jobcenter"
            let role = i % 5 == 0 ? "leistung" : "coach"
            let hour = i % 24
            let r = F.record(.access, ["time": .time(base + Int64(hour) * 3600), "actor": F.s("u\(i % 100)"), "actor_org": F.s(org),
                                       "system": F.s("VerBIS"), "system_owner": F.s("jobcenter"), "action": F.s("read"),
                                       "actor_role": F.s(role)])
            ctx.reset(record: r)
            if c.evaluate(ctx) == .true { fired += 1 }
            if org == "traeger" && role != "leistung" && hour < 18 { expected += 1 }
        }
        XCTAssertEqual(fired, expected)
        XCTAssertGreaterThan(fired, 0)
    }

    /// Compiled conditions and reference indexes are shared; each thread has its own context.
    func testConcurrentEvaluationWithPerThreadContexts() throws {
        let c = try F.compile(#"exists secondments(person == actor and traeger == traeger) at time and within_schedule(time, secondments(person == actor).schedule)"#)
        let env = F.env()
        let actors = ["jc.mueller", "jc.weber", "jc.unbekannt", "tr.schmidt"]
        let expected: [Tri] = [.true, .false, .false, .false]
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var mismatches = Array(repeating: -1, count: 8)
        }
        let results = Results()
        let base = Self.access
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let ctx = EvalContext(environment: env)!
            var mismatches = 0
            for i in 0..<5_000 {
                var fields = base
                fields["actor"] = F.s(actors[(i + worker) % 4])
                ctx.reset(record: F.record(.access, fields))
                if c.evaluate(ctx) != expected[(i + worker) % 4] { mismatches += 1 }
            }
            results.lock.lock()
            results.mismatches[worker] = mismatches
            results.lock.unlock()
        }
        XCTAssertEqual(results.mismatches, Array(repeating: 0, count: 8))
    }
}
