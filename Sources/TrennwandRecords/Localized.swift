// TrennwandRecords: the canonical record model. The lowest layer: readers produce these records,
// the engine evaluates them, findings point back to them through their `Locator`. No dependencies.

/// The user-facing language. German is the default everywhere; English on request (`--lang en`).
package enum Language: String, Sendable, CaseIterable, Codable {
    case de, en
}

/// A user-facing text in German and English.
package struct Localized: Sendable, Hashable, Codable {
    package var de: String
    package var en: String

    package init(de: String, en: String) {
        self.de = de
        self.en = en
    }

    package func text(_ language: Language) -> String {
        language == .de ? de : en
    }
}
