import TrennwandRecords

/// One entry of a field's `patterns:` list: a value the exact `map:` does not know is mapped by
/// the first pattern that matches (file order). All comparisons are on the case-folded value,
/// like map keys.
public struct ValuePattern: Sendable {
    public enum Test: Sendable {
        /// The value starts with these (folded) bytes.
        case prefix(ByteString)
        /// The value ends with these (folded) bytes.
        case suffix(ByteString)
        /// The part after the last `@` equals this (folded) domain; no subdomains.
        case emailDomain(ByteString)
        /// The whole value matches (`ByteRegex`, anchored).
        case regex(ByteRegex)
    }

    public let test: Test
    /// The canonical value; nil means "treat as empty", as a null map target.
    public let target: String?
    public let position: SourcePosition

    /// The pattern keys of a `patterns:` entry, in the order the docs list them.
    static let keys = ["prefix", "suffix", "email_domain", "regex"]

    /// Whether the case-folded value matches.
    func matches(_ folded: UnsafeRawBufferPointer) -> Bool {
        switch test {
        case .prefix(let p):
            return p.withUnsafeBytes { p in
                folded.count >= p.count && memcmpEqual(folded, 0, p)
            }
        case .suffix(let p):
            return p.withUnsafeBytes { p in
                folded.count >= p.count && memcmpEqual(folded, folded.count - p.count, p)
            }
        case .emailDomain(let d):
            guard let at = folded.lastIndex(of: UInt8(ascii: "@")) else { return false }
            return d.withUnsafeBytes { d in
                folded.count - at - 1 == d.count && memcmpEqual(folded, at + 1, d)
            }
        case .regex(let r):
            return r.matches(folded)
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafeRawBufferPointer, _ offset: Int, _ b: UnsafeRawBufferPointer) -> Bool {
    for k in 0..<b.count where a[offset + k] != b[k] { return false }
    return true
}

/// The outcome of the patterns for distinct folded values of one field, bounded: when it holds
/// `capacity` entries it is emptied and refills (no LRU bookkeeping on the hot path; a column
/// with more distinct values than that pays the pattern test again, never a wrong result).
/// One per compiled slot, i.e. per normaliser — per file and worker thread —, so never shared.
final class PatternCache {
    static let capacity = 4_096
    /// Pattern index that matched, or -1: none.
    private var entries: [ByteString: Int] = [:]

    func lookup(_ key: ByteString, compute: () -> Int) -> Int {
        if let hit = entries[key] { return hit }
        let value = compute()
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = value
        return value
    }

    var count: Int { entries.count }
}
