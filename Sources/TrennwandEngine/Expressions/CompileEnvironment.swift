import Foundation
import TrennwandRecords

/// What detector calls need from the detector set. `DetectorSet` conforms; tests use small fakes.
public protocol DetectorScanning: Sendable {
    var detectors: [DetectorInfo] { get }
    func scan(_ pieces: [ByteString]) -> DetectionResult
}

extension DetectorSet: DetectorScanning {}

/// The per-thread scan function an `EvalContext` uses (one per context, so it may hold a
/// non-thread-safe scanner). The one place to switch once `DetectorSet.makeScanner()` exists:
/// `if let set = detectors as? DetectorSet { let s = set.makeScanner(); return { s.scan($0) } }`.
func makeScanFunction(_ detectors: any DetectorScanning) -> ([ByteString]) -> DetectionResult {
    // Each EvalContext is per thread, so it owns a scanner with its own Vectorscan scratch.
    if let set = detectors as? DetectorSet {
        let scanner = set.makeScanner()
        return { scanner.scan($0) }
    }
    return { detectors.scan($0) }
}

/// Everything a condition is compiled against: the record kind it is evaluated on and the
/// loaded policy data. All names in a condition are resolved against this once, at load time.
public struct CompileEnvironment: Sendable {
    public var kind: RecordKind
    public var detectors: any DetectorScanning
    public var taxonomy: Taxonomy
    public var matrix: SeparationMatrix
    public var reference: ReferenceTables
    /// Named lists (`@leistungsrollen`) from the rule set's configuration.
    public var namedLists: [String: [String]]
    /// Time zone of `hour`, `weekday`, `date`, `within_schedule` and of timestamp literals.
    public var timeZone: String
    /// The scan's reference time (UTC epoch seconds) that `now()` stands for: the start of the run,
    /// or a fixed time for reproducible audits (`--now`).
    public var now: Int64

    public init(kind: RecordKind, detectors: any DetectorScanning, taxonomy: Taxonomy, matrix: SeparationMatrix,
                reference: ReferenceTables, namedLists: [String: [String]] = [:], timeZone: String = "Europe/Berlin",
                now: Int64 = Int64(Date().timeIntervalSince1970)) {
        self.now = now
        self.kind = kind
        self.detectors = detectors
        self.taxonomy = taxonomy
        self.matrix = matrix
        self.reference = reference
        self.namedLists = namedLists
        self.timeZone = timeZone
    }
}

/// Factories for the compiler's `ConfigError`s (codes `expr.*`), German and English.
enum ExpressionError {
    static func syntax(_ p: SourcePosition, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.syntax", de: "Syntaxfehler: \(de)", en: "syntax error: \(en)")
    }

    static func type(_ p: SourcePosition, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.type", de: "Typfehler: \(de)", en: "type error: \(en)")
    }

    /// A hard limit of `ExprLimits` (codes `expr.too-long`, `expr.too-many-nodes`, `expr.list-too-long`,
    /// `expr.too-many-patterns`).
    static func limit(_ p: SourcePosition, code: String, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.\(code)", de: "Grenze überschritten: \(de)", en: "limit exceeded: \(en)")
    }

    static func unknown(_ p: SourcePosition, code: String, de: String, en: String) -> ConfigError {
        ConfigError(p, code: "expr.\(code)", de: de, en: en)
    }

    /// Up to three known names closest to `name` (edit distance), for "did you mean" hints.
    static func suggestions(_ name: String, in candidates: [String]) -> [String] {
        func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
            if a.isEmpty { return b.count }
            var prev = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var cur = [i + 1]
                for (j, y) in b.enumerated() {
                    cur.append(min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (x == y ? 0 : 1)))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let n = Array(name.lowercased().utf8)
        let limit = max(2, n.count / 2)
        var scored: [(name: String, distance: Int)] = []
        for c in candidates {
            let d = distance(n, Array(c.lowercased().utf8))
            if d <= limit || c.hasPrefix(name) || name.hasPrefix(c) { scored.append((c, d)) }
        }
        scored.sort { (a: (name: String, distance: Int), b: (name: String, distance: Int)) -> Bool in
            a.distance != b.distance ? a.distance < b.distance : a.name < b.name
        }
        return scored.prefix(3).map { $0.name }
    }

    static func hint(_ s: [String]) -> (de: String, en: String) {
        guard !s.isEmpty else { return ("", "") }
        let list = s.joined(separator: ", ")
        return (" (meinten Sie: \(list)?)", " (did you mean: \(list)?)")
    }
}
