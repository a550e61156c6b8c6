import CTrennwandVectorscan
import Foundation

/// Compiled Vectorscan databases kept on disk between runs, each under the exact patterns it was
/// compiled from.
///
/// Why: compiling the keyword and identifier databases (start-of-match tracking, caseless terms)
/// took ~130 ms of a scan's ~210 ms start on the bench machine, on the critical path before any
/// record is read; loading a serialised database takes about a millisecond. A short CI gate run
/// is mostly start, and on two threads a long scan's start is serial time (docs/performance.md).
///
/// Correctness over speed: a file is used only when its stored key — the Vectorscan version, the
/// mode and every pattern with its flags and id, byte for byte — equals the key of the database
/// wanted (the file name is only a hash of it), and when Vectorscan accepts it
/// (`hs_deserialize_database` checks its own version and the CPU platform). Anything else — no
/// file, another key, a truncated or damaged file, a file another user could have written —
/// means the database is compiled as without a cache, and the file is written anew. A cache that
/// cannot be written is no error: the scan runs as without one. Files unused for 30 days are
/// removed when a new one is written (a use refreshes a file's modification time).
public struct DetectorDatabaseCache: Sendable {
    /// The directory (created 0700 on the first write).
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The cache a command uses: `TRENNWAND_CACHE_DIR` (`off`: none), else systemd's
    /// `CACHE_DIRECTORY` (`CacheDirectory=trennwand` in the unit), else
    /// `$XDG_CACHE_HOME/trennwand`, else `$HOME/.cache/trennwand`; nil without any of them.
    public static func standard(environment: [String: String]) -> DetectorDatabaseCache? {
        if let dir = environment["TRENNWAND_CACHE_DIR"], !dir.isEmpty {
            return dir == "off" ? nil : DetectorDatabaseCache(directory: dir)
        }
        // systemd lists several directories separated by ':' when the unit names several.
        if let dirs = environment["CACHE_DIRECTORY"], let first = dirs.split(separator: ":").first {
            return DetectorDatabaseCache(directory: String(first))
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return DetectorDatabaseCache(directory: xdg + "/trennwand")
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return DetectorDatabaseCache(directory: home + "/.cache/trennwand")
        }
        return nil
    }

    /// Where a database came from (tests, `trennwand-bench`).
    package enum Origin: Sendable, Equatable { case compiled, cached }

    /// What a block-mode database is compiled from, as the bytes stored in front of it.
    package static func key(expressions: [String], flags: [UInt32], ids: [UInt32]) -> [UInt8] {
        var key = Array("trennwand vectorscan cache 1\nversion \(String(cString: hs_version()))\nmode block\n".utf8)
        for i in expressions.indices {
            key += Array("\(ids[i]) \(flags[i]) \(expressions[i].utf8.count):".utf8)
            key += Array(expressions[i].utf8)
            key.append(0x0A)
        }
        return key
    }

    /// The database stored under `key`, or nil (absent, another key, damaged, not ours).
    package func load(key: [UInt8]) -> OpaquePointer? {
        let path = self.path(for: key)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        // Only a regular file of this user that nobody else can write: a database is code-like
        // input to Vectorscan, and the cache must not become a way to feed it one.
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid(),
              st.st_mode & 0o022 == 0, st.st_size > 0, st.st_size <= Self.maximumFileSize else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            guard n > 0 else { return nil }
            filled += n
        }
        let header = Self.magic.count + 8
        guard bytes.count > header, Array(bytes[0..<Self.magic.count]) == Self.magic else { return nil }
        let keyLength = Self.uint64(bytes[Self.magic.count..<header])
        guard keyLength == key.count, bytes.count > header + keyLength + 8,
              bytes[header..<header + keyLength].elementsEqual(key) else { return nil }
        let start = header + keyLength + 8
        guard Self.uint64(bytes[(start - 8)..<start]) == Int(bitPattern: UInt(Self.fnv1a(bytes[start...]))) else { return nil }
        var db: OpaquePointer?
        let rc = bytes.withUnsafeBytes { raw in
            raw.baseAddress!.advanced(by: start).withMemoryRebound(to: CChar.self, capacity: 1) {
                hs_deserialize_database($0, raw.count - start, &db)
            }
        }
        guard rc == HS_SUCCESS, let db else { return nil }
        // The modification time says when the file was last used (`prune`).
        futimens(fd, nil)
        return db
    }

    /// Stores `database` under `key`: written to a temporary file, then renamed over the old one,
    /// so a reader sees either file whole. Failures are ignored (the cache is only a shortcut).
    package func store(_ database: OpaquePointer, key: [UInt8]) {
        var serialized: UnsafeMutablePointer<CChar>?
        var length = 0
        guard hs_serialize_database(database, &serialized, &length) == HS_SUCCESS, let serialized else { return }
        defer { free(serialized) }
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])) != nil else { return }
        let path = self.path(for: key)
        let temporary = path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        let database = UnsafeRawBufferPointer(start: serialized, count: length)
        // magic, key length, key, checksum of the database, database (lengths little-endian)
        let written = Self.writeAll(fd, Self.magic + Self.bytes(UInt64(key.count))) && Self.writeAll(fd, key)
            && Self.writeAll(fd, Self.bytes(Self.fnv1a(database))) && Self.writeAll(fd, database)
        close(fd)
        if !written || rename(temporary, path) != 0 { unlink(temporary) }
        prune(now: time(nil))
    }

    /// Removes databases unused for `unusedDays` (every rules change leaves its files behind, a few
    /// hundred KB each) and temporary files of writers gone for an hour; called after a store.
    /// Only regular files of this cache's names and this user are touched.
    func prune(now: time_t, unusedDays: Int = 30) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix("vectorscan-") {
            let isDatabase = name.hasSuffix(".db"), isTemporary = name.hasSuffix(".tmp")
            guard isDatabase || isTemporary else { continue }
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid() else { continue }
            let age = now - st.st_mtim.tv_sec
            if isDatabase ? age > time_t(unusedDays) * 86_400 : age > 3_600 { unlink(path) }
        }
    }

    /// The file for `key`: `vectorscan-<FNV-1a 64 of the key>.db` (the key itself is inside).
    func path(for key: [UInt8]) -> String {
        directory + "/vectorscan-" + String(Self.fnv1a(key), radix: 16) + ".db"
    }

    /// FNV-1a, 64 bits: the file name of a key and the checksum of a stored database (a damaged
    /// file must not reach Vectorscan, whatever its own checks are).
    static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    private static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    private static func uint64(_ bytes: ArraySlice<UInt8>) -> Int {
        Int(bitPattern: UInt(bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
    }

    static let magic = Array("TWHSDB1\n".utf8)
    /// Far above any database of the built-in rules (~1 MB); a larger file is not read.
    static let maximumFileSize = off_t(256 << 20)

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            guard n > 0 else { return false }
            done += n
        }
        return true
    }
}
