import TrennwandFindings
import TrennwandRecords

/// Findings from rows an SQL engine returned (`trennwand collect`): the engine decided which
/// records and groups violate a rule; the finding is built here by the same code as during a scan,
/// so rule texts, masking, pseudonyms and fingerprints are the scan's.
extension RuleEvaluator {
    /// The finding record rule `ruleID` raises on `record` (the fields the rule shows and
    /// fingerprints, its persons, time and locator filled; text fields are scanned again for the
    /// masked evidence). Nil when the pack has no such record rule for the record's kind.
    public func finding(recordRule ruleID: String, record: Record) -> Finding? {
        guard let rule = pack.rulesByKind[record.kind]?.first(where: { $0.descriptor.id == ruleID }) else { return nil }
        let ctx = context(for: record.kind)
        ctx.reset(record: record)
        return finding(rule, ctx)
    }

    /// The finding aggregate rule `ruleID` raises for `hit`. Nil when the pack has no such aggregate.
    public func finding(aggregateRule ruleID: String, hit: AggregateHit) -> Finding? {
        guard let rule = pack.aggregates.first(where: { $0.descriptor.id == ruleID }) else { return nil }
        return finding(aggregate: rule, hit)
    }

    /// The group-key bytes of a value, as an aggregate groups by it (nil: missing, not grouped).
    public static func groupKey(_ value: Value) -> ByteString? { keyBytes(value) }

    /// The kind an aggregate rule reads, the names of its group fields in key order, and whether
    /// it counts per tumbling window (else over the whole run).
    public func aggregateGroup(_ ruleID: String) -> (kind: RecordKind, fields: [String], windowed: Bool)? {
        guard let rule = pack.aggregates.first(where: { $0.descriptor.id == ruleID }) else { return nil }
        let schema = rule.file.target.kind.schema
        return (rule.file.target.kind, rule.groupSlots.map { schema.fields[$0].name }, rule.spec.window != nil)
    }

    /// The kind of record rule `ruleID` (nil: not a record rule of the pack).
    public func recordRuleKind(_ ruleID: String) -> RecordKind? {
        pack.rulesByKind.first { $0.value.contains { $0.descriptor.id == ruleID } }?.key
    }
}
