// Waivers: audited, expiring acceptances of single findings (anchors.md lesson 3). A waiver names
// a rule, a narrow match, a reason, an approver, when it was created and when it expires. Waived
// findings stay visible in every output; an expired waiver re-opens its finding with a warning.
import Foundation
import TrennwandRecords

/// How far a waiver is declared to reach (`scope:` in the waiver file).
public enum WaiverScope: String, Sendable, Hashable {
    /// The default: the waiver must stay within the breadth limits of `WaiverLimits`.
    case narrow
    /// Declared broad: may exceed the limits, needs a second approver, never covers a critical finding.
    case broad
}

/// What the DPO decided about a waived finding (`decision:` in the waiver file).
public enum WaiverDecision: String, Sendable, Hashable, Codable, CaseIterable {
    /// The rule fired on something that is not a violation.
    case falsePositive = "false_positive"
    /// A real violation whose risk is accepted until the waiver expires.
    case acceptedRisk = "accepted_risk"
    /// The cause was remedied (the finding stays in old exports until they age out).
    case mitigated
    /// Reported to the supervisory authority under Art. 33 DSGVO (with date and reference).
    case reportedArt33 = "reported_art33"

    public var label: Localized {
        switch self {
        case .falsePositive: return Localized(de: "Fehlalarm", en: "false positive")
        case .acceptedRisk: return Localized(de: "Risiko akzeptiert", en: "accepted risk")
        case .mitigated: return Localized(de: "behoben", en: "mitigated")
        case .reportedArt33: return Localized(de: "gemeldet nach Art. 33 DSGVO", en: "reported under Art. 33 GDPR")
        }
    }
}

/// One audited waiver read from the waiver file.
///
/// A waiver covers a finding when the rule matches and every given criterion holds (the
/// fingerprint and all `match` fields). It is valid while `now < expires`. How many findings it
/// may cover is judged after matching (`WaiverSet.apply`, docs/waivers.md "Breadth").
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
    /// `narrow` (default) or `broad`.
    public var scope: WaiverScope
    /// A second, different approver; required with `scope: broad`.
    public var secondApprover: String?
    /// UTC epoch seconds (a date means 00:00 Europe/Berlin of that day).
    public var created: Int64
    /// UTC epoch seconds of the first instant the waiver no longer holds (a date means the end of
    /// that day in Europe/Berlin, i.e. 00:00 of the next day).
    public var expires: Int64
    /// Optional reference to a ticket or decision document.
    public var ticket: String?
    /// The kind of decision; nil in waiver files written before decisions existed.
    public var decision: WaiverDecision?
    /// Who follows the finding up (name or role); may differ from the approver.
    public var owner: String?
    /// `reported_art33`: UTC epoch seconds of the report to the authority (00:00 Europe/Berlin of that day).
    public var reportedOn: Int64?
    /// `reported_art33`: the authority's reference (Aktenzeichen).
    public var authorityReference: String?
    /// Where the entry starts in the waiver file (for warnings).
    public var position: SourcePosition
    /// Where the rule id is written (for an unknown rule).
    public var rulePosition: SourcePosition

    public init(rule: String, fingerprint: String? = nil, match: WaiverMatch? = nil, reason: String, approver: String,
                scope: WaiverScope = .narrow, secondApprover: String? = nil,
                created: Int64, expires: Int64, ticket: String? = nil, decision: WaiverDecision? = nil, owner: String? = nil,
                reportedOn: Int64? = nil, authorityReference: String? = nil,
                position: SourcePosition, rulePosition: SourcePosition? = nil) {
        self.rule = rule.uppercased()
        self.fingerprint = fingerprint?.lowercased()
        self.match = match
        self.reason = reason
        self.approver = approver
        self.scope = scope
        self.secondApprover = secondApprover
        self.created = created
        self.expires = expires
        self.ticket = ticket
        self.decision = decision
        self.owner = owner
        self.reportedOn = reportedOn
        self.authorityReference = authorityReference
        self.position = position
        self.rulePosition = rulePosition ?? position
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
/// - `file`: shell pattern matched with `fnmatch(3)` without flags on the finding's file path as the
///   scan names it (as given on the command line or resolved against audit.yaml's folder): `*` any
///   run of characters including `/`, `?` one character, `[abc]` `[a-z]` `[!x]` one character of
///   (not of) the set, `\` quotes the next character; a leading `.` is not special. A pattern that
///   starts with neither `/` nor `*` also matches the path's tail after a `/` (`exports/a.csv`
///   matches `/data/exports/a.csv`).
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
        /// A `scope: broad` waiver matched this critical finding; critical findings are only ever
        /// covered by a narrow waiver naming their fingerprint, so it stays open.
        case criticalNotWaived(finding: Locator, fingerprint: String)
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

    static func criticalNotWaived(_ w: Waiver, finding: Locator, fingerprint: String) -> WaiverWarning {
        WaiverWarning(
            kind: .criticalNotWaived(finding: finding, fingerprint: fingerprint), waiver: w.position,
            message: Localized(
                de: "Ausnahme für \(w.rule) ist weit gefasst (scope: broad) und deckt die kritische Feststellung \(finding.description) [\(fingerprint)] nicht ab; kritische Feststellungen nur mit einer engen Ausnahme mit „fingerprint“",
                en: "waiver for \(w.rule) is broad (scope: broad) and does not cover the critical finding \(finding.description) [\(fingerprint)]; critical findings only with a narrow waiver naming the 'fingerprint'"))
    }

    static func expired(_ w: Waiver, finding: Finding) -> WaiverWarning {
        expired(w, finding: finding.locator, fingerprint: finding.fingerprint)
    }

    static func expired(_ w: Waiver, finding locator: Locator, fingerprint: String) -> WaiverWarning {
        // The last valid instant as people read it (Berlin): a date waiver ends 00:00 of the next day.
        let until = BerlinTime.dateTime(w.expires - 1)
        let at = locator.description
        return WaiverWarning(
            kind: .expired(finding: locator, fingerprint: fingerprint), waiver: w.position,
            message: Localized(
                de: "Ausnahme für \(w.rule) (genehmigt von \(w.approver)) ist abgelaufen (gültig bis \(until)); die Feststellung \(at) [\(fingerprint)] ist wieder offen",
                en: "waiver for \(w.rule) (approved by \(w.approver)) has expired (valid until \(until)); the finding \(at) [\(fingerprint)] is open again"))
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
    /// Expired, unmatched and critical-not-waived warnings, in waiver-file order per finding.
    public var warnings: [WaiverWarning]
    /// Waivers refused because they reach too far without `scope: broad` (one error per reason,
    /// at the entry's position). Not empty: the whole file does not apply (`applied` all nil, no
    /// warnings); the CLI exits with code 2.
    public var refused: [ConfigError]
    /// The waiver file applies (no entry refused).
    public var fileApplies: Bool { refused.isEmpty }

    public init(applied: [Waiver?], reactivated: [Int], warnings: [WaiverWarning], refused: [ConfigError] = []) {
        self.applied = applied
        self.reactivated = reactivated
        self.warnings = warnings
        self.refused = refused
    }

    /// How many findings a valid waiver covers.
    public var waivedCount: Int { applied.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}
