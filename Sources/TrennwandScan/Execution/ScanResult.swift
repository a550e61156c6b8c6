import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandFindings
import TrennwandRecords

/// The result of a scan: findings (collapsed by fingerprint, deterministic order) and accounting.
package struct ScanResult: Sendable {
    package var findings: FindingList
    package var inputs: [InputAccount]
    package var referenceRows: [RecordKind: Int]
    package var descriptors: [RuleDescriptor]
    package var rulePackHash: String
    /// Evaluated inputs not read because an earlier run scanned the same content (incremental).
    package var skipped: [String]
    /// Record kind of each readable input (by its profile).
    package var kinds: [String: RecordKind]
    package var started: Int64
    package var finished: Int64
    package var elapsed: Double
    /// Aggregate rules that left records uncounted (arrived after their window closed) and were
    /// not evaluated again in time order (empty when the exact re-evaluation ran).
    package var lateRecords: [AggregateLateRecords] = []
    /// Set (to the limit) when the exact re-evaluation of `lateRecords`' rules was skipped because
    /// it would have held more than this many routed records.
    package var reorderLimit: Int?
    /// How the chunked files were read (tests and `--stats`-like diagnostics; no effect on results).
    package var chunks = ChunkCounts()
    /// The engine that evaluated the rules.
    package var engine = ScanEngine.batches
}

/// Chunks merged, read again from their true boundary, and files whose rest was read sequentially.
package struct ChunkCounts: Sendable, Equatable {
    package var merged = 0
    package var reread = 0
    package var sequentialRests = 0
}
