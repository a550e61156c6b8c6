import Crypto
import Foundation

/// Unkeyed SHA-256 for content identity (rule-pack hash, input file hash) — never for persons.
package struct ContentHash {
    private var hasher = SHA256()

    package init() {}

    package mutating func update(_ data: Data) { hasher.update(data: data) }
    package mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }

    package func hex() -> String {
        TrennwandFindings.hex(hasher.finalize())
    }
}
