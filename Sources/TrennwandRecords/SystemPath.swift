#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// File names that are not valid UTF-8, kept as Strings that round-trip to their bytes.
///
/// Linux file names are bytes; Foundation turns bytes that are not UTF-8 into U+FFFD, after
/// which the file can neither be found nor opened. Here every byte that is not part of valid
/// UTF-8 becomes the text `\xHH` (always 80–FF: ASCII is valid UTF-8), so the String is at once
/// what messages and reports show (`bad\xFF\xFEname.csv`) and, through `withCString`, the exact
/// bytes `open(2)` needs. The one name this cannot tell apart is a valid UTF-8 name that itself
/// contains the literal text `\x80`…`\xFF`.
public enum SystemPath {
    /// The String for raw name bytes (valid UTF-8 unchanged; other bytes as `\xHH`).
    public static func string(_ bytes: [UInt8]) -> String {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var out = ""
        var i = 0
        while i < bytes.count {
            let n = validSequenceLength(bytes, at: i)
            if n > 0 {
                out += String(decoding: bytes[i..<(i + n)], as: UTF8.self)
                i += n
            } else {
                out += "\\x" + String(bytes[i], radix: 16, uppercase: true)
                i += 1
            }
        }
        return out
    }

    /// The bytes of the name `path` stands for (the inverse of `string`).
    public static func bytes(_ path: String) -> [UInt8] {
        let utf8 = Array(path.utf8)
        guard utf8.contains(UInt8(ascii: "\\")) else { return utf8 }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count, utf8[i + 1] == UInt8(ascii: "x") || utf8[i + 1] == UInt8(ascii: "X"),
               let hi = hex(utf8[i + 2]), let lo = hex(utf8[i + 3]), hi >= 8 {
                out.append(hi << 4 | lo)
                i += 4
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return out
    }

    /// Calls `body` with the NUL-terminated bytes of `path`, for `open(2)`, `stat(2)` and friends.
    public static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
        var b = bytes(path)
        b.append(0)
        return try b.withUnsafeBufferPointer { buffer in
            try buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { try body($0) }
        }
    }

    /// `open(2)` of the name `path` stands for.
    public static func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        withCString(path) { open($0, flags, mode) }
    }

    /// `stat(2)` of the name `path` stands for; nil when it fails (errno set).
    public static func status(_ path: String) -> stat? {
        var st = stat()
        return withCString(path) { stat($0, &st) } == 0 ? st : nil
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// Length of the valid UTF-8 sequence starting at `i`, 0 when the byte starts none.
    private static func validSequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        let n: Int
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: n = 2
        case 0xE0...0xEF: n = 3
        case 0xF0...0xF4: n = 4
        default: return 0
        }
        guard i + n <= b.count else { return 0 }
        return String(validating: b[i..<(i + n)], as: UTF8.self) != nil ? n : 0
    }
}
