/// An owned run of UTF-8 bytes: the value type of text fields on hot paths.
///
/// Records keep bytes rather than `String` so that reading and matching never decode or
/// validate per field (a `String` per field costs ~87 ns, see docs/performance.md). Decode
/// with `string` only at the edges (outputs, messages).
public struct ByteString: Sendable, Hashable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ buffer: UnsafeRawBufferPointer) { self.bytes = Array(buffer) }
    public init(_ string: String) { self.bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { self.bytes = Array(value.utf8) }

    public var count: Int { bytes.count }
    public var isEmpty: Bool { bytes.isEmpty }

    /// The bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { string }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes(body)
    }

    public static func < (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// ASCII case-insensitive equality (umlauts compare exactly).
    public func equalsIgnoringASCIICase(_ other: ByteString) -> Bool {
        guard bytes.count == other.bytes.count else { return false }
        for i in bytes.indices where asciiLower(bytes[i]) != asciiLower(other.bytes[i]) { return false }
        return true
    }
}

@inline(__always)
public func asciiLower(_ b: UInt8) -> UInt8 {
    (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
}

extension ByteString {
    /// Lower case for ASCII and the Latin-1 capitals in UTF-8 (Ä Ö Ü … = `C3 80`–`C3 9E`, except ×):
    /// the case folding of German identifiers and value maps, on bytes.
    public static func foldCase(_ v: UnsafeRawBufferPointer) -> ByteString {
        var out = [UInt8](v)
        var i = 0
        while i < out.count {
            let b = out[i]
            if b >= 0x41 && b <= 0x5A {
                out[i] = b | 0x20
            } else if b == 0xC3, i + 1 < out.count, out[i + 1] >= 0x80, out[i + 1] <= 0x9E, out[i + 1] != 0x97 {
                out[i + 1] += 0x20
                i += 1
            }
            i += 1
        }
        return ByteString(out)
    }

    /// This string case-folded as `foldCase(_:)` does.
    public var caseFolded: ByteString { withUnsafeBytes { ByteString.foldCase($0) } }
}
