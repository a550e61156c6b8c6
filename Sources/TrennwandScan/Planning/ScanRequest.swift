import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Everything one scan needs, decided by the frontend: inputs, rules, key, waivers, baseline,
/// state, threshold and reports. `Scan.run` does the rest.
public struct ScanRequest {
    public var inputs: [ScanInput]
    public var catalog: ProfileCatalog
    public var ruleSet: RuleSet
    public var policy: PolicyData
    public var key: PseudonymKey
    /// Only these rule ids (nil: all).
    public var onlyRules: Set<String>?
    /// Reference time of `now()` (UTC epoch seconds).
    public var now: Int64
    /// Worker threads (≥ 1); one worker without `chunkBytes` is the sequential scan.
    public var threads: Int
    /// CSV chunk size for the workers (tests); nil: the scheduler's default.
    public var chunkBytes: Int?
    /// Raw evidence instead of masks (local review only).
    public var reveal = false
    /// Waiver file (docs/waivers.md) and its limits.
    public var waivers: String?
    public var waiverLimits = WaiverLimits()
    /// SARIF or JSON Lines output of an earlier run: only new findings count for the verdict.
    public var baseline: String?
    /// State database for history and incremental scans.
    public var state: StateOptions?
    /// Open new violations from this severity on make the verdict `.findings`.
    public var failOn: Severity?
    /// Rejected records make the verdict `.input`.
    public var strict = false
    /// The reports, written in one pass after the scan.
    public var targets: [OutputTarget] = []
    /// Language of the reports and of the report-language diagnostics.
    public var language: Language = .de
    /// Written into every report and the state history.
    public var toolVersion: String
    /// Paths in SARIF are made relative to this directory.
    public var sourceRoot = FileManager.default.currentDirectoryPath
    /// Colours in a text summary written to standard output.
    public var colorStandardOutput = false
    /// Called on the scanning thread as the inputs are evaluated, and once when reading is done.
    public var progress: ((ScanProgress) -> Void)?
    /// The code the state history records for a run that ended with this reason (the CLI's exit code).
    public var historyCode: (ScanVerdict.Reason) -> Int32
    /// Distinct findings kept in memory before spilling (nil: `TRENNWAND_SPILL_AFTER` or 5,000).
    package var keepInMemory: Int?
    /// Most records the exact re-evaluation of aggregate rules with late records may hold (nil:
    /// `ScanScheduler.defaultReorderLimit`, 1,000,000).
    public var reorderLimit: Int?

    public init(inputs: [ScanInput], catalog: ProfileCatalog, ruleSet: RuleSet, policy: PolicyData, key: PseudonymKey,
                now: Int64, threads: Int, toolVersion: String, historyCode: @escaping (ScanVerdict.Reason) -> Int32) {
        self.inputs = inputs
        self.catalog = catalog
        self.ruleSet = ruleSet
        self.policy = policy
        self.key = key
        self.now = now
        self.threads = max(1, threads)
        self.toolVersion = toolVersion
        self.historyCode = historyCode
    }
}

/// The state database of a scan.
public struct StateOptions: Sendable {
    public var path: String
    /// Re-evaluate every file, also those already scanned.
    public var full: Bool
    /// Retention of the auditor's own data in months.
    public var retentionMonths: Int

    public init(path: String, full: Bool, retentionMonths: Int) {
        self.path = path
        self.full = full
        self.retentionMonths = retentionMonths
    }
}

/// Progress of a scan, for a frontend's display.
public enum ScanProgress: Sendable {
    /// The `index`-th of `total` inputs (1-based) is being evaluated.
    case file(index: Int, total: Int, path: String)
    /// Every input is read; the verdict and the reports follow.
    case finished
}
