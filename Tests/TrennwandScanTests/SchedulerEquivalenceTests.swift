import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandFindings
import TrennwandPlan
import TrennwandRecords
import XCTest
@testable import TrennwandScan

/// The scan of Samples/ gives the same findings in the same order and the same accounting
/// whatever the number of workers, the chunk size and whether findings are spilled.
final class SchedulerEquivalenceTests: XCTestCase {
    struct Snapshot: Equatable {
        var findings: [String]
        var inputs: [String]
        var referenceRows: [String: Int]
        var kinds: [String: String]
        var skipped: [String]
        var descriptors: Int

        init(_ r: ScanResult) {
            findings = Canonical.lines(Array(r.findings))
            inputs = Canonical.lines(r.inputs)
            referenceRows = Dictionary(uniqueKeysWithValues: r.referenceRows.map { ($0.key.rawValue, $0.value) })
            kinds = r.kinds.mapValues(\.rawValue)
            skipped = r.skipped
            descriptors = r.descriptors.count
        }
    }

    func testOneAndManyWorkersGiveTheSameFindingsInTheSameOrder() throws {
        let samples = try SamplesFixture()
        let sequential = Snapshot(try samples.scan(threads: 1))
        XCTAssertGreaterThan(sequential.findings.count, 100)
        XCTAssertEqual(sequential.inputs.count, samples.config.inputs.count)
        // Small chunks: every CSV file of Samples is cut into several units.
        for (threads, chunk) in [(2, nil), (4, 512), (3, 2_048), (1, 700)] as [(Int, Int?)] {
            let parallel = Snapshot(try samples.scan(threads: threads, chunkBytes: chunk))
            assertSame(parallel, sequential, "threads \(threads), chunk \(chunk ?? 0)")
        }
    }

