import TrennwandRecords

/// Evaluates one `AggregateSpec` over a stream of records with memory bounded by the number of
/// keys, never by the number of records.
///
/// Every group seen is interned to a dense id for the run (one inline-word probe per record
/// instead of hashing the key into a dictionary), so the groups themselves — accounts, systems —
/// are kept until the end; window state is freed as windows close.
///
/// - **Tumbling** windows: one bucket per (group, window). A global watermark is the newest
///   record time seen; a window `[s, s+w)` is closed (evaluated and its state freed) once the
///   watermark reaches `s + w + allowedLateness`. State: open buckets (at most
///   `allowedLateness / w + 2` per group) plus, for `distinct`, the distinct values per open bucket.
/// - **Sliding** windows: per group a time-ordered queue over `(t − w, t]`, `t` the group's newest
///   record. `distinct` keeps each value's last-seen time, and its queue is compacted to at most
///   twice the distinct values in the window; record counts are kept per second (≤ w entries). One hit
///   per episode: from the record that crosses the threshold until the measure falls below it,
///   reporting the peak.
/// - **Whole run**: one bucket per group; evaluated at `finish()`.
/// - **Gaps** (whole run only): per group the record times as maximal runs whose neighbours are
///   less than the threshold apart; two runs are separated by a gap of at least the threshold. A
///   record arriving in any order joins, extends, bridges or splits runs, so the state is one entry
///   per reported gap (+1) per group — bounded by the time span / threshold, never by the records.
///
/// Records arriving out of order are counted into their window while it is open (tumbling: up to
/// `allowedLateness` behind the watermark; sliding: inside the group's current window); later ones
/// are counted in `counters.late` (with sample locators in `lateSamples`), never silently dropped.
/// Not thread-safe: use one evaluator per thread and run.
public final class AggregateEvaluator {
    public let spec: AggregateSpec
    public private(set) var counters = AggregateCounters()
    /// Locators of up to `spec.maxSamples` late records.
    public private(set) var lateSamples: [Locator] = []

    let lateness: Int64
    private var hits: [AggregateHit] = []
    private var finished = false
    private let isRatio: Bool
    private let isDistinct: Bool

    // Groups, interned to dense ids on first sight (`AggregateGroupIDs`).
    private var groupIDs = AggregateGroupIDs()
    private var groupKeys: [[ByteString]] = []

    // Tumbling, whole-run and gap state: buckets in a slab, each group's open buckets a linked
    // list through `Bucket.next` (at most `allowedLateness / w + 2` per group), freed slots reused.
    private var slab: [Bucket] = []
    private var freeSlots: [Int32] = []
    private var openHead: [Int32] = []
    private var slotsByStart: [Int64: [Int32]] = [:]
    private var watermark = Int64.min
    private var nextCloseAt = Int64.max

    // Sliding state, per group id.
    private var sliding: [SlidingState] = []

    /// Gap measure: length of the interval between two record times (seconds on its calendar).
    let gapDistance: ((Int64, Int64) -> Int64)?

    public init(spec: AggregateSpec) throws {
        switch spec.window {
        case .whole:
            lateness = 0
        case .tumbling(let w, _), .sliding(let w):
            guard w > 0 else {
                throw AggregateSpecError(de: "Fensterlänge muss positiv sein", en: "window length must be positive")
            }
            lateness = spec.allowedLateness ?? w
            guard lateness >= 0 else {
                throw AggregateSpecError(de: "Verspätungstoleranz darf nicht negativ sein",
                                         en: "allowed lateness must not be negative")
            }
        }
        if case .sliding = spec.window, case .ratio = spec.measure {
            throw AggregateSpecError(
                de: "Anteile (ratio) brauchen feste Fenster oder den ganzen Lauf, keine gleitenden Fenster",
                en: "ratios need tumbling windows or the whole run, not sliding windows")
        }
        guard !spec.groupBy.isEmpty else {
            throw AggregateSpecError(de: "mindestens ein Gruppierungsschlüssel nötig", en: "at least one group key needed")
        }
        guard spec.maxSamples >= 0, spec.minCount >= 0 else {
            throw AggregateSpecError(de: "maxSamples und minCount dürfen nicht negativ sein",
                                     en: "maxSamples and minCount must not be negative")
        }
        if case .gap(let calendar) = spec.measure {
            guard case .whole = spec.window else {
                throw AggregateSpecError(de: "Lücken (gap) werden über den ganzen Lauf gemessen, ohne Fenster",
                                         en: "gaps are measured over the whole run, without a window")
            }
            switch calendar {
            case .continuous:
                gapDistance = { a, b in b - a }
            case .weekdays(let identifier):
                guard let zone = ZoneConverter(identifier: identifier) else {
                    throw AggregateSpecError(de: "unbekannte Zeitzone „\(identifier)“", en: "unknown time zone '\(identifier)'")
                }
                gapDistance = { a, b in
                    AggregateEvaluator.weekdaySeconds(upTo: zone.local(fromUTC: b))
                        - AggregateEvaluator.weekdaySeconds(upTo: zone.local(fromUTC: a))
                }
            }
        } else {
            gapDistance = nil
        }
        if case .ratio = spec.measure { isRatio = true } else { isRatio = false }
        if case .distinct = spec.measure { isDistinct = true } else { isDistinct = false }
        self.spec = spec
    }

