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
        let now = try XCTUnwrap(s.config.now)
        let plan = try InputPlan.make(s.config.inputs, catalog: s.catalog, progress: nil)
        var tables = plan.tables
        if !plan.documentationIndex.isEmpty { tables[.documentation] = plan.documentationIndex }
        let reference = ReferenceTables(tables)
        let planner = RulePlanner(policy: s.policy, now: now)
        let zone = try XCTUnwrap(ZoneConverter(identifier: s.policy.timeZone))
        var rulesCompared = 0, recordsCompared = 0, fired = 0
        for rule in s.ruleSet.rules {
            let condition: BatchCondition
            do {
                condition = try BatchConditionCompiler.filter(of: try planner.plan(rule), policy: s.policy, reference: reference)
            } catch is BatchCompileError {
                continue   // the aggregates (BatchExecutorParityTests lists them)
            }
            rulesCompared += 1
            let (pack, errors) = CompiledRulePack.compile(s.ruleSet, policy: s.policy, reference: reference, only: [rule.id], now: now,
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
            var sources: [(String, expected: Set<Int>, got: Set<Int>)] = []
            if plan.evaluated.contains(where: { $0.1.kind == rule.target.kind }) {
                for (input, profile) in plan.evaluated where profile.kind == rule.target.kind {
                    var expected: Set<Int> = [], got: Set<Int> = []
                    _ = Ingest.run(file: input.path, profile: profile, catalog: s.catalog) { r in
                        recordsCompared += 1
                        if closureFires(r) { expected.insert(r.locator.line) }
                    }
                    _ = Ingest.runBatches(file: input.path, profile: profile, catalog: s.catalog, symbols: env.symbols, capacity: 64) { batch in
                        for row in filter.firing(batch, env) { got.insert(batch.lines[row]) }
                    }
                    sources.append((input.path, expected, got))
                }
            } else {
                // A rule over a reference table (TW903–TW905): its rows as the scan evaluates them.
                let rows = tables[rule.target.kind] ?? []
                let batch = RecordBatch(kind: rule.target.kind, file: "reference", capacity: max(rows.count, 1))
                var expected: Set<Int> = [], got: Set<Int> = []
                for r in rows {
                    batch.append(r, symbols: env.symbols)
                    recordsCompared += 1
                    if closureFires(r) { expected.insert(r.locator.line) }
                }
                for row in filter.firing(batch, env) { got.insert(batch.lines[row]) }
                sources.append(("\(rule.target.kind.rawValue) (reference)", expected, got))
            }
            for (file, expected, got) in sources {
                fired += expected.count
                XCTAssertEqual(got, expected, "\(rule.id) on \(file): only the closure evaluator fired on lines \(expected.subtracting(got).sorted()), only the batch executor on \(got.subtracting(expected).sorted())")
            }
        }
        print("batch executor on the Samples: \(rulesCompared) rules, \(recordsCompared) records, \(fired) fired")
        XCTAssertEqual(rulesCompared, 29, "record rules the batch executor compiles")
        XCTAssertGreaterThan(fired, 50, "the Samples make the rules fire (\(recordsCompared) records compared)")
    }
}