    /// `a` equals `b`; else the count and the first finding that differs, then the whole snapshots.
    private func assertSame(_ a: Snapshot, _ b: Snapshot, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.findings.count, b.findings.count, label, file: file, line: line)
        for (i, (x, y)) in zip(a.findings, b.findings).enumerated() where x != y {
            XCTFail("\(label): finding \(i) differs:\n\(x)\n\(y)", file: file, line: line)
            break
        }
        XCTAssertEqual(a, b, label, file: file, line: line)
    }

    /// The batch executor and the record engine (the closure evaluator, kept as the oracle) give
    /// the same scan of Samples: every finding with its evidence, persons, occurrences and order,
    /// the accounting, for one worker reading whole files and for several workers on small chunks
    /// (chunk borders inside batches, re-read chunks, aggregate feeds merged from several workers).
    func testBatchExecutorAndRecordEngineGiveTheSameScan() throws {
        let samples = try SamplesFixture()
        for (threads, chunk) in [(1, nil), (2, nil), (3, 700), (1, 2_048)] as [(Int, Int?)] {
            let batches = try samples.scan(threads: threads, chunkBytes: chunk, engine: .batches)
            let records = try samples.scan(threads: threads, chunkBytes: chunk, engine: .records)
            XCTAssertEqual(batches.engine, .batches, "the built-in pack runs on the batch executor")
            XCTAssertEqual(records.engine, .records)
            let a = Snapshot(batches), b = Snapshot(records)
            XCTAssertGreaterThan(b.findings.count, 100)
            // Rule, place and fingerprint first: a short list of what only one engine found.
            func brief(_ r: ScanResult) -> Set<String> {
                Set(Array(r.findings).map { "\($0.ruleID) \(($0.locator.file as NSString).lastPathComponent):\($0.locator.line) \($0.fingerprint)" })
            }
            let onlyBatches = brief(batches).subtracting(brief(records)), onlyRecords = brief(records).subtracting(brief(batches))
            XCTAssertTrue(onlyBatches.isEmpty && onlyRecords.isEmpty,
                          "threads \(threads), chunk \(chunk ?? 0): only batches \(onlyBatches.sorted()), only records \(onlyRecords.sorted())")
            assertSame(a, b, "threads \(threads), chunk \(chunk ?? 0), batches against records")
        }
    }

    /// Constructs the SQL engines cannot plan — a calendar part of a computed time
    /// (`hour(time + 1h)`: the export has `__local` columns for fields only) and a named list used
    /// as a value — run on the batch executor (`RulePlanner.Target.inProcess`), with the findings
    /// of the record engine; the SQL planner still refuses the computed time. There is no
    /// fallback from one engine to the other any more.
    func testRulesTheSQLEnginesCannotPlanRunOnTheBatchExecutor() throws {
        let samples = try SamplesFixture()
        let rules = try RulesCopy()
        defer { rules.remove() }
        try rules.setTW101(prefix: "(hour(time + 1h) >= 7 or present(@traeger_arbeitsplaetze)) and weekday(time - 2h) >= 1 and")
        let ruleSet = RuleSet.load(rulesDirectory: rules.dir.path)
        XCTAssertTrue(ruleSet.errors.isEmpty, "\(ruleSet.errors)")
        func scan(_ engine: ScanEngine) throws -> ScanResult {
            var s = ScanScheduler(catalog: samples.catalog, ruleSet: ruleSet, policy: samples.policy, pseudonymizer: Pseudonymizer(key: samples.key),
                                  onlyRules: nil, now: samples.config.now!, threads: 2, chunkBytes: 2_048)
            s.engine = engine
            return try s.run(samples.config.inputs)
        }
        let batches = try scan(.batches)
        XCTAssertEqual(batches.engine, .batches)
        XCTAssertEqual(Snapshot(batches), Snapshot(try scan(.records)))
        XCTAssertTrue(Array(batches.findings).contains { $0.ruleID == "TW101" }, "the changed rule still fires")
        let tw101 = try XCTUnwrap(ruleSet.rules.first { $0.id == "TW101" })
        XCTAssertThrowsError(try RulePlanner(policy: samples.policy, now: samples.config.now!).plan(tw101)) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "plan.unsupported", "\(error)")
        }
        let plan = try RulePlanner(policy: samples.policy, now: samples.config.now!, target: .inProcess).plan(tw101)
        XCTAssertTrue(PlanPrinter.text(plan).contains("local time"), PlanPrinter.text(plan))
    }

    /// Samples' access exports are not sorted by time, and given in reverse order even less: the
    /// aggregate rules with late records are evaluated again in time order. Same findings in the
    /// same order for any workers and chunks; the same TW402 windows whatever the input order; none
    /// late. With the reorder limit at 0, pass 1 stands and says so, again the same for all workers.
    func testUnsortedInputsGiveTheSameAggregateFindingsForAnyWorkersAndOrder() throws {
        let samples = try SamplesFixture()
        func windows(_ r: ScanResult) -> [String] {
            Array(r.findings).filter { $0.ruleID == "TW402" }.map { "\($0.fingerprint) \($0.detail?.en ?? "")" }.sorted()
        }
        let given = try samples.scan(threads: 1)
        XCTAssertTrue(given.lateRecords.isEmpty, "\(given.lateRecords)")
        XCTAssertNil(given.reorderLimit)
        let reversed = Array(samples.config.inputs.reversed())
        let sequential = try samples.scan(threads: 1, inputs: reversed)
        XCTAssertTrue(sequential.lateRecords.isEmpty, "\(sequential.lateRecords)")
        XCTAssertEqual(windows(given).count, 1)
        XCTAssertEqual(windows(sequential), windows(given))
        for (threads, chunk) in [(2, nil), (4, 512), (1, 700)] as [(Int, Int?)] {
            let parallel = try samples.scan(threads: threads, chunkBytes: chunk, inputs: reversed)
            XCTAssertEqual(Snapshot(parallel), Snapshot(sequential), "threads \(threads), chunk \(chunk ?? 0)")
            XCTAssertTrue(parallel.lateRecords.isEmpty)
        }
        // The exact pass runs on the scan's engine (pass 2 of `.batches` routes its rows from
        // column batches): the record engine's exact pass gives the same scan.
        for (threads, chunk) in [(1, nil), (2, 700)] as [(Int, Int?)] {
            let records = try samples.scan(threads: threads, chunkBytes: chunk, inputs: reversed, engine: .records)
            XCTAssertEqual(records.engine, .records)
            XCTAssertEqual(Snapshot(records), Snapshot(sequential), "records, threads \(threads), chunk \(chunk ?? 0)")
        }

        let limited = try samples.scan(threads: 1, inputs: reversed, reorderLimit: 0)
        XCTAssertEqual(limited.reorderLimit, 0)
        XCTAssertEqual(limited.lateRecords.map(\.ruleID), ["TW402"])
        XCTAssertLessThan(windows(limited).count, windows(sequential).count, "pass 1 alone misses windows")
        for (threads, chunk) in [(2, nil), (3, 2_048)] as [(Int, Int?)] {
            let parallel = try samples.scan(threads: threads, chunkBytes: chunk, inputs: reversed, reorderLimit: 0)
            XCTAssertEqual(Snapshot(parallel), Snapshot(limited), "threads \(threads), chunk \(chunk ?? 0)")
            XCTAssertEqual(parallel.lateRecords, limited.lateRecords)
        }
    }

    /// Every finding spilled (limit 0) or none: the same list; the spill really happened.
    func testSpilledAndInMemoryFindingsAreEqual() throws {
        let samples = try SamplesFixture()
        let inMemory = try samples.scan(threads: 1, keepInMemory: Int.max)
        let spilled = try samples.scan(threads: 1, keepInMemory: 0)
        let partly = try samples.scan(threads: 2, chunkBytes: 1_024, keepInMemory: 25)
        XCTAssertFalse(inMemory.findings.items.contains { $0.isSpilled })
        XCTAssertTrue(spilled.findings.items.allSatisfy { $0.isSpilled }, "no usable temporary directory?")
        XCTAssertTrue(partly.findings.items.contains { $0.isSpilled })
        XCTAssertEqual(Snapshot(spilled), Snapshot(inMemory))
        XCTAssertEqual(Snapshot(partly), Snapshot(inMemory))
    }

    /// Dropping a rule's findings (an aggregate rule evaluated again in time order) leaves the
    /// collector as if they had never been added — in memory, spilled and with occurrences — and
    /// findings added afterwards keep their arrival order.
    func testRemovingARulesFindingsIsAsIfNeverAdded() {
        let kept = (0..<30).map { finding("TW1\($0 % 3)0", file: "f.csv", index: $0 % 7) }
        let dropped = (0..<20).map { finding("TW402", file: "f.csv", index: $0 % 5) }
        let later = (0..<6).map { finding("TW402", file: "f.csv", index: 3, fingerprint: String(format: "%032x", 900 + $0)) }
        for (keep, others) in [(1_000, 1_000), (7, 4), (0, 0)] {
            var expected = FindingCollector(keepInMemory: keep, othersInMemory: others)
            var actual = FindingCollector(keepInMemory: keep, othersInMemory: others)
            for (i, f) in kept.enumerated() {
                expected.add(f, fileOrder: 0)
                actual.add(f, fileOrder: 0)
                actual.add(dropped[i % dropped.count], fileOrder: 0)
                if i % 4 == 0 { actual.add(kept[i / 2], fileOrder: 0); expected.add(kept[i / 2], fileOrder: 0) }
            }
            actual.removeAll(ofRules: ["TW402"])
            // New findings, a repeat of one of them, and repeats of findings from before the removal
            // (they must merge into their own finding, wherever it moved).
            for f in later + later.prefix(2) + kept.suffix(9) {
                expected.add(f, fileOrder: 0)
                actual.add(f, fileOrder: 0)
            }
            XCTAssertEqual(Canonical.lines(Array(actual.sorted())), Canonical.lines(Array(expected.sorted())), "keep \(keep), others \(others)")
            XCTAssertEqual(actual.sorted().filter { $0.ruleID == "TW402" }.map(\.fingerprint), later.map(\.fingerprint))
        }
    }

    /// The collector alone: spilled findings read back field for field, occurrences included.
    func testSpillRoundTripKeepsEveryField() {
        var memory = FindingCollector(keepInMemory: 1_000)
        var spill = FindingCollector(keepInMemory: 0)
        let findings = (0..<40).map { finding("TW1\($0 % 4)0", file: "f\($0 % 3).csv", index: 40 - $0) }
        for (i, f) in (findings + findings.prefix(5)).enumerated() {
            memory.add(f, fileOrder: i % 3)
            spill.add(f, fileOrder: i % 3)
        }
        let a = memory.sorted(), b = spill.sorted()
        XCTAssertTrue(b.items.allSatisfy { $0.isSpilled })
        XCTAssertEqual(Canonical.lines(Array(b)), Canonical.lines(Array(a)))
        XCTAssertEqual(a.map(\.occurrences).reduce(0, +), 45)
    }
}

