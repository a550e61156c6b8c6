/// An owned run of UTF-8 bytes: the value type of text fields on hot paths.
///
/// Records keep bytes rather than `String` so that reading and matching never decode or
/// validate per field (a `String` per field costs ~87 ns, see docs/performance.md). Decode
/// with `string` only at the edges (outputs, messages).
///
/// Up to 15 bytes are stored inline (two machine words, no heap allocation, no reference
/// counting); most log fields (account ids, systems, actions, customer numbers, categories)
/// fit. Longer runs live in an array. The representation is canonical — a run of at most 15
/// bytes is always inline — so equality and hashing compare words for short strings.
public struct ByteString: Sendable, Hashable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    @usableFromInline
    enum Storage: Sendable {
        /// Bytes 0–14 little-endian in the two words; the top byte of `w1` is the count.
        case small(UInt64, UInt64)
        case large([UInt8])
    }

    @usableFromInline var storage: Storage

    /// The most bytes stored inline.
    public static let inlineCapacity = 15

    /// The empty string, made without an array (`ByteString("")` goes through `String.utf8`).
    @inline(__always)
    public static var empty: ByteString { ByteString(storage: .small(0, 0)) }

    public init(_ bytes: [UInt8]) {
        if bytes.count <= ByteString.inlineCapacity {
            storage = bytes.withUnsafeBytes { ByteString.pack($0) }
        } else {
            storage = .large(bytes)
        }
    }

    /// Inlinable: the normaliser, the batch filters and the aggregate routing make one per field
    /// value; as a call into this module it was ~41 instructions each, 4 of the CSV scan's 68 per
    /// byte (issue 20, fourteenth stop).
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        if buffer.count <= ByteString.inlineCapacity {
            storage = ByteString.pack(buffer)
        } else {
            storage = .large(Array(buffer))
        }
    }

    public init(_ string: String) { self.init(Array(string.utf8)) }
    public init(stringLiteral value: String) { self.init(Array(value.utf8)) }

    /// Packs at most 15 bytes into two words with overlapping unaligned loads (no memcpy call,
    /// never reading outside the buffer). Little-endian: byte i of the string is byte i of the
    /// pair of words.
    @usableFromInline @inline(__always)
    static func pack(_ buffer: UnsafeRawBufferPointer) -> Storage {
        let n = buffer.count
        var w0: UInt64 = 0, w1: UInt64 = 0
        if n > 0, let p = buffer.baseAddress {
            switch n {
            case 8...15:
                w0 = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
                if n > 8 {
                    let tail = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self))
                    w1 = tail >> UInt64((16 - n) * 8)
                }
            case 4...7:
                let a = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
                let b = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
                w0 = a | (b << UInt64((n - 4) * 8))
            default:   // 1...3: first, middle and last byte cover every position
                let b0 = UInt64(p.load(as: UInt8.self))
                let b1 = UInt64(p.load(fromByteOffset: n / 2, as: UInt8.self))
                let b2 = UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
                w0 = b0 | (b1 << UInt64((n / 2) * 8)) | (b2 << UInt64((n - 1) * 8))
            }
        }
        w1 |= UInt64(n) << 56
        return .small(w0, w1)
    }

    public var count: Int {
        switch storage {
        case .small(_, let w1): return Int(UInt64(littleEndian: w1) >> 56)
        case .large(let a): return a.count
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The bytes as an array (allocates for inline strings: keep off hot paths; use
    /// `withUnsafeBytes`).
    public var bytes: [UInt8] {
        switch storage {
        case .large(let a): return a
        case .small: return withUnsafeBytes { Array($0) }
        }
    }

    /// The bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    public var string: String { withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
    public var description: String { string }

    @inline(__always)
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .large(let a):
            return try a.withUnsafeBytes(body)
        case .small(let w0, let w1):
            var words = (w0.littleEndian, w1.littleEndian)
            let n = Int(w1 >> 56)
            return try Swift.withUnsafeBytes(of: &words) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// The byte at `i` (0 ≤ i < count).
    @inline(__always)
    public subscript(i: Int) -> UInt8 {
        switch storage {
        case .large(let a): return a[i]
        case .small(let w0, let w1):
            precondition(i >= 0 && i < Int(w1 >> 56), "ByteString index out of range")
            return i < 8 ? UInt8(truncatingIfNeeded: w0 >> (UInt64(i) * 8))
                : UInt8(truncatingIfNeeded: w1 >> (UInt64(i - 8) * 8))
        }
    }

    @inline(__always)
    public static func == (lhs: ByteString, rhs: ByteString) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case let (.small(a0, a1), .small(b0, b1)): return a0 == b0 && a1 == b1
        case let (.large(a), .large(b)): return a == b
        default: return false   // canonical: the same bytes never have two representations
        }
    }

    @inline(__always)
    public func hash(into hasher: inout Hasher) {
        switch storage {
        case .small(let w0, let w1):
            hasher.combine(w0)
            hasher.combine(w1)
        case .large(let a):
            a.withUnsafeBytes { hasher.combine(bytes: $0) }
            hasher.combine(a.count)
        }
    }

    public static func < (lhs: ByteString, rhs: ByteString) -> Bool {
        lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in a.lexicographicallyPrecedes(b) } }
    }

    /// ASCII case-insensitive equality (umlauts compare exactly).
    public func equalsIgnoringASCIICase(_ other: ByteString) -> Bool {
        withUnsafeBytes { a in
            other.withUnsafeBytes { b in
                guard a.count == b.count else { return false }
                for i in 0..<a.count where asciiLower(a[i]) != asciiLower(b[i]) { return false }
                return true
            }
        }
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
        if v.count <= inlineCapacity {
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { w in
                foldCase(v, into: UnsafeMutableRawBufferPointer(rebasing: w[0..<v.count]))
                w[15] = UInt8(truncatingIfNeeded: v.count)
            }
            return ByteString(storage: .small(UInt64(littleEndian: words.0), UInt64(littleEndian: words.1)))
        }
        var out = [UInt8](repeating: 0, count: v.count)
        out.withUnsafeMutableBytes { foldCase(v, into: $0) }
        return ByteString(storage: .large(out))
    }

    private init(storage: Storage) { self.storage = storage }

    private static func foldCase(_ v: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
        var i = 0
        let n = v.count
        while i < n {
            let b = v[i]
            if b >= 0x41 && b <= 0x5A {
                out[i] = b | 0x20
            } else if b == 0xC3, i + 1 < n, v[i + 1] >= 0x80, v[i + 1] <= 0x9E, v[i + 1] != 0x97 {
                out[i] = b
                out[i + 1] = v[i + 1] + 0x20
                i += 1
            } else {
                out[i] = b
            }
            i += 1
        }
    }

    /// This string case-folded as `foldCase(_:)` does.
    public var caseFolded: ByteString { withUnsafeBytes { ByteString.foldCase($0) } }
}

