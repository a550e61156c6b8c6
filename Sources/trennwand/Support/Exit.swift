import ArgumentParser
import TrennwandScan

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

    /// The exit code of a scan's verdict. A held or foreign state store is a configuration matter
    /// (2); a store, report or input that cannot be read or written is an I/O error (3).
    static func code(_ reason: ScanVerdict.Reason) -> ExitCode {
        switch reason {
        case .ok: return ok
        case .findings: return findings
        case .configuration, .stateConfiguration: return configuration
        case .input, .stateIO, .output: return input
        }
    }
}
