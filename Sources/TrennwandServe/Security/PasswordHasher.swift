import _CryptoExtras
import Crypto
import Foundation

/// Password hashes of the review workspace: scrypt from swift-crypto's `_CryptoExtras`.
///
/// scrypt is memory-hard: each guess costs `128 · r · N` bytes of memory as well as time, which
/// makes GPU and ASIC guessing expensive. Standard cost N = 2^15, r = 8, p = 3 (32 MiB per
/// hash), one of the settings OWASP's Password Storage Cheat Sheet lists as equivalent to its
/// minimum; salt 16 random bytes, key 32 bytes. The parameters are stored with each hash
/// (`scrypt$15$8$3$<salt>$<key>`, Base64), so raising them later leaves old hashes verifiable.
/// Comparison is constant-time.
package enum PasswordHasher {
    /// scrypt's cost parameters.
    package struct Cost: Sendable, Hashable {
        /// log2 of N (CPU/memory cost).
        package var logN: Int
        /// Block size r.
        package var r: Int
        /// Parallelism p.
        package var p: Int

        package static let standard = Cost(logN: 15, r: 8, p: 3)

        package init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        /// Memory one hash needs (`128 · r · N`), with headroom for scrypt's other buffers.
        var maxMemory: Int { 128 * r * (1 << logN) * 2 + (1 << 20) * p }
    }

    /// Passwords shorter than this are refused at setup.
    package static let minimumLength = 12

    /// A new encoded hash of `password` with a random salt.
    package static func hash(_ password: String, cost: Cost = .standard) throws -> String {
        let salt = Tokens.randomBytes(16)
        let key = try derive(password, salt: salt, cost: cost)
        return "scrypt$\(cost.logN)$\(cost.r)$\(cost.p)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` matches the encoded hash; false for anything malformed.
    package static func verify(_ password: String, encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt", let logN = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              (1...24).contains(logN), (1...32).contains(r), (1...16).contains(p),
              let salt = Data(base64Encoded: String(parts[4])), let expected = Data(base64Encoded: String(parts[5])),
              !expected.isEmpty,
              let key = try? derive(password, salt: Array(salt), cost: Cost(logN: logN, r: r, p: p), length: expected.count)
        else { return false }
        return constantTimeEqual(key, Array(expected))
    }

    /// Spends the time of one verification for a login whose account does not exist, so the
    /// answer time does not tell which account names exist.
    package static func dummyVerify(_ password: String, cost: Cost) {
        _ = try? derive(password, salt: Array(repeating: 0, count: 16), cost: cost)
    }

    static func derive(_ password: String, salt: [UInt8], cost: Cost, length: Int = 32) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: length,
                                           rounds: 1 << cost.logN, blockSize: cost.r, parallelism: cost.p,
                                           maxMemory: cost.maxMemory)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares without an early exit: the time depends on the length only.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    /// `constantTimeEqual` over the UTF-8 bytes of two strings (CSRF tokens).
    package static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }
}

/// Random tokens (session ids, CSRF tokens, setup links) and their stored form.
package enum Tokens {
    /// `count` bytes from the system's CSPRNG.
    package static func randomBytes(_ count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &g) }
    }

    /// 32 random bytes as Base64url without padding (43 characters, 256 bits).
    package static func make() -> String {
        Data(randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a token: its SHA-256 (hex). A stolen database copy holds no usable token.
    package static func stored(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a string can be a token of ours (bounded length, Base64url alphabet).
    package static func isWellFormed(_ s: String) -> Bool {
        (20...100).contains(s.utf8.count) && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
    }
}
