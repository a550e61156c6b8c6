import TrennwandRecords

/// What outputs need to know about a rule (SARIF `rules`, HTML explanations, JUnit test cases).
public struct RuleDescriptor: Sendable, Codable, Hashable {
    public var id: String
    public var title: Localized
    public var description: Localized
    public var severity: Severity
    public var norms: [Norm]
    public var rationale: Localized
    public var remediation: Localized
    public var tags: [String]
    public var findingClass: FindingClass
    /// Rule file path relative to the rules directory, e.g. `zugriff/TW105-export-an-traeger.yaml`.
    public var source: String

    public init(id: String, title: Localized, description: Localized, severity: Severity, norms: [Norm],
                rationale: Localized, remediation: Localized, tags: [String], findingClass: FindingClass, source: String) {
        self.id = id
        self.title = title
        self.description = description
        self.severity = severity
        self.norms = norms
        self.rationale = rationale
        self.remediation = remediation
        self.tags = tags
        self.findingClass = findingClass
        self.source = source
    }
}

/// Facts about one run that every output shows: tool, times, inputs with their accounting.
/// Clock and version are injected (never read inside outputs) so golden files compare byte for byte.
public struct RunInfo: Sendable, Codable {
    public var toolVersion: String
    /// UTC epoch seconds.
    public var started: Int64
    public var finished: Int64
    /// Hash of the rule pack (rules, policy, lists) the run used.
    public var rulePackHash: String
    public var rules: [RuleDescriptor]
    public var inputs: [InputAccount]
    /// The language of human-readable texts in this run's outputs.
    public var language: Language
    /// Findings at or above this severity fail the run (exit code 1); nil: never.
    public var failOn: Severity?
    /// Public id of the pseudonym key (`PseudonymKey.keyID`, never the key); nil when unknown.
    public var keyID: String?
    /// The state store's view of this run (runs with `--state`, and `trennwand report`): the
    /// report then covers every finding open after the run, not only this run's.
    public var state: StateRunInfo?
    /// `scan --reveal` (or `--reveal-force`): the run's findings carry raw values, persons and
    /// evidence alike; reports say so instead of "masked" (issue #16).
    public var revealed = false

    public init(toolVersion: String, started: Int64, finished: Int64, rulePackHash: String, rules: [RuleDescriptor],
                inputs: [InputAccount], language: Language, failOn: Severity?) {
        self.toolVersion = toolVersion
        self.started = started
        self.finished = finished
        self.rulePackHash = rulePackHash
        self.rules = rules
        self.inputs = inputs
        self.language = language
        self.failOn = failOn
    }

    public var recordsRead: Int { inputs.reduce(0) { $0 + $1.read } }
    public var recordsEvaluated: Int { inputs.reduce(0) { $0 + $1.normalised } }
    public var recordsRejected: Int { inputs.reduce(0) { $0 + $1.rejected } }
    public var filesFailed: Int { inputs.filter { $0.fileError != nil }.count }
}

/// What a report says about the state store behind it (issue #14).
public struct StateRunInfo: Sendable, Codable, Hashable {
    /// The run this report belongs to (the last finished run for `trennwand report`).
    public var runID: Int64
    /// Files this run skipped because an earlier run scanned the same content.
    public var skipped: [SkippedFile]
    /// `trennwand report --since`: only findings last seen at or after this time (UTC epoch seconds),
    /// and those resolved at or after it (instead of those resolved by `runID`).
    public var since: Int64?
    /// True for `trennwand report` (rendered from the store, nothing scanned).
    public var fromStore: Bool

    public init(runID: Int64, skipped: [SkippedFile] = [], since: Int64? = nil, fromStore: Bool = false) {
        self.runID = runID
        self.skipped = skipped
        self.since = since
        self.fromStore = fromStore
    }
}

/// An input the run did not read again: "unverändert, geprüft in Lauf N".
public struct SkippedFile: Sendable, Codable, Hashable {
    public var path: String
    /// The run that scanned this content; nil when that run record was purged by retention.
    public var scannedInRun: Int64?
    /// UTC epoch seconds of that scan.
    public var scannedAt: Int64?

    public init(path: String, scannedInRun: Int64?, scannedAt: Int64? = nil) {
        self.path = path
        self.scannedInRun = scannedInRun
        self.scannedAt = scannedAt
    }
}
