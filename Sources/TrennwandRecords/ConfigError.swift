/// A position in a configuration or rule file, 1-based like editors show it.
public struct SourcePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error in a rule, profile, policy or configuration file. Always names `file:line:column`.
/// The CLI maps it to exit code 2.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var position: SourcePosition
    public var code: String
    public var message: Localized

    public init(_ position: SourcePosition, code: String, de: String, en: String) {
        self.position = position
        self.code = code
        self.message = Localized(de: de, en: en)
    }

    public func text(_ language: Language) -> String { "\(position): \(message.text(language))" }
    public var description: String { text(.de) }
}

/// An input file that cannot be read (or breaks off). The CLI maps it to exit code 3.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var rejection: Rejection

    public init(_ rejection: Rejection) { self.rejection = rejection }

    public init(file: String, line: Int = 0, column: Int? = nil, byteOffset: Int64 = 0, code: String, de: String, en: String) {
        self.rejection = Rejection(
            locator: Locator(file: file, line: line, column: column, byteOffset: byteOffset, index: 0),
            reason: RejectReason(code: code, de: de, en: en))
    }

    public func text(_ language: Language) -> String {
        "\(rejection.locator.description): \(rejection.reason.message.text(language))"
    }
    public var description: String { text(.de) }
}