    /// Monday–Friday seconds from a Monday origin (1969-12-29) up to the local wall-clock time
    /// `local`; the difference of two values is the weekday time between them.
    static func weekdaySeconds(upTo local: Int64) -> Int64 {
        let week: Int64 = 604_800, workweek: Int64 = 432_000
        let d = local + 3 * 86_400
        let weeks = CivilTime.floorDiv(d, week)
        return weeks * workweek + min(d - weeks * week, workweek)
    }

    /// Number of entries held: groups seen, open buckets, distinct values, queue entries and
    /// sample locators. Proportional to keys (× distinct values per open window), never to records.
    public var stateSize: Int {
        var n = groupKeys.count + slotsByStart.count
        for g in openHead.indices {
            var s = openHead[g]
            while s >= 0 {
                let b = slab[Int(s)]
                n += 1 + (b.distinct?.count ?? 0) + b.samples.count + b.runs.count
                s = b.next
            }
        }
        for s in sliding { n += s.size }
        return n
    }

    /// Adds one record. Hits of windows closed by it are collected for `finish()`.
    public func add(_ record: Record) {
        precondition(!finished, "AggregateEvaluator.add after finish")
        if let f = spec.filter, !f(record) {
            counters.filteredOut += 1
            return
        }
        var key = AggregateGroupKey()
        for g in spec.groupBy {
            guard let v = g(record) else {
                counters.missingKey += 1
                return
            }
            key.append(v)
        }
        var value: ByteString?
        var isNumerator = false
        switch spec.measure {
        case .count, .gap: break
        case .distinct(let f):
            guard let v = f(record) else {
                counters.missingKey += 1
                return
            }
            value = v
        case .ratio(let numerator, _):
            isNumerator = numerator(record)
        }
        add(group: key, time: spec.time(record), value: value, isNumerator: isNumerator, locator: record.locator)
    }

    /// Adds one record given by what the spec reads of it — the values of its `groupBy` keys (nil:
    /// one is missing), its time, the `distinct` value and the ratio numerator — as the batch
    /// executor's feed carries them. The spec's filter is the caller's (the record passed it); the
    /// result equals `add(_:)` of a record with these values.
    public func add(group key: AggregateGroupKey?, time: Int64?, value: ByteString?, isNumerator: Bool, locator: Locator) {
        add(group: key, time: time, value: value, isNumerator: isNumerator, makeLocator: { locator })
    }

