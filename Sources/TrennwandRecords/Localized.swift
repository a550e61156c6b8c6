// TrennwandRecords: the canonical record model. The lowest layer: readers produce these records,
// the engine evaluates them, findings point back to them through their `Locator`. No dependencies.

/// The user-facing language. German is the default everywhere; English on request (`--lang en`).
public enum Language: String, Sendable, CaseIterable, Codable {
    case de, en
}

/// A user-facing text in German and English.
public struct Localized: Sendable, Hashable, Codable {
    public var de: String
    public var en: String

    public init(de: String, en: String) {
        self.de = de
        self.en = en
    }

    public func text(_ language: Language) -> String {
        language == .de ? de : en
    }
}
