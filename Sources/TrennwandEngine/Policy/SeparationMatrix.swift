import TrennwandRecords

// STUB — API contract; the policy work package loads it from Rules/policy/.

/// What the separation matrix says about a flow of one category in one direction.
public enum MatrixDecision: String, Sendable, CaseIterable {
    case allowed, consent, agreement, forbidden
}

public struct MatrixCell: Sendable, Hashable {
    public var decision: MatrixDecision
    /// The legal basis, e.g. `§ 69 Abs. 1 Nr. 1 SGB X`.
    public var legalBasis: String
    public var note: Localized?
}

/// Direction × category → decision, with inheritance down the taxonomy (a cell for `gesundheit`
/// applies to `gesundheit.gutachten` unless that has its own).
public struct SeparationMatrix: Sendable {
    public static let directions = ["jobcenter->traeger", "traeger->jobcenter"]
    public private(set) var cells: [String: [String: MatrixCell]]

    public init(cells: [String: [String: MatrixCell]]) {
        self.cells = cells
    }

    public func cell(direction: String, category: String) -> MatrixCell? {
        guard let row = cells[direction] else { return nil }
        var c = Substring(category)
        while true {
            if let cell = row[String(c)] { return cell }
            guard let dot = c.lastIndex(of: ".") else { return nil }
            c = c[..<dot]
        }
    }
}
