#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// The read buffer of the CSV reader: bytes `[0, count)` of which `[position, count)` are not yet
/// parsed; `fileOffset` is the file offset of byte 0. Refilled by `read(2)` (or from memory, or
/// from a decompressing stream, where offsets count decompressed bytes) in blocks; grows only
/// when one record does not fit.
struct CSVBlockInput {
    enum Source {
        case file(Int32)
        case memory([UInt8])
        /// A gzip file or zip member (`InputFile.openStream`): read once, never chunked.
        case stream(any ByteStream)
    }

    var source: Source
    var memoryPosition = 0
    var buffer: UnsafeMutableRawPointer
    var capacity: Int
    var count = 0
    var position = 0
    var atEOF = false
    var fileOffset: Int64 = 0
    var bytesRead: Int64 = 0
    let name: String

    init(source: Source, name: String, blockSize: Int) {
        self.source = source
        self.name = name
        capacity = max(blockSize, 1)
        // 8 spare bytes so that word loads at the very end never leave the allocation.
        buffer = .allocate(byteCount: capacity + 8, alignment: 16)
    }

    mutating func close() {
        if case .file(let fd) = source, fd >= 0 {
            _ = systemClose(fd)
            source = .file(-1)
        }
        if case .memory = source { source = .memory([]) }
        if case .stream = source { source = .memory([]) }
    }

    /// Moves the unparsed tail to the front (growing the buffer if it is full) and reads more.
    /// Sets `atEOF` when the input is exhausted.
    mutating func refill() throws {
        if position > 0 {
            let rest = count &- position
            if rest > 0 { buffer.copyMemory(from: buffer + position, byteCount: rest) }
            fileOffset &+= Int64(position)
            count = rest
            position = 0
        }
        if count == capacity {
            if capacity >= CSVReader.maxRecordBytes {
                throw InputError(
                    file: name, byteOffset: fileOffset, code: "csv.record-too-large",
                    de: "Datensatz ab Byte \(fileOffset) ist größer als \(CSVReader.maxRecordBytes >> 20) MiB (offenes Anführungszeichen?)",
                    en: "record at byte \(fileOffset) is larger than \(CSVReader.maxRecordBytes >> 20) MiB (open quote?)")
            }
            let grown = capacity &* 2
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown + 8, alignment: 16)
            fresh.copyMemory(from: buffer, byteCount: count)
            buffer.deallocate()
            buffer = fresh
            capacity = grown
        }
        let room = capacity &- count
        switch source {
        case .file(let fd):
            while true {
                let n = read(fd, buffer + count, room)
                if n > 0 {
                    count &+= n
                    bytesRead &+= Int64(n)
                    return
                }
                if n == 0 {
                    atEOF = true
                    close()
                    return
                }
                let code = errno
                if code == EINTR { continue }
                throw CSVReader.unreadable(name, errno: code, byteOffset: fileOffset &+ Int64(count))
            }
        case .memory(let bytes):
            let n = min(room, bytes.count &- memoryPosition)
            if n > 0 {
                bytes.withUnsafeBytes { (buffer + count).copyMemory(from: $0.baseAddress! + memoryPosition, byteCount: n) }
                memoryPosition &+= n
                count &+= n
                bytesRead &+= Int64(n)
            }
            if memoryPosition == bytes.count {
                atEOF = true
                close()
            }
        case .stream(var stream):
            let n = try stream.read(into: UnsafeMutableRawBufferPointer(start: buffer + count, count: room))
            if n > 0 {
                count &+= n
                bytesRead &+= Int64(n)
                source = .stream(stream)
            } else {
                atEOF = true
                close()
            }
        }
    }
}

@inline(__always)
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

extension CSVReader {
    /// Opens `path` for reading; a directory, missing, unreadable file throws `input.unreadable`,
    /// a FIFO, socket or device `input.not-regular-file` (see `InputFile`).
    static func openFile(_ path: String) throws -> Int32 { try InputFile.open(path) }

    /// `input.unreadable` with the operating system's reason in German and English.
    static func unreadable(_ path: String, errno code: Int32, byteOffset: Int64) -> InputError {
        let reason = SystemErrorText.describe(code)
        let german = reason.de, english = reason.en
        return InputError(
            file: path, byteOffset: byteOffset, code: "input.unreadable",
            de: "Eingabedatei kann nicht gelesen werden: \(german)",
            en: "cannot read input file: \(english)")
    }
}
