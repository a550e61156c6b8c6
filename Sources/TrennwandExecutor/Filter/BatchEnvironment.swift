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
    /// The same scanner over the column's bytes (the built-in `DetectorSet`); nil for another
    /// `DetectorScanning` (tests), which gets the texts as `ByteString`s through `scan`.
    private let scanner: DetectorScanner?
    private let detectorWords: Int

    package init(symbols: SymbolTable, zone: ZoneConverter, detectors: any DetectorScanning) {
        self.symbols = symbols
        self.clock = LocalClock(zone)
        self.scan = makeScanFunction(detectors)
        scanner = (detectors as? DetectorSet)?.makeScanner()
        detectorWords = max((detectors.detectors.count + 63) / 64, 1)
    }

    /// Detector masks of the batch being evaluated, per text slot (indexed by slot) and row: a text
    /// column is scanned once per batch however many rules read it (the record evaluator's
    /// per-record detection cache, per batch). Only the mask is kept (rules ask which detectors
    /// fired), flat: `maskWords` words per row, and a bitmap of the rows scanned. A dictionary of
    /// `DetectionResult` arrays per slot had a hash probe and a retain of the result's arrays per
    /// rule and row (a tenth of an XML scan was reference counting).
    private var masks: [[UInt64]] = []
    private var scanned: [[UInt64]] = []
    private var touched: [Int] = []
    private var maskWords = 0
    /// The batch the cache is for, held (not just its address: a new batch may be allocated where
    /// a freed one was) with its generation.
    private var detectionsOf: (batch: RecordBatch, generation: UInt64)?

    /// Whether one of `detectors` has a validated hit in `slot`'s text in `row` (a present text
    /// value), the text scanned on first use.
    func fired(_ batch: RecordBatch, slot: Int, row: Int, anyOf detectors: [Int]) -> Bool {
        if detectionsOf?.batch !== batch || detectionsOf?.generation != batch.generation {
            for t in touched { scanned[t].withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
            touched.removeAll(keepingCapacity: true)
            detectionsOf = (batch, batch.generation)
        }
        if slot >= scanned.count {
            scanned += Array(repeating: [], count: slot + 1 - scanned.count)
            masks += Array(repeating: [], count: slot + 1 - masks.count)
        }
        let rowBit = UInt64(1) << UInt64(row & 63)
        if scanned[slot].count < (batch.capacity + 63) / 64 {
            scanned[slot] = Array(repeating: 0, count: (batch.capacity + 63) / 64)
        }
        if scanned[slot][row >> 6] & rowBit == 0 {
            maskWords = detectorWords
            if masks[slot].count < batch.capacity * maskWords {
                masks[slot] = Array(repeating: 0, count: batch.capacity * maskWords)
            }
            let column = batch.columns[slot]
            if let scanner, column.storage == .runs {
                masks[slot].withUnsafeMutableBufferPointer { m in
                    scanner.fire(pieces: column.runCount(row), { column.run(row, $0) },
                                 into: UnsafeMutableBufferPointer(rebasing: m[row * maskWords..<(row + 1) * maskWords]))
                }
            } else {
                let d = scan(column.runs(row))
                for w in 0..<maskWords { masks[slot][row * maskWords + w] = w < d.mask.count ? d.mask[w] : 0 }
            }
            if !touched.contains(slot) { touched.append(slot) }
            scanned[slot][row >> 6] |= rowBit
        }
        return masks[slot].withUnsafeBufferPointer { m in
            let base = row * maskWords
            return detectors.contains { m[base + ($0 >> 6)] & (UInt64(1) << UInt64($0 & 63)) != 0 }
        }
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
