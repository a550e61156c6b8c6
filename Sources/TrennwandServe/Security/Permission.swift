import TrennwandState

/// What a route needs, and which roles have it (issue #18; the table in docs/serve.md).
///
/// - `read`: the findings, decisions, runs and the export: dpo, personalrat, reader.
/// - `decide`: record decisions: dpo.
/// - `manageAccounts`: accounts: admin. The admin sees no findings (separation of duties).
/// - `session`: any signed-in account (logout).
package enum Permission: Sendable, Hashable, CaseIterable {
    case session
    case read
    case decide
    case manageAccounts

    package func allows(_ role: ReviewRole) -> Bool {
        switch self {
        case .session: return true
        case .read: return role == .dpo || role == .personalrat || role == .reader
        case .decide: return role == .dpo
        case .manageAccounts: return role == .admin
        }
    }
}
