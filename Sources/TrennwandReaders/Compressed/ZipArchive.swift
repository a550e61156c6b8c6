#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CTrennwandZlib
import TrennwandRecords

/// A zip archive (PKWARE APPNOTE) read through its central directory, which is parsed here.
///
/// Only what exports need: members stored (method 0) or deflated (8), no encryption, no ZIP64,
/// one disk. The end-of-central-directory record is searched in the last 64 KiB + 22 bytes (its
/// comment may be up to 65535 bytes); the central directory must lie inside the file, before
/// that record. Every member name is checked when the archive is opened — a name with `..`, an
/// absolute path, a drive letter, a backslash or NUL refuses the whole archive
/// (`archive.member-name`), although members are never written to disk. Members are read as
/// streams (`openMember`) with CRC-32 and sizes checked at their end.
public final class ZipArchive {
    struct Entry {
        var name: String
        var index: Int
        var flags: UInt16
        var method: UInt16
        var crc: UInt32
        var compressedSize: Int64
        var size: Int64
        var localOffset: Int64
        var isDirectory: Bool { name.hasSuffix("/") }
    }

    public let path: String
    let fd: Int32
    let fileSize: Int64
    /// Where the central directory starts: member data must end before it.
    let directoryOffset: Int64
    private(set) var entries: [Entry] = []

    /// Member names with these extensions (case-insensitive) are inputs.
    public static let inputExtensions: Set<String> = ["csv", "xml", "jsonl", "ndjson"]
    /// A central directory larger than this is refused (real exports hold a few entries).
    static let maxDirectoryBytes: Int64 = 64 << 20

    /// Opens and checks the archive. Throws `InputError` (`input.unreadable`, `archive.truncated`,
    /// `archive.corrupt`, `archive.unsupported`, `archive.member-name`).
    public init(path: String) throws {
        self.path = path
        fd = try InputFile.open(path)
        var info = stat()
        _ = fstat(fd, &info)
        fileSize = Int64(info.st_size)
        do {
            let (eocd, offset, count) = try Self.findEnd(fd: fd, fileSize: fileSize, path: path)
            directoryOffset = offset
            entries = try Self.readDirectory(fd: fd, path: path, offset: offset, end: eocd, count: count)
        } catch {
            _ = close(fd)
            throw error
        }
    }

    deinit { _ = close(fd) }

    /// The input names (`archive!/member`) of the members with an input extension, sorted; nil
    /// when `path` is not a zip file (by its magic number), cannot be read, is refused or holds no
    /// such member — reading it then reports why.
    public static func memberInputs(_ path: String) -> [String]? {
        guard let head = try? InputFile.rawHead(path: path, count: 4), head == [0x50, 0x4B, 0x03, 0x04],
              let archive = try? ZipArchive(path: path) else { return nil }
        let names = archive.inputMembers
        return names.isEmpty ? nil : names.map { path + InputFile.memberSeparator + $0 }
    }

    /// Names of the members that are inputs, sorted (directories and other files skipped).
    public var inputMembers: [String] {
        entries.filter { entry in
            guard !entry.isDirectory, let dot = entry.name.lastIndex(of: ".") else { return false }
            return Self.inputExtensions.contains(entry.name[entry.name.index(after: dot)...].lowercased())
        }.map(\.name).sorted()
    }

