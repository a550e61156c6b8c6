import TrennwandRecords

/// Who is behind a pseudonym: the id as a reference table holds it, and where it was found.
/// Made only for a four-eyes re-identification (issue #18 item 5); never written to a report.
package struct PersonIdentity: Sendable, Hashable {
    /// The person's id (account, participant id, customer number) as read.
    package var id: String
    /// The reference table's record kind (`staff`, `participants` …) and field (`person`, `counselors` …).
    package var table: String
    package var field: String

    package init(id: String, table: String, field: String) {
        self.id = id
        self.table = table
        self.field = field
    }
}

/// Pseudonyms of the persons of the reference tables, recomputed with `Pseudonymizer.person`
/// (the scan's own function and key), so the workspace can answer an approved request without
/// ever holding the key itself.
package struct PersonDirectory: Sendable {
    private var byPseudonym: [String: [PersonIdentity]] = [:]

    package init() {}

    /// Adds a person id read from `table`.`field`.
    package mutating func add(_ id: ByteString, table: String, field: String, pseudonymizer: Pseudonymizer) {
        let pseudonym = pseudonymizer.person(id)
        let identity = PersonIdentity(id: Masking.neutralised(id.string), table: table, field: field)
        if !(byPseudonym[pseudonym]?.contains(identity) ?? false) { byPseudonym[pseudonym, default: []].append(identity) }
    }

    /// Every identity whose pseudonym is `pseudonym` (more than one only for a collision of the
    /// 48-bit pseudonym, shown as such); empty when no reference table names the person.
    package func identities(of pseudonym: String) -> [PersonIdentity] { byPseudonym[pseudonym] ?? [] }

    package var count: Int { byPseudonym.count }
    package var isEmpty: Bool { byPseudonym.isEmpty }
}
