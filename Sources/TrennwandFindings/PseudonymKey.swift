import Crypto
import Foundation
import TrennwandRecords

/// The secret key behind person pseudonyms and fingerprints.
///
/// Keyed HMAC-SHA256 makes pseudonyms stable across runs and reports (the same account always
/// gets the same pseudonym) without being brute-forceable from the small space of account or
/// customer numbers, which a plain hash would be (Presidio #1845). Where the key comes from:
/// 1. `TRENNWAND_KEY`: hexadecimal, at least 64 hex digits (32 bytes), e.g. `openssl rand -hex 32`;
///    anything else is refused (`key.env-format`),
/// 2. `TRENNWAND_KEY_FILE` or `--key-file`: the file's bytes (at least 16, trailing newline ignored),
/// 3. else a per-installation key created once from 32 random bytes, written as 64 hex digits and
///    a newline to `$XDG_DATA_HOME/trennwand/pseudonym.key` (default
///    `~/.local/share/trennwand/pseudonym.key`), mode 0600 in a 0700 folder; the key is the file's
///    bytes as a later run reads them; `created` tells the caller to announce it.
/// A key file that group or others may access (mode & 077) is refused (`key.permissions`): whoever
/// reads the key can test guesses against every pseudonym. Whoever shares findings across machines
/// (baseline in CI) shares the key too.
public struct PseudonymKey: Sendable {
    /// Kept as bytes (SymmetricKey is not Sendable).
    let keyBytes: [UInt8]
    /// The HMAC states after the key, copied per MAC: keying it per MAC (a `SymmetricKey` and two
    /// SHA-256 blocks) was half the cost of a fingerprint.
    private let keyed: KeyedHMAC
    /// Where the key came from, for the run summary (never the key itself).
    public let origin: String
    /// True when this run created the installation key (the CLI announces it with its path).
    public let created: Bool

    public init(bytes: [UInt8], origin: String, created: Bool = false) {
        self.keyBytes = bytes
        keyed = KeyedHMAC(key: bytes)
        self.origin = origin
        self.created = created
    }

    /// A key that cannot be used, with a stable `code` and a German and English text that says
    /// what, where and what to do. The CLI maps it to exit code 2 (configuration).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var code: String
        public var message: Localized

        init(_ code: String, de: String, en: String) {
            self.code = code
            self.message = Localized(de: de, en: en)
        }

