import TrennwandFindings
import TrennwandRecords

/// State of a run record.
package enum RunStatus: String, Sendable, Codable {
    /// Begun and not finished; while its process holds the run lock it is the live run.
    case running
    /// `finishRun` was called.
    case finished
    /// Found `running` by the next `beginRun`: the process died or was killed.
    case interrupted
}

/// What `beginRun` records about a run before any file is scanned.
package struct RunStart: Sendable {
    /// UTC epoch seconds; also the time stamp of every lifecycle change the run makes.
    package var started: Int64
    package var toolVersion: String
    /// Hash of the audit configuration (audit.yaml), if one was used.
    package var configHash: String?
    /// Hash of the compiled rule pack (rules, policy, lists).
    package var rulePackHash: String
    /// Hash of the reference tables (Stammdaten) the rules were compiled against.
    package var referenceHash: String
    /// The inputs as given (files and directories).
    package var inputs: [String]
    /// `--full`: every file re-evaluated regardless of earlier scans.
    package var full: Bool

    package init(started: Int64, toolVersion: String, configHash: String? = nil, rulePackHash: String,
                referenceHash: String, inputs: [String] = [], full: Bool = false) {
        self.started = started
        self.toolVersion = toolVersion
        self.configHash = configHash
        self.rulePackHash = rulePackHash
        self.referenceHash = referenceHash
        self.inputs = inputs
        self.full = full
    }
}

/// The run `beginRun` opened, and the runs it found unfinished (now marked `interrupted`).
package struct RunHandle: Sendable, Hashable {
    package var id: Int64
    package var interrupted: [Int64]
}

/// An input file as the planner sees it: path, size and SHA-256 of its content.
package struct PlannedFile: Sendable, Hashable, Codable {
    package var path: String
    package var size: Int64
    /// Lower-case hex SHA-256 of the file content (`ContentHash.file(atPath:)`).
    package var hash: String

    package init(path: String, size: Int64, hash: String) {
        self.path = path
        self.size = size
        self.hash = hash
    }
}

/// Why a file has to be (re-)evaluated.
package enum ScanReason: String, Sendable, Codable {
    /// `--full` was given.
    case full
    /// This content was never scanned.
    case new
    /// The path was scanned before with a different content.
    case changed
    /// The content was scanned, but with another rule pack or other reference tables.
    case rulesChanged
    /// The last scan of this content failed (unreadable, malformed).
    case failedBefore
}

/// The earlier scan that makes a file skippable ("said so").
package struct PriorScan: Sendable, Hashable, Codable {
    /// The run that scanned it; nil when that run record was purged by retention.
    package var runID: Int64?
    /// The path it was scanned under (a moved or copied file keeps its content hash).
    package var path: String
    /// UTC epoch seconds.
    package var scannedAt: Int64
}

/// The planner's verdict on one file.
package struct FileDecision: Sendable, Hashable {
    /// Scan it, or skip it because an earlier scan already covered exactly this content.
    package enum Action: Sendable, Hashable {
        case scan(ScanReason)
        case skip(PriorScan)
    }

    package var file: PlannedFile
    package var action: Action

    package var shouldScan: Bool {
        if case .scan = action { return true }
        return false
    }
}

/// What `commitFile` did to the lifecycle, so the scan can report only new findings.
package struct FileCommit: Sendable, Hashable {
    package var fileID: Int64
    /// Fingerprint → status after this commit, for the findings of this file.
    package var statuses: [String: FindingStatus]
    /// Fingerprints of this source that were not found again and are now `resolved`.
    package var resolved: [String]

    package func count(_ status: FindingStatus) -> Int { statuses.values.filter { $0 == status }.count }
}

/// What a retention purge removed.
package struct PurgeResult: Sendable, Hashable, Codable {
    /// Run records (with their per-run finding events) deleted.
    package var runs: Int
    /// Findings deleted (last seen or changed before the cut-off).
    package var findings: Int
    /// File ledger rows detached from a purged run (kept, see docs/operations.md).
    package var filesDetached: Int
}

