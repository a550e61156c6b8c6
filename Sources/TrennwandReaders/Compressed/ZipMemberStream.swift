#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CTrennwandZlib
import TrennwandRecords

/// One zip member's bytes: stored bytes copied, deflated bytes raw-inflated, CRC-32 and size
/// checked when the member's data ends. Holds the archive (and so its descriptor) open.
final class ZipMemberStream: ByteStream {
    private let archive: ZipArchive
    private let entry: ZipArchive.Entry
    private let name: String
    private let limits: ArchiveLimits
    private let start: Int64
    /// Next compressed byte to read from the file.
    private var position: Int64
    private var expanded: Int64 = 0
    private var crc: uLong = crc32(0, nil, 0)
    private var finished = false
    private let z: UnsafeMutablePointer<z_stream>?
    private let input: UnsafeMutableRawBufferPointer

    init(archive: ZipArchive, entry: ZipArchive.Entry, start: Int64, name: String, limits: ArchiveLimits) throws {
        self.archive = archive
        self.entry = entry
        self.start = start
        self.name = name
        self.limits = limits
        position = start
        input = .allocate(byteCount: 64 << 10, alignment: 16)
        if entry.method == 8 {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // -15: raw deflate, no wrapper (zip stores CRC and sizes in its headers).
            guard trennwand_inflateInit2(stream, -15) == Z_OK else {
                stream.deallocate()
                input.deallocate()
                throw InputError(file: name, code: "archive.corrupt", de: "zlib konnte nicht initialisiert werden",
                                 en: "zlib could not be initialised")
            }
            z = stream
        } else {
            z = nil
        }
    }

    deinit {
        if let z {
            inflateEnd(z)
            z.deallocate()
        }
        input.deallocate()
    }

    private var dataEnd: Int64 { start + entry.compressedSize }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        let n = try z.map { try inflated(into: buffer, $0) } ?? stored(into: buffer)
        if n > 0 {
            crc = crc32(crc, buffer.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(n))
            expanded += Int64(n)
        }
        if expanded > entry.size {
            throw ArchiveError.sizeMismatch(name, at: position, declared: entry.size, actual: expanded)
        }
        try limits.check(expanded: expanded, consumed: position - start, name: name)
        if finished {
            if expanded != entry.size {
                throw ArchiveError.sizeMismatch(name, at: position, declared: entry.size, actual: expanded)
            }
            if UInt32(truncatingIfNeeded: crc) != entry.crc { throw ArchiveError.crc(name, at: position) }
        }
        return n
    }

    private func stored(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let want = Int(min(Int64(buffer.count), dataEnd - position))
        if want == 0 {
            finished = true
            return 0
        }
        let n = try ZipArchive.readFully(archive.fd, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: position, path: name)
        if n == 0 { throw ArchiveError.truncated(name, at: position) }
        position += Int64(n)
        if position == dataEnd { finished = true }
        return n
    }

    private func inflated(into buffer: UnsafeMutableRawBufferPointer, _ z: UnsafeMutablePointer<z_stream>) throws -> Int {
        let room = uInt(min(buffer.count, Int(UInt32.max)))
        while true {
            if z.pointee.avail_in == 0 {
                let want = Int(min(Int64(input.count), dataEnd - position))
                guard want > 0 else { throw ArchiveError.truncated(name, at: position) }
                let n = try ZipArchive.readFully(archive.fd, UnsafeMutableRawBufferPointer(rebasing: input[0..<want]), at: position, path: name)
                if n == 0 { throw ArchiveError.truncated(name, at: position) }
                position += Int64(n)
                z.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                z.pointee.avail_in = uInt(n)
            }
            z.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            z.pointee.avail_out = room
            let status = inflate(z, Z_NO_FLUSH)
            let produced = Int(room - z.pointee.avail_out)
            switch status {
            case Z_STREAM_END:
                finished = true
                if z.pointee.avail_in != 0 || position != dataEnd {
                    throw ArchiveError.corrupt(name, at: position - Int64(z.pointee.avail_in),
                                               de: "Deflate-Daten enden vor der angegebenen komprimierten Größe",
                                               en: "deflate data ends before the declared compressed size")
                }
                return produced
            case Z_OK:
                if produced > 0 { return produced }
            case Z_BUF_ERROR where z.pointee.avail_in == 0:
                continue
            default:
                throw ArchiveError.corrupt(name, at: position - Int64(z.pointee.avail_in),
                                           de: "ungültige Deflate-Daten", en: "invalid deflate data")
            }
        }
    }
}
