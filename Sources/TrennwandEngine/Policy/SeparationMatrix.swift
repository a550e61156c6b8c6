import Foundation
import TrennwandRecords
import TrennwandYAML

/// What the separation matrix says about a flow of one category in one direction.
public enum MatrixDecision: String, Sendable, CaseIterable {
    case allowed, consent, agreement, forbidden
}

/// One cell of the separation matrix: the decision, the norm it rests on, and the reasoning.
public struct MatrixCell: Sendable, Hashable {
    public var decision: MatrixDecision
    /// The legal basis, e.g. `§ 69 Abs. 1 Nr. 1 SGB X`.
    public var legalBasis: String
    public var note: Localized?
    /// The cell rests on a legal reading not yet confirmed (see domain.md, UNVERIFIED items).
    public var unverified: Bool
    /// Who decided the cell when it is stricter than the statute (`decided_by:`, e.g.
    /// "Datenschutzbeauftragte"): a Festlegung der Trennungsmatrix, not a statutory prohibition;
    /// the note gives the reason. Nil: the cell follows from `legalBasis` itself.
    public var decidedBy: String?
    /// Where the cell is declared (nil when built in code).
    public var position: SourcePosition?

    public init(decision: MatrixDecision, legalBasis: String, note: Localized? = nil,
                unverified: Bool = false, position: SourcePosition? = nil, decidedBy: String? = nil) {
        self.decidedBy = decidedBy
        self.decision = decision
        self.legalBasis = legalBasis
        self.note = note
        self.unverified = unverified
        self.position = position
    }
}

/// Direction × category → decision, with inheritance down the taxonomy (a cell for `gesundheit`
/// applies to `gesundheit.gutachten` unless that has its own).
///
/// Loaded from `Rules/policy/matrix.yaml`. Every cell names its legal basis; every taxonomy
/// category resolves to a cell in every direction (directly or inherited), so no category is
/// ever left without a decision.
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

    /// Whether an agreement entry with the given legal basis opens a flow of `category` in
    /// `direction`.
    ///
    /// - `allowed`: open without an agreement, so true (an agreement neither helps nor hurts).
    /// - `agreement`: true only when the agreement names a norm (`namesNorm`): an agreement
    ///   cannot create a legal basis, it can only record one.
    /// - `consent`: false: the person's consent (§ 67b Abs. 2 SGB X) is needed, and an agreement
    ///   between the two organisations cannot replace it.
    /// - `forbidden`: false, always: the prohibition follows from statute (e.g. § 67b Abs. 1 S. 3,
    ///   § 76 SGB X, § 51a SGB II), which two parties cannot contract out of.
    /// - unknown direction or category: false (fail closed).
    public func opens(direction: String, category: String, agreementLegalBasis: String?) -> Bool {
        guard let cell = cell(direction: direction, category: category) else { return false }
        switch cell.decision {
        case .allowed: return true
        case .agreement: return agreementLegalBasis.map(Self.namesNorm) ?? false
        case .consent, .forbidden: return false
        }
    }

    /// Whether a flow is permitted given what backs it: an agreement's legal basis and/or a valid
    /// consent of the person. `consent` cells open with a consent only; `agreement` cells with an
    /// agreement naming a norm; `forbidden` cells never.
    public func permits(direction: String, category: String, agreementLegalBasis: String?, hasConsent: Bool) -> Bool {
        guard let cell = cell(direction: direction, category: category) else { return false }
        switch cell.decision {
        case .allowed: return true
        case .agreement: return agreementLegalBasis.map(Self.namesNorm) ?? false
        case .consent: return hasConsent
        case .forbidden: return false
        }
    }

    /// True when `text` names a norm: it is not blank and cites a paragraph (`§`) or an article
    /// (`Art.`), e.g. `§ 69 Abs. 1 Nr. 1 SGB X` or `Art. 6 Abs. 1 lit. e DSGVO`.
    public static func namesNorm(_ text: String) -> Bool {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !t.isEmpty else { return false }
        return t.contains("§") || t.range(of: "Art.", options: .caseInsensitive) != nil
    }
}

// MARK: - Loading

extension SeparationMatrix {
    /// Loads `Rules/policy/matrix.yaml`-style files, validated against `taxonomy`.
    ///
    /// Format: `directions: { <direction>: { <category>: { decision, legal_basis, note: {de, en},
    /// unverified?, decided_by? } } }`.
    public static func load(path: String, taxonomy: Taxonomy) throws -> SeparationMatrix {
        try parse(YAMLNode.load(path: path), taxonomy: taxonomy)
    }

