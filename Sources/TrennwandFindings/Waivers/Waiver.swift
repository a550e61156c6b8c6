// Waivers: audited, expiring acceptances of single findings (anchors.md lesson 3). A waiver names
// a rule, a narrow match, a reason, an approver, when it was created and when it expires. Waived
// findings stay visible in every output; an expired waiver re-opens its finding with a warning.
import Foundation
import TrennwandRecords

/// One audited waiver read from the waiver file.
///
/// A waiver covers a finding when the rule matches and every given criterion holds (the
/// fingerprint and all `match` fields). It is valid while `now < expires`.
public struct Waiver: Sendable, Hashable {
    /// Rule id, upper case (`TW105`).
    public var rule: String
    /// Exact content fingerprint of the finding (lower-case hex), if given.
    public var fingerprint: String?
    /// Field criteria, if given.
    public var match: WaiverMatch?
    /// Why the finding is accepted.
    public var reason: String
    /// Who approved the waiver (name or role).
    public var approver: String
    /// UTC epoch seconds (a date means 00:00 Europe/Berlin of that day).
    public var created: Int64
    /// UTC epoch seconds of the first instant the waiver no longer holds (a date means the end of
    /// that day in Europe/Berlin, i.e. 00:00 of the next day).
    public var expires: Int64
    /// Optional reference to a ticket or decision document.
    public var ticket: String?
    /// Where the entry starts in the waiver file (for warnings).
    public var position: SourcePosition

    public init(rule: String, fingerprint: String? = nil, match: WaiverMatch? = nil, reason: String, approver: String,
                created: Int64, expires: Int64, ticket: String? = nil, position: SourcePosition) {
        self.rule = rule.uppercased()
        self.fingerprint = fingerprint?.lowercased()
        self.match = match
        self.reason = reason
        self.approver = approver
        self.created = created
        self.expires = expires
        self.ticket = ticket
        self.position = position
    }

    /// Whether the waiver still holds at `now` (UTC epoch seconds).
    public func isValid(at now: Int64) -> Bool { now < expires }

    /// Whether the waiver's rule and criteria cover the finding (ignoring expiry).
    public func matches(_ finding: Finding) -> Bool {
        guard finding.ruleID.uppercased() == rule else { return false }
        if let fingerprint, finding.fingerprint.lowercased() != fingerprint { return false }
        if let match, !match.matches(finding) { return false }
        return true
    }
}

/// Field criteria of a waiver; every criterion given must hold.
///
/// - `file`: shell pattern (`fnmatch`, `*` also crosses `/`) on the finding's file; a relative
///   pattern also matches at the end of a longer path (`exports/a.csv` matches `/data/exports/a.csv`).
/// - `line`: the record's line in that file (needs `file`).
/// - `recordID`: the record's own id (`record_id`, `flow_id`).
/// - `person`: a person pseudonym (`P-…`) in any role of the finding.
/// - `detector`: the detector that fired (`steuer_id`).
/// - `evidence`: canonical field → shown value, each must appear in the finding's evidence.
public struct WaiverMatch: Sendable, Hashable {
    public var file: String?
    public var line: Int?
    public var recordID: String?
    public var person: String?
    public var detector: String?
    public var evidence: [String: String]

    public init(file: String? = nil, line: Int? = nil, recordID: String? = nil, person: String? = nil,
                detector: String? = nil, evidence: [String: String] = [:]) {
        self.file = file
        self.line = line
        self.recordID = recordID
        self.person = person
        self.detector = detector
        self.evidence = evidence
    }

    /// No criterion at all.
    public var isEmpty: Bool {
        file == nil && line == nil && recordID == nil && person == nil && detector == nil && evidence.isEmpty
    }

    public func matches(_ finding: Finding) -> Bool {
        if let file, !WaiverMatch.fileMatches(pattern: file, path: finding.locator.file) { return false }
        if let line, finding.locator.line != line { return false }
        if let recordID, finding.locator.recordID != recordID { return false }
        if let person, !finding.persons.values.contains(person) { return false }
        if let detector, !finding.evidence.contains(where: { $0.detector == detector }) { return false }
        for (field, value) in evidence where !finding.evidence.contains(where: { $0.field == field && $0.value == value }) {
            return false
        }
        return true
    }

    /// `fnmatch` without `FNM_PATHNAME`; relative patterns may match a path's tail after a `/`.
    static func fileMatches(pattern: String, path: String) -> Bool {
        if fnmatch(pattern, path, 0) == 0 { return true }
        if !pattern.hasPrefix("/") && !pattern.hasPrefix("*") { return fnmatch("*/" + pattern, path, 0) == 0 }
        return false
    }
}

/// A problem with waivers found while applying them: an expired waiver that re-opened a finding,
/// or a waiver that matches nothing in this run. Both are warnings, never errors.
public struct WaiverWarning: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The waiver matched this finding but has expired; the finding is open again.
        case expired(finding: Locator, fingerprint: String)
        /// The waiver matched no finding of this run.
        case unmatched
    }

    public var kind: Kind
    /// Position of the waiver entry in its file.
    public var waiver: SourcePosition
    public var message: Localized

    public init(kind: Kind, waiver: SourcePosition, message: Localized) {
        self.kind = kind
        self.waiver = waiver
        self.message = message
    }

    /// `file:line: message` in the given language.
    public func text(_ language: Language) -> String { "\(waiver.file):\(waiver.line): \(message.text(language))" }

    static func expired(_ w: Waiver, finding: Finding) -> WaiverWarning {
        let until = CivilTime.iso8601(w.expires)
        let at = finding.locator.description
        return WaiverWarning(
            kind: .expired(finding: finding.locator, fingerprint: finding.fingerprint), waiver: w.position,
            message: Localized(
                de: "Ausnahme für \(w.rule) (genehmigt von \(w.approver)) ist seit \(until) abgelaufen; die Feststellung \(at) [\(finding.fingerprint)] ist wieder offen",
                en: "waiver for \(w.rule) (approved by \(w.approver)) expired at \(until); the finding \(at) [\(finding.fingerprint)] is open again"))
    }

    static func unmatched(_ w: Waiver, now: Int64) -> WaiverWarning {
        let expired = !w.isValid(at: now)
        return WaiverWarning(
            kind: .unmatched, waiver: w.position,
            message: Localized(
                de: "Ausnahme für \(w.rule) trifft in diesem Lauf auf keine Feststellung zu\(expired ? " und ist abgelaufen" : ""); bitte prüfen und ggf. entfernen",
                en: "waiver for \(w.rule) matches no finding in this run\(expired ? " and has expired" : ""); please review and remove it if obsolete"))
    }
}

/// The result of applying a waiver set to one run's findings.
public struct WaiverOutcome: Sendable {
    /// Per finding (same index as the input), the valid waiver covering it, else nil (open).
    public var applied: [Waiver?]
    /// Indices of findings that only expired waivers matched: open again.
    public var reactivated: [Int]
    /// Expired and unmatched warnings, in waiver-file order per finding.
    public var warnings: [WaiverWarning]

    public init(applied: [Waiver?], reactivated: [Int], warnings: [WaiverWarning]) {
        self.applied = applied
        self.reactivated = reactivated
        self.warnings = warnings
    }

    /// How many findings a valid waiver covers.
    public var waivedCount: Int { applied.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}