    /// `add(group:time:value:isNumerator:locator:)` with the locator made only if it is kept (a
    /// sample, a late record, a gap run's end): nearly every counted record keeps none, and
    /// building and dropping a `Locator` per record — its file name and record id are reference
    /// counted — was ~8 % of a scan (docs/executor.md).
    package func add(group key: AggregateGroupKey?, time: Int64?, value: ByteString?, isNumerator: Bool,
                     makeLocator: () -> Locator) {
        precondition(!finished, "AggregateEvaluator.add after finish")
        guard let key, !isDistinct || value != nil else {
            counters.missingKey += 1
            return
        }
        if let distance = gapDistance {
            // A record without time cannot be placed on the time line.
            guard let t = time else {
                counters.missingTime += 1
                return
            }
            let s = bucketSlot(group: groupID(key), start: 0)
            slab[s].add(time: t, value: nil, isRatio: false, isNumerator: false, locator: makeLocator, maxSamples: 0)
            slab[s].runs.insert(t, makeLocator, threshold: spec.threshold, distance: distance)
            counters.counted += 1
            return
        }
        switch spec.window {
        case .whole:
            let s = bucketSlot(group: groupID(key), start: 0)
            slab[s].add(time: time, value: value, isRatio: isRatio, isNumerator: isNumerator,
                        locator: makeLocator, maxSamples: spec.maxSamples)
            counters.counted += 1
        case .tumbling(let w, let offset):
            guard let t = time else {
                counters.missingTime += 1
                return
            }
            let start = CivilTime.floorDiv(t - offset, w) * w + offset
            if start + w + lateness <= watermark {
                late(makeLocator)
                return
            }
            let s = bucketSlot(group: groupID(key), start: start)
            slab[s].add(time: t, value: value, isRatio: isRatio, isNumerator: isNumerator,
                        locator: makeLocator, maxSamples: spec.maxSamples)
            counters.counted += 1
            if t > watermark {
                watermark = t
                if watermark >= nextCloseAt { closeTumbling(upTo: watermark, window: w) }
            }
        case .sliding(let w):
            guard let t = time else {
                counters.missingTime += 1
                return
            }
            let g = Int(groupID(key))
            let hit = sliding[g].add(time: t, value: value, locator: makeLocator, window: w, spec: spec) { groupKeys[g] }
            switch hit {
            case .late: late(makeLocator)
            case .counted: counters.counted += 1
            case .closed(let h):
                counters.counted += 1
                hits.append(h)
            }
        }
    }