extension SchedulerEquivalenceTests {
    /// Every occurrence of every finding, as text: `fingerprint file:line#index time evidence…`.
    static func occurrenceLists(_ r: ScanResult) -> [String] {
        Array(r.findings).flatMap { f in
            f.occurrenceList.map { o in
                "\(f.fingerprint) \(o.locator.file):\(o.locator.line)#\(o.locator.index) \(o.time ?? -1) "
                    + o.evidence.map { "\($0.field)=\($0.value)" }.joined(separator: ",")
            } + ["\(f.fingerprint) count \(f.occurrences) truncated \(f.occurrencesTruncated)"]
        }
    }

    /// Samples hold records that merge into one finding: each keeps every record, in the same
    /// order for any workers, chunk size and spill limits (findings and occurrences spilled).
    func testOccurrenceListsAreTheSameForAnyWorkersChunksAndSpill() throws {
        let samples = try SamplesFixture()
        let sequential = try samples.scan(threads: 1, keepInMemory: Int.max, othersInMemory: Int.max)
        let merged = Array(sequential.findings).filter { $0.occurrences > 1 }
        XCTAssertFalse(merged.isEmpty, "Samples have no merged records any more")
        for f in merged {
            XCTAssertEqual(f.occurrenceList.count, f.occurrences, f.fingerprint)
            XCTAssertFalse(f.occurrencesTruncated)
            // Report order: by input, then by record.
            let keys = f.occurrenceList.map(\.locator.index)
            if Set(f.occurrenceList.map(\.locator.file)).count == 1 { XCTAssertEqual(keys, keys.sorted(), f.fingerprint) }
        }
        let expected = Self.occurrenceLists(sequential)
        for (threads, chunk, keep, others) in [(2, nil, nil, nil), (4, 512, nil, 0), (3, 2_048, 0, 0), (1, 700, 10, 3),
                                               (1, nil, 0, 0)] as [(Int, Int?, Int?, Int?)] {
            let r = try samples.scan(threads: threads, chunkBytes: chunk, keepInMemory: keep, othersInMemory: others)
            XCTAssertEqual(Self.occurrenceLists(r), expected, "threads \(threads), chunk \(chunk ?? 0), spill \(keep ?? -1)/\(others ?? -1)")
        }
        // Inputs in reverse order: aggregate rules with late records are evaluated again exactly
        // (ExactAggregates); the occurrence lists still do not depend on workers or chunks.
        let reversed = Array(samples.config.inputs.reversed())
        let reversedSequential = Self.occurrenceLists(try samples.scan(threads: 1, inputs: reversed))
        for (threads, chunk) in [(2, nil), (4, 512)] as [(Int, Int?)] {
            let r = try samples.scan(threads: threads, chunkBytes: chunk, othersInMemory: 2, inputs: reversed)
            XCTAssertEqual(Self.occurrenceLists(r), reversedSequential, "reversed, threads \(threads), chunk \(chunk ?? 0)")
        }
    }

