import TrennwandFindings
import TrennwandRecords

/// A role in the review workspace (`trennwand serve`, issue #18). What each may do is decided in
/// `TrennwandServe` (`Permission`); the store only keeps the role.
package enum ReviewRole: String, Sendable, Codable, CaseIterable, Hashable {
    /// Data-protection officer: reads and records decisions.
    case dpo
    /// Staff council: reads; approves re-identification (later).
    case personalrat
    /// Reads.
    case reader
    /// Manages accounts; sees no findings.
    case admin

    package var label: Localized {
        switch self {
        case .dpo: return Localized(de: "Datenschutzbeauftragte(r)", en: "data-protection officer")
        case .personalrat: return Localized(de: "Personalrat", en: "staff council")
        case .reader: return Localized(de: "Lesezugriff", en: "reader")
        case .admin: return Localized(de: "Kontenverwaltung", en: "account administrator")
        }
    }
}

/// A local account of the review workspace.
package struct ReviewAccount: Sendable, Hashable {
    package var id: Int64
    package var name: String
    package var role: ReviewRole
    /// Encoded password hash (`PasswordHasher`); nil until the setup link was used.
    package var passwordHash: String?
    package var created: Int64
    package var disabled: Bool
}

/// A live session as the store keeps it (the id only as its SHA-256).
package struct ReviewSession: Sendable, Hashable {
    package var idHash: String
    package var account: ReviewAccount
    /// The per-session CSRF token every POST must carry.
    package var csrf: String
    package var created: Int64
    package var lastSeen: Int64
    /// The language chosen in this session (`?lang=en`), nil: German.
    package var language: Language?
}

/// One row of the audit trail.
package struct AuditEvent: Sendable, Hashable, Codable {
    package var seq: Int64
    /// UTC epoch seconds.
    package var at: Int64
    /// Account name, or `-` for the unauthenticated (a failed login names the account tried in `object`).
    package var account: String
    /// What happened (`AuditAction` raw value).
    package var action: String
    /// What it happened to (`finding:<fingerprint>`, `account:<name>`, …).
    package var object: String
    /// Further facts, one line of text.
    package var detail: String
    package var prevHash: String
    package var hash: String
}

/// What the audit trail records.
package enum AuditAction: String, Sendable, CaseIterable {
    case login
    case loginFailed = "login_failed"
    case logout
    case accountCreated = "account_created"
    case accountSetupIssued = "account_setup_issued"
    case passwordSet = "password_set"
    case accountDisabled = "account_disabled"
    case decision
    case decisionImported = "decision_imported"
    case decisionsExported = "decisions_exported"
    case rawDataViewed = "raw_data_viewed"
    case escalationOpened = "art33_escalated"
    case escalationClosed = "art33_closed"
    case reidentificationRequested = "reidentification_requested"
    case reidentificationApproved = "reidentification_approved"
    case reidentificationRefused = "reidentification_refused"
}

/// A decision on record about one finding (kinds as in the waiver model).
package struct ReviewDecision: Sendable, Hashable {
    /// Where a decision came from.
    package enum Origin: String, Sendable {
        /// Recorded in the workspace.
        case serve
        /// Imported from a waiver file.
        case `import`
    }

    package var id: Int64
    package var fingerprint: String
    package var ruleID: String
    package var kind: WaiverDecision
    /// Reason and comment, as the waiver's `reason`.
    package var reason: String
    /// Who follows the finding up (the waiver's `owner`).
    package var assignee: String?
    /// Expiry as written into the waiver file (a date `2027-01-31` or a date-time with zone).
    package var expires: String
    package var reportedOn: String?
    package var authorityReference: String?
    package var ticket: String?
    /// Account name (the waiver's `approver`).
    package var decidedBy: String
    /// UTC epoch seconds.
    package var decidedAt: Int64
    package var origin: Origin

    package init(id: Int64 = 0, fingerprint: String, ruleID: String, kind: WaiverDecision, reason: String, assignee: String?,
                 expires: String, reportedOn: String? = nil, authorityReference: String? = nil, ticket: String? = nil,
                 decidedBy: String, decidedAt: Int64, origin: Origin) {
        self.id = id
        self.fingerprint = fingerprint.lowercased()
        self.ruleID = ruleID.uppercased()
        self.kind = kind
        self.reason = reason
        self.assignee = assignee
        self.expires = expires
        self.reportedOn = reportedOn
        self.authorityReference = authorityReference
        self.ticket = ticket
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.origin = origin
    }
}
