// TrennwandFindings: what a rule reports, independent of any output format. Produced by the
// engine, consumed by the outputs. Never a second copy of the social data: evidence is masked
// and persons are pseudonymised before a Finding is built.
import TrennwandRecords

/// How serious a finding is. Ordered: `info < low < medium < high < critical`.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    public var label: Localized {
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
public struct Norm: Sendable, Codable, Hashable {
    /// e.g. `§ 35 Abs. 1 SGB I`, `Art. 9 DSGVO`.
    public var citation: String
    /// The norm's exact title, e.g. `Sozialgeheimnis`.
    public var title: String
    /// Date of the law text the rule was written against (ISO date); for a norm from the
    /// catalogue (`Rules/norms.yaml`) the date of the provision's last amendment, or `unknown`.
    public var asOf: String
    /// What the provision requires, one plain-German sentence (from the catalogue).
    public var summary: String?
    /// Whom the provision binds: `jobcenter`, `traeger` or `both` (from the catalogue).
    public var binds: String?
    /// The text the citation was checked against (law portal address or commentary).
    public var source: String?
    /// Date of the provision's last amendment (ISO date) or `unknown`.
    public var lastAmended: String?
    /// Set when the rule rests on a decision stricter than the statute: who decided it and why
    /// (e.g. "Festlegung der Trennungsmatrix (Datenschutzbeauftragte): …").
    public var policyDecision: String?

    public init(citation: String, title: String, asOf: String, summary: String? = nil, binds: String? = nil,
                source: String? = nil, lastAmended: String? = nil, policyDecision: String? = nil) {
        self.citation = citation
        self.title = title
        self.asOf = asOf
        self.summary = summary
        self.binds = binds
        self.source = source
        self.lastAmended = lastAmended
        self.policyDecision = policyDecision
    }
}

/// A violation of a separation rule, or a configuration gap (unknown actor, unmapped system,
/// unknown category) — gaps are reported on their own and never counted as violations.
public enum FindingClass: String, Sendable, Codable {
    case violation
    case gap
}

/// Why a finding fired, without revealing the data: which field, which detector, where, masked.
public struct Evidence: Sendable, Codable, Hashable {
    /// Canonical field name, e.g. `text`, `destination_org`.
    public var field: String
    /// Detector name when a detector fired (`steuer_id`, `gesundheit`), else nil.
    public var detector: String?
    /// The value, masked (identifiers) or shown (categorical values like `traeger`).
    public var value: String
    /// Text piece and byte range of a detector hit, for locating it in the record.
    public var piece: Int?
    public var range: Range<Int>?

    public init(field: String, detector: String? = nil, value: String, piece: Int? = nil, range: Range<Int>? = nil) {
        self.field = field
        self.detector = detector
        self.value = value
        self.piece = piece
        self.range = range
    }
}

/// One finding: rule, severity, norms, where, masked evidence, pseudonymised persons and a
/// content-based fingerprint (rule + key fields + time bucket, never the file position).
public struct Finding: Sendable, Codable {
    public var ruleID: String
    public var title: Localized
    public var severity: Severity
    public var findingClass: FindingClass
    public var norms: [Norm]
    public var locator: Locator
    /// Time of the record (UTC epoch seconds), if it has one.
    public var time: Int64?
    public var evidence: [Evidence]
    /// Role (`actor`, `subject`, `author`) → keyed pseudonym.
    public var persons: [String: String]
    public var remediation: Localized
    public var fingerprint: String
    /// Extra explanation for this occurrence (aggregates: measured value and threshold).
    public var detail: Localized?
    /// How many records of this run produced the same fingerprint (collapsed into this finding).
    public var occurrences: Int = 1
    /// The records merged into this finding after the first (which is `locator`/`time`/`evidence`),
    /// in report order. May hold fewer than `occurrences - 1` entries when a bound was reached
    /// (`occurrencesTruncated`); never more.
    public var others: [Occurrence] = []

    /// Every merged record, the first included (`locator`, `time`, `evidence`), in report order.
    public var occurrenceList: [Occurrence] {
        [Occurrence(locator: locator, time: time, evidence: evidence)] + others
    }

    /// Whether fewer records are listed than were merged (`occurrences > 1 + others.count`).
    public var occurrencesTruncated: Bool { occurrences > 1 + others.count }

    public init(ruleID: String, title: Localized, severity: Severity, findingClass: FindingClass, norms: [Norm],
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

/// One record merged into a finding: where it is, when it happened and its masked evidence.
///
/// Records with the same fingerprint share rule and key fields, but an auditor needs every access
/// line as evidence (issue #14): the finding keeps each record's place and time.
public struct Occurrence: Sendable, Codable, Hashable {
    public var locator: Locator
    /// Time of the record (UTC epoch seconds), if it has one.
    public var time: Int64?
    /// The record's masked evidence (same fields as the finding's; values may differ).
    public var evidence: [Evidence]

    public init(locator: Locator, time: Int64?, evidence: [Evidence]) {
        self.locator = locator
        self.time = time
        self.evidence = evidence
    }
}
