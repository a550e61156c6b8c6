// The SARIF 2.1.0 objects Trennwand writes, as Codable structs (no `[String: Any]`).
// Only the subset used here; names follow the OASIS schema. Optional nil fields are omitted.

/// `message` / `multiformatMessageString`.
struct SARIFMessage: Codable, Hashable {
    var text: String
    var markdown: String?
}

struct SARIFTool: Codable {
    var driver: SARIFDriver
}

struct SARIFDriver: Codable {
    var name: String
    var version: String
    var semanticVersion: String?
    var language: String
    var rules: [SARIFRule]
}

struct SARIFRule: Codable {
    var id: String
    var name: String
    var shortDescription: SARIFMessage
    var fullDescription: SARIFMessage
    var help: SARIFMessage
    var defaultConfiguration: SARIFConfiguration
    var properties: SARIFRuleProperties
}

struct SARIFConfiguration: Codable {
    var level: String
}

struct SARIFNorm: Codable {
    var citation: String
    var title: String
    var asOf: String
}

struct SARIFRuleProperties: Codable {
    var tags: [String]
    var norms: [SARIFNorm]
    var severity: String
    var findingClass: String
    var securitySeverity: String?
    var source: String

    enum CodingKeys: String, CodingKey {
        case tags, norms, severity, source
        case findingClass = "class"
        case securitySeverity = "security-severity"
    }
}

struct SARIFArtifactLocation: Codable {
    var uri: String
    var uriBaseId: String?
}

struct SARIFRegion: Codable {
    var startLine: Int
    var startColumn: Int?
}

struct SARIFPhysicalLocation: Codable {
    var artifactLocation: SARIFArtifactLocation
    var region: SARIFRegion?
}

struct SARIFLocation: Codable {
    /// Set on `relatedLocations` (SARIF requires an id there to reference them from messages).
    var id: Int?
    var physicalLocation: SARIFPhysicalLocation
    var message: SARIFMessage?

    init(id: Int? = nil, physicalLocation: SARIFPhysicalLocation, message: SARIFMessage? = nil) {
        self.id = id
        self.physicalLocation = physicalLocation
        self.message = message
    }
}

struct SARIFSuppressionProperties: Codable {
    var approver: String
    var created: String
    var expires: String?
}

struct SARIFSuppression: Codable {
    var kind: String
    var status: String
    var justification: String
    var properties: SARIFSuppressionProperties
}

struct SARIFEvidence: Codable {
    var field: String
    var detector: String?
    var value: String
}

struct SARIFResultProperties: Codable {
    var severity: String
    var findingClass: String
    var evidence: [SARIFEvidence]
    var persons: [String: String]
    var norms: [String]
    var recordId: String?
    var time: String?
    var remediation: String
    /// Lifecycle in the state store (runs with `--state`).
    var status: String?
    var firstSeen: String?
    var lastSeen: String?
    var firstRun: Int64?
    var lastRun: Int64?
    var resolvedRun: Int64?
    /// Every merged record counted; those past GitHub's location limit are not in `relatedLocations`.
    var occurrences: Int
    var occurrencesListed: Int
    var occurrencesTruncated: Bool?

    enum CodingKeys: String, CodingKey {
        case severity, evidence, persons, norms, recordId, time, remediation
        case status, firstSeen, lastSeen, firstRun, lastRun, resolvedRun, occurrences, occurrencesListed, occurrencesTruncated
        case findingClass = "class"
    }
}

struct SARIFResult: Codable {
    var ruleId: String
    var ruleIndex: Int?
    /// `pass` for a finding that is no longer there (resolved, baseline `absent`); nil = `fail`.
    var kind: String?
    var level: String
    var message: SARIFMessage
    var locations: [SARIFLocation]
    var relatedLocations: [SARIFLocation]?
    var partialFingerprints: [String: String]
    var baselineState: String?
    var suppressions: [SARIFSuppression]?
    var properties: SARIFResultProperties

    /// Spelled out (as synthesised, same order) so `SARIFBaselineReader` reads by the same keys.
    enum CodingKeys: String, CodingKey {
        case ruleId, ruleIndex, kind, level, message, locations, relatedLocations, partialFingerprints, baselineState, suppressions, properties
    }
}

struct SARIFDescriptorReference: Codable {
    var id: String
}

struct SARIFNotification: Codable {
    var level: String
    var message: SARIFMessage
    var locations: [SARIFLocation]?
    var descriptor: SARIFDescriptorReference?
}

struct SARIFInvocation: Codable {
    var executionSuccessful: Bool
    var startTimeUtc: String
    var endTimeUtc: String
    var toolExecutionNotifications: [SARIFNotification]
}

struct SARIFRecordCounts: Codable {
    var read: Int
    var evaluated: Int
    var rejected: Int
}

/// Run-level `properties`.
struct SARIFRunProperties: Codable {
    var rulePack: String
    var keyID: String?
    var records: SARIFRecordCounts
    var resultsTotal: Int
    var omittedResults: Int
    var rejectionNotificationsOmitted: Int
    /// Files the run skipped as unchanged (state) and the run that scanned them; the run's id.
    var skippedFiles: [SARIFSkippedFile]?
    var stateRun: Int64?
    /// Findings by baseline state (`new`, `unchanged`, `absent`), when a baseline was given.
    var baselineStates: [String: Int]?

    enum CodingKeys: String, CodingKey {
        case skippedFiles, stateRun, baselineStates
        case rulePack = "trennwand/rulePack"
        case keyID = "trennwand/keyID"
        case records = "trennwand/records"
        case resultsTotal = "trennwand/resultsTotal"
        case omittedResults = "trennwand/omittedResults"
        case rejectionNotificationsOmitted = "trennwand/rejectionNotificationsOmitted"
    }
}

struct SARIFSkippedFile: Codable {
    var path: String
    var run: Int64?
    var scannedAt: String?
}

struct SARIFOriginalURIBase: Codable {
    var uri: String
}
