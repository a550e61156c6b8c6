import TrennwandRecords

/// One aggregate rule's state over a run of consecutive records (a scan unit: a chunk or a file),
/// built on the worker that evaluated them and merged, in unit order, into the rule's
/// `AggregateEvaluator` (`AggregateEvaluator.merge`), with the result of adding the records one
/// by one there.
///
/// Why: routing every record to the merging thread and adding it there (the feed replay) made
/// that one thread the scan's bottleneck — a quarter of a one-thread scan, and the reason two
/// threads did not reach twice one (docs/executor.md). A partial holds per (group, window) what the
/// window's evaluation needs — counts, distinct values, the first evidence records — so the merge
/// costs per bucket, not per record.
///
/// Exactness, tumbling windows: whether a record is late depends on the watermark when it arrives,
/// the maximum of the watermark before the unit (`W`, unknown here) and the unit's own counted
/// record times before it. A record late against the unit's own times is late whatever `W` is
/// (kept as late here); every other record of a bucket is late exactly when the bucket's window
/// closed before the unit (`start + w + lateness ≤ W`), one comparison per bucket at the merge.
/// Evidence (samples): a bucket keeps its first `maxSamples` evidence records, which is all the
/// merge can need — for `distinct`, a bucket still short of samples has as many distinct values
/// as samples, so at most that many of these records bring a value seen before. Late samples: the
/// first `maxSamples` records of each bucket and of the unit's own late records, with their
/// position in the unit, so the merge takes the first ones in unit order.
/// Gaps: the unit's runs, merged run by run (`GapRuns.insert(run:)`).
/// Sliding windows are not pre-aggregated (`supports`): their records are routed one by one.
package final class AggregatePartial: @unchecked Sendable {
    /// Plain values only (no references): a unit has about as many buckets as a few records each
    /// (accounts × hours), so a bucket owning arrays and a set meant allocations per bucket on the
    /// worker, reference counting when the merge read them and frees on the merging thread.
    /// Values, evidence and first records live in the partial's flat arrays instead.
    struct Bucket {
        var group: Int32
        var start: Int64
        var count = 0
        var numerator = 0
        var first = Int64.max
        var last = Int64.min
        /// Distinct: values held (a list through `valueNext` while few, then a set in `tables`).
        var valueCount: Int32 = 0
        var valueHead: Int32 = -1
        var table: Int32 = -1
        var evidenceCount: Int32 = 0
        var firstCount: Int32 = 0
        /// Gaps: the index of the group's runs in `runs`.
        var runs: Int32 = -1
    }

    /// A bucket's values are found by walking its list up to this many, then in a hash set.
    private static let listedValues: Int32 = 16

    enum Mode {
        case whole
        case tumbling(window: Int64, offset: Int64, lateness: Int64)
        case gap
    }

    let mode: Mode
    /// Gaps: the calendar's distance of two times. Not a payload of `Mode`: binding it in the
    /// per-record `switch` retained and released the closure's context every time (2 % of a CSV
    /// scan with the other reference counts of `add`).
    private let distance: (Int64, Int64) -> Int64
    let isRatio: Bool
    let isDistinct: Bool
    let maxSamples: Int32
    let threshold: Double

    private var groupIDs = AggregateGroupIDs()
    private(set) var groupKeys: [AggregateGroupKey] = []
    /// Per group: its bucket last added to (records of a group come in window order nearly always).
    private var lastBucket: [Int32] = []
    private let bucketIndex = BucketTable()
    private(set) var buckets: [Bucket] = []
    /// Distinct values in the order first seen in their bucket, with their bucket and the next of the bucket's list.
    private(set) var values: [ByteString] = []
    private(set) var valueBucket: [Int32] = []
    private var valueNext: [Int32] = []
    private var tables: [ByteKeyTable] = []
    /// Per bucket its first `maxSamples` evidence records (distinct: with the index in `values` of
    /// the value they brought, else −1), in unit order. Plain values: emptying the array for the
    /// next batch destroyed a `ByteString?` per element (2 % of a CSV scan with the other arrays).
    private(set) var evidence: [(bucket: Int32, value: Int32, locator: CompactLocator)] = []
    /// Tumbling: per bucket its first `maxSamples` records with their position in the unit (late samples).
    private(set) var firstRecords: [(bucket: Int32, ordinal: Int, locator: CompactLocator)] = []
    /// Gaps: the runs of each group.
    private(set) var runs: [GapRuns<CompactLocator>] = []
    /// Gaps, records added by row (`add(singleKey:…row:locatorOf:)`): per runs, the row whose
    /// time is its last run's end while that end's locator is not made yet (−1: none), and the
    /// runs with one. In-order input extends the last run with nearly every record, and making
    /// a locator for each, kept only until the next, was 4 % of a CSV scan.
    private var pendingEnd: [Int32] = []
    private var pendingRuns: [Int32] = []

    private(set) var counters = AggregateCounters()
    /// Records late against the unit's own times: how many, and the first `maxSamples`.
    private(set) var lateCount = 0
    private(set) var lateSamples: [(ordinal: Int, locator: CompactLocator)] = []
    /// The newest counted record time of a tumbling rule (the unit's part of the watermark).
    private(set) var maxTime = Int64.min
    private var ordinal = 0

    /// The locators' file names and record ids.
    package private(set) var strings: [String] = []
    private var lastFile: Int32 = -1
    private var lastFileName = ""

    /// Whether records of `evaluator`'s rule can be pre-aggregated (every window but sliding).
    package static func supports(_ evaluator: AggregateEvaluator) -> Bool {
        if case .sliding = evaluator.spec.window { return false }
        return true
    }

    /// An empty partial for `evaluator`'s rule (`supports(evaluator)` must hold).
    package init(for evaluator: AggregateEvaluator) {
        let spec = evaluator.spec
        distance = evaluator.gapDistance ?? { _, _ in 0 }
        if evaluator.gapDistance != nil {
            mode = .gap
        } else {
            switch spec.window {
            case .whole: mode = .whole
            case .tumbling(let w, let offset): mode = .tumbling(window: w, offset: offset, lateness: evaluator.lateness)
            case .sliding: preconditionFailure("sliding windows are not pre-aggregated")
            }
        }
        if case .ratio = spec.measure { isRatio = true } else { isRatio = false }
        if case .distinct = spec.measure { isDistinct = true } else { isDistinct = false }
        maxSamples = Int32(clamping: spec.maxSamples)
        threshold = spec.threshold
    }

    package var isEmpty: Bool { ordinal == 0 }

    /// Back to empty for the next run of records (the sequential scan merges every
    /// `UnitEngine.mergeEvery` batches).
    package func reset() {
        groupIDs.removeAll()
        groupKeys.removeAll(keepingCapacity: true)
        lastBucket.removeAll(keepingCapacity: true)
        bucketIndex.removeAll()
        buckets.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        valueBucket.removeAll(keepingCapacity: true)
        valueNext.removeAll(keepingCapacity: true)
        tables.removeAll(keepingCapacity: true)
        evidence.removeAll(keepingCapacity: true)
        firstRecords.removeAll(keepingCapacity: true)
        runs.removeAll(keepingCapacity: true)
        pendingEnd.removeAll(keepingCapacity: true)
        pendingRuns.removeAll(keepingCapacity: true)
        counters = AggregateCounters()
        lateCount = 0
        lateSamples.removeAll(keepingCapacity: true)
        maxTime = Int64.min
        ordinal = 0
        strings.removeAll(keepingCapacity: true)
        lastFile = -1
        lastFileName = ""
    }

    /// The index of `file` in `strings` (the same file as the last call: no lookup).
    package func fileIndex(_ file: String) -> Int32 {
        if lastFile >= 0, lastFileName == file { return lastFile }
        lastFile = Int32(strings.count)
        lastFileName = file
        strings.append(file)
        return lastFile
    }

    /// The index of a record id in `strings` (−1: none).
    package func stringIndex(_ s: String?) -> Int32 {
        guard let s else { return -1 }
        strings.append(s)
        return Int32(strings.count - 1)
    }

    /// Adds one record as `AggregateEvaluator.add(group:time:value:isNumerator:makeLocator:)` takes
    /// it; `makeLocator` is called only for a record kept as evidence, late sample or gap run end.
    package func add(group key: AggregateGroupKey?, time: Int64?, value: ByteString?, isNumerator: Bool,
                    makeLocator: () -> CompactLocator) {
        // A pending end would be settled with this record's locator.
        precondition(!hasPendingEnds, "AggregatePartial: settle(locatorOf:) before adding without rows")
        add(groupID: key.map { group($0) }, time: time, value: value, isNumerator: isNumerator, row: -1) { _ in makeLocator() }
    }

    /// `add(group:…)` for a rule grouping by one field: its value is looked up as is, and an
    /// `AggregateGroupKey` is made only for a group seen for the first time.
    ///
    /// Why: building a key per record and hashing it through the key's general path was 3 % of a
    /// full CSV scan; every built-in aggregate groups by one field.
    package func add(singleKey key: ByteString?, time: Int64?, value: ByteString?, isNumerator: Bool,
                    makeLocator: () -> CompactLocator) {
        // A pending end would be settled with this record's locator.
        precondition(!hasPendingEnds, "AggregatePartial: settle(locatorOf:) before adding without rows")
        add(groupID: key.map { group(single: $0) }, time: time, value: value, isNumerator: isNumerator, row: -1) { _ in makeLocator() }
    }

    /// `add(singleKey:…)` for the record at `row` of a batch whose rows `locatorOf` makes locators
    /// of: a gap run's end locator is made only when the run stops growing, so `settle(locatorOf:)`
    /// must follow before the batch's rows change (and before the merge, which checks it).
    package func add(singleKey key: ByteString?, time: Int64?, value: ByteString?, isNumerator: Bool, row: Int,
                    locatorOf: (Int) -> CompactLocator) {
        add(groupID: key.map { group(single: $0) }, time: time, value: value, isNumerator: isNumerator, row: row, locatorOf: locatorOf)
    }

    /// Makes the gap run end locators still pending (rows of the batch `locatorOf` reads).
    package func settle(locatorOf: (Int) -> CompactLocator) {
        for r in pendingRuns { settle(Int(r), locatorOf) }
        pendingRuns.removeAll(keepingCapacity: true)
    }

    /// Whether a gap run end locator is pending (`settle` not called since the last row added).
    package var hasPendingEnds: Bool { !pendingRuns.isEmpty }

    @inline(__always)
    private func settle(_ r: Int, _ locatorOf: (Int) -> CompactLocator) {
        guard pendingEnd[r] >= 0 else { return }
        runs[r].setLastEndLocator(locatorOf(Int(pendingEnd[r])))
        pendingEnd[r] = -1
    }

    /// The one adding path; `row` −1: no row, `locatorOf` makes the current record's locator.
    @inline(__always)
    private func add(groupID: Int32?, time: Int64?, value: ByteString?, isNumerator: Bool, row: Int,
                     locatorOf: (Int) -> CompactLocator) {
        func makeLocator() -> CompactLocator { locatorOf(row) }
        let position = ordinal
        ordinal += 1
        guard let g = groupID, !isDistinct || value != nil else {
            counters.missingKey += 1
            return
        }
        switch mode {
        case .gap:
            guard let t = time else {
                counters.missingTime += 1
                return
            }
            let b = bucket(group: g, start: 0)
            buckets[b].count += 1
            buckets[b].first = min(buckets[b].first, t)
            buckets[b].last = max(buckets[b].last, t)
            if buckets[b].runs < 0 {
                buckets[b].runs = Int32(runs.count)
                runs.append(GapRuns())
                pendingEnd.append(-1)
            }
            let r = Int(buckets[b].runs)
            if row >= 0, let moved = runs[r].extendLast(t, threshold: threshold, distance: distance) {
                if moved {
                    if pendingEnd[r] < 0 { pendingRuns.append(Int32(r)) }
                    pendingEnd[r] = Int32(row)
                }
            } else {
                // Any other change may move or copy the last run's end: its locator first.
                settle(r, locatorOf)
                runs[r].insert(t, makeLocator, threshold: threshold, distance: distance)
            }
            counters.counted += 1
        case .whole:
            let b = bucket(group: g, start: 0)
            add(to: b, time: time, value: value, isNumerator: isNumerator, position: nil, makeLocator)
            counters.counted += 1
        case .tumbling(let w, let offset, let lateness):
            guard let t = time else {
                counters.missingTime += 1
                return
            }
            let start = CivilTime.floorDiv(t - offset, w) * w + offset
            if start + w + lateness <= maxTime {
                lateCount += 1
                if lateSamples.count < Int(maxSamples) { lateSamples.append((position, makeLocator())) }
                return
            }
            let b = bucket(group: g, start: start)
            add(to: b, time: t, value: value, isNumerator: isNumerator, position: position, makeLocator)
            counters.counted += 1
            maxTime = max(maxTime, t)
        }
    }

    @inline(__always)
    private func add(to b: Int, time: Int64?, value: ByteString?, isNumerator: Bool, position: Int?,
                     _ makeLocator: () -> CompactLocator) {
        buckets[b].count += 1
        if let time {
            buckets[b].first = min(buckets[b].first, time)
            buckets[b].last = max(buckets[b].last, time)
        }
        var evidence = true
        if isDistinct, let value { evidence = insert(value, into: b) }
        if isRatio { evidence = isNumerator }
        if isNumerator { buckets[b].numerator += 1 }
        let wantsEvidence = evidence && buckets[b].evidenceCount < maxSamples
        let wantsFirst = position != nil && buckets[b].firstCount < maxSamples
        guard wantsEvidence || wantsFirst else { return }
        let locator = makeLocator()
        if wantsEvidence {
            // Distinct evidence brought a new value: the one just appended to `values`.
            self.evidence.append((Int32(b), isDistinct ? Int32(values.count - 1) : -1, locator))
            buckets[b].evidenceCount += 1
        }
        if wantsFirst, let position {
            firstRecords.append((Int32(b), position, locator))
            buckets[b].firstCount += 1
        }
    }

    /// Adds a distinct value to bucket `b`; whether it is new there.
    @inline(__always)
    private func insert(_ value: ByteString, into b: Int) -> Bool {
        if buckets[b].table >= 0 {
            guard tables[Int(buckets[b].table)].insert(value) else { return false }
        } else {
            var v = buckets[b].valueHead
            while v >= 0 {
                if values[Int(v)] == value { return false }
                v = valueNext[Int(v)]
            }
            if buckets[b].valueCount + 1 >= Self.listedValues {
                // Many values: from now on a set (holding every value of the bucket).
                let table = ByteKeyTable(capacity: Int(Self.listedValues) * 2)
                var v = buckets[b].valueHead
                while v >= 0 {
                    _ = table.insert(values[Int(v)])
                    v = valueNext[Int(v)]
                }
                _ = table.insert(value)
                buckets[b].table = Int32(tables.count)
                tables.append(table)
            }
        }
        valueNext.append(buckets[b].valueHead)
        buckets[b].valueHead = Int32(values.count)
        values.append(value)
        valueBucket.append(Int32(b))
        buckets[b].valueCount += 1
        return true
    }

    /// The dense id of a group, interned on first sight.
    @inline(__always)
    private func group(_ key: AggregateGroupKey) -> Int32 {
        let (id, isNew) = groupIDs.id(key)
        if isNew {
            groupKeys.append(key)
            lastBucket.append(-1)
        }
        return id
    }

    /// The dense id of the group of one key value, interned on first sight.
    @inline(__always)
    private func group(single value: ByteString) -> Int32 {
        let (id, isNew) = groupIDs.id(single: value)
        if isNew {
            var key = AggregateGroupKey()
            key.append(value)
            groupKeys.append(key)
            lastBucket.append(-1)
        }
        return id
    }

    /// The index of the group's bucket starting at `start`, made on first sight.
    @inline(__always)
    private func bucket(group g: Int32, start: Int64) -> Int {
        let last = lastBucket[Int(g)]
        if last >= 0, buckets[Int(last)].start == start { return Int(last) }
        let b = bucketIndex.index(group: g, start: start, new: Int32(buckets.count))
        if Int(b) == buckets.count { buckets.append(Bucket(group: g, start: start)) }
        lastBucket[Int(g)] = b
        return Int(b)
    }

    /// The `Locator` of a kept record, its line and index moved by the unit's offsets.
    func locator(_ l: CompactLocator, lineOffset: Int, indexOffset: Int) -> Locator {
        strings.withUnsafeBufferPointer { l.locator(strings: $0, lineOffset: lineOffset, indexOffset: indexOffset) }
    }
}

