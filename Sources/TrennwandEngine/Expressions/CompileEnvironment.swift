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
package func makeScanFunction(_ detectors: any DetectorScanning) -> ([ByteString]) -> DetectionResult {
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
    public var taxonomy: Taxonomy { didSet { matrixDecisions = MatrixBuiltin.decisions(taxonomy: taxonomy, matrix: matrix) } }
    public var matrix: SeparationMatrix { didSet { matrixDecisions = MatrixBuiltin.decisions(taxonomy: taxonomy, matrix: matrix) } }
    /// `MatrixBuiltin.decisions` of `taxonomy` and `matrix`, made once (given by `PolicyData`, which
    /// makes it once per run): built per `matrix()` call it was 8 % of a small scan's start.
    package private(set) var matrixDecisions: [ByteString: [ByteString: ByteString]]
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
        self.init(kind: kind, detectors: detectors, taxonomy: taxonomy, matrix: matrix, reference: reference,
                  namedLists: namedLists, timeZone: timeZone, now: now,
                  matrixDecisions: MatrixBuiltin.decisions(taxonomy: taxonomy, matrix: matrix))
    }

    package init(kind: RecordKind, detectors: any DetectorScanning, taxonomy: Taxonomy, matrix: SeparationMatrix,
                 reference: ReferenceTables, namedLists: [String: [String]], timeZone: String, now: Int64,
                 matrixDecisions: [ByteString: [ByteString: ByteString]]) {
        self.matrixDecisions = matrixDecisions
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
