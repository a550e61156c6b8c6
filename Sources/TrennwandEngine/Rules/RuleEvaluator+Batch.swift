import TrennwandFindings
import TrennwandRecords

/// What the batch executor (`TrennwandExecutor.BatchRuleRunner`) takes from the rule evaluator:
/// the order of the rules, the finding projection, gap reporting and the aggregate state.
///
/// Why through here: the batch executor decides which records fire; everything that makes a
/// finding out of a record — evidence, masking, pseudonyms, fingerprints, gap texts — and the
/// aggregate evaluators with their merge stay in one place, so findings are equal by construction.
extension RuleEvaluator {
    /// The record rules of `kind` in evaluation order (the order findings of one record come in).
    package func recordRules(of kind: RecordKind) -> [CompiledRule] { rulesByKind[kind].map(\.rule) }

    /// Counts records of `kind` evaluated outside `evaluate(_:emit:)`.
    package func countEvaluated(_ n: Int, of kind: RecordKind) { evaluatedCounts[kind] += n }

    /// The finding record rule `index` of `record`'s kind makes of `record` (the rule fired on it).
    package func finding(ofRule index: Int, record: Record) -> Finding {
        let ctx = context(for: record.kind)
        ctx.reset(record: record)
        return finding(rulesByKind[record.kind][index].rule, ctx)
    }

    /// The configuration gaps record rule `index` meets on `record` when it is undecidable there,
    /// each reported once per evaluator (as the record path does): the rule's own condition is
    /// evaluated on the record, because which gaps a rule meets depends on the order its operands
    /// are evaluated in. Only called for records the batch executor found unknown.
    package func gapFindings(ofRule index: Int, record: Record, emit: (Finding) -> Void) {
        let ctx = context(for: record.kind)
        ctx.reset(record: record)
        let slot = rulesByKind[record.kind][index]
        guard slot.condition(ctx) == .unknown else { return }
        for gap in ctx.gaps { reportGap(gap, rule: slot.rule.descriptor, record: record, emit: emit) }
    }

    /// Indices into `pack.aggregates` of the aggregate rules over `kind` (the bits of a feed entry).
    package func aggregateRules(of kind: RecordKind) -> [Int] { aggregatesByKind[kind] }

    /// The slots of `kind` the aggregates read as keys, in the order a feed entry carries them.
    package func aggregateKeySlots(of kind: RecordKind) -> [Int] { aggregateKeySlotsByKind[kind] }

    /// The slot of `kind`'s `time` field, the time a feed entry carries.
    package func aggregateTimeSlot(of kind: RecordKind) -> Int? { timeSlotByKind[kind] }

    /// Aggregate rule `index`'s evaluator (what a worker's `AggregatePartial` is made for) and the
    /// record slots it groups by and counts distinct values of.
    package func aggregate(_ index: Int) -> (evaluator: AggregateEvaluator, groupSlots: [Int], distinctSlot: Int?) {
        let a = aggregates[index]
        return (a.evaluator, a.rule.groupSlots, a.rule.distinctSlot)
    }
}