/// A partial's buckets by (group, window start), by linear probing over raw buffers.
///
/// Why not `Dictionary<BucketKey, Int32>`: a bucket is looked up whenever a group's record is not
/// in the window of its last one — nearly every group's first record after a merge — and SipHash
/// with its seed, lookup and insert were ~3.5 % of a CSV scan (perf samples; this table's probe,
/// inlined, ~1.7 %). Why not `ByteKeyTable` with the pair as two words: the same probing, but a
/// call into another module per record — 3–4 % slower over 10 alternating rounds.
private final class BucketTable {
    private var groups: UnsafeMutablePointer<Int32>   // −1: empty
    private var starts: UnsafeMutablePointer<Int64>
    private var values: UnsafeMutablePointer<Int32>
    private var mask: Int
    private var used = 0

    init() {
        mask = 63
        (groups, starts, values) = Self.allocate(mask + 1)
    }

    deinit {
        groups.deallocate()
        starts.deallocate()
        values.deallocate()
    }

    private static func allocate(_ n: Int) -> (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int32>) {
        let g = UnsafeMutablePointer<Int32>.allocate(capacity: n), s = UnsafeMutablePointer<Int64>.allocate(capacity: n)
        let v = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        g.initialize(repeating: -1, count: n)
        s.initialize(repeating: 0, count: n)
        v.initialize(repeating: 0, count: n)
        return (g, s, v)
    }

