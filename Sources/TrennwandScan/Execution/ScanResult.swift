import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandRecords

/// The result of a scan: findings (collapsed by fingerprint, deterministic order) and accounting.
public struct ScanResult: Sendable {
    public var findings: FindingList
    public var inputs: [InputAccount]
    public var referenceRows: [RecordKind: Int]
    public var descriptors: [RuleDescriptor]
    public var rulePackHash: String
    /// Evaluated inputs not read because an earlier run scanned the same content (incremental).
    public var skipped: [String]
    /// Record kind of each readable input (by its profile).
    public var kinds: [String: RecordKind]
    public var started: Int64
    public var finished: Int64
    public var elapsed: Double
    /// Aggregate rules that left records uncounted (arrived after their window closed) and were
    /// not evaluated again in time order (empty when the exact re-evaluation ran).
    public var lateRecords: [AggregateLateRecords] = []
    /// Set (to the limit) when the exact re-evaluation of `lateRecords`' rules was skipped because
    /// it would have held more than this many routed records.
    public var reorderLimit: Int?
}
