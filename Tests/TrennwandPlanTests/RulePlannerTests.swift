import TrennwandEngine
import TrennwandPlan
import TrennwandRecords
import TrennwandYAML
import XCTest

final class RulePlannerTests: XCTestCase {
    static let now: Int64 = 1_764_806_400  // 2025-12-04T00:00:00Z

    func loadPack() throws -> (RuleSet, PolicyData) {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        XCTAssertTrue(set.errors.isEmpty, "\(set.errors)")
        return (set, try PolicyData.load(rulesDirectory: TestPaths.rules.path))
    }

    /// Every shipped rule plans; none is left out.
    func testEveryShippedRulePlans() throws {
        let (set, policy) = try loadPack()
        let (plans, errors) = RulePlanner(policy: policy, now: Self.now).plan(set)
        XCTAssertEqual(errors.map { $0.text(.en) }, [])
        XCTAssertEqual(plans.map(\.ruleID), set.rules.map(\.id))
        XCTAssertGreaterThanOrEqual(plans.count, 32)
        for plan in plans {
            let text = PlanPrinter.text(plan)
            XCTAssertTrue(text.hasPrefix(plan.ruleID + "\n"), text)
            XCTAssertTrue(text.contains("scan \(plan.kind.rawValue) r"), text)
        }
    }

    /// The plan spells out lookups with validity, named lists, detectors as columns and aggregates.
    func testPlanShapes() throws {
        let (set, policy) = try loadPack()
        let planner = RulePlanner(policy: policy, now: Self.now)
        func plan(_ id: String) throws -> RulePlan { try planner.plan(set.rules.first { $0.id == id }!) }

        let tw102 = PlanPrinter.text(try plan("TW102"))
        XCTAssertTrue(tw102.contains("join secondments"), tw102)
        XCTAssertTrue(tw102.contains("valid at (t1.start ≤ t ≤ t1.end, missing bound open)"), tw102)
        XCTAssertTrue(tw102.contains("[never unknown]"), tw102)

        let tw201 = try plan("TW201")
        guard case .filter(let condition) = tw201.body else { return XCTFail("TW201 is a record rule") }
        var detectorNodes = 0
        func visit(_ e: PlanExpr) {
            switch e {
            case .and(let xs), .or(let xs): xs.forEach(visit)
            case .not(let x): visit(x)
            case .detectorFired(let text, let detectors, let names):
                detectorNodes += 1
                XCTAssertEqual(text.name, "text")
                XCTAssertEqual(detectors.name, "text__detectors")
                XCTAssertFalse(names.isEmpty)
                let expected = policy.detectors.detectors.filter { policy.taxonomy.isWithin($0.category, "kennung") }.map(\.name)
                XCTAssertEqual(names, expected)
            default: break
            }
        }
        visit(condition)
        XCTAssertEqual(detectorNodes, 1)

        guard case .aggregate(let tw402) = try plan("TW402").body else { return XCTFail("TW402 is an aggregate") }
        XCTAssertEqual(tw402.window, 3600)
        guard case .distinct(let c) = tw402.measure else { return XCTFail("TW402 counts distinct subjects") }
        XCTAssertEqual(c.name, "subject")

        guard case .aggregate(let tw401) = try plan("TW401").body else { return XCTFail("TW401 is an aggregate") }
        guard case .ratio(_, let leaveOneOut) = tw401.measure else { return XCTFail("TW401 is a ratio") }
        XCTAssertTrue(leaveOneOut)
        XCTAssertEqual(tw401.threshold, 0.30, accuracy: 1e-12)
        XCTAssertNil(tw401.window)

        guard case .aggregate(let tw902) = try plan("TW902").body else { return XCTFail("TW902 is an aggregate") }
        guard case .gap(let weekdaysOnly, let local) = tw902.measure else { return XCTFail("TW902 measures gaps") }
        XCTAssertTrue(weekdaysOnly)
        XCTAssertEqual(local.name, "time__local")
        XCTAssertEqual(tw902.threshold, 5 * 86_400)
    }

    /// A construct without a plan form is an error that names it, at the rule's position.
    func testUnplannableConstructIsNamed() throws {
        let (_, policy) = try loadPack()
        let yaml = """
            id: TW999
            title: {de: Test, en: Test}
            description: {de: Test, en: Test}
            severity: low
            applies_to: access
            norms: [{citation: "§ 1 Test", title: Test, as_of: 2025-01-01}]
            rationale: {de: Test, en: Test}
            remediation: {de: Test, en: Test}
            condition: hour(time - 1h) < 7
            examples: {match: [{record: {time: 2025-03-04T05:00:00, actor: a, system: s, action: read}}]}
            """
        let rule = try RuleFile.parse(try YAMLNode.parse(yaml, file: "TW999.yaml"))
        XCTAssertThrowsError(try RulePlanner(policy: policy, now: Self.now).plan(rule)) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.code, "plan.unsupported")
            XCTAssertTrue(e.text(.en).contains("hour() of a computed time"), e.text(.en))
        }
    }
}

/// The batch executor plans from its compiled pack's checked conditions (`RulePlanner.Checked`)
/// instead of compiling each rule's conditions again: those plans are the planner's own, and a
/// condition handed over is the one planned.
final class RulePlannerCheckedTests: XCTestCase {
    private func loadPack() throws -> (RuleSet, PolicyData) {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        XCTAssertTrue(set.errors.isEmpty, "\(set.errors)")
        return (set, try PolicyData.load(rulesDirectory: TestPaths.rules.path))
    }

    func testPlansFromCheckedConditionsAreThePlannersOwn() throws {
        let (set, policy) = try loadPack()
        let planner = RulePlanner(policy: policy, now: RulePlannerTests.now, target: .inProcess)
        var handed = 0
        for rule in set.rules {
            let env = policy.environment(kind: rule.target.kind, reference: ReferenceTables.empty, now: RulePlannerTests.now)
            var checked = RulePlanner.Checked()
            switch rule.body {
            case .record(_, let node):
                checked.condition = try CompiledCondition.compile(node, environment: env).checked
            case .aggregate(_, let spec):
                checked.filter = try spec.filter.map { try CompiledCondition.compile($0, environment: env).checked }
                if case .ratio(let node) = spec.measure { checked.numerator = try CompiledCondition.compile(node, environment: env).checked }
            }
            handed += [checked.condition, checked.filter, checked.numerator].compactMap { $0 }.count
            XCTAssertEqual(PlanPrinter.text(try planner.plan(rule, checked: checked)), PlanPrinter.text(try planner.plan(rule)), rule.id)
        }
        XCTAssertGreaterThanOrEqual(handed, 32)
    }

    func testAHandedConditionIsTheOnePlanned() throws {
        let (set, policy) = try loadPack()
        let planner = RulePlanner(policy: policy, now: RulePlannerTests.now, target: .inProcess)
        let rule = try XCTUnwrap(set.rules.first { $0.id == "TW101" })
        let env = policy.environment(kind: rule.target.kind, reference: ReferenceTables.empty, now: RulePlannerTests.now)
        let other = try CompiledCondition.compile("action == \"export\"", origin: SourcePosition(file: "t", line: 1, column: 1), environment: env)
        let text = PlanPrinter.text(try planner.plan(rule, checked: RulePlanner.Checked(condition: other.checked)))
        XCTAssertTrue(text.contains("export"), text)
        XCTAssertNotEqual(text, PlanPrinter.text(try planner.plan(rule)))
    }
}