    /// Adds a partial built from the records that follow every record added so far (the next
    /// unit of a scan), with the result of adding those records one by one (`AggregatePartial`
    /// says why that holds); `lineOffset` and `indexOffset` make the unit's locators global.
    /// Windows the unit's records close are evaluated, their hits collected as `add` collects them.
    package func merge(_ p: AggregatePartial, lineOffset: Int = 0, indexOffset: Int = 0) {
        precondition(!finished, "AggregateEvaluator.merge after finish")
        if p.isEmpty { return }
        precondition(!p.hasPendingEnds, "AggregatePartial merged before settle(locatorOf:)")
        func locator(_ l: CompactLocator) -> Locator { p.locator(l, lineOffset: lineOffset, indexOffset: indexOffset) }
        counters.missingKey += p.counters.missingKey
        counters.missingTime += p.counters.missingTime
        var lateCandidates = p.lateSamples
        var lateCount = p.lateCount
        let mark = watermark
        // Per bucket of the partial: its slot here; −1 when its window closed before the unit (all
        // its records are late); −2 when the unit opened and closes it (below), −3 − h when that
        // window fired as `firedHits[h]` (an array read per evidence record, not a dictionary probe).
        var slots = [Int32](repeating: -1, count: p.buckets.count)
        // Count and distinct windows the unit opened and closes (the watermark after it passes
        // their close, and no earlier record was in them) are evaluated here from the partial's
        // bucket: no later record can reach them, so no state is made for them, no value inserted
        // and no sample locator made unless the window fires — the merging thread's work per
        // unit is then a probe per bucket (nearly every bucket of an hourly window).
        var firedHits: [AggregateHit] = []
        var closesAfter = Int64.min
        var evaluatesClosed = false
        if case .tumbling(let w, _) = spec.window {
            // No time seen yet (before the unit, nor in it): nothing closes (and no overflow below Int64.min).
            let newMark = max(mark, p.maxTime)
            closesAfter = newMark == Int64.min ? Int64.min : newMark - w - lateness
            switch spec.measure {
            case .count, .distinct: evaluatesClosed = true
            case .ratio, .gap: break
            }
        }
        // The partial's group ids mapped to this evaluator's once per group, not per bucket.
        var groupMap = [Int32](repeating: -1, count: p.groupKeys.count)
        p.buckets.withUnsafeBufferPointer { buckets in
            for (i, b) in buckets.enumerated() {
                if case .tumbling(let w, _) = spec.window, b.start + w + lateness <= mark {
                    lateCount += b.count
                    continue
                }
                counters.counted += b.count
                var g = groupMap[Int(b.group)]
                if g < 0 {
                    g = groupID(p.groupKeys[Int(b.group)])
                    groupMap[Int(b.group)] = g
                }
                if evaluatesClosed, b.start <= closesAfter, !hasOpenBucket(group: g, start: b.start),
                   case .tumbling(let w, _) = spec.window {
                    slots[i] = -2
                    let v = Double(isDistinct ? Int(b.valueCount) : b.count)
                    if b.count >= max(spec.minCount, 1), v >= spec.threshold {
                        slots[i] = -3 - Int32(firedHits.count)
                        firedHits.append(AggregateHit(groupKey: groupKeys[Int(g)], windowStart: b.start, windowEnd: b.start + w,
                                                      value: v, count: b.count))
                    }
                    continue
                }
                let s = bucketSlot(group: g, start: b.start)
                slots[i] = Int32(s)
                slab[s].count += b.count
                slab[s].numerator += b.numerator
                slab[s].first = min(slab[s].first, b.first)
                slab[s].last = max(slab[s].last, b.last)
                if let distance = gapDistance, b.runs >= 0 {
                    for run in p.runs[Int(b.runs)].map(locator) { slab[s].runs.insert(run: run, threshold: spec.threshold, distance: distance) }
                }
            }
        }
        // Evidence in unit order: for distinct, a bucket's evidence records bring its first values,
        // so they are inserted before the bucket's other values. A window evaluated above takes
        // its first evidence records (every value of it is new).
        for e in p.evidence {
            let s = Int(slots[Int(e.bucket)])
            if s <= -2 {
                let h = -3 - s
                if h >= 0, firedHits[h].samples.count < spec.maxSamples { firedHits[h].samples.append(locator(e.locator)) }
                continue
            }
            guard s >= 0 else { continue }
            if isDistinct {
                if e.value >= 0, slab[s].distinct!.insert(p.values[Int(e.value)]), slab[s].samples.count < spec.maxSamples {
                    slab[s].samples.append(locator(e.locator))
                }
            } else if slab[s].samples.count < spec.maxSamples {
                slab[s].samples.append(locator(e.locator))
            }
        }
        if isDistinct {
            for (j, v) in p.values.enumerated() {
                let s = Int(slots[Int(p.valueBucket[j])])
                if s >= 0 { _ = slab[s].distinct!.insert(v) }
            }
        }
        hits += firedHits
        if lateCount > p.lateCount {
            for f in p.firstRecords where slots[Int(f.bucket)] == -1 { lateCandidates.append((f.ordinal, f.locator)) }
        }
        if lateCount > 0 {
            counters.late += lateCount
            if lateSamples.count < spec.maxSamples {
                lateCandidates.sort { $0.ordinal < $1.ordinal }
                for c in lateCandidates.prefix(spec.maxSamples - lateSamples.count) { lateSamples.append(locator(c.locator)) }
            }
        }
        if case .tumbling(let w, _) = spec.window, p.maxTime > watermark {
            watermark = p.maxTime
            if watermark >= nextCloseAt { closeTumbling(upTo: watermark, window: w) }
        }
    }

    /// Whether `takeHits()` has anything (checked per record before taking).
    public var hasHits: Bool { !hits.isEmpty }

    /// Hits collected so far (windows already closed), removed from the evaluator, in
    /// deterministic order. Lets a streaming consumer report before the run ends.
    public func takeHits() -> [AggregateHit] {
        let result = hits.sorted(by: AggregateHit.precedes)
        hits.removeAll()
        return result
    }

    /// Closes all windows and returns every hit not yet taken, in deterministic order
    /// (window start, group key, window end).
    public func finish() -> [AggregateHit] {
        if !finished {
            finished = true
            switch spec.window {
            case .whole:
                var all: [Int32] = []
                for g in openHead.indices where openHead[g] >= 0 { all.append(openHead[g]) }
                evaluate(all, start: nil, end: nil)
                for s in all { release(s) }
                openHead = openHead.map { _ in -1 }
            case .tumbling(let w, _):
                closeTumbling(upTo: Int64.max, window: w)
            case .sliding:
                for g in sliding.indices {
                    if let h = sliding[g].closeEpisode() { hits.append(h) }
                }
                sliding.removeAll()
            }
        }
        return takeHits()
    }

    private func late(_ locator: () -> Locator) {
        counters.late += 1
        if lateSamples.count < spec.maxSamples { lateSamples.append(locator()) }
    }

