// TrennwandFindings: what a rule reports, independent of any output format. Produced by the
// engine, consumed by the outputs. Never a second copy of the social data: evidence is masked
// and persons are pseudonymised before a Finding is built.
import TrennwandRecords

/// How serious a finding is. Ordered: `info < low < medium < high < critical`.
package enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }
    package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    package var label: Localized {
        switch self {
        case .info: return Localized(de: "Hinweis", en: "info")
        case .low: return Localized(de: "niedrig", en: "low")
        case .medium: return Localized(de: "mittel", en: "medium")
        case .high: return Localized(de: "hoch", en: "high")
        case .critical: return Localized(de: "kritisch", en: "critical")
        }
    }
}

/// A legal norm a rule rests on, versioned by the date of the text it was checked against.
package struct Norm: Sendable, Codable, Hashable {
    /// e.g. `§ 35 Abs. 1 SGB I`, `Art. 9 DSGVO`.
    package var citation: String
    /// The norm's exact title, e.g. `Sozialgeheimnis`.
    package var title: String
    /// Date of the law text the rule was written against (ISO date).
    package var asOf: String

    package init(citation: String, title: String, asOf: String) {
        self.citation = citation
        self.title = title
        self.asOf = asOf
    }
}

/// A violation of a separation rule, or a configuration gap (unknown actor, unmapped system,
/// unknown category) — gaps are reported on their own and never counted as violations.
package enum FindingClass: String, Sendable, Codable {
    case violation
    case gap
}

/// Why a finding fired, without revealing the data: which field, which detector, where, masked.
package struct Evidence: Sendable, Codable, Hashable {
    /// Canonical field name, e.g. `text`, `destination_org`.
    package var field: String
    /// Detector name when a detector fired (`steuer_id`, `gesundheit`), else nil.
    package var detector: String?
    /// The value, masked (identifiers) or shown (categorical values like `traeger`).
    package var value: String
    /// Text piece and byte range of a detector hit, for locating it in the record.
    package var piece: Int?
    package var range: Range<Int>?

    package init(field: String, detector: String? = nil, value: String, piece: Int? = nil, range: Range<Int>? = nil) {
        self.field = field
        self.detector = detector
        self.value = value
        self.piece = piece
        self.range = range
    }
}

/// One finding: rule, severity, norms, where, masked evidence, pseudonymised persons and a
/// content-based fingerprint (rule + key fields + time bucket, never the file position).
package struct Finding: Sendable, Codable {
    package var ruleID: String
    package var title: Localized
    package var severity: Severity
    package var findingClass: FindingClass
    package var norms: [Norm]
    package var locator: Locator
    /// Time of the record (UTC epoch seconds), if it has one.
    package var time: Int64?
    package var evidence: [Evidence]
    /// Role (`actor`, `subject`, `author`) → keyed pseudonym.
    package var persons: [String: String]
    package var remediation: Localized
    package var fingerprint: String
    /// Extra explanation for this occurrence (aggregates: measured value and threshold).
    package var detail: Localized?
    /// How many records of this run produced the same fingerprint (collapsed into this finding).
    package var occurrences: Int = 1

    package init(ruleID: String, title: Localized, severity: Severity, findingClass: FindingClass, norms: [Norm],
                locator: Locator, time: Int64?, evidence: [Evidence], persons: [String: String],
                remediation: Localized, fingerprint: String, detail: Localized? = nil) {
        self.ruleID = ruleID
        self.title = title
        self.severity = severity
        self.findingClass = findingClass
        self.norms = norms
        self.locator = locator
        self.time = time
        self.evidence = evidence
        self.persons = persons
        self.remediation = remediation
        self.fingerprint = fingerprint
        self.detail = detail
    }
}
