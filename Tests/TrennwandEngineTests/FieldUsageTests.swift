import XCTest
@testable import TrennwandEngine
import TrennwandFindings
import TrennwandRecords

/// The missing-field analysis behind docs/fields.md and `profiles check` agrees with the compiled
/// conditions: whenever it says a rule cannot fire without a field, no record without that field
/// makes the real closure return true; and where it says the rule still decides, one does.
final class FieldUsageTests: XCTestCase {
    /// Candidate values per field: enough to make each test condition true and false.
    static let pool: [String: [Value]] = [
        "actor_org": [Fixture.s("traeger"), Fixture.s("jobcenter")],
        "actor_role": [Fixture.s("leistung"), Fixture.s("Praktikum")],
        "action": [Fixture.s("read"), Fixture.s("login")],
        "subject": [Fixture.s("TN-1"), Fixture.s("TN-9")],
        "category": [Fixture.s("stamm"), Fixture.s("beratung")],
        "actor": [Fixture.s("tr.schmidt"), Fixture.s("tr.other")],
    ]

    static let conditions = [
        #"actor_org == "traeger" and not (actor_role in @leistungsrollen)"#,
        #"action == "read" and (missing(subject) or category == "stamm")"#,
        #"action == "read" or subject == "TN-1""#,
        #"not (participants(participant == subject).counselors contains actor) and category within "beratung""#,
        #"action == "read" and not exists participants(participant == subject)"#,
        #"not present(category)"#,
    ]

    /// Every assignment of pool values (or missing) to `fields`, with `absent` always missing.
    static func records(_ fields: [String], absent: Set<String>) -> [[String: Value]] {
        var out: [[String: Value]] = [[:]]
        for f in fields where !absent.contains(f) {
            out = out.flatMap { r in (pool[f] ?? []).map { v in r.merging([f: v]) { a, _ in a } } + [r] }
        }
        return out
    }

    func testAnalysisMatchesEvaluation() throws {
        for text in Self.conditions {
            let c = try Fixture.compile(text)
            let fields = c.fieldsRead
            let ctx = try XCTUnwrap(EvalContext(environment: Fixture.env()))
            XCTAssertFalse(fields.isEmpty, text)
            for f in fields {
                let predicted = FieldUsage.outcomes([c.checked], kind: .access, missing: [FieldKey(.access, f)])
                var seen: Set<Tri> = []
                for r in Self.records(fields, absent: [f]) {
                    ctx.reset(record: Fixture.record(.access, r))
                    seen.insert(c.evaluate(ctx))
                }
                for t in seen {
                    XCTAssertTrue(predicted.contains(TriSet(t)), "\(text) without \(f): evaluates to \(t), analysis says \(predicted.members)")
                }
                // With these pools every condition can fire when the rule still decides without the field.
                XCTAssertEqual(predicted.contains(.true), seen.contains(.true), "\(text) without \(f)")
            }
        }
    }

    func testNeededAndOptionalFields() throws {
        func outcomes(_ text: String, _ missing: String...) throws -> TriSet {
            FieldUsage.outcomes([try Fixture.compile(text).checked], kind: .access, missing: Set(missing.map { FieldKey(.access, $0) }))
        }
        // A negated membership of a missing role is unknown (the other conjunct may still be false):
        // never true, so the rule is blind without actor_role.
        XCTAssertEqual(try outcomes(Self.conditions[0], "actor_role"), [.false, .unknown])
        // An `or` keeps deciding without one side, not without both.
        XCTAssertTrue(try outcomes(Self.conditions[2], "subject").contains(.true))
        XCTAssertFalse(try outcomes(Self.conditions[2], "subject", "action").contains(.true))
        // `exists` without its key is false, so `not exists` fires.
        XCTAssertTrue(try outcomes(Self.conditions[4], "subject").contains(.true))
        // The reference column: without participants.counselors the value lookup is missing.
        let lookup = try Fixture.compile(Self.conditions[3])
        XCTAssertEqual(FieldUsage.outcomes([lookup.checked], kind: .access, missing: [FieldKey(.participants, "counselors")]), [.false, .unknown])
        // Without the key the `exists` lookup is false, not unknown: the rule never fires.
        XCTAssertEqual(try outcomes(#"exists participants(participant == subject)"#, "subject"), .false)
    }

    /// The analysis against the engine on the shipped rules: every match example fires as written,
    /// and for every field the analysis says a rule needs, the same example with that field
    /// removed (from its records, or from its reference rows) no longer fires.
    func testNeededFieldsSilenceShippedMatchExamples() throws {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        XCTAssertTrue(set.errors.isEmpty, "\(set.errors.map { $0.text(.en) })")
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let zone = try XCTUnwrap(ZoneConverter(identifier: policy.timeZone))
        let pseudonymizer = Pseudonymizer(key: PseudonymKey(bytes: Array("field-usage-test-key".utf8), origin: "field usage test"))
        let (pack, errors) = CompiledRulePack.compile(set, policy: policy, reference: .empty)
        XCTAssertTrue(errors.isEmpty)
        let usages = Dictionary(FieldUsage.of(pack).map { ($0.ruleID, $0) }, uniquingKeysWith: { a, _ in a })

        func fires(_ rule: RuleFile, _ records: [Record], _ tables: [RecordKind: [Record]]) throws -> Bool {
            let (single, errors) = CompiledRulePack.compile(RuleSet(rules: [rule], errors: [], hash: set.hash), policy: policy,
                                                            reference: ReferenceTables(tables))
            XCTAssertTrue(errors.isEmpty, rule.id)
            let evaluator = try RuleEvaluator(pack: single, pseudonymizer: pseudonymizer)
            var fired = false
            for r in records {
                evaluator.evaluate(r) { f in if f.ruleID == rule.id && f.findingClass == rule.findingClass { fired = true } }
            }
            evaluator.finish { f in if f.ruleID == rule.id { fired = true } }
            return fired
        }

        var checked = 0
        for rule in set.rules {
            let usage = try XCTUnwrap(usages[rule.id], rule.id)
            let kind = rule.target.kind
            for example in rule.examples where example.shouldMatch {
                let at = "\(rule.id) example at line \(example.position.line)"
                let records = try example.records.enumerated().map { try ExampleRecords.record($1, kind: kind, zone: zone, index: $0 + 1) }
                var tables: [RecordKind: [Record]] = [:]
                for (k, rows) in example.reference {
                    tables[k] = try rows.enumerated().map { try ExampleRecords.record($1, kind: k, zone: zone, index: $0 + 1) }
                }
                XCTAssertTrue(try fires(rule, records, tables), at)
                for read in usage.reads where read.required {
                    let slot = try XCTUnwrap(read.field.kind.schema.slot(read.field.name), "\(read.field)")
                    func without(_ rs: [Record]) -> [Record] {
                        rs.map { r in
                            var r = r
                            if r.kind == read.field.kind { r.values[slot] = .missing }
                            return r
                        }
                    }
                    let fired = try fires(rule, read.field.kind == kind ? without(records) : records, tables.mapValues(without))
                    XCTAssertFalse(fired, "\(at) still fires without \(read.field), analysis: \(read.whenMissing)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 50)
    }
}