    @inline(__always)
    private static func bucket(_ group: Int32, _ start: Int64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: WordHash.mix(UInt64(UInt32(bitPattern: group)), UInt64(bitPattern: start))) & mask
    }

    /// The index stored for (`group`, `start`); when there is none, `new` is stored and returned.
    @inline(__always)
    func index(group: Int32, start: Int64, new: Int32) -> Int32 {
        var i = Self.bucket(group, start, mask)
        while groups[i] >= 0 {
            if groups[i] == group, starts[i] == start { return values[i] }
            i = (i + 1) & mask
        }
        if (used + 1) * 2 > mask + 1 {
            grow()
            i = Self.bucket(group, start, mask)
            while groups[i] >= 0 { i = (i + 1) & mask }
        }
        groups[i] = group
        starts[i] = start
        values[i] = new
        used += 1
        return new
    }

    /// Empties the table, keeping its storage.
    func removeAll() {
        guard used > 0 else { return }
        groups.update(repeating: -1, count: mask + 1)
        used = 0
    }

    private func grow() {
        let (og, os, ov, on) = (groups, starts, values, mask + 1)
        mask = on * 2 - 1
        (groups, starts, values) = Self.allocate(mask + 1)
        for i in 0..<on where og[i] >= 0 {
            var j = Self.bucket(og[i], os[i], mask)
            while groups[j] >= 0 { j = (j + 1) & mask }
            groups[j] = og[i]
            starts[j] = os[i]
            values[j] = ov[i]
        }
        og.deallocate()
        os.deallocate()
        ov.deallocate()
    }
}
