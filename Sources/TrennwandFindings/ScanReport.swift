import TrennwandRecords

/// What outputs need to know about a rule (SARIF `rules`, HTML explanations, JUnit test cases).
package struct RuleDescriptor: Sendable, Codable, Hashable {
    package var id: String
    package var title: Localized
    package var description: Localized
    package var severity: Severity
    package var norms: [Norm]
    package var rationale: Localized
    package var remediation: Localized
    package var tags: [String]
    package var findingClass: FindingClass
    /// Rule file path relative to the rules directory, e.g. `zugriff/TW105-export-an-traeger.yaml`.
    package var source: String

    package init(id: String, title: Localized, description: Localized, severity: Severity, norms: [Norm],
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
package struct RunInfo: Sendable, Codable {
    package var toolVersion: String
    /// UTC epoch seconds.
    package var started: Int64
    package var finished: Int64
    /// Hash of the rule pack (rules, policy, lists) the run used.
    package var rulePackHash: String
    package var rules: [RuleDescriptor]
    package var inputs: [InputAccount]
    /// The language of human-readable texts in this run's outputs.
    package var language: Language
    /// Findings at or above this severity fail the run (exit code 1); nil: never.
    package var failOn: Severity?
    /// Public id of the pseudonym key (`PseudonymKey.keyID`, never the key); nil when unknown.
    package var keyID: String?

    package init(toolVersion: String, started: Int64, finished: Int64, rulePackHash: String, rules: [RuleDescriptor],
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

    package var recordsRead: Int { inputs.reduce(0) { $0 + $1.read } }
    package var recordsEvaluated: Int { inputs.reduce(0) { $0 + $1.normalised } }
    package var recordsRejected: Int { inputs.reduce(0) { $0 + $1.rejected } }
    package var filesFailed: Int { inputs.filter { $0.fileError != nil }.count }
}
