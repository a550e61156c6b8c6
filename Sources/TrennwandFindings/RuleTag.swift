/// The rule tags Trennwand acts on. Every other tag of a rule file stays free text (filtering,
/// SARIF `tags`, the catalogue); `RuleDescriptor.tags` keeps all of them as written.
public enum RuleTag: String, Sendable, CaseIterable {
    /// The rule's violations may be a personal-data breach: outputs add the Art. 33 DSGVO hint
    /// (report to the supervisory authority within 72 hours).
    case breach
    /// Same meaning as `breach`, named after the article.
    case art33
    /// The rule reports configuration gaps (the built-in stand-in for TW906 carries it).
    case gap
}

extension RuleDescriptor {
    /// Whether the rule carries `tag`.
    public func has(_ tag: RuleTag) -> Bool { tags.contains(tag.rawValue) }

    /// Whether the rule is tagged as pointing to a possible breach (`breach` or `art33`).
    public var isTaggedBreach: Bool { has(.breach) || has(.art33) }
}
