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

    /// Whether one of `detectors` has a validated hit in `slot`'s text, for every present row of
    /// `selection` (all rows for nil) at once, into `r` (true or false; missing texts stay unknown):
    /// the texts not scanned yet are scanned first (once per batch however many rules ask), then
    /// each row's mask is tested against the detectors' bits. Why a column at a time: asked per
    /// row, the cache checks, nested-array accesses and detector-list walk cost ~110 instructions
    /// a call, 119,709 calls on 8 MB of the XML bench export (seven rules, several categories
    /// each; issue 20, fourteenth stop).
    func fired(_ batch: RecordBatch, slot: Int, anyOf detectors: [Int], selection: [UInt64]?, into r: inout TriMask) {
        prepare(batch, slot: slot)
        let column = batch.columns[slot]
        let n = batch.count
        let words = (n + 63) / 64
        for w in 0..<words {
            let selected = selection.map { w < $0.count ? $0[w] : 0 } ?? ~0
            var todo = selected & column.present[w] & ~scanned[slot][w]
            if w == words - 1 && n % 64 != 0 { todo &= (UInt64(1) << UInt64(n % 64)) - 1 }
            while todo != 0 {
                scanRow(batch, slot: slot, row: w &* 64 &+ todo.trailingZeroBitCount)
                todo &= todo &- 1
            }
        }
        let stride = maskWords
        var want = [UInt64](repeating: 0, count: stride)
        for d in detectors where d >> 6 < stride { want[d >> 6] |= UInt64(1) << UInt64(d & 63) }
        masks[slot].withUnsafeBufferPointer { m in
            want.withUnsafeBufferPointer { want in
                for w in 0..<words {
                    let selected = selection.map { w < $0.count ? $0[w] : 0 } ?? ~0
                    var rows = selected & column.present[w]
                    if w == words - 1 && n % 64 != 0 { rows &= (UInt64(1) << UInt64(n % 64)) - 1 }
                    var hit: UInt64 = 0
                    var bits = rows
                    while bits != 0 {
                        let k = bits.trailingZeroBitCount
                        let base = (w &* 64 &+ k) &* stride
                        var any: UInt64 = 0
                        for j in 0..<stride { any |= m[base &+ j] & want[j] }
                        if any != 0 { hit |= UInt64(1) << UInt64(k) }
                        bits &= bits &- 1
                    }
                    r.isTrue[w] |= hit
                    r.isFalse[w] |= rows & ~hit
                }
            }
        }
    }

    /// The cache made current for `batch` (cleared when it is another batch or was refilled) and
    /// sized for `slot`.
    private func prepare(_ batch: RecordBatch, slot: Int) {
        if detectionsOf?.batch !== batch || detectionsOf?.generation != batch.generation {
            for t in touched { scanned[t].withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
            touched.removeAll(keepingCapacity: true)
            detectionsOf = (batch, batch.generation)
        }
        if slot >= scanned.count {
            scanned += Array(repeating: [], count: slot + 1 - scanned.count)
            masks += Array(repeating: [], count: slot + 1 - masks.count)
        }
        if scanned[slot].count < (batch.capacity + 63) / 64 {
            scanned[slot] = Array(repeating: 0, count: (batch.capacity + 63) / 64)
        }
        maskWords = detectorWords
        if masks[slot].count < batch.capacity * maskWords {
            masks[slot] = Array(repeating: 0, count: batch.capacity * maskWords)
        }
    }

    /// Scans `row`'s text of `slot` into its mask (after `prepare`).
    private func scanRow(_ batch: RecordBatch, slot: Int, row: Int) {
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
        scanned[slot][row >> 6] |= UInt64(1) << UInt64(row & 63)
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