    /// The decompressed bytes of member `member`; errors name `inputName` (`archive!/member`).
    public func openMember(_ member: String, inputName: String, limits: ArchiveLimits) throws -> any ByteStream {
        guard let entry = entries.first(where: { $0.name == member && !$0.isDirectory }) else {
            throw InputError(file: inputName, code: "archive.member-missing",
                             de: "Archiv enthält kein Mitglied dieses Namens", en: "archive holds no member of that name")
        }
        if entry.flags & 0x41 != 0 { throw ArchiveError.encrypted(inputName, at: entry.localOffset) }
        guard entry.method == 0 || entry.method == 8 else {
            throw ArchiveError.unsupportedMethod(inputName, method: Int(entry.method), at: entry.localOffset)
        }
        if entry.method == 0, entry.size != entry.compressedSize {
            throw ArchiveError.sizeMismatch(inputName, at: entry.localOffset, declared: entry.size, actual: entry.compressedSize)
        }
        // A declared size beyond the limits is refused before a byte is inflated.
        try limits.check(expanded: entry.size, consumed: entry.compressedSize, name: inputName)
        // Local header: signature, then name and extra lengths decide where the data starts.
        var local = [UInt8](repeating: 0, count: 30)
        guard entry.localOffset + 30 <= directoryOffset,
              try Self.readFully(fd, &local, at: entry.localOffset, path: path) == 30,
              Self.u32(local, 0) == 0x0403_4B50 else {
            throw ArchiveError.corrupt(inputName, at: entry.localOffset, de: "lokaler Kopf des Mitglieds fehlt oder ist ungültig",
                                       en: "member's local header is missing or invalid")
        }
        let start = entry.localOffset + 30 + Int64(Self.u16(local, 26)) + Int64(Self.u16(local, 28))
        guard start + entry.compressedSize <= directoryOffset else {
            throw ArchiveError.corrupt(inputName, at: entry.localOffset, de: "Daten des Mitglieds reichen über das Zentralverzeichnis hinaus",
                                       en: "member data runs past the central directory")
        }
        return try ZipMemberStream(archive: self, entry: entry, start: start, name: inputName, limits: limits)
    }

    // MARK: - Central directory

