import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandFindings
import TrennwandPlan
import TrennwandReaders
import TrennwandRecords
@testable import TrennwandScan
import XCTest

/// The batch executor against the closure evaluator on the Samples (issue 20, docs/executor.md):
/// every record rule the executor compiles, over every input of its record kind read in column
/// batches (reference kinds: the Stammdaten rows), with the Samples' reference tables and
/// documentation index; the records that fire must be the same, record by record. A mismatch
/// names the rule, the file and the lines only one side fired on.
final class BatchExecutorSamplesTests: XCTestCase {
    func testSamplesFireTheSameRecordsInBatches() throws {
        let s = try SamplesFixture()
        var rulesCompared = 0, recordsCompared = 0, fired = 0
        for rule in s.ruleSet.rules {
            guard let sources = try compare(rule, s, ruleSet: s.ruleSet) else { continue }  // the aggregates (BatchExecutorParityTests lists them)
            rulesCompared += 1
            for (file, expected, got, records) in sources {
                fired += expected.count
                recordsCompared += records
                XCTAssertEqual(got, expected, "\(rule.id) on \(file): only the closure evaluator fired on lines \(expected.subtracting(got).sorted()), only the batch executor on \(got.subtracting(expected).sorted())")
            }
        }
        print("batch executor on the Samples: \(rulesCompared) rules, \(recordsCompared) records, \(fired) fired")
        XCTAssertEqual(rulesCompared, 29, "record rules the batch executor compiles")
        XCTAssertGreaterThan(fired, 50, "the Samples make the rules fire (\(recordsCompared) records compared)")
    }

    /// Calendar parts (`hour`, `weekday`, `date`) and time and number arithmetic, which the batch
    /// executor evaluates since issue 20's seventh stop: a rule whose condition is one of them
    /// fires on the same access records of the Samples in batches as in the closure evaluator, and
    /// on some records but not on all.
    func testCalendarPartsAndArithmeticFireTheSameRecordsInBatches() throws {
        let s = try SamplesFixture()
        let expressions = [
            #"hour(time) >= 9 and hour(time) < 12"#,
            #"weekday(time) == 1 or hour(time) < 8"#,
            #"date(time) == "2025-02-03" or date(time) >= "2025-03-01""#,
            #"time - "2025-02-01" > 10d"#,
            #"time + 12h < "2025-02-10" and time - 1h >= "2025-02-03T08:00:00""#,
            #"hour(time) + 1 > 10 and weekday(time) - 1 < 4"#,
        ]
        let rules = try RulesCopy()
        defer { rules.remove() }
        for expression in expressions {
            // `(e) or <the rule's condition>`: the rule fires where the expression holds.
            try rules.setTW101(prefix: "(\(expression)) or")
            let ruleSet = RuleSet.load(rulesDirectory: rules.dir.path)
            XCTAssertTrue(ruleSet.errors.isEmpty, "\(expression): \(ruleSet.errors)")
            let rule = try XCTUnwrap(ruleSet.rules.first { $0.id == "TW101" })
            let sources = try XCTUnwrap(try compare(rule, s, ruleSet: ruleSet), "\(expression): refused by the batch executor")
            var fired = 0, records = 0
            for (file, expected, got, n) in sources {
                fired += expected.count
                records += n
                XCTAssertEqual(got, expected, "\(expression) on \(file): only the closure evaluator fired on lines \(expected.subtracting(got).sorted()), only the batch executor on \(got.subtracting(expected).sorted())")
            }
            XCTAssertGreaterThan(fired, 2, expression)
            XCTAssertLessThan(fired, records, expression)
        }
    }

    /// The records `rule` fires on per input of its kind, by the closure evaluator (`expected`) and
    /// the batch executor (`got`), with the number of records read; nil when the batch executor
    /// refuses the rule.
    private func compare(_ rule: RuleFile, _ s: SamplesFixture, ruleSet: RuleSet) throws
        -> [(file: String, expected: Set<Int>, got: Set<Int>, records: Int)]? {
        let now = try XCTUnwrap(s.config.now)
        let plan = try InputPlan.make(s.config.inputs, catalog: s.catalog, progress: nil)
        var tables = plan.tables
        if !plan.documentationIndex.isEmpty { tables[.documentation] = plan.documentationIndex }
        let reference = ReferenceTables(tables)
        let planner = RulePlanner(policy: s.policy, now: now)
        let zone = try XCTUnwrap(ZoneConverter(identifier: s.policy.timeZone))
        let condition: BatchCondition
        do {
            condition = try BatchConditionCompiler.filter(of: try planner.plan(rule), policy: s.policy, reference: reference)
        } catch is BatchCompileError {
            return nil
        }
        let (pack, errors) = CompiledRulePack.compile(ruleSet, policy: s.policy, reference: reference, only: [rule.id], now: now,
                                                      vocabulary: s.catalog.vocabulary)
        XCTAssertTrue(errors.isEmpty, "\(rule.id): \(errors)")
        let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: Pseudonymizer(key: s.key))
        let filter = BatchFilter(condition)
        let env = BatchEnvironment(symbols: SymbolTable(seed: SymbolTable.schemaSeed()), zone: zone, detectors: s.policy.detectors)
        func closureFires(_ r: Record) -> Bool {
            var hit = false
            evaluator.evaluate(r) { f in if f.ruleID == rule.id && f.findingClass == rule.findingClass { hit = true } }
            return hit
        }
        var sources: [(file: String, expected: Set<Int>, got: Set<Int>, records: Int)] = []
        if plan.evaluated.contains(where: { $0.1.kind == rule.target.kind }) {
            for (input, profile) in plan.evaluated where profile.kind == rule.target.kind {
                var expected: Set<Int> = [], got: Set<Int> = [], records = 0
                _ = Ingest.run(file: input.path, profile: profile, catalog: s.catalog) { r in
                    records += 1
                    if closureFires(r) { expected.insert(r.locator.line) }
                }
                _ = Ingest.runBatches(file: input.path, profile: profile, catalog: s.catalog, symbols: env.symbols, capacity: 64) { batch in
                    for row in filter.firing(batch, env) { got.insert(batch.lines[row]) }
                }
                sources.append((input.path, expected, got, records))
            }
        } else {
            // A rule over a reference table (TW903–TW905): its rows as the scan evaluates them.
            let rows = tables[rule.target.kind] ?? []
            let batch = RecordBatch(kind: rule.target.kind, file: "reference", capacity: max(rows.count, 1))
            var expected: Set<Int> = []
            for r in rows {
                batch.append(r, symbols: env.symbols)
                if closureFires(r) { expected.insert(r.locator.line) }
            }
            var got: Set<Int> = []
            for row in filter.firing(batch, env) { got.insert(batch.lines[row]) }
            sources.append(("\(rule.target.kind.rawValue) (reference)", expected, got, rows.count))
        }
        return sources
    }
}