    /// The dense id of a group, interned on first sight.
    @inline(__always)
    private func groupID(_ key: AggregateGroupKey) -> Int32 {
        let (id, isNew) = groupIDs.id(key)
        if isNew {
            groupKeys.append(key.array)
            openHead.append(-1)
            if case .sliding = spec.window { sliding.append(SlidingState()) }
        }
        return id
    }

    /// The slot of the group's bucket starting at `start`, opened (and registered for closing)
    /// if the group has none yet.
    @inline(__always)
    private func bucketSlot(group g: Int32, start: Int64) -> Int {
        var s = openHead[Int(g)]
        while s >= 0 {
            if slab[Int(s)].start == start { return Int(s) }
            s = slab[Int(s)].next
        }
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = Int32(slab.count)
            // Distinct buckets start with room for a few values: growing a set from 1 through 2, 4
            // and 8 slots cost ~2 % of a scan.
            slab.append(Bucket(distinct: isDistinct ? ByteKeyTable(capacity: 8) : nil))
        }
        slab[Int(slot)].open(group: g, start: start, next: openHead[Int(g)])
        openHead[Int(g)] = slot
        if case .tumbling(let w, _) = spec.window {
            slotsByStart[start, default: []].append(slot)
            nextCloseAt = min(nextCloseAt, start + w + lateness)
        }
        return Int(slot)
    }

    /// Whether the group has an open bucket starting at `start`.
    private func hasOpenBucket(group g: Int32, start: Int64) -> Bool {
        var s = openHead[Int(g)]
        while s >= 0 {
            if slab[Int(s)].start == start { return true }
            s = slab[Int(s)].next
        }
        return false
    }

    /// Unlinks a tumbling bucket from its group's open list.
    private func unlink(_ slot: Int32) {
        let g = Int(slab[Int(slot)].group)
        if openHead[g] == slot {
            openHead[g] = slab[Int(slot)].next
            return
        }
        var s = openHead[g]
        while s >= 0 {
            let next = slab[Int(s)].next
            if next == slot {
                slab[Int(s)].next = slab[Int(slot)].next
                return
            }
            s = next
        }
    }

    /// Empties a bucket slot for reuse (its storage kept).
    private func release(_ slot: Int32) {
        slab[Int(slot)].clear()
        freeSlots.append(slot)
    }

    private func closeTumbling(upTo mark: Int64, window w: Int64) {
        let due = slotsByStart.keys.filter { mark == Int64.max || $0 + w + lateness <= mark }.sorted()
        for start in due {
            let slots = slotsByStart.removeValue(forKey: start) ?? []
            for s in slots { unlink(s) }
            evaluate(slots, start: start, end: start + w)
            for s in slots { release(s) }
        }
        nextCloseAt = slotsByStart.keys.min().map { $0 + w + lateness } ?? Int64.max
    }

    /// Evaluates the buckets of one window (all groups, so ratio baselines are known).
    private func evaluate(_ closing: [Int32], start: Int64?, end: Int64?) {
        var totalCount = 0, totalNumerator = 0
        if isRatio {
            for s in closing {
                totalCount += slab[Int(s)].count
                totalNumerator += slab[Int(s)].numerator
            }
        }
        for s in closing where slab[Int(s)].count >= max(spec.minCount, 1) {
            let b = slab[Int(s)]
            let group = groupKeys[Int(b.group)]
            let ws = start ?? (b.first == Int64.max ? nil : b.first)
            let we = end ?? (b.last == Int64.min ? nil : b.last)
            switch spec.measure {
            case .count:
                let v = Double(b.count)
                if v >= spec.threshold {
                    hits.append(AggregateHit(groupKey: group, windowStart: ws, windowEnd: we, value: v,
                                             count: b.count, samples: b.samples))
                }
            case .distinct:
                let v = Double(b.distinct?.count ?? 0)
                if v >= spec.threshold {
                    hits.append(AggregateHit(groupKey: group, windowStart: ws, windowEnd: we, value: v,
                                             count: b.count, samples: b.samples))
                }
            case .ratio(_, let baselineKind):
                let share = Double(b.numerator) / Double(b.count)
                let (bn, bc) = baselineKind == .allGroups
                    ? (totalNumerator, totalCount)
                    : (totalNumerator - b.numerator, totalCount - b.count)
                // Without other records there is no baseline to compare with.
                guard bc > 0 else { continue }
                let baseline = Double(bn) / Double(bc)
                if share - baseline >= spec.threshold - 1e-9 {
                    hits.append(AggregateHit(groupKey: group, windowStart: ws, windowEnd: we, value: share,
                                             count: b.count, numerator: b.numerator, baseline: baseline,
                                             samples: b.samples))
                }
            case .gap:
                guard let distance = gapDistance else { continue }
                let runs = b.runs.runs
                for j in runs.indices.dropFirst() {
                    let before = runs[j - 1], after = runs[j]
                    let length = distance(before.end, after.start)
                    guard Double(length) >= spec.threshold else { continue }
                    hits.append(AggregateHit(groupKey: group, windowStart: before.end, windowEnd: after.start,
                                             value: Double(length), count: b.count,
                                             samples: Array([before.endLocator, after.startLocator].prefix(spec.maxSamples))))
                }
            }
        }
    }
}

