import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandPlan
import TrennwandRecords
import TrennwandYAML
import XCTest

/// One rule example as a case for an SQL engine: the in-process verdict, the statements that fill a
/// fresh database from exported files and the rule's query.
struct ParityCase {
    let id: String
    let rule: String
    let position: SourcePosition
    let shouldMatch: Bool
    let inProcess: Bool?
    let setup: [String]
    let query: String
}

/// What an engine answered for a case: whether its query returned rows, or an error.
struct EngineVerdict {
    var rows: [String] = []
    var error: String?
}

/// The rule examples as cases for one dialect, and the comparison every engine's parity test shares.
enum ParityCases {
    /// Every example of every rule (match and no_match), its files written under `dir`. The
    /// in-process verdict comes from `RuleChecks.test` on the record engine (`rules test` runs the
    /// batch executor, held to the same verdicts by `RuleExampleEngineTests`).
    static func build<S: SQLSyntax>(_ renderer: PlanSQLRenderer<S>, dir: URL) throws -> (rules: [String], cases: [ParityCase]) {
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        XCTAssertTrue(set.errors.isEmpty, "\(set.errors)")
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let zone = try XCTUnwrap(ZoneConverter(identifier: policy.timeZone))
        let now = Int64(Date().timeIntervalSince1970)
        let planner = RulePlanner(policy: policy, now: now)
        let pseudonymizer = Pseudonymizer(key: PseudonymKey(bytes: Array("trennwand-parity-key".utf8), origin: "parity test"))
        let encoder = try XCTUnwrap(RecordRowEncoder(policy: policy))

        // Policy tables are the same for every case: written once.
        var policyFiles: [(ExportTable, URL)] = []
        for (table, rows) in [(ExportSchema.separationMatrix, PolicyRows.matrix(policy)), (ExportSchema.taxonomy, PolicyRows.taxonomy(policy)),
                              (ExportSchema.namedLists, PolicyRows.namedLists(policy))] {
            policyFiles.append((table, try write(rows.map { ExportRows.line(table, $0) }, to: dir.appendingPathComponent("\(table.name).jsonl"))))
        }

        var cases: [ParityCase] = []
        for rule in set.rules {
            let plan = try planner.plan(rule)
            let outcomes = RuleChecks.test(set, policy: policy, pseudonymizer: pseudonymizer, only: [rule.id], now: now)
            XCTAssertEqual(outcomes.count, rule.examples.count, rule.id)
            for (n, (example, outcome)) in zip(rule.examples, outcomes).enumerated() {
                let id = "\(rule.id)#\(n + 1)"
                let caseDir = dir.appendingPathComponent(id)
                try FileManager.default.createDirectory(at: caseDir, withIntermediateDirectories: true)
                var rows: [RecordKind: [[UInt8]]] = [:]
                var secondments: [Record] = []
                for (kind, nodes) in example.reference {
                    for (i, node) in nodes.enumerated() {
                        let r = try ExampleRecords.record(node, kind: kind, zone: zone, index: i + 1)
                        if kind == .secondments { secondments.append(r) }
                        rows[kind, default: []].append(encoder.line(r, rowNumber: i + 1))
                    }
                }
                // The rule's own records; a rule on a reference kind (TW903–TW905) scans them as its table.
                XCTAssertNil(example.reference[rule.target.kind], "\(id): records and reference rows of one table")
                for (i, node) in example.records.enumerated() {
                    let r = try ExampleRecords.record(node, kind: rule.target.kind, zone: zone, index: i + 1)
                    if r.kind == RecordKind.secondments { secondments.append(r) }
                    rows[rule.target.kind, default: []].append(encoder.line(r, rowNumber: i + 1))
                }
                let schedules = PolicyRows.schedules(PolicyRows.scheduleTexts(plans: [plan], secondments: secondments))
                var setup = renderer.ddl()
                for (table, file) in policyFiles { setup += try renderer.syntax.load(table, files: [file.path]) }
                for (table, lines) in [(ExportSchema.schedules, schedules.schedules), (ExportSchema.scheduleIntervals, schedules.intervals)]
                where !lines.isEmpty {
                    let file = try write(lines.map { ExportRows.line(table, $0) }, to: caseDir.appendingPathComponent("\(table.name).jsonl"))
                    setup += try renderer.syntax.load(table, files: [file.path])
                }
                for (kind, lines) in rows.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    let file = try write(lines, to: caseDir.appendingPathComponent("\(kind.rawValue).jsonl"))
                    setup += try renderer.syntax.load(ExportSchema.table(kind), files: [file.path])
                }
                cases.append(ParityCase(id: id, rule: rule.id, position: example.position, shouldMatch: example.shouldMatch,
                                        inProcess: outcome.matched, setup: setup, query: renderer.query(plan)))
            }
        }
        XCTAssertGreaterThanOrEqual(cases.count, 2 * set.rules.count, "every rule has match and no_match examples")
        return (set.rules.map(\.id), cases)
    }

    /// Compares the engine's verdicts with the in-process ones: a mismatch on a covered rule fails
    /// with the rule, the example and both verdicts; a rule outside `covered` that agrees on every
    /// example fails too (it must be added to the list). Returns the rules that agree everywhere.
    @discardableResult
    static func compare(_ cases: [ParityCase], _ results: [String: EngineVerdict], engine: String, rules: [String],
                        covered: Set<String>, testName: String) -> [String] {
        var agreeing: [String: Bool] = [:]
        var report: [String] = []
        for c in cases {
            let result = results[c.id]
            let sqlVerdict: Bool? = result?.error == nil ? result.map { !$0.rows.isEmpty } : nil
            let same = c.inProcess != nil && sqlVerdict == c.inProcess
            agreeing[c.rule] = (agreeing[c.rule] ?? true) && same
            if !same {
                let what = "\(c.rule), example \(c.id) (\(c.shouldMatch ? "match" : "no_match") example at \(c.position)): in-process "
                    + "\(c.inProcess.map(String.init(describing:)) ?? "error"), \(engine) "
                    + (result?.error.map { "error: \($0)" } ?? sqlVerdict.map(String.init(describing:)) ?? "no result")
                    + (result.map { " rows \($0.rows)" } ?? "")
                if covered.contains(c.rule) { XCTFail(what) } else { report.append(what) }
            }
            // Both must also agree with the example itself, else the comparison proves little.
            XCTAssertEqual(c.inProcess, c.shouldMatch, "\(c.id): the in-process engine fails the example")
        }
        let agree = agreeing.filter(\.value).keys.sorted()
        print("\(engine) parity: \(agree.count) of \(rules.count) rules, \(cases.count) examples: \(agree.joined(separator: " "))")
        for line in report { print("not covered: " + line) }
        for rule in rules where !covered.contains(rule) && agreeing[rule] == true {
            XCTFail("\(rule) now agrees on every example: add it to \(testName).covered and docs/scale-out.md")
        }
        XCTAssertGreaterThanOrEqual(covered.count, 1)
        return agree
    }

    static func write(_ lines: [[UInt8]], to url: URL) throws -> URL {
        try Data(lines.joined()).write(to: url)
        return url
    }
}