    private static func findEnd(fd: Int32, fileSize: Int64, path: String) throws -> (eocd: Int64, offset: Int64, count: Int) {
        let tailCount = Int(min(fileSize, 22 + 65535))
        var tail = [UInt8](repeating: 0, count: tailCount)
        let tailStart = fileSize - Int64(tailCount)
        guard try readFully(fd, &tail, at: tailStart, path: path) == tailCount else { throw ArchiveError.truncated(path, at: fileSize) }
        var i = tailCount - 22
        while i >= 0 {
            if tail[i] == 0x50, u32(tail, i) == 0x0605_4B50, i + 22 + Int(u16(tail, i + 20)) <= tailCount { break }
            i -= 1
        }
        guard i >= 0 else {
            throw InputError(file: path, byteOffset: fileSize, code: "archive.truncated",
                             de: "Ende des ZIP-Zentralverzeichnisses fehlt (Datei abgeschnitten?)",
                             en: "end of the zip central directory is missing (file cut off?)")
        }
        let eocd = tailStart + Int64(i)
        let disk = u16(tail, i + 4), directoryDisk = u16(tail, i + 6)
        let onDisk = u16(tail, i + 8), total = u16(tail, i + 10)
        let size = Int64(u32(tail, i + 12)), offset = Int64(u32(tail, i + 16))
        let zip64Locator = i >= 20 && u32(tail, i - 20) == 0x0706_4B50
        if zip64Locator || total == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            throw ArchiveError.unsupported(path, de: "ZIP64 (Archive über 4 GiB oder 65535 Mitglieder)",
                                           en: "ZIP64 (archives over 4 GiB or 65535 members)")
        }
        if disk != 0 || directoryDisk != 0 || onDisk != total {
            throw ArchiveError.unsupported(path, de: "mehrteiliges Archiv", en: "multi-part archive")
        }
        guard offset + size <= eocd else {
            throw ArchiveError.corrupt(path, at: eocd, de: "Zentralverzeichnis zeigt aus der Datei hinaus",
                                       en: "central directory points outside the file")
        }
        if size > maxDirectoryBytes {
            throw ArchiveError.unsupported(path, de: "Zentralverzeichnis größer als 64 MiB", en: "central directory larger than 64 MiB")
        }
        return (offset + size, offset, Int(total))
    }

    private static func readDirectory(fd: Int32, path: String, offset: Int64, end: Int64, count: Int) throws -> [Entry] {
        var bytes = [UInt8](repeating: 0, count: Int(end - offset))
        guard try readFully(fd, &bytes, at: offset, path: path) == bytes.count else { throw ArchiveError.truncated(path, at: end) }
        var entries: [Entry] = []
        var seen: Set<String> = []
        var p = 0
        for index in stride(from: 1, through: count, by: 1) {
            let at = offset + Int64(p)
            guard p + 46 <= bytes.count, u32(bytes, p) == 0x0201_4B50 else {
                throw ArchiveError.corrupt(path, at: at, de: "Eintrag Nr. \(index) des Zentralverzeichnisses ungültig",
                                           en: "central directory entry no. \(index) invalid")
            }
            let nameLength = Int(u16(bytes, p + 28)), extraLength = Int(u16(bytes, p + 30)), commentLength = Int(u16(bytes, p + 32))
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= bytes.count else {
                throw ArchiveError.corrupt(path, at: at, de: "Eintrag Nr. \(index) reicht über das Zentralverzeichnis hinaus",
                                           en: "entry no. \(index) runs past the central directory")
            }
            let rawName = Array(bytes[(p + 46)..<(p + 46 + nameLength)])
            if let reason = unsafeName(rawName) { throw ArchiveError.memberName(path, entry: index, reason: reason) }
            let entry = Entry(
                name: SystemPath.string(rawName), index: index, flags: u16(bytes, p + 8), method: u16(bytes, p + 10),
                crc: u32(bytes, p + 16), compressedSize: Int64(u32(bytes, p + 20)), size: Int64(u32(bytes, p + 24)),
                localOffset: Int64(u32(bytes, p + 42)))
            if entry.compressedSize == 0xFFFF_FFFF || entry.size == 0xFFFF_FFFF || entry.localOffset == 0xFFFF_FFFF {
                throw ArchiveError.unsupported(path, de: "ZIP64-Mitglied (über 4 GiB)", en: "ZIP64 member (over 4 GiB)")
            }
            guard seen.insert(entry.name).inserted else {
                throw ArchiveError.corrupt(path, at: at, de: "Mitgliedsname Nr. \(index) kommt doppelt vor",
                                           en: "member name no. \(index) occurs twice")
            }
            entries.append(entry)
            p = next
        }
        return entries
    }

    /// Why a member name is unsafe, if it is: absolute, a drive letter, `..`, a backslash, NUL.
    static func unsafeName(_ name: [UInt8]) -> (de: String, en: String)? {
        if name.isEmpty { return ("leerer Name", "empty name") }
        if name.contains(0) { return ("NUL-Byte", "NUL byte") }
        if name.contains(UInt8(ascii: "\\")) { return ("umgekehrter Schrägstrich", "backslash") }
        if name[0] == UInt8(ascii: "/") { return ("absoluter Pfad", "absolute path") }
        if name.count >= 2, name[1] == UInt8(ascii: ":") { return ("Laufwerksbuchstabe", "drive letter") }
        if name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).contains(where: { $0.elementsEqual([0x2E, 0x2E]) }) {
            return ("Pfadanteil „..“", "path component \"..\"")
        }
        return nil
    }

    // MARK: - Bytes

    /// `pread` until `buffer` is full or the file ends; returns the bytes read.
    static func readFully(_ fd: Int32, _ buffer: inout [UInt8], at offset: Int64, path: String) throws -> Int {
        try buffer.withUnsafeMutableBytes { try readFully(fd, $0, at: offset, path: path) }
    }

    static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset + Int64(filled)))
            if n > 0 { filled += n; continue }
            if n == 0 { break }
            let code = errno
            if code == EINTR { continue }
            throw CSVReader.unreadable(path, errno: code, byteOffset: offset + Int64(filled))
        }
        return filled
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
