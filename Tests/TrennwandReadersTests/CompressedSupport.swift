import Foundation

/// Compressed fixtures: gzip through `/usr/bin/gzip`, zip archives through a tiny writer here
/// (stored or deflated members, every header field overridable to craft broken archives).
enum Compressed {
    /// Runs `/bin/sh -c command` with `input` on stdin and returns stdout.
    static func shell(_ command: String, input: [UInt8] = []) -> [UInt8] {
        let dir = Hostile.directory()
        let inFile = dir.appendingPathComponent("in"), outFile = dir.appendingPathComponent("out")
        _ = FileManager.default.createFile(atPath: inFile.path, contents: Data(input))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "(\(command)) < '\(inFile.path)' > '\(outFile.path)'"]
        try? p.run()
        p.waitUntilExit()
        return Array((try? Data(contentsOf: outFile)) ?? Data())
    }

    /// gzip of `bytes` (`gzip -n`: a 10-byte header without name or time).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] { shell("/usr/bin/gzip -n -c", input: bytes) }

    /// Raw deflate of `bytes` and its CRC-32, taken from a gzip member.
    static func deflate(_ bytes: [UInt8]) -> (data: [UInt8], crc: UInt32) {
        let gz = gzip(bytes)
        return (Array(gz[10..<(gz.count - 8)]), crc32(bytes))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    struct Member {
        var name: String
        var data: [UInt8]
        var deflate = true
        var flags: UInt16 = 0
        var method: UInt16?
        var crc: UInt32?
        var size: UInt32?
        var rawName: [UInt8]?
    }

    /// A zip archive of `members`; `directoryOffset` and `entries` override the end record.
    static func zip(_ members: [Member], directoryOffset: UInt32? = nil, entries: UInt16? = nil, comment: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: UInt16, _ to: inout [UInt8]) { to += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32, _ to: inout [UInt8]) { for s in [0, 8, 16, 24] { to.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
        for m in members {
            let packed = m.deflate ? deflate(m.data).data : m.data
            let method = m.method ?? (m.deflate ? 8 : 0)
            let crc = m.crc ?? crc32(m.data)
            let size = m.size ?? UInt32(m.data.count)
            let name = m.rawName ?? Array(m.name.utf8)
            let offset = UInt32(out.count)
            func header(_ to: inout [UInt8]) {
                u16(20, &to); u16(m.flags, &to); u16(method, &to); u16(0, &to); u16(0x5A21, &to)
                u32(crc, &to); u32(UInt32(packed.count), &to); u32(size, &to); u16(UInt16(name.count), &to); u16(0, &to)
            }
            u32(0x0403_4B50, &out); header(&out); out += name; out += packed
            u32(0x0201_4B50, &central); u16(20, &central); header(&central)
            u16(0, &central); u16(0, &central); u16(0, &central); u32(0, &central); u32(offset, &central); central += name
        }
        let cdOffset = UInt32(out.count)
        out += central
        u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out)
        u16(entries ?? UInt16(members.count), &out); u16(entries ?? UInt16(members.count), &out)
        u32(UInt32(central.count), &out); u32(directoryOffset ?? cdOffset, &out); u16(UInt16(comment.count), &out)
        out += comment
        return out
    }
}
