import Crypto
import Foundation
import TrennwandRecords

/// The secret key behind person pseudonyms and fingerprints.
///
/// Keyed HMAC-SHA256 makes pseudonyms stable across runs and reports (the same account always
/// gets the same pseudonym) without being brute-forceable from the small space of account or
/// customer numbers, which a plain hash would be (Presidio #1845). Where the key comes from:
/// 1. `TRENNWAND_KEY` (hex or any text of at least 16 bytes),
/// 2. `TRENNWAND_KEY_FILE` or `--key-file`,
/// 3. else a per-installation key created once with 32 random bytes and kept at
///    `$XDG_DATA_HOME/trennwand/pseudonym.key` (default `~/.local/share/trennwand/pseudonym.key`),
///    mode 0600. Whoever shares findings across machines (baseline in CI) shares the key too.
public struct PseudonymKey: Sendable {
    /// Kept as bytes (SymmetricKey is not Sendable); a SymmetricKey is made per MAC.
    let keyBytes: [UInt8]
    /// Where the key came from, for the run summary (never the key itself).
    public let origin: String

    public init(bytes: [UInt8], origin: String) {
        self.keyBytes = bytes
        self.origin = origin
    }

    public enum Problem: Error, Sendable {
        case tooShort(String)
        case unreadable(String, String)
    }

    /// Resolves the key as documented above. `file` is the `--key-file` option.
    public static func resolve(file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PseudonymKey {
        if let text = environment["TRENNWAND_KEY"], !text.isEmpty {
            let bytes = Array(text.utf8)
            guard bytes.count >= 16 else { throw Problem.tooShort("TRENNWAND_KEY") }
            return PseudonymKey(bytes: bytes, origin: "TRENNWAND_KEY")
        }
        if let path = file ?? environment["TRENNWAND_KEY_FILE"] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Problem.unreadable(path, String(cString: strerror(errno)))
            }
            var bytes = Array(data)
            while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
            guard bytes.count >= 16 else { throw Problem.tooShort(path) }
            return PseudonymKey(bytes: bytes, origin: path)
        }
        return try installationKey(environment: environment)
    }

    static func installationKey(environment: [String: String]) throws -> PseudonymKey {
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        let dir = base + "/trennwand"
        let path = dir + "/pseudonym.key"
        if let data = FileManager.default.contents(atPath: path), data.count >= 16 {
            return PseudonymKey(bytes: Array(data), origin: path)
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        // Create exclusively so two first runs at once do not overwrite each other's key.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            _ = fresh.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fsync(fd)
            close(fd)
            return PseudonymKey(bytes: fresh, origin: path)
        }
        guard let data = FileManager.default.contents(atPath: path), data.count >= 16 else {
            throw Problem.unreadable(path, String(cString: strerror(errno)))
        }
        return PseudonymKey(bytes: Array(data), origin: path)
    }

    /// HMAC-SHA256 of `parts` joined by a separator that cannot occur in them (0x1F).
    public func mac(_ parts: [[UInt8]]) -> [UInt8] {
        var h = HMAC<SHA256>(key: SymmetricKey(data: keyBytes))
        for (i, p) in parts.enumerated() {
            if i > 0 { h.update(data: [0x1F]) }
            h.update(data: p)
        }
        return Array(h.finalize())
    }
}

/// Pseudonyms for persons and content fingerprints for findings.
public struct Pseudonymizer: Sendable {
    public let key: PseudonymKey

    public init(key: PseudonymKey) { self.key = key }

    /// `P-` + 12 hex digits of HMAC(key, "person", role-independent id). The same account yields
    /// the same pseudonym in every finding and report of an installation.
    public func person(_ id: ByteString) -> String {
        "P-" + hex(key.mac([Array("person".utf8), id.bytes]).prefix(6))
    }

    /// Content-based fingerprint: rule id + key field values + time bucket, never the file
    /// position, so moved or re-exported files do not resurface old findings.
    public func fingerprint(rule: String, keys: [ByteString], timeBucket: Int64?) -> String {
        var parts: [[UInt8]] = [Array("finding".utf8), Array(rule.utf8)]
        parts += keys.map(\.bytes)
        parts.append(Array((timeBucket.map(String.init) ?? "-").utf8))
        return hex(key.mac(parts).prefix(16))
    }
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
