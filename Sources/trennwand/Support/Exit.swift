import ArgumentParser

/// Exit codes as in docs/operations.md and product.md. An error never exits 0.
enum Exit {
    /// Nothing at or above the threshold.
    static let ok = ExitCode(0)
    /// Findings at or above `--fail-on`.
    static let findings = ExitCode(1)
    /// Rule or configuration error.
    static let configuration = ExitCode(2)
    /// Input error (unreadable or malformed input; with `--strict` also rejected records).
    static let input = ExitCode(3)
}