        public func text(_ language: Language) -> String { message.text(language) + " [\(code)]" }
        public var description: String { text(.de) }
    }

    /// Fewest hex digits of `TRENNWAND_KEY` (32 bytes).
    public static let minimumHexDigits = 64
    /// Fewest bytes of a key file.
    public static let minimumFileBytes = 16

    /// Resolves the key as documented above. `file` is the `--key-file` option.
    public static func resolve(file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PseudonymKey {
        if let text = environment["TRENNWAND_KEY"], !text.isEmpty {
            guard let bytes = decodeHex(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  bytes.count * 2 >= minimumHexDigits else {
                throw Problem("key.env-format",
                              de: "TRENNWAND_KEY muss hexadezimal sein, mindestens \(minimumHexDigits) Hex-Ziffern (32 Byte); "
                                + "einen neuen Schlüssel erzeugt z. B. „openssl rand -hex 32“ (neuer Schlüssel = neue Pseudonyme)",
                              en: "TRENNWAND_KEY must be hexadecimal, at least \(minimumHexDigits) hex digits (32 bytes); "
                                + "create one with e.g. 'openssl rand -hex 32' (a new key means new pseudonyms)")
            }
            return PseudonymKey(bytes: bytes, origin: "TRENNWAND_KEY")
        }
        if let path = file ?? environment["TRENNWAND_KEY_FILE"] {
            guard let bytes = try readKeyFile(path) else {
                throw Problem("key.unreadable", de: "Schlüsseldatei \(path) nicht gefunden – Pfad prüfen (--key-file, TRENNWAND_KEY_FILE)",
                              en: "key file \(path) not found – check the path (--key-file, TRENNWAND_KEY_FILE)")
            }
            return PseudonymKey(bytes: bytes, origin: path)
        }
        return try installationKey(environment: environment)
    }

    /// The installation key, created on first use. `randomBytes` is a test seam.
    static func installationKey(environment: [String: String],
                                randomBytes: () -> [UInt8] = { SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) } }) throws -> PseudonymKey {
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        let dir = base + "/trennwand"
        let path = dir + "/pseudonym.key"
        if let bytes = try readKeyFile(path) { return PseudonymKey(bytes: bytes, origin: path) }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw Problem("key.create", de: "Verzeichnis für den Schlüssel \(dir) nicht anlegbar – Berechtigungen prüfen oder TRENNWAND_KEY_FILE setzen",
                          en: "cannot create the key folder \(dir) – check permissions or set TRENNWAND_KEY_FILE")
        }
        // Written as hex text, and the key is that text, so that the first run and every later
        // one (`readKeyFile`, which drops trailing whitespace) use the same bytes: raw random bytes
        // ending in a newline, CR or space (about one key in 85) gave the run that created the
        // key other pseudonyms and fingerprints than every run after it.
        let fresh = Array(hex(randomBytes()).utf8)
        let text = fresh + [0x0A]
        // Create exclusively so two first runs at once do not overwrite each other's key.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 {
            let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd) == 0
            close(fd)
            guard written == text.count, synced else {
                unlink(path)
                throw Problem("key.create", de: "Schlüsseldatei \(path) nicht schreibbar – freien Platz und Berechtigungen prüfen",
                              en: "cannot write the key file \(path) – check free space and permissions")
            }
            return PseudonymKey(bytes: fresh, origin: path, created: true)
        }
        let code = errno
        if code == EEXIST, let bytes = try readKeyFile(path) { return PseudonymKey(bytes: bytes, origin: path) }
        throw Problem("key.create", de: "Schlüsseldatei \(path) nicht anlegbar (\(describe(code).de)) – Berechtigungen prüfen oder TRENNWAND_KEY_FILE setzen",
                      en: "cannot create the key file \(path) (\(describe(code).en)) – check permissions or set TRENNWAND_KEY_FILE")
    }

    /// The key file's bytes (trailing whitespace removed), nil when it does not exist. Refuses a
    /// file that is not regular, that group or others may access, or that is too short.
    static func readKeyFile(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw Problem("key.unreadable", de: "Schlüsseldatei \(path) nicht lesbar (\(describe(code).de)) – Berechtigungen prüfen",
                          en: "key file \(path) cannot be read (\(describe(code).en)) – check permissions")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw Problem("key.not-regular", de: "Schlüsseldatei \(path) ist keine reguläre Datei – eine Datei mit dem Schlüssel angeben",
                          en: "key file \(path) is not a regular file – name a file holding the key")
        }
        let mode = st.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw Problem("key.permissions",
                          de: "Schlüsseldatei \(path) ist für Gruppe oder andere zugänglich (Modus \(String(mode, radix: 8))) – "
                            + "mit „chmod 600 \(path)“ auf die Eigentümerin beschränken",
                          en: "key file \(path) is accessible to group or others (mode \(String(mode, radix: 8))) – "
                            + "restrict it to its owner with 'chmod 600 \(path)'")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw Problem("key.unreadable", de: "Schlüsseldatei \(path) nicht lesbar (\(describe(code).de)) – Datei prüfen",
                              en: "key file \(path) cannot be read (\(describe(code).en)) – check the file")
            }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
        guard bytes.count >= minimumFileBytes else {
            throw Problem("key.too-short", de: "Schlüsseldatei \(path) enthält weniger als \(minimumFileBytes) Byte – z. B. mit „head -c 32 /dev/urandom > \(path)“ erzeugen",
                          en: "key file \(path) holds fewer than \(minimumFileBytes) bytes – create one with e.g. 'head -c 32 /dev/urandom > \(path)'")
        }
        return bytes
    }

    static func describe(_ code: Int32) -> Localized { SystemErrorText.describe(code) }

    /// Bytes of an even-length hex string, nil for anything else.
    static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// HMAC-SHA256 of `parts` joined by a separator that cannot occur in them (0x1F).
    public func mac(_ parts: [[UInt8]]) -> [UInt8] {
        var inner = keyed.inner
        for (i, p) in parts.enumerated() {
            if i > 0 { withUnsafeBytes(of: KeyedHMAC.separator) { inner.update(bufferPointer: $0) } }
            p.withUnsafeBytes { inner.update(bufferPointer: $0) }
        }
        var outer = keyed.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
    }
}

/// HMAC-SHA256 (RFC 2104) keyed once: the SHA-256 states after the key's inner and outer pad
/// blocks, copied per MAC (a copy is a value; several threads never touch the shared ones).
///
/// Why not `HMAC<SHA256>`: its `update(data:)` is generic over `DataProtocol` and not inlinable,
/// so every call looked up generic metadata at run time — two thirds of a fingerprint's cost
/// (perf, XML bench scan: `PseudonymKey.mac` 1.1 % of the samples, SHA-256 itself 0.1 %).
/// `PseudonymTests` holds it to `HMAC<SHA256>` for keys shorter and longer than a block.
/// `@unchecked`: `SHA256` is a value type Crypto does not declare `Sendable`; both are immutable
/// here and only ever copied.
private final class KeyedHMAC: @unchecked Sendable {
    static let separator: UInt8 = 0x1F
    let inner: SHA256
    let outer: SHA256

    init(key: [UInt8]) {
        // A key longer than SHA-256's 64-byte block is hashed first; then zero-padded to a block.
        var block = key.count > 64 ? SHA256.hash(data: key).withUnsafeBytes { Array($0) } : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var i = SHA256(), o = SHA256()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { i.update(bufferPointer: $0) }
        block.map { $0 ^ 0x5C }.withUnsafeBytes { o.update(bufferPointer: $0) }
        inner = i
        outer = o
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