// MARK: - State

/// The `groupBy` values of one record: the first two inline (no array allocated per record for
/// the usual one or two keys), more in `rest`.
public struct AggregateGroupKey: Hashable, Sendable {
    /// `ByteString.empty`: `ByteString("")` made an array from the string per key.
    var first = ByteString.empty
    var second: ByteString?
    /// Keys after the second; nil (not an empty array) while there are none, so building and
    /// dropping a key of one or two values touches no reference count.
    var rest: [ByteString]?
    public private(set) var count = 0

    public init() {}

    @inline(__always)
    public mutating func append(_ v: ByteString) {
        switch count {
        case 0: first = v
        case 1: second = v
        default: rest = (rest ?? []) + [v]
        }
        count += 1
    }

    var array: [ByteString] {
        var out: [ByteString] = []
        if count > 0 { out.append(first) }
        if let second { out.append(second) }
        return out + (rest ?? [])
    }
}

/// Tumbling, whole-run or gap state of one group in one window: a slot of the evaluator's slab.
private struct Bucket {
    var count = 0
    var numerator = 0
    /// Distinct measure only (set when the slot is made, kept across reuse): the values seen.
    /// A class, so the slab's struct holds a reference and a slot's storage survives `clear()`.
    var distinct: ByteKeyTable?
    var samples: [Locator] = []
    var first = Int64.max
    var last = Int64.min
    /// Gap measure only: the group's record times as runs.
    var runs = GapRuns<Locator>()
    /// The window's start (0 for the whole run), the group, and the group's next open bucket (−1: none).
    var start: Int64 = 0
    var group: Int32 = -1
    var next: Int32 = -1

    mutating func open(group g: Int32, start s: Int64, next n: Int32) {
        group = g
        start = s
        next = n
    }

    /// Back to empty, keeping the storage of the distinct set and the samples.
    mutating func clear() {
        count = 0
        numerator = 0
        distinct?.removeAll()
        samples.removeAll(keepingCapacity: true)
        first = Int64.max
        last = Int64.min
        runs = GapRuns<Locator>()
        group = -1
        next = -1
    }

    /// Evidence kept: `count` → the first records; `distinct` → records bringing a new value;
    /// `ratio` → numerator records.
    @inline(__always)
    mutating func add(time: Int64?, value: ByteString?, isRatio: Bool, isNumerator: Bool, locator: () -> Locator,
                      maxSamples: Int) {
        count += 1
        if let time {
            first = min(first, time)
            last = max(last, time)
        }
        var evidence = true
        if let value, let distinct { evidence = distinct.insert(value) }
        if isRatio { evidence = isNumerator }
        if isNumerator { numerator += 1 }
        if evidence, samples.count < maxSamples { samples.append(locator()) }
    }
}

/// One run of records whose neighbours are less than the gap threshold apart, with the locators
/// of its first and last record (`L`: a `Locator`, or a feed's compact one in a partial).
struct GapRun<L> {
    var start: Int64
    var startLocator: L
    var end: Int64
    var endLocator: L
}

/// The runs of one group, sorted by time and pairwise separated by at least the threshold.
///
/// Which runs there are does not depend on the order times arrive in (they are the maximal chains
/// of the times, sorted, whose neighbours are near); a run's locators are those of the first record
/// inserted with its start and its end time. `insert(run:)` merges a run built elsewhere (a worker's
/// `AggregatePartial`) with the same result as inserting its records one by one after these.
struct GapRuns<L> {
    private(set) var runs: [GapRun<L>] = []