/// One run as `trennwand history` shows it.
package struct RunRecord: Sendable, Codable, Hashable {
    package var id: Int64
    package var started: Int64
    package var finished: Int64?
    package var status: RunStatus
    package var toolVersion: String
    package var configHash: String?
    package var rulePackHash: String
    package var referenceHash: String
    package var full: Bool
    package var inputs: [String]
    package var filesScanned: Int
    package var filesSkipped: Int
    package var filesFailed: Int
    package var recordsRead: Int
    package var recordsEvaluated: Int
    package var recordsRejected: Int
    package var accessRecords: Int
    /// Lifecycle events of this run: how many findings became new, open, reopened, resolved, waived.
    package var new: Int
    package var open: Int
    package var reopened: Int
    package var resolved: Int
    package var waived: Int
    /// Findings seen in this run (not resolved) per severity raw value.
    package var bySeverity: [String: Int]
    package var violations: Int
    package var gaps: Int
    package var exitCode: Int?
}

/// One finding as stored (masked evidence summary only; never raw values).
package struct StoredFinding: Sendable, Codable, Hashable {
    package var fingerprint: String
    package var ruleID: String
    package var severity: Severity
    package var findingClass: FindingClass
    package var norms: [String]
    package var sourcePath: String
    package var status: FindingStatus
    package var firstRun: Int64
    package var lastRun: Int64
    package var firstSeen: Int64
    package var lastSeen: Int64
    package var resolvedRun: Int64?
    /// Occurrences in the latest scan of each file that still contains it.
    package var occurrences: Int
    /// How many file scans reported it.
    package var seenCount: Int
    package var evidence: String
    package var recordTime: Int64?
}

/// Period of a trend.
package enum TrendPeriod: String, Sendable, Codable, CaseIterable {
    /// Calendar month (UTC), label `2025-03`.
    case month
    /// ISO 8601 week (UTC), label `2025-W10`.
    case week

    /// The label of the period containing an epoch second.
    package func label(_ epochSeconds: Int64) -> String {
        let days = Int(CivilTime.floorDiv(epochSeconds, 86_400))
        switch self {
        case .month:
            let (y, m, _) = CivilTime.civilFromDays(days)
            return "\(y)-\(m < 10 ? "0" : "")\(m)"
        case .week:
            // Monday = 0; 1970-01-01 was a Thursday.
            let weekday = ((days + 3) % 7 + 7) % 7
            let thursday = days - weekday + 3
            let (y, _, _) = CivilTime.civilFromDays(thursday)
            let week = (thursday - CivilTime.daysFromCivil(year: y, month: 1, day: 1)) / 7 + 1
            return "\(y)-W\(week < 10 ? "0" : "")\(week)"
        }
    }
}

/// What a trend groups findings by.
package enum TrendDimension: String, Sendable, Codable, CaseIterable {
    case rule, severity, norm
}

/// One cell of a trend: findings first detected in `period` with `key`, and the rate.
package struct TrendRow: Sendable, Codable, Hashable {
    package var period: String
    package var key: String
    package var count: Int
    /// Access records first evaluated in this period (each file content counted once).
    package var accesses: Int
    /// Findings per 1,000 access records; nil when the period evaluated no access records.
    package var ratePer1000: Double?
}

/// A trend table: all periods with scans (ascending), all keys, and the non-zero cells.
package struct Trend: Sendable, Codable, Hashable {
    package var by: TrendPeriod
    package var per: TrendDimension
    package var periods: [String]
    package var keys: [String]
    package var accessesByPeriod: [String: Int]
    package var rows: [TrendRow]

    /// The count of a cell (0 when absent).
    package func count(period: String, key: String) -> Int {
        rows.first { $0.period == period && $0.key == key }?.count ?? 0
    }

    /// The rate of a cell; nil when the period has no access records.
    package func rate(period: String, key: String) -> Double? {
        guard let a = accessesByPeriod[period], a > 0 else { return nil }
        return Double(count(period: period, key: key)) * 1000 / Double(a)
    }
}
