import Foundation

/// Paths of the project and of the built `trennwand` executable.
enum TestPaths {
    static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples: URL = projectRoot.appendingPathComponent("Samples")
}
