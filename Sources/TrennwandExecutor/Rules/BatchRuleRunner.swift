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
    }

    /// Compiles the pack of `evaluator` for batches; throws `BatchCompileError` for the first rule
    /// with a construct the batch executor cannot evaluate (the scan then runs the record engine).
    package init(evaluator: RuleEvaluator, reference: ReferenceTables, now: Int64) throws {
        let policy = evaluator.pack.policy
        guard let zone = ZoneConverter(identifier: policy.timeZone) else {
            throw BatchCompileError(rule: "policy", node: "time zone \(policy.timeZone)")
        }
        self.evaluator = evaluator
        environment = BatchEnvironment(symbols: SymbolTable(seed: SymbolTable.schemaSeed()), zone: zone, detectors: policy.detectors)
        let planner = RulePlanner(policy: policy, now: now)
        func plan(_ file: RuleFile) throws -> RulePlan {
            do { return try planner.plan(file) } catch { throw BatchCompileError(rule: file.id, node: "plan (\(error))") }
        }
        let lookups = BatchLookupCache()
        var rules = KindTable<[Rule]>(repeating: [])
        for kind in RecordKind.allCases {
            rules[kind] = try evaluator.recordRules(of: kind).map { rule in
                let p = try plan(rule.file)
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
            let p = try plan(a.file)
            guard case .aggregate(let ap) = p.body else { throw BatchCompileError(rule: a.file.id, node: "record rule as aggregate") }
            let compiler = BatchConditionCompiler(rule: a.file.id, kind: p.kind, policy: policy, reference: reference, lookups: lookups)
            var numerator: BatchCondition?
            if case .ratio(let n, _) = ap.measure { numerator = try compiler.condition(n).ordered() }
            aggregates.append(Aggregate(filter: try ap.filter.map(compiler.condition)?.ordered(), numerator: numerator))
        }
        self.aggregates = aggregates
        aggregatesByKind = byKind
    }

    /// Whether evaluating `e` can record a configuration gap in the record evaluator.
    static func meetsGaps(_ e: PlanExpr) -> Bool {
        switch e {
        case .lookupValue, .matrixDecision, .withinSchedule: return true
        case .literal, .column: return false
        case .compare(_, let a, let b), .arith(_, let a, let b), .direction(let a, let b), .covers(let a, let b), .listHas(let a, let b, _):
            return meetsGaps(a) || meetsGaps(b)
        case .and(let xs), .or(let xs): return xs.contains(where: meetsGaps)
        case .not(let a), .isNull(let a, _), .inValues(let a, _, _), .inNamedList(let a, _, _), .within(let a, _, _), .lower(let a),
             .calendar(_, let a):
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

    /// The aggregate rules' per-record parts over the batch; rows passing a filter go into `feed`
    /// with the values the aggregates read.
    private func route(_ batch: RecordBatch, into feed: inout AggregateFeed) {
        let indices = aggregatesByKind[batch.kind]
        if indices.isEmpty { return }
        let n = batch.count
        var passed = [UInt64](repeating: 0, count: n), numerators = [UInt64](repeating: 0, count: n)
        for i in indices {
            let a = aggregates[i]
            let bit = UInt64(1) << UInt64(i)
            if let f = a.filter {
                for row in BatchFilter.evaluate(f, batch, environment).trueRows { passed[row] |= bit }
            } else {
                for row in 0..<n { passed[row] |= bit }
            }
            if let num = a.numerator {
                for row in BatchFilter.evaluate(num, batch, environment).trueRows { numerators[row] |= bit }
            }
        }
        let symbols = environment.symbols
        let columns = evaluator.aggregateKeySlots(of: batch.kind).map { batch.columns[$0] }
        let time = evaluator.aggregateTimeSlot(of: batch.kind).map { batch.columns[$0] }
        for row in 0..<n where passed[row] != 0 {
            let t = time.flatMap { c in c.storage == .timestamp ? (c.isPresent(row) ? c.ints[row] : nil) : c.value(row, symbols: symbols).timeValue }
            feed.append(kind: batch.kind, file: batch.file, line: batch.lines[row],
                        column: batch.hasLocatorColumns ? batch.locatorColumns[row] : nil, byteOffset: batch.byteOffsets[row],
                        index: batch.indices[row], recordID: batch.recordID(row, symbols: symbols), passed: passed[row],
                        numerators: numerators[row] & passed[row], time: t, count: columns.count) {
                RuleEvaluator.keyBytes(columns[$0].value(row, symbols: symbols))
            }
        }
    }
}
