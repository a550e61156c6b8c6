import TrennwandState

/// What a route needs, and which roles have it (issue #18; the table in docs/serve.md).
///
/// - `read`: the findings, decisions, runs and the export: dpo, personalrat, reader.
/// - `decide`: record decisions: dpo.
/// - `manageAccounts`: accounts: admin. The admin sees no findings (separation of duties).
/// - `session`: any signed-in account (logout).
/// - `requestReidentification`: ask for the identity behind a pseudonym: dpo.
/// - `approveReidentification`: approve or refuse such a request: personalrat (four eyes: the
///   store also refuses the requester, whatever the role).
/// - `viewReidentifications`: the requests and their state: dpo, personalrat (the identity
///   itself only to the requester of an approved request).
package enum Permission: Sendable, Hashable, CaseIterable {
    case session
    case read
    case decide
    case manageAccounts
    case requestReidentification
    case approveReidentification
    case viewReidentifications

    package func allows(_ role: ReviewRole) -> Bool {
        switch self {
        case .session: return true
        case .read: return role == .dpo || role == .personalrat || role == .reader
        case .decide: return role == .dpo
        case .manageAccounts: return role == .admin
        case .requestReidentification: return role == .dpo
        case .approveReidentification: return role == .personalrat
        case .viewReidentifications: return role == .dpo || role == .personalrat
        }
    }
}
