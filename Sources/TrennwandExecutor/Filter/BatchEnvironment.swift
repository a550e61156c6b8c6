import TrennwandEngine
import TrennwandRecords

/// What one worker's batch evaluation needs besides the batch: its symbol table, the policy's time
/// zone (local wall-clock times for schedules and calendar parts), parsed schedules and a detector
/// scanner.
///
/// Per worker and thread, like the closure evaluator's `EvalContext`: the zone converter and the
/// caches are not thread-safe.
package final class BatchEnvironment {
    package let symbols: SymbolTable
    private var clock: LocalClock
    private var schedules: [ByteString: DeploymentSchedule?] = [:]
    /// The detectors with this worker's own Vectorscan scratch.
    let scan: ([ByteString]) -> DetectionResult

    package init(symbols: SymbolTable, zone: ZoneConverter, detectors: any DetectorScanning) {
        self.symbols = symbols
        self.clock = LocalClock(zone)
        self.scan = makeScanFunction(detectors)
    }

    /// Detector results of the batch being evaluated, per text slot and row: a text column is
    /// scanned once per batch however many rules read it (the record evaluator's per-record
    /// detection cache, per batch).
    private var detections: [Int: [DetectionResult?]] = [:]
    /// The batch the cache is for, held (not just its address: a new batch may be allocated where
    /// a freed one was) with its generation.
    private var detectionsOf: (batch: RecordBatch, generation: UInt64)?

    /// The detector result of `slot` in `row` (a present text value), scanned on first use.
    func detection(_ batch: RecordBatch, slot: Int, row: Int) -> DetectionResult {
        if detectionsOf?.batch !== batch || detectionsOf?.generation != batch.generation {
            detections.removeAll(keepingCapacity: true)
            detectionsOf = (batch, batch.generation)
        }
        if let d = detections[slot]?[row] ?? nil { return d }
        let d = scan(batch.columns[slot].runs(row))
        if detections[slot] == nil { detections[slot] = Array(repeating: nil, count: batch.capacity) }
        detections[slot]![row] = d
        return d
    }

    /// Local wall-clock seconds of a UTC instant (`LocalClock`, as the closure evaluator has them).
    func local(_ utc: Int64) -> Int64 { clock.local(utc) }

    /// A schedule text parsed once; nil when it does not parse.
    func schedule(_ text: ByteString) -> DeploymentSchedule? {
        if let cached = schedules[text] { return cached }
        let parsed = try? DeploymentSchedule(parsing: text.string)
        schedules[text] = .some(parsed)
        return parsed
    }
}
