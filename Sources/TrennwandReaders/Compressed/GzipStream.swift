import CTrennwandZlib
import TrennwandRecords

/// Streaming gzip decompression (RFC 1952) over another byte stream.
///
/// zlib checks each member's header, its CRC-32 and its ISIZE; members follow one another
/// (`cat a.gz b.gz` is one valid file). Anything after the last member that is not a gzip
/// header is refused (`archive.trailing-data`), as are corrupt, cut-off and oversized inputs —
/// every failure is an `InputError` with a code, never a crash. Decompresses straight into the
/// caller's buffer; memory stays at one 64 KiB input block plus zlib's 32 KiB window.
final class GzipStream: ByteStream {
    private var upstream: any ByteStream
    private let name: String
    private let limits: ArchiveLimits
    private let z: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    /// Compressed bytes read from `upstream`.
    private var readTotal: Int64 = 0
    private var expanded: Int64 = 0
    private var betweenMembers = false
    private var finished = false

    init(_ upstream: any ByteStream, name: String, limits: ArchiveLimits, blockSize: Int = 64 << 10) throws {
        self.upstream = upstream
        self.name = name
        self.limits = limits
        z = .allocate(capacity: 1)
        z.initialize(to: z_stream())
        input = .allocate(byteCount: max(blockSize, 16), alignment: 16)
        // 15 + 16: a 32 KiB window, gzip wrapper only (no zlib, no raw deflate).
        guard trennwand_inflateInit2(z, 15 + 16) == Z_OK else {
            z.deallocate()
            input.deallocate()
            throw InputError(file: name, code: "archive.corrupt", de: "zlib konnte nicht initialisiert werden",
                             en: "zlib could not be initialised")
        }
    }

    deinit {
        inflateEnd(z)
        z.deallocate()
        input.deallocate()
    }

    /// Offset in the compressed file of the next byte zlib has not consumed.
    private var offset: Int64 { readTotal - Int64(z.pointee.avail_in) }

    /// Reads the next compressed block (only when zlib has consumed the last one); false at end.
    private func fill() throws -> Bool {
        let n = try upstream.read(into: input)
        readTotal += Int64(n)
        z.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        z.pointee.avail_in = uInt(n)
        return n > 0
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        let room = uInt(min(buffer.count, Int(UInt32.max)))
        while true {
            if betweenMembers {
                if z.pointee.avail_in == 0, try !fill() {
                    finished = true
                    return 0
                }
                // Another member must start with the gzip magic; zlib checks the rest of its header.
                guard z.pointee.next_in[0] == 0x1F else { throw ArchiveError.trailingData(name, at: offset) }
                inflateReset(z)
                betweenMembers = false
            }
            if z.pointee.avail_in == 0, try !fill() { throw ArchiveError.truncated(name, at: readTotal) }
            z.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            z.pointee.avail_out = room
            let status = inflate(z, Z_NO_FLUSH)
            let produced = Int(room - z.pointee.avail_out)
            expanded += Int64(produced)
            try limits.check(expanded: expanded, consumed: offset, name: name)
            switch status {
            case Z_STREAM_END:
                betweenMembers = true
                if produced > 0 { return produced }
            case Z_OK:
                if produced > 0 { return produced }
            case Z_BUF_ERROR where z.pointee.avail_in == 0:
                continue
            default:
                throw failure(status)
            }
        }
    }

    /// The rejection for a zlib error: its fixed message tells which check failed.
    private func failure(_ status: Int32) -> InputError {
        let message = z.pointee.msg.map { String(cString: $0) } ?? ""
        switch message {
        case "incorrect data check":
            return ArchiveError.crc(name, at: offset)
        case "incorrect length check":
            return InputError(file: name, byteOffset: offset, code: "archive.size-mismatch",
                              de: "entpackte Länge stimmt nicht mit der Längenangabe (ISIZE) überein",
                              en: "decompressed length does not match the length field (ISIZE)")
        case "unknown compression method":
            return InputError(file: name, byteOffset: offset, code: "archive.unsupported-method",
                              de: "gzip-Kompressionsverfahren wird nicht unterstützt (nur Deflate)",
                              en: "gzip compression method is not supported (deflate only)")
        case "incorrect header check", "unknown header flags set", "header crc mismatch":
            return ArchiveError.corrupt(name, at: offset, de: "ungültiger gzip-Kopf", en: "invalid gzip header")
        default:
            if status == Z_MEM_ERROR {
                return InputError(file: name, byteOffset: offset, code: "archive.corrupt",
                                  de: "zu wenig Speicher zum Entpacken", en: "out of memory while decompressing")
            }
            return ArchiveError.corrupt(name, at: offset, de: "ungültige Deflate-Daten", en: "invalid deflate data")
        }
    }
}
