import Foundation

/// Paths of the project and of the external test suites beside it (`../shared/testsuites/`).
enum TestPaths {
    static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let testsuites: URL = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/testsuites")
    static let samples: URL = projectRoot.appendingPathComponent("Samples")
    static let rules: URL = projectRoot.appendingPathComponent("Rules")
}
