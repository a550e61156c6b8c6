import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Everything one scan needs, decided by the frontend: inputs, rules, key, waivers, baseline,
/// state, threshold and reports. `Scan.run` does the rest.
package struct ScanRequest {
    package var inputs: [ScanInput]
    package var catalog: ProfileCatalog
    package var ruleSet: RuleSet
    package var policy: PolicyData
    package var key: PseudonymKey
    /// Only these rule ids (nil: all).
    package var onlyRules: Set<String>?
    /// Reference time of `now()` (UTC epoch seconds).
    package var now: Int64
    /// Worker threads (≥ 1); one worker without `chunkBytes` is the sequential scan.
    package var threads: Int
    /// CSV chunk size for the workers (tests); nil: the scheduler's default.
    package var chunkBytes: Int?
    /// Raw evidence instead of masks (local review only).
    package var reveal = false
    /// Waiver file (docs/waivers.md) and its limits.
    package var waivers: String?
    package var waiverLimits = WaiverLimits()
    /// SARIF or JSON Lines output of an earlier run: only new findings count for the verdict.
    package var baseline: String?
    /// A missing baseline file is a note, not an error: every finding counts as new (first run).
    package var baselineOptional = false
    /// State database for history and incremental scans.
    package var state: StateOptions?
    /// Open new violations from this severity on make the verdict `.findings`.
    package var failOn: Severity?
    /// Rejected records make the verdict `.input`.
    package var strict = false
    /// The reports, written in one pass after the scan.
    package var targets: [OutputTarget] = []
    /// Language of the reports and of the report-language diagnostics.
    package var language: Language = .de
    /// Written into every report and the state history.
    package var toolVersion: String
    /// Paths in SARIF are made relative to this directory.
    package var sourceRoot = FileManager.default.currentDirectoryPath
    /// Colours in a text summary written to standard output.
    package var colorStandardOutput = false
    /// Called on the scanning thread as the inputs are evaluated, and once when reading is done.
    package var progress: ((ScanProgress) -> Void)?
    /// The code the state history records for a run that ended with this reason (the CLI's exit code).
    package var historyCode: (ScanVerdict.Reason) -> Int32
    /// Distinct findings kept in memory before spilling (nil: `TRENNWAND_SPILL_AFTER` or 5,000).
    package var keepInMemory: Int?
    /// Most records the exact re-evaluation of aggregate rules with late records may hold (nil:
    /// `ScanScheduler.defaultReorderLimit`, 1,000,000).
    package var reorderLimit: Int?

    package init(inputs: [ScanInput], catalog: ProfileCatalog, ruleSet: RuleSet, policy: PolicyData, key: PseudonymKey,
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
package struct StateOptions: Sendable {
    package var path: String
    /// Re-evaluate every file, also those already scanned.
    package var full: Bool
    /// Retention of the auditor's own data in months.
    package var retentionMonths: Int

    package init(path: String, full: Bool, retentionMonths: Int) {
        self.path = path
        self.full = full
        self.retentionMonths = retentionMonths
    }
}

/// Progress of a scan, for a frontend's display.
package enum ScanProgress: Sendable {
    /// The `index`-th of `total` inputs (1-based) is being evaluated.
    case file(index: Int, total: Int, path: String)
    /// Every input is read; the verdict and the reports follow.
    case finished
}