    var count: Int { runs.count }

    /// Whether `b` (≥ `a`) is near enough to `a` to join their runs. Both calendars count at most
    /// the elapsed seconds plus a clock change (weekdays: local wall-clock time, of which a
    /// spring-forward adds at most an hour — two allowed for), so times that much under
    /// `threshold` apart are always joined: the calendar is skipped then.
    @inline(__always)
    private static func near(_ a: Int64, _ b: Int64, _ threshold: Double, _ distance: (Int64, Int64) -> Int64) -> Bool {
        Double(b - a) + 7200 < threshold || Double(distance(a, b)) < threshold
    }

    /// Adds a record time: inside a run (nothing changes), joining the run before and/or after
    /// (extending or bridging them), or a run of its own (splitting a gap).
    mutating func insert(_ t: Int64, _ makeLocator: () -> L, threshold: Double, distance: (Int64, Int64) -> Int64) {
        // In-order input (the usual case) extends the last run: checked before the search.
        if let moved = extendLast(t, threshold: threshold, distance: distance) {
            if moved { runs[runs.count - 1].endLocator = makeLocator() }
            return
        }
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].start > t { hi = mid } else { lo = mid + 1 }
        }
        let i = lo
        if i > 0, t <= runs[i - 1].end { return }
        let locator = makeLocator()
        let joinBefore = i > 0 && Self.near(runs[i - 1].end, t, threshold, distance)
        let joinAfter = i < runs.count && Self.near(t, runs[i].start, threshold, distance)
        switch (joinBefore, joinAfter) {
        case (true, true):
            runs[i - 1].end = runs[i].end
            runs[i - 1].endLocator = runs[i].endLocator
            runs.remove(at: i)
        case (true, false):
            runs[i - 1].end = t
            runs[i - 1].endLocator = locator
        case (false, true):
            runs[i].start = t
            runs[i].startLocator = locator
        case (false, false):
            runs.insert(GapRun(start: t, startLocator: locator, end: t, endLocator: locator), at: i)
        }
    }

    /// The in-order case of `insert`: `t` inside the last run (false: nothing changes) or near
    /// its end (true: the end moved to `t`, and its locator is the caller's to set); nil when
    /// neither, and nothing changed.
    @inline(__always)
    mutating func extendLast(_ t: Int64, threshold: Double, distance: (Int64, Int64) -> Int64) -> Bool? {
        guard let last = runs.last, t >= last.start else { return nil }
        if t <= last.end { return false }
        guard Self.near(last.end, t, threshold, distance) else { return nil }
        runs[runs.count - 1].end = t
        return true
    }

    /// Sets the last run's end locator (after `extendLast` moved its end).
    mutating func setLastEndLocator(_ l: L) {
        runs[runs.count - 1].endLocator = l
    }

    /// Adds a run whose records arrived after every record of these runs: it joins every run it
    /// overlaps or is near, and on equal start or end times the locator already here (the earlier
    /// record) stays. A run is a chain of near times, so two runs join exactly when they overlap
    /// or their facing ends are near — what inserting its records one by one would give.
    mutating func insert(run: GapRun<L>, threshold: Double, distance: (Int64, Int64) -> Int64) {
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].start > run.start { hi = mid } else { lo = mid + 1 }
        }
        if lo > 0, runs[lo - 1].end >= run.start || Self.near(runs[lo - 1].end, run.start, threshold, distance) { lo -= 1 }
        hi = lo
        while hi < runs.count, runs[hi].start <= run.end || Self.near(run.end, runs[hi].start, threshold, distance) { hi += 1 }
        guard hi > lo else {
            runs.insert(run, at: lo)
            return
        }
        var merged = run
        if runs[lo].start <= run.start {
            merged.start = runs[lo].start
            merged.startLocator = runs[lo].startLocator
        }
        if runs[hi - 1].end >= run.end {
            merged.end = runs[hi - 1].end
            merged.endLocator = runs[hi - 1].endLocator
        }
        runs.replaceSubrange(lo..<hi, with: CollectionOfOne(merged))
    }

    /// The runs with their locators converted (a partial's compact locators made `Locator`s).
    func map<M>(_ f: (L) -> M) -> [GapRun<M>] {
        runs.map { GapRun(start: $0.start, startLocator: f($0.startLocator), end: $0.end, endLocator: f($0.endLocator)) }
    }
}