    /// Validates a parsed matrix document against `taxonomy`.
    public static func parse(_ root: YAMLNode, taxonomy: Taxonomy) throws -> SeparationMatrix {
        let top = try root.mapping(allowed: ["matrix_version", "as_of", "directions"])
        let dirsNode = try top.required("directions")
        let dirs = try dirsNode.mapping()
        var cells: [String: [String: MatrixCell]] = [:]
        var directionNodes: [String: YAMLNode] = [:]
        for d in dirs.entries {
            guard directions.contains(d.key) else {
                throw d.keyNode.error(
                    "matrix.unknown-direction",
                    de: "unbekannte Richtung „\(d.key)“ (erlaubt: \(directions.joined(separator: ", ")))",
                    en: "unknown direction '\(d.key)' (allowed: \(directions.joined(separator: ", ")))")
            }
            guard cells[d.key] == nil else {
                throw d.keyNode.error("matrix.duplicate-direction", de: "Richtung „\(d.key)“ ist doppelt",
                                      en: "direction '\(d.key)' appears twice")
            }
            directionNodes[d.key] = d.keyNode
            var row: [String: MatrixCell] = [:]
            for c in try d.value.mapping().entries {
                guard taxonomy.contains(c.key) else {
                    throw c.keyNode.error(
                        "matrix.unknown-category",
                        de: "Kategorie „\(c.key)“ ist nicht in der Taxonomie",
                        en: "category '\(c.key)' is not in the taxonomy")
                }
                guard row[c.key] == nil else {
                    throw c.keyNode.error("matrix.duplicate-cell", de: "Zelle „\(d.key) / \(c.key)“ ist doppelt",
                                          en: "cell '\(d.key) / \(c.key)' appears twice")
                }
                row[c.key] = try parseCell(c, direction: d.key)
            }
            cells[d.key] = row
        }
        let matrix = SeparationMatrix(cells: cells)
        // Completeness: every category has a decision in every direction.
        for direction in directions {
            guard let node = directionNodes[direction] else {
                throw dirsNode.error("matrix.missing-direction", de: "Richtung „\(direction)“ fehlt",
                                     en: "direction '\(direction)' is missing")
            }
            for id in taxonomy.ids where matrix.cell(direction: direction, category: id) == nil {
                throw node.error(
                    "matrix.incomplete",
                    de: "keine Entscheidung für „\(id)“ in Richtung „\(direction)“ (weder eigene noch geerbte Zelle)",
                    en: "no decision for '\(id)' in direction '\(direction)' (neither own nor inherited cell)")
            }
        }
        return matrix
    }

    private static func parseCell(_ entry: YAMLMapping.Entry, direction: String) throws -> MatrixCell {
        let m = try entry.value.mapping(allowed: ["decision", "legal_basis", "note", "unverified", "decided_by"])
        let decisionNode = try m.required("decision")
        let raw = try decisionNode.string()
        guard let decision = MatrixDecision(rawValue: raw) else {
            let list = MatrixDecision.allCases.map(\.rawValue).joined(separator: ", ")
            throw decisionNode.error("matrix.unknown-decision",
                                     de: "unbekannte Entscheidung „\(raw)“ (erlaubt: \(list))",
                                     en: "unknown decision '\(raw)' (allowed: \(list))")
        }
        guard let basisNode = m.optional("legal_basis") else {
            throw entry.keyNode.error(
                "matrix.missing-legal-basis",
                de: "Zelle „\(direction) / \(entry.key)“ ohne Rechtsgrundlage (legal_basis)",
                en: "cell '\(direction) / \(entry.key)' has no legal basis (legal_basis)")
        }
        let basis = try basisNode.string()
        guard namesNorm(basis) else {
            throw basisNode.error(
                "matrix.legal-basis-not-a-norm",
                de: "Rechtsgrundlage „\(basis)“ nennt keine Norm (§ oder Art.)",
                en: "legal basis '\(basis)' names no norm (§ or Art.)")
        }
        return MatrixCell(decision: decision, legalBasis: basis, note: try m.required("note").localized(),
                          unverified: try m.optional("unverified")?.bool() ?? false,
                          position: entry.keyNode.position, decidedBy: try m.optional("decided_by")?.string())
    }

    /// Loads `<rulesDirectory>/taxonomy.yaml` and `<rulesDirectory>/policy/matrix.yaml`.
    public static func loadPolicy(rulesDirectory: String) throws -> (Taxonomy, SeparationMatrix) {
        let dir = rulesDirectory.hasSuffix("/") ? String(rulesDirectory.dropLast()) : rulesDirectory
        let taxonomy = try Taxonomy.load(path: dir + "/taxonomy.yaml")
        let matrix = try load(path: dir + "/policy/matrix.yaml", taxonomy: taxonomy)
        return (taxonomy, matrix)
    }
}