    /// The collector alone: occurrences beyond the memory budget go to the spill file and are read
    /// back in arrival order, also for a finding that is itself spilled.
    func testSpilledOccurrencesAreReadBack() {
        func occurrence(_ f: Finding, _ k: Int) -> Finding {
            var o = f
            o.locator = Locator(file: f.locator.file, line: 100 + k, byteOffset: Int64(1_000 + k), index: 50 + k, recordID: "r\(k)")
            o.time = 1_736_000_000 + Int64(k)
            o.evidence = [Evidence(field: "subject", detector: "kundennummer", value: "123D•••\(k)")]
            return o
        }
        let base = (0..<6).map { finding("TW10\($0)", file: "f.csv", index: $0) }
        var all: [Finding] = base
        for k in 0..<30 { all.append(occurrence(base[k % 6], k)) }
        var memory = FindingCollector(keepInMemory: 1_000, othersInMemory: 1_000)
        var partly = FindingCollector(keepInMemory: 3, othersInMemory: 7)
        var spilled = FindingCollector(keepInMemory: 0, othersInMemory: 0)
        for f in all {
            memory.add(f, fileOrder: 0)
            partly.add(f, fileOrder: 0)
            spilled.add(f, fileOrder: 0)
        }
        let a = memory.sorted(), b = partly.sorted(), c = spilled.sorted()
        XCTAssertFalse(a.items.contains { $0.othersTail != nil })
        XCTAssertTrue(b.items.contains { $0.othersTail != nil && !$0.others.isEmpty }, "some kept, then spilled")
        XCTAssertTrue(c.items.allSatisfy { $0.others.isEmpty && $0.othersSpilled == 5 })
        XCTAssertEqual(a.map(\.others.count), Array(repeating: 5, count: 6))
        XCTAssertEqual(a[1].others.map(\.locator.recordID), ["r1", "r7", "r13", "r19", "r25"])
        XCTAssertEqual(Canonical.lines(Array(b)), Canonical.lines(Array(a)))
        XCTAssertEqual(Canonical.lines(Array(c)), Canonical.lines(Array(a)))
        XCTAssertEqual(c.map(\.occurrences), Array(repeating: 6, count: 6))
        // The first records only (what the state store keeps), the count in full.
        for list in [a, b, c] {
            for limit in [1, 3, 100] {
                let f = list.finding(at: 1, occurrencesUpTo: limit)
                XCTAssertEqual(f.others, Array(a[1].others.prefix(limit - 1)), "limit \(limit)")
                XCTAssertEqual(f.occurrences, 6)
                XCTAssertEqual(f.occurrencesTruncated, limit < 6)
            }
        }
    }
}

extension SchedulerEquivalenceTests {
    /// Beyond the per-finding cap records are only counted: the list keeps the first ones, in
    /// memory or spilled alike, and says it is truncated.
    func testOccurrencesBeyondTheCapAreCountedOnly() {
        let base = finding("TW104", file: "f.csv", index: 0)
        for (keep, others) in [(1_000, 1_000), (0, 0), (1_000, 2)] {
            var c = FindingCollector(keepInMemory: keep, othersInMemory: others, maxOthers: 3)
            for k in 0..<10 {
                var f = base
                f.locator.index = k
                f.locator.line = 2 + k
                c.add(f, fileOrder: 0)
            }
            let list = c.sorted()
            XCTAssertEqual(list.count, 1)
            let f = list[0]
            XCTAssertEqual(f.occurrences, 10)
            XCTAssertEqual(f.occurrenceList.map(\.locator.index), [0, 1, 2, 3], "spill \(keep)/\(others)")
            XCTAssertTrue(f.occurrencesTruncated)
        }
        XCTAssertEqual(FindingCollector.maxOthersPerFinding, 100_000)
    }
}

extension FindingCollector.Item {
    var isSpilled: Bool {
        if case .spilled = stored { return true }
        return false
    }
}
