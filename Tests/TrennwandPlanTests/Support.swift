import Foundation

enum TestPaths {
    static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let rules: URL = projectRoot.appendingPathComponent("Rules")
}
