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
/// makes opening a FIFO return at once) and refused unless `fstat` says `S_ISREG`.
enum InputFile {
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

    /// The first `count` bytes of a regular file (fewer when it is shorter).
    static func head(path: String, count: Int) throws -> [UInt8] {
        let fd = try open(path)
        defer { _ = close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
            if n > 0 { filled += n; continue }
            if n == 0 { break }
            let code = errno
            if code == EINTR { continue }
            throw CSVReader.unreadable(path, errno: code, byteOffset: Int64(filled))
        }
        return Array(bytes[0..<filled])
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
