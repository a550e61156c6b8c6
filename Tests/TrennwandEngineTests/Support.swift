import Foundation

/// Paths of the project and of the external test suites beside it (`../shared/testsuites/`).
enum TestPaths {
    static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let testsuites: URL = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/testsuites")
    static let rules: URL = projectRoot.appendingPathComponent("Rules")
}

/// SplitMix64: a deterministic generator for randomised tests, so a failure reproduces from its seed.
struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n`.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
