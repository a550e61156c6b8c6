import TrennwandRecords

// STUB — API contract only; the detectors work package replaces the bodies.

/// One detector match in a text: which detector, in which piece (text field), which bytes.
public struct DetectorHit: Sendable, Hashable {
    /// Index of the detector in `DetectorSet.detectors`.
    public var detector: Int
    /// Index of the text piece (several text fields per record) the hit is in.
    public var piece: Int
    /// Byte range within that piece.
    public var range: Range<Int>

    public init(detector: Int, piece: Int, range: Range<Int>) {
        self.detector = detector
        self.piece = piece
        self.range = range
    }
}

/// What a detector is: an identifier with validation, or a keyword list of a data category.
public struct DetectorInfo: Sendable, Hashable {
    public enum Kind: String, Sendable { case identifier, keywords }
    /// Name used in rule conditions: `steuer_id`, `iban`, `rv_nummer`, `kvnr`, `ausweis`,
    /// `kundennummer`, `bg_nummer`, and one per keyword list (`gesundheit`, `sanktion`, …).
    public var name: String
    public var kind: Kind
    /// Taxonomy category the detector reveals, e.g. `kennung` or `gesundheit.gutachten`.
    public var category: String
    public var title: Localized

    public init(name: String, kind: Kind, category: String, title: Localized) {
        self.name = name
        self.kind = kind
        self.category = category
        self.title = title
    }
}

/// The detectors of one text field kind, matched in one pass: all results of one record.
public struct DetectionResult: Sendable {
    public var hits: [DetectorHit]
    /// Bit i set when detector i has at least one (validated) hit.
    public var mask: [UInt64]

    public init(hits: [DetectorHit], detectorCount: Int) {
        self.hits = hits
        self.mask = Array(repeating: 0, count: (detectorCount + 63) / 64)
        for h in hits { mask[h.detector >> 6] |= 1 << UInt64(h.detector & 63) }
    }

    @inline(__always)
    public func fired(_ detector: Int) -> Bool {
        mask[detector >> 6] & (1 << UInt64(detector & 63)) != 0
    }
}

/// All detectors (identifier validators and keyword lists) compiled into one Vectorscan database;
/// one pass per text piece, then check-digit validation.
public final class DetectorSet: @unchecked Sendable {
    public let detectors: [DetectorInfo]

    /// Loads keyword lists from `listsDirectory` (`Rules/lists/*.txt`) and compiles everything.
    public init(listsDirectory: String) throws {
        detectors = []
    }

    public func index(of name: String) -> Int? { detectors.firstIndex { $0.name == name } }

    /// Scans every piece and returns the validated hits.
    public func scan(_ pieces: [ByteString]) -> DetectionResult {
        DetectionResult(hits: [], detectorCount: detectors.count)
    }
}
