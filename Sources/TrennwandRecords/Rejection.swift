/// Why a record or a whole file could not be read or normalised.
///
/// `code` is stable and machine-readable (`csv.ragged-row`); the message is for people.
package struct RejectReason: Sendable, Hashable, Codable {
    package var code: String
    package var message: Localized

    package init(code: String, de: String, en: String) {
        self.code = code
        self.message = Localized(de: de, en: en)
    }
}

/// A record (or file) that was not evaluated, with where and why. Never dropped silently.
package struct Rejection: Sendable, Hashable, Codable {
    package var locator: Locator
    package var reason: RejectReason

    package init(locator: Locator, reason: RejectReason) {
        self.locator = locator
        self.reason = reason
    }
}
