import Crypto
import Foundation

/// Unkeyed SHA-256 for content identity (rule-pack hash, input file hash) — never for persons.
public struct ContentHash {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ data: Data) { hasher.update(data: data) }
    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }

    public func hex() -> String {
        TrennwandFindings.hex(hasher.finalize())
    }
}
