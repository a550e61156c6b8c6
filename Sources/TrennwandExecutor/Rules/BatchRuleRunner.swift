import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandPlan
import TrennwandRecords

/// The scan's engine over column batches: every record rule of a batch's kind evaluated as a
/// `BatchFilter` over the whole batch, the per-record parts of the aggregate rules (filter, ratio
/// numerator) likewise, their values routed into an `AggregateFeed`.
///
/// Why the rule evaluator is still here: the executor decides *which* rows fire; a firing row is
/// turned into a finding by the rule evaluator's projection (evidence, masking, pseudonyms,
/// fingerprint), configuration gaps are reported by it, and aggregate state lives in its
/// aggregate evaluators, replayed from the feed as in every parallel scan. Findings are therefore
/// those of the record engine by construction; the batch executor only has to give the same
/// verdicts, which `BatchExecutorParityTests` and the scan parity tests hold it to.
///
/// One per worker thread (its `BatchEnvironment` and the evaluator's contexts are not shared).
package final class BatchRuleRunner {
    package let evaluator: RuleEvaluator
    package let environment: BatchEnvironment
    private let rules: KindTable<[Rule]>
    private let aggregates: [Aggregate]
    private let aggregatesByKind: KindTable<[Int]>

    struct Rule {
        let condition: BatchCondition
        /// The rule can meet configuration gaps (value lookups, the matrix, schedules): rows it
        /// leaves unknown are handed to the rule evaluator for their gap findings.
        let meetsGaps: Bool
    }

    struct Aggregate {
        let filter: BatchCondition?
        let numerator: BatchCondition?
        /// Rows are added to an `AggregatePartial` on the worker (every window but sliding).
        let preAggregated: Bool
    }

    /// Compiles the pack of `evaluator` for batches; throws `BatchCompileError` for the first rule
    /// with a construct the batch executor cannot evaluate (the scan then runs the record engine).
    /// `preAggregate` false routes every aggregate row one by one (the exact aggregate pass orders
    /// them by time, which a partial's buckets cannot be).
    package init(evaluator: RuleEvaluator, reference: ReferenceTables, now: Int64, preAggregate: Bool = true) throws {
        let policy = evaluator.pack.policy
        guard let zone = ZoneConverter(identifier: policy.timeZone) else {
            throw BatchCompileError(rule: "policy", node: "time zone \(policy.timeZone)")
        }
        self.evaluator = evaluator
        environment = BatchEnvironment(symbols: SymbolTable(seed: SymbolTable.schemaSeed()), zone: zone, detectors: policy.detectors)
        let planner = RulePlanner(policy: policy, now: now, target: .inProcess)
        // Planned from the pack's checked conditions: the same expressions, not compiled again.
        func plan(_ file: RuleFile, _ checked: RulePlanner.Checked) throws -> RulePlan {
            do { return try planner.plan(file, checked: checked) } catch { throw BatchCompileError(rule: file.id, node: "plan (\(error))") }
        }
        let lookups = BatchLookupCache()
        var rules = KindTable<[Rule]>(repeating: [])
        for kind in RecordKind.allCases {
            rules[kind] = try evaluator.recordRules(of: kind).map { rule in
                let p = try plan(rule.file, RulePlanner.Checked(condition: rule.condition.checked))
                guard case .filter(let expr) = p.body else { throw BatchCompileError(rule: rule.file.id, node: "aggregate") }
                return Rule(condition: try BatchConditionCompiler.filter(of: p, policy: policy, reference: reference, lookups: lookups),
                            meetsGaps: Self.meetsGaps(expr))
            }
        }
        self.rules = rules
        var aggregates: [Aggregate] = []
        var byKind = KindTable<[Int]>(repeating: [])
        for kind in RecordKind.allCases { byKind[kind] = evaluator.aggregateRules(of: kind) }
        for a in evaluator.pack.aggregates {
            let p = try plan(a.file, RulePlanner.Checked(filter: a.filter?.checked, numerator: a.numerator?.checked))
            guard case .aggregate(let ap) = p.body else { throw BatchCompileError(rule: a.file.id, node: "record rule as aggregate") }
            let compiler = BatchConditionCompiler(rule: a.file.id, kind: p.kind, policy: policy, reference: reference, lookups: lookups)
            var numerator: BatchCondition?
            if case .ratio(let n, _) = ap.measure { numerator = try compiler.condition(n).ordered() }
            aggregates.append(Aggregate(filter: try ap.filter.map(compiler.condition)?.ordered(), numerator: numerator,
                                        preAggregated: preAggregate && Self.preAggregates && AggregatePartial.supports(evaluator.aggregate(aggregates.count).evaluator)))
        }
        self.aggregates = aggregates
        aggregatesByKind = byKind
    }

    /// `TRENNWAND_PREAGGREGATE=0` routes every aggregate row one by one to the merge, as before
    /// partials (for comparisons, docs/executor.md); the engine parity tests compare the partials
    /// with the record engine, which always routes one by one.
    static let preAggregates = ProcessInfo.processInfo.environment["TRENNWAND_PREAGGREGATE"] != "0"

    /// Whether evaluating `e` can record a configuration gap in the record evaluator.
    static func meetsGaps(_ e: PlanExpr) -> Bool {
        switch e {
        case .lookupValue, .matrixDecision, .withinSchedule: return true
        case .literal, .column: return false
        case .compare(_, let a, let b), .arith(_, let a, let b), .direction(let a, let b), .covers(let a, let b), .listHas(let a, let b, _):
            return meetsGaps(a) || meetsGaps(b)
        case .and(let xs), .or(let xs): return xs.contains(where: meetsGaps)
        case .not(let a), .isNull(let a, _), .inValues(let a, _, _), .inNamedList(let a, _, _), .within(let a, _, _), .lower(let a),
             .calendar(_, let a), .localTime(let a):
            return meetsGaps(a)
        case .stringMatch(_, let a, let b, _, _): return meetsGaps(a) || meetsGaps(b)
        case .detectorFired: return false
        case .exists(let l): return l.terms.contains { meetsGaps($0.value) } || (l.validity.map { meetsGaps($0.at) } ?? false)
        case .agreementPermits(let t, let d, let c, let at, _): return [t, d, c, at].contains(where: meetsGaps)
        }
    }

    /// Evaluates every rule of the batch's kind: findings of record rules and configuration gaps
    /// to `emit` in record order (per record in rule order, as the record engine emits them; the
    /// flag marks gap findings), records passing an aggregate filter into `feed`.
    package func evaluate(_ batch: RecordBatch, feed: inout AggregateFeed, emit: (_ finding: Finding, _ isGap: Bool) -> Void) {
        let kind = batch.kind
        let n = batch.count
        guard n > 0 else { return }
        evaluator.countEvaluated(n, of: kind)
        var outcomes: [(row: Int, rule: Int, fired: Bool)] = []
        for (i, rule) in rules[kind].enumerated() {
            let mask = BatchFilter.evaluate(rule.condition, batch, environment)
            for row in mask.trueRows { outcomes.append((row, i, true)) }
            if rule.meetsGaps {
                for row in mask.unknownRows { outcomes.append((row, i, false)) }
            }
        }
        if !outcomes.isEmpty {
            outcomes.sort { $0.row != $1.row ? $0.row < $1.row : $0.rule < $1.rule }
            var current: (row: Int, record: Record)?
            for o in outcomes {
                if current?.row != o.row { current = (o.row, batch.record(o.row, symbols: environment.symbols)) }
                let record = current!.record
                if o.fired {
                    emit(evaluator.finding(ofRule: o.rule, record: record), false)
                } else {
                    evaluator.gapFindings(ofRule: o.rule, record: record) { emit($0, true) }
                }
            }
        }
        route(batch, into: &feed)
    }

    /// The aggregate rules' per-record parts over the batch. Rows passing a filter are added to
    /// the rule's `AggregatePartial` in `feed` on this worker (the merge then costs per bucket, not
    /// per record); rules a partial cannot hold (sliding windows) get the rows routed one by one
    /// with the values the aggregates read.
    private func route(_ batch: RecordBatch, into feed: inout AggregateFeed) {
        let indices = aggregatesByKind[batch.kind]
        if indices.isEmpty { return }
        let n = batch.count
        var passed = [UInt64](repeating: 0, count: n), numerators = [UInt64](repeating: 0, count: n)
        for i in indices {
            let a = aggregates[i]
            let bit = UInt64(1) << UInt64(i)
            var selected: [UInt64]?
            if let f = a.filter {
                let mask = BatchFilter.evaluate(f, batch, environment)
                for row in mask.trueRows { passed[row] |= bit }
                selected = mask.isTrue
            } else {
                for row in 0..<n { passed[row] |= bit }
            }
            // The numerator (lookups, typically) only where the filter passed.
            if let num = a.numerator, selected?.contains(where: { $0 != 0 }) ?? true {
                for row in BatchFilter.evaluate(num, batch, environment, selection: selected).trueRows where passed[row] & bit != 0 {
                    numerators[row] |= bit
                }
            }
        }
        let symbols = environment.symbols
        let time = evaluator.aggregateTimeSlot(of: batch.kind).map { batch.columns[$0] }
        @inline(__always) func timeOf(_ row: Int) -> Int64? {
            time.flatMap { c in c.storage == .timestamp ? (c.isPresent(row) ? c.ints[row] : nil) : c.value(row, symbols: symbols).timeValue }
        }
        var routedOneByOne: UInt64 = 0
        for i in indices {
            let bit = UInt64(1) << UInt64(i)
            guard aggregates[i].preAggregated else {
                routedOneByOne |= bit
                continue
            }
            let (aggregateEvaluator, groupSlots, distinctSlot) = evaluator.aggregate(i)
            let partial = feed.partial(i, for: aggregateEvaluator)
            let file = partial.fileIndex(batch.file)
            // The first group column and the distinct column held in locals: read through an
            // array or an optional per row, each read retained and released the column (3 % of a scan).
            let groupColumns = groupSlots.map { batch.columns[$0] }
            let firstColumn = groupColumns[0], moreColumns = groupColumns.dropFirst()
            let distinctColumn = distinctSlot.map { batch.columns[$0] } ?? firstColumn
            let hasDistinct = distinctSlot != nil
            /// Made only for a record the partial keeps (evidence, late sample, gap run end).
            func locator(_ row: Int) -> CompactLocator {
                CompactLocator(
                    file: file, recordID: partial.stringIndex(batch.recordID(row, symbols: symbols)), line: batch.lines[row],
                    column: batch.hasLocatorColumns ? batch.locatorColumns[row] : nil, byteOffset: batch.byteOffsets[row],
                    index: batch.indices[row])
            }
            if moreColumns.isEmpty {
                // One group field (every built-in aggregate): no key built per record.
                for row in 0..<n where passed[row] & bit != 0 {
                    let value = hasDistinct ? Self.key(distinctColumn, row, symbols) : nil
                    partial.add(singleKey: Self.key(firstColumn, row, symbols), time: timeOf(row), value: value,
                                isNumerator: numerators[row] & bit != 0, row: row, locatorOf: locator)
                }
                partial.settle(locatorOf: locator)
                continue
            }
            for row in 0..<n where passed[row] & bit != 0 {
                var key: AggregateGroupKey?
                if let v = Self.key(firstColumn, row, symbols) {
                    key = AggregateGroupKey()
                    key!.append(v)
                    for c in moreColumns {
                        guard let v = Self.key(c, row, symbols) else {
                            key = nil
                            break
                        }
                        key!.append(v)
                    }
                }
                let value = hasDistinct ? Self.key(distinctColumn, row, symbols) : nil
                partial.add(group: key, time: timeOf(row), value: value, isNumerator: numerators[row] & bit != 0) { locator(row) }
            }
        }
        if routedOneByOne == 0 { return }
        let columns = evaluator.aggregateKeySlots(of: batch.kind).map { batch.columns[$0] }
        for row in 0..<n where passed[row] & routedOneByOne != 0 {
            feed.append(kind: batch.kind, file: batch.file, line: batch.lines[row],
                        column: batch.hasLocatorColumns ? batch.locatorColumns[row] : nil, byteOffset: batch.byteOffsets[row],
                        index: batch.indices[row], recordID: batch.recordID(row, symbols: symbols), passed: passed[row] & routedOneByOne,
                        numerators: numerators[row] & passed[row] & routedOneByOne, time: timeOf(row), count: columns.count) {
                RuleEvaluator.keyBytes(columns[$0].value(row, symbols: symbols))
            }
        }
    }

    /// The key bytes of row `row` of a group or distinct column (`RuleEvaluator.keyBytes` of its
    /// value; nil when missing), symbols and strings without a `Value` made.
    @inline(__always)
    static func key(_ c: BatchColumn, _ row: Int, _ symbols: SymbolTable) -> ByteString? {
        guard c.isPresent(row) else { return nil }
        switch c.storage {
        case .symbol: return symbols[UInt32(c.ints[row])]
        case .string: return ByteString(c.bytes(row))
        default: return RuleEvaluator.keyBytes(c.value(row, symbols: symbols))
        }
    }
}
