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
