import TrennwandFindings
import TrennwandRecords

/// Lifecycle of a finding across scheduled scans, keyed by its content-based fingerprint.
///
/// - `new`: first seen in the run recorded as `firstRun` (stays `new` until another run sees it again).
/// - `open`: seen again by a later run.
/// - `resolved`: its source file was re-scanned completely and the fingerprint was not found again.
/// - `reopened`: seen again after it had been resolved.
/// - `waived`: a waiver covered it when it was last seen (set by the scan, not by the store).
public enum FindingStatus: String, Sendable, Codable, CaseIterable {
    case new, open, resolved, reopened, waived
}

/// State of a run record.
public enum RunStatus: String, Sendable, Codable {
    /// Begun and not finished; while its process holds the run lock it is the live run.
    case running
    /// `finishRun` was called.
    case finished
    /// Found `running` by the next `beginRun`: the process died or was killed.
    case interrupted
}

/// What `beginRun` records about a run before any file is scanned.
public struct RunStart: Sendable {
    /// UTC epoch seconds; also the time stamp of every lifecycle change the run makes.
    public var started: Int64
    public var toolVersion: String
    /// Hash of the audit configuration (audit.yaml), if one was used.
    public var configHash: String?
    /// Hash of the compiled rule pack (rules, policy, lists).
    public var rulePackHash: String
    /// Hash of the reference tables (Stammdaten) the rules were compiled against.
    public var referenceHash: String
    /// The inputs as given (files and directories).
    public var inputs: [String]
    /// `--full`: every file re-evaluated regardless of earlier scans.
    public var full: Bool

    public init(started: Int64, toolVersion: String, configHash: String? = nil, rulePackHash: String,
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
public struct RunHandle: Sendable, Hashable {
    public var id: Int64
    public var interrupted: [Int64]
}

/// An input file as the planner sees it: path, size and SHA-256 of its content.
public struct PlannedFile: Sendable, Hashable, Codable {
    public var path: String
    public var size: Int64
    /// Lower-case hex SHA-256 of the file content (`ContentHash.file(atPath:)`).
    public var hash: String

    public init(path: String, size: Int64, hash: String) {
        self.path = path
        self.size = size
        self.hash = hash
    }
}

/// Why a file has to be (re-)evaluated.
public enum ScanReason: String, Sendable, Codable {
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
public struct PriorScan: Sendable, Hashable, Codable {
    /// The run that scanned it; nil when that run record was purged by retention.
    public var runID: Int64?
    /// The path it was scanned under (a moved or copied file keeps its content hash).
    public var path: String
    /// UTC epoch seconds.
    public var scannedAt: Int64
}

/// The planner's verdict on one file.
public struct FileDecision: Sendable, Hashable {
    /// Scan it, or skip it because an earlier scan already covered exactly this content.
    public enum Action: Sendable, Hashable {
        case scan(ScanReason)
        case skip(PriorScan)
    }

    public var file: PlannedFile
    public var action: Action

    public var shouldScan: Bool {
        if case .scan = action { return true }
        return false
    }
}

/// What `commitFile` did to the lifecycle, so the scan can report only new findings.
public struct FileCommit: Sendable, Hashable {
    public var fileID: Int64
    /// Fingerprint → status after this commit, for the findings of this file.
    public var statuses: [String: FindingStatus]
    /// Fingerprints of this source that were not found again and are now `resolved`.
    public var resolved: [String]

    public func count(_ status: FindingStatus) -> Int { statuses.values.filter { $0 == status }.count }
}

/// What a retention purge removed.
public struct PurgeResult: Sendable, Hashable, Codable {
    /// Run records (with their per-run finding events) deleted.
    public var runs: Int
    /// Findings deleted (last seen or changed before the cut-off).
    public var findings: Int
    /// File ledger rows detached from a purged run (kept, see docs/operations.md).
    public var filesDetached: Int
}

/// One run as `trennwand history` shows it.
public struct RunRecord: Sendable, Codable, Hashable {
    public var id: Int64
    public var started: Int64
    public var finished: Int64?
    public var status: RunStatus
    public var toolVersion: String
    public var configHash: String?
    public var rulePackHash: String
    public var referenceHash: String
    public var full: Bool
    public var inputs: [String]
    public var filesScanned: Int
    public var filesSkipped: Int
    public var filesFailed: Int
    public var recordsRead: Int
    public var recordsEvaluated: Int
    public var recordsRejected: Int
    public var accessRecords: Int
    /// Lifecycle events of this run: how many findings became new, open, reopened, resolved, waived.
    public var new: Int
    public var open: Int
    public var reopened: Int
    public var resolved: Int
    public var waived: Int
    /// Findings seen in this run (not resolved) per severity raw value.
    public var bySeverity: [String: Int]
    public var violations: Int
    public var gaps: Int
    public var exitCode: Int?
}

/// One finding as stored (masked evidence summary only; never raw values).
public struct StoredFinding: Sendable, Codable, Hashable {
    public var fingerprint: String
    public var ruleID: String
    public var severity: Severity
    public var findingClass: FindingClass
    public var norms: [String]
    public var sourcePath: String
    public var status: FindingStatus
    public var firstRun: Int64
    public var lastRun: Int64
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var resolvedRun: Int64?
    /// Occurrences in the latest scan of each file that still contains it.
    public var occurrences: Int
    /// How many file scans reported it.
    public var seenCount: Int
    public var evidence: String
    public var recordTime: Int64?
}

/// Period of a trend.
public enum TrendPeriod: String, Sendable, Codable, CaseIterable {
    /// Calendar month (UTC), label `2025-03`.
    case month
    /// ISO 8601 week (UTC), label `2025-W10`.
    case week

    /// The label of the period containing an epoch second.
    public func label(_ epochSeconds: Int64) -> String {
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
public enum TrendDimension: String, Sendable, Codable, CaseIterable {
    case rule, severity, norm
}

/// One cell of a trend: findings first detected in `period` with `key`, and the rate.
public struct TrendRow: Sendable, Codable, Hashable {
    public var period: String
    public var key: String
    public var count: Int
    /// Access records first evaluated in this period (each file content counted once).
    public var accesses: Int
    /// Findings per 1,000 access records; nil when the period evaluated no access records.
    public var ratePer1000: Double?
}

/// A trend table: all periods with scans (ascending), all keys, and the non-zero cells.
public struct Trend: Sendable, Codable, Hashable {
    public var by: TrendPeriod
    public var per: TrendDimension
    public var periods: [String]
    public var keys: [String]
    public var accessesByPeriod: [String: Int]
    public var rows: [TrendRow]

    /// The count of a cell (0 when absent).
    public func count(period: String, key: String) -> Int {
        rows.first { $0.period == period && $0.key == key }?.count ?? 0
    }

    /// The rate of a cell; nil when the period has no access records.
    public func rate(period: String, key: String) -> Double? {
        guard let a = accessesByPeriod[period], a > 0 else { return nil }
        return Double(count(period: period, key: key)) * 1000 / Double(a)
    }
}
