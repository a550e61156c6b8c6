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
    var physicalLocation: SARIFPhysicalLocation
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

    enum CodingKeys: String, CodingKey {
        case severity, evidence, persons, norms, recordId, time, remediation
        case findingClass = "class"
    }
}

struct SARIFResult: Codable {
    var ruleId: String
    var ruleIndex: Int?
    var level: String
    var message: SARIFMessage
    var locations: [SARIFLocation]
    var partialFingerprints: [String: String]
    var suppressions: [SARIFSuppression]?
    var properties: SARIFResultProperties

    /// Spelled out (as synthesised, same order) so `SARIFBaselineReader` reads by the same keys.
    enum CodingKeys: String, CodingKey {
        case ruleId, ruleIndex, level, message, locations, partialFingerprints, suppressions, properties
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

    enum CodingKeys: String, CodingKey {
        case rulePack = "trennwand/rulePack"
        case keyID = "trennwand/keyID"
        case records = "trennwand/records"
        case resultsTotal = "trennwand/resultsTotal"
        case omittedResults = "trennwand/omittedResults"
        case rejectionNotificationsOmitted = "trennwand/rejectionNotificationsOmitted"
    }
}

struct SARIFOriginalURIBase: Codable {
    var uri: String
}
