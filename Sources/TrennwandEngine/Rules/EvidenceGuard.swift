import TrennwandFindings
import TrennwandRecords

/// Decides how a value taken from data may appear in a finding, by value and not by field name:
/// every evidence value, detail text and configuration-gap key the engine builds passes here.
///
/// - A `.label` value (and a list element, an aggregate group key, a gap key) is shown verbatim
///   only when the rule pack knows the word (its vocabulary: string literals of the conditions,
///   named lists, taxonomy categories, matrix categories, detector names) or when it is a short
///   code-like token (`JC-PC-0815`): ASCII letters, digits and `._:/-`, at most 24 bytes, at least
///   one digit, no run of more than 4 digits, and no detector fires on it. Anything else is shown
///   like free text.
/// - Free text is shown as `[Text, N Bytes]` and its detector hits (identifier hits masked,
///   keyword hits by their detector name), at most `maxHits` and `maxLength` characters.
/// - Every string leaves neutralised (`Masking.neutralised`), also with `reveal`.
///
/// Built once per compiled rule pack; runs only when a finding is built, never per record.
public struct EvidenceGuard: Sendable {
    /// Case-folded words of the rule pack.
    let vocabulary: Set<ByteString>
    let detectors: DetectorSet

    /// At most this many detector hits are listed for a free-text value.
    public static let maxHits = 10
    /// A free-text rendering is cut at this many characters.
    public static let maxLength = 200
    /// Longest token shown verbatim.
    public static let maxTokenBytes = 24
    /// Longest run of digits a token shown verbatim may contain.
    public static let maxDigitRun = 4

    public init(vocabulary: Set<String>, detectors: DetectorSet) {
        self.vocabulary = Set(vocabulary.map { ByteString($0).caseFolded })
        self.detectors = detectors
    }

    /// Whether the value may be shown verbatim in a `.label` field.
    public func isDisclosable(_ value: ByteString) -> Bool {
        if value.isEmpty { return true }
        if vocabulary.contains(value.caseFolded) { return true }
        return isCodeToken(value)
    }

    /// A short code-like token on which no detector fires.
    func isCodeToken(_ value: ByteString) -> Bool {
        let bytes = value.bytes
        guard bytes.count <= Self.maxTokenBytes else { return false }
        var digits = false, run = 0
        for b in bytes {
            let isDigit = b >= 0x30 && b <= 0x39
            let isLetter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
            guard isDigit || isLetter || b == 0x2E || b == 0x5F || b == 0x3A || b == 0x2F || b == 0x2D else { return false }
            if isDigit {
                digits = true
                run += 1
                if run > Self.maxDigitRun { return false }
            } else {
                run = 0
            }
        }
        return digits && detectors.scan([value]).hits.isEmpty
    }

    /// A `.label` value as it may be shown: verbatim when disclosable (or with `reveal`), else as
    /// free text.
    public func label(_ value: ByteString, reveal: Bool) -> String {
        if reveal || isDisclosable(value) { return Masking.neutralised(value.string) }
        return freeText(value)
    }

    /// A free-text value: its length and its detector hits, bounded.
    public func freeText(_ value: ByteString) -> String {
        var out = Masking.text(value.bytes)
        let hits = detectors.scan([value]).hits
        if hits.isEmpty { return out }
        let bytes = value.bytes
        var parts: [String] = []
        for h in hits.prefix(Self.maxHits) {
            let info = detectors.detectors[h.detector]
            switch info.kind {
            case .identifier:
                let r = h.range.clamped(to: 0..<bytes.count)
                parts.append("\(info.name) \(Masking.identifier(bytes[r]))")
            case .keywords:
                parts.append(info.name)
            }
        }
        if hits.count > Self.maxHits { parts.append("+\(hits.count - Self.maxHits)") }
        out += ": " + parts.joined(separator: ", ")
        return Self.bounded(out)
    }

    /// An identifier value: its fixed-length mask (raw but neutralised with `reveal`).
    public func identifier(_ value: ByteString, reveal: Bool) -> String {
        reveal ? Masking.neutralised(value.string) : Masking.identifier(value.bytes)
    }

    /// The words of one detector hit inside free text (`.text` evidence): identifier hits masked;
    /// keyword hits show the word they were found in when it is one short plain word, else the
    /// detector name.
    func hitText(_ bytes: ArraySlice<UInt8>, detector: DetectorInfo, reveal: Bool) -> String {
        if reveal { return Self.bounded(Masking.neutralised(String(decoding: bytes, as: UTF8.self))) }
        switch detector.kind {
        case .identifier:
            return Masking.identifier(bytes)
        case .keywords:
            // A keyword hit spans the word the term was found in: shown when it is one plain word
            // (letters only, at most 40 bytes; a hyphenated compound may join a name to the
            // keyword), else by the detector's name.
            let plain = bytes.count <= 40 && bytes.allSatisfy { b in
                (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A || b >= 0x80
            }
            let s = String(decoding: bytes, as: UTF8.self)
            if plain, !Masking.needsNeutralising(bytes), !s.unicodeScalars.contains(where: { !$0.properties.isAlphabetic }) {
                return s
            }
            return detector.name
        }
    }

    /// Cut at `maxLength` characters (with `…`).
    static func bounded(_ s: String) -> String {
        s.count <= maxLength ? s : String(s.prefix(maxLength - 1)) + "…"
    }
}