/// A map with `ByteString` keys for the small tables of hot paths (value maps of a profile,
/// literal lists of a rule): up to `linearLimit` entries it compares keys one by one (two machine
/// words each for inline strings) instead of hashing — SipHash setup and finalisation cost more
/// than a dozen word compares; larger tables use a dictionary.
public struct SmallByteStringMap<Value>: @unchecked Sendable {
    public static var linearLimit: Int { 16 }
    private var keys: [ByteString] = []
    private var values: [Value] = []
    private var table: [ByteString: Value]?

    public init() {}

    public init<S: Sequence>(_ pairs: S) where S.Element == (ByteString, Value) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { table?.count ?? keys.count }
    public var isEmpty: Bool { count == 0 }

    public subscript(key: ByteString) -> Value? {
        get {
            if let table { return table[key] }
            for i in keys.indices where keys[i] == key { return values[i] }
            return nil
        }
        set {
            if table != nil { table![key] = newValue; return }
            if let i = keys.firstIndex(of: key) {
                if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
                return
            }
            guard let newValue else { return }
            keys.append(key)
            values.append(newValue)
            if keys.count > Self.linearLimit {
                table = Dictionary(uniqueKeysWithValues: zip(keys, values))
                keys = []
                values = []
            }
        }
    }

    public func contains(_ key: ByteString) -> Bool { self[key] != nil }
}
