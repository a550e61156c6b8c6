#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// Opening input files safely: only regular files are read.
///
/// A FIFO, socket or character device given as input would block `open(2)` or `read(2)` forever
/// (a FIFO without a writer) or never end (`/dev/zero`). Files are opened with `O_NONBLOCK` (which
/// makes opening a FIFO return at once) and refused unless `fstat` says `S_ISREG`. Compressed
/// inputs (gzip, zip members) are read through `openStream`.
public enum InputFile {
    /// Opens `path` read-only; a directory, missing, unreadable or non-regular file throws
    /// `input.unreadable` (with the system's reason) or `input.not-regular-file`.
    static func open(_ path: String) throws -> Int32 {
        let fd = systemOpen(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw CSVReader.unreadable(path, errno: errno, byteOffset: 0) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let code = errno
            _ = close(fd)
            throw CSVReader.unreadable(path, errno: code, byteOffset: 0)
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFDIR {
            _ = close(fd)
            throw CSVReader.unreadable(path, errno: EISDIR, byteOffset: 0)
        }
        if type != S_IFREG {
            _ = close(fd)
            throw notRegular(path, type: type)
        }
        return fd
    }

    /// The first `count` bytes of an input (fewer when it is shorter), decompressed when it is a
    /// gzip file or a zip member (see `openStream`).
    static func head(path: String, count: Int, limits: ArchiveLimits = .standard) throws -> [UInt8] {
        var stream = try openStream(path, limits: limits)
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try bytes.withUnsafeMutableBytes { try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        return Array(bytes[0..<filled])
    }

    /// The first `count` bytes of a regular file as stored (no decompression).
    static func rawHead(path: String, count: Int) throws -> [UInt8] {
        let fd = try open(path)
        defer { _ = close(fd) }
        return try rawHead(fd: fd, count: count, path: path)
    }

    /// The first `count` bytes at offset 0 of an open file (`pread`: the file position stays).
    static func rawHead(fd: Int32, count: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try ZipArchive.readFully(fd, &bytes, at: 0, path: path)
        return Array(bytes[0..<n])
    }

    // MARK: Compressed inputs

    /// Separates an archive from a member in an input name: `export.zip!/inner/a.csv` (the
    /// convention of `jar:` URLs).
    public static let memberSeparator = "!/"

    /// The archive and member an input name stands for, or nil for a plain path. A path that
    /// exists as given is plain; otherwise the first `!/` after which the part before is a
    /// regular file splits it.
    public static func archiveMember(_ path: String) -> (archive: String, member: String)? {
        guard path.contains(memberSeparator), SystemPath.status(path) == nil else { return nil }
        var search = path.startIndex
        while let r = path.range(of: memberSeparator, range: search..<path.endIndex) {
            let archive = String(path[..<r.lowerBound])
            if let st = SystemPath.status(archive), st.st_mode & S_IFMT == S_IFREG {
                return (archive, String(path[r.upperBound...]))
            }
            search = r.upperBound
        }
        return nil
    }

    /// Whether a directory entry named `name` is a compressed input the scan collects: a `.zip`
    /// archive or a gzip file of an input (`.csv.gz`, `.xml.gz`, `.jsonl.gz`, `.ndjson.gz`).
    public static func isCompressedInputName(_ name: String) -> Bool {
        let lower = name.lowercased()
        if lower.hasSuffix(".zip") { return true }
        guard lower.hasSuffix(".gz") else { return false }
        let inner = lower.dropLast(3)
        return ZipArchive.inputExtensions.contains { inner.hasSuffix("." + $0) }
    }

    /// How an input is read: a plain regular file through its descriptor (the readers' fast
    /// path), or a decompressing stream.
    enum Opened {
        case plain(Int32)
        case stream(any ByteStream)
    }

    /// A compressed input (gzip, zip member) asked for in chunks: it can only be read front to
    /// back, so the scan reads it whole.
    static func notSeekable(_ path: String) -> InputError {
        InputError(file: path, code: "input.not-seekable",
                   de: "komprimierte Eingabe wird am Stück gelesen, nicht in Abschnitten",
                   en: "a compressed input is read whole, not in chunks")
    }

    /// Opens `path` as `openStream` does, keeping plain files as descriptors.
    static func openForReading(_ path: String, limits: ArchiveLimits = .standard) throws -> Opened {
        if let (archive, member) = archiveMember(path) {
            return .stream(try ZipArchive(path: archive).openMember(member, inputName: path, limits: limits))
        }
        let fd = try open(path)
        let head: [UInt8]
        do { head = try rawHead(fd: fd, count: 10, path: path) } catch {
            _ = close(fd)
            throw error
        }
        switch compression(head) {
        case nil:
            return .plain(fd)
        case "gzip":
            return .stream(try GzipStream(FileByteStream(fd: fd, name: path), name: path, limits: limits))
        case "zip":
            _ = close(fd)
            let members = try ZipArchive(path: path).inputMembers
            if members.isEmpty {
                throw InputError(file: path, code: "archive.no-members",
                                 de: "ZIP-Archiv enthält keine lesbaren Mitglieder (.csv, .xml, .jsonl, .ndjson)",
                                 en: "zip archive holds no readable members (.csv, .xml, .jsonl, .ndjson)")
            }
            throw InputError(file: path, code: "archive.needs-member",
                             de: "ZIP-Archiv mit \(members.count) lesbaren Mitgliedern (.csv, .xml, .jsonl, .ndjson); Mitglieder werden als ARCHIV.zip!/NAME gelesen",
                             en: "zip archive with \(members.count) readable members (.csv, .xml, .jsonl, .ndjson); members are read as ARCHIVE.zip!/NAME")
        case let other?:
            _ = close(fd)
            throw compressed(path, format: other)
        }
    }

    /// The bytes of an input, whatever it is stored as: a plain regular file, a gzip file (by its
    /// magic number, not its name; several members allowed) or `archive.zip!/member` — the latter
    /// two decompressed, checked (CRC-32, sizes) and bounded by `limits` (`archive.too-large`).
    /// xz, zstd and bzip2 files are refused (`input.compressed`), as is a bare zip archive
    /// (`archive.needs-member`: the scan expands it to its members). Throws `InputError`.
    public static func openStream(_ path: String, limits: ArchiveLimits = .standard) throws -> any ByteStream {
        switch try openForReading(path, limits: limits) {
        case .plain(let fd): return FileByteStream(fd: fd, name: path)
        case .stream(let stream): return stream
        }
    }

    static func notRegular(_ path: String, type: mode_t) -> InputError {
        let (de, en): (String, String)
        switch type {
        case S_IFIFO: (de, en) = ("eine benannte Pipe (FIFO)", "a named pipe (FIFO)")
        case S_IFSOCK: (de, en) = ("ein Socket", "a socket")
        case S_IFCHR: (de, en) = ("ein zeichenorientiertes Gerät", "a character device")
        case S_IFBLK: (de, en) = ("ein blockorientiertes Gerät", "a block device")
        default: (de, en) = ("keine reguläre Datei", "not a regular file")
        }
        return InputError(file: path, code: "input.not-regular-file",
                          de: "Eingabe ist \(de), keine reguläre Datei; nur reguläre Dateien werden gelesen",
                          en: "input is \(en), not a regular file; only regular files are read")
    }

    /// The compression format whose magic number starts `head`, if any. Every magic number holds a
    /// byte no text export starts with (bzip2: "BZh", a level digit and the block or end magic).
    static func compression(_ head: [UInt8]) -> String? {
        let magics: [(String, [UInt8])] = [
            ("gzip", [0x1F, 0x8B]), ("zip", [0x50, 0x4B, 0x03, 0x04]),
            ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]), ("zstd", [0x28, 0xB5, 0x2F, 0xFD]),
        ]
        if let hit = magics.first(where: { head.starts(with: $0.1) }) { return hit.0 }
        if head.count >= 10, head.starts(with: [0x42, 0x5A, 0x68]), (0x31...0x39).contains(head[3]),
           head[4...9].elementsEqual([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]) || head[4...9].elementsEqual([0x17, 0x72, 0x45, 0x38, 0x50, 0x90]) {
            return "bzip2"
        }
        return nil
    }

    static func compressed(_ path: String, format: String) -> InputError {
        InputError(file: path, code: "input.compressed",
                   de: "Datei ist \(format)-komprimiert; bitte vorher entpacken",
                   en: "file is \(format)-compressed; decompress it first")
    }

    /// UTF-16 or UTF-32 byte order mark at the start, if any (longest match first).
    static func wideBOM(_ head: [UInt8]) -> String? {
        if head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32LE" }
        if head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32BE" }
        if head.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if head.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        return nil
    }

    static func unsupportedEncoding(_ path: String, bom: String) -> InputError {
        InputError(file: path, code: "input.unsupported-encoding",
                   de: "Datei ist \(bom)-kodiert (Byte-Order-Mark); CSV wird nur als UTF-8, Windows-1252 oder ISO-8859-15 gelesen – bitte als UTF-8 exportieren",
                   en: "file is \(bom)-encoded (byte order mark); CSV is read only as UTF-8, Windows-1252 or ISO-8859-15 – please export as UTF-8")
    }
}

@inline(__always)
private func systemOpen(_ path: String, _ flags: Int32) -> Int32 { SystemPath.openFile(path, flags) }
