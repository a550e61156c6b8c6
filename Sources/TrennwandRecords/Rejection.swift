/// Why a record or a whole file could not be read or normalised.
///
/// `code` is stable and machine-readable (`csv.ragged-row`); the message is for people.
public struct RejectReason: Sendable, Hashable, Codable {
    public var code: String
    public var message: Localized

    public init(code: String, de: String, en: String) {
        self.code = code
        self.message = Localized(de: de, en: en)
    }
}

/// A record (or file) that was not evaluated, with where and why. Never dropped silently.
public struct Rejection: Sendable, Hashable, Codable {
    public var locator: Locator
    public var reason: RejectReason

    public init(locator: Locator, reason: RejectReason) {
        self.locator = locator
        self.reason = reason
    }
}
