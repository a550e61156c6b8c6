/// A position in a configuration or rule file, 1-based like editors show it.
package struct SourcePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    package var description: String { "\(file):\(line):\(column)" }
}

/// An error in a rule, profile, policy or configuration file. Always names `file:line:column`.
/// The CLI maps it to exit code 2.
package struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    package var position: SourcePosition
    package var code: String
    package var message: Localized

    package init(_ position: SourcePosition, code: String, de: String, en: String) {
        self.position = position
        self.code = code
        self.message = Localized(de: de, en: en)
    }

    package func text(_ language: Language) -> String { "\(position): \(message.text(language))" }
    package var description: String { text(.de) }
}

/// An input file that cannot be read (or breaks off). The CLI maps it to exit code 3.
package struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    package var rejection: Rejection

    package init(_ rejection: Rejection) { self.rejection = rejection }

    package init(file: String, line: Int = 0, column: Int? = nil, byteOffset: Int64 = 0, code: String, de: String, en: String) {
        self.rejection = Rejection(
            locator: Locator(file: file, line: line, column: column, byteOffset: byteOffset, index: 0),
            reason: RejectReason(code: code, de: de, en: en))
    }

    package func text(_ language: Language) -> String {
        "\(rejection.locator.description): \(rejection.reason.message.text(language))"
    }
    package var description: String { text(.de) }
}