private enum SlidingOutcome {
    case counted, late
    case closed(AggregateHit)
}

/// Sliding-window state of one group over `(newest − w, newest]`.
private struct SlidingState {
    /// Records per second in the window (coalesced): at most `w` entries.
    var counts = TimeQueue()
    /// Distinct only: (last-seen time, value), compacted to ≤ 2 × distinct values + 16.
    var values = TimeQueue()
    var lastSeen: [ByteString: Int64] = [:]
    var recordCount = 0
    var newest = Int64.min
    /// Locators of recent evidence records (distinct: new values) still in the window.
    var recent: [(time: Int64, locator: Locator)] = []
    var episode: AggregateHit?

    var size: Int { counts.count + values.count + lastSeen.count + recent.count }

    mutating func add(time t: Int64, value: ByteString?, locator: () -> Locator, window w: Int64,
                      spec: AggregateSpec, group: () -> [ByteString]) -> SlidingOutcome {
        // Older than the group's current window: its state is gone.
        if newest != Int64.min, t <= newest - w { return .late }
        var isNew = true
        if let value {
            let previous = lastSeen[value]
            isNew = previous == nil
            if previous.map({ t > $0 }) ?? true { lastSeen[value] = t }
            values.insert(time: t, value: value)
        }
        counts.insert(time: t, value: nil)
        recordCount += 1
        // Evidence: the earliest contributing records still in the window (slots free up as they leave).
        if isNew, recent.count < spec.maxSamples { recent.append((t, locator())) }
        newest = max(newest, t)
        let cutoff = newest - w
        while let front = counts.front, front.time <= cutoff {
            counts.popFront()
            recordCount -= front.multiplicity
        }
        while let front = values.front, front.time <= cutoff {
            values.popFront()
            if let v = front.value, let seen = lastSeen[v], seen <= cutoff { lastSeen[v] = nil }
        }
        recent.removeAll { $0.time <= cutoff }
        if values.count > 2 * lastSeen.count + 16 { values.rebuild(from: lastSeen) }

        let measured: Double
        if case .distinct = spec.measure { measured = Double(lastSeen.count) } else { measured = Double(recordCount) }
        if measured >= spec.threshold && recordCount >= spec.minCount {
            if let current = episode, measured <= current.value { return .counted }
            var samples = episode?.samples ?? []
            for r in recent where samples.count < spec.maxSamples && !samples.contains(r.locator) {
                samples.append(r.locator)
            }
            episode = AggregateHit(groupKey: group(), windowStart: counts.front?.time ?? t, windowEnd: newest,
                                   value: measured, count: recordCount, samples: samples)
            return .counted
        }
        if let h = closeEpisode() { return .closed(h) }
        return .counted
    }

    mutating func closeEpisode() -> AggregateHit? {
        defer { episode = nil }
        return episode
    }
}

/// A FIFO of time-ordered entries with amortised O(1) pops and sorted insertion from the back
/// (out-of-order records are usually only slightly behind).
private struct TimeQueue {
    struct Entry {
        var time: Int64
        var value: ByteString?
        var multiplicity: Int
    }

    private var storage: [Entry] = []
    private var head = 0

    var count: Int { storage.count - head }
    var front: Entry? { head < storage.count ? storage[head] : nil }

    /// Inserts in time order. Entries without a value are coalesced per second.
    mutating func insert(time: Int64, value: ByteString?) {
        var i = storage.count
        while i > head, storage[i - 1].time > time { i -= 1 }
        if value == nil, i > head, storage[i - 1].time == time, storage[i - 1].value == nil {
            storage[i - 1].multiplicity += 1
        } else if i == storage.count {
            storage.append(Entry(time: time, value: value, multiplicity: 1))
        } else {
            storage.insert(Entry(time: time, value: value, multiplicity: 1), at: i)
        }
    }

    mutating func popFront() {
        head += 1
        if head >= 1024, head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }

    /// Replaces the entries by one per distinct value at its last-seen time.
    mutating func rebuild(from lastSeen: [ByteString: Int64]) {
        storage = lastSeen.map { Entry(time: $0.value, value: $0.key, multiplicity: 1) }
            .sorted { $0.time != $1.time ? $0.time < $1.time : $0.value! < $1.value! }
        head = 0
    }
}
