import TrennwandFindings
import TrennwandRecords

/// Evaluates the compiled rule pack on records, one thread per evaluator: every record rule of
/// the record's kind on every record (no first-match-wins), aggregate rules fed alongside, and
/// configuration gaps reported as their own class. Findings leave masked and pseudonymised.
///
/// Its roles since the scan runs on the batch executor (`TrennwandExecutor.BatchRuleRunner`,
/// docs/executor.md): the finding projection and gap report for the rows the executor picks, the
/// owner of aggregate state (feeds are replayed into it), and — record by record through its
/// compiled closures — the oracle the executor's parity tests compare with (`TRENNWAND_ENGINE=records`,
/// `RuleChecks.recordEngine`) and the source of gap findings for rows the executor leaves unknown
/// (meant to move to the executor, issue 20). The scan, its exact second aggregate pass and
/// `rules test` no longer evaluate conditions here.
public final class RuleEvaluator {
    public let pack: CompiledRulePack
    let pseudonymizer: Pseudonymizer
    private var contexts = KindTable<EvalContext?>(repeating: nil)
    /// Aggregate rules with their state. A class per rule: the hot loop reads it without copying
    /// the rule (a struct copy of `CompiledAggregate` costs dozens of retains).
    final class AggregateSlot {
        let rule: CompiledAggregate
        let evaluator: AggregateEvaluator
        let box: PredicateBox
        let filter: ExprBoolFn?
        let numerator: ExprBoolFn?
        /// Positions of the group keys and of the distinct value in a feed entry's keys
        /// (`aggregateKeySlotsByKind` of the rule's kind), set once all rules are known.
        var groupPositions: [Int] = []
        var distinctPosition: Int?
        init(_ rule: CompiledAggregate, _ evaluator: AggregateEvaluator, _ box: PredicateBox) {
            self.rule = rule
            self.evaluator = evaluator
            self.box = box
            self.filter = rule.filter?.function
            self.numerator = rule.numerator?.function
        }
    }
    /// A record rule behind a reference, for the same reason.
    final class RuleSlot {
        let rule: CompiledRule
        let condition: ExprBoolFn
        init(_ rule: CompiledRule) {
            self.rule = rule
            self.condition = rule.condition.function
        }
    }
    var aggregates: [AggregateSlot] = []
    var rulesByKind = KindTable<[RuleSlot]>(repeating: [])
    /// Per kind: all record rules as one chain of closures (built once, see `RuleChain`).
    private var chains = KindTable<RuleChain?>(repeating: nil)
    private var reportedGaps: Set<GapKey> = []
    /// Indices into `aggregates` per record kind (computed once, not filtered per record).
    var aggregatesByKind = KindTable<[Int]>(repeating: [])
    /// Per kind: the slots whose values the kind's aggregates read as keys (group keys, distinct
    /// value), in the order a feed entry carries them.
    var aggregateKeySlotsByKind = KindTable<[Int]>(repeating: [])
    /// Per kind: the slot of its `time` field (a feed entry's time).
    var timeSlotByKind = KindTable<Int?>(repeating: nil)
    /// Number of records evaluated per kind.
    public var evaluated: [RecordKind: Int] {
        var out: [RecordKind: Int] = [:]
        for kind in RecordKind.allCases where evaluatedCounts[kind] > 0 { out[kind] = evaluatedCounts[kind] }
        return out
    }
    var evaluatedCounts = KindTable<Int>(repeating: 0)

    struct GapKey: Hashable {
        let table: String
        let key: ByteString
        let kind: ConfigurationGap.Kind
    }

    /// Carries a precomputed predicate result into the aggregate evaluator's closure (same thread).
    final class PredicateBox: @unchecked Sendable {
        var value = false
    }

    /// Raw evidence and real ids instead of masks and pseudonyms: only for local review
    /// (`scan --reveal`); the CLI refuses it for formats that leave the machine.
    let reveal: Bool

    public init(pack: CompiledRulePack, pseudonymizer: Pseudonymizer, reveal: Bool = false) throws {
        // Aggregate feeds carry a 64-bit mask of the aggregate rules a record belongs to.
        if pack.aggregates.count > 64, let rule = pack.aggregates.dropFirst(64).first {
            throw RuleIssue.aggregateLimit(rule.file.position)
        }
        self.pack = pack
        self.pseudonymizer = pseudonymizer
        self.reveal = reveal
        for rule in pack.aggregates {
            let box = PredicateBox()
            let spec = rule.spec
            let groupSlots = rule.groupSlots
            let groupBy: [AggregateKey] = groupSlots.map { slot in { @Sendable r in Self.keyBytes(r[slot]) } }
            let measure: AggregateSpec.Measure
            var threshold = spec.threshold
            switch spec.measure {
            case .count: measure = .count
            case .distinct:
                let slot = rule.distinctSlot!
                measure = .distinct { @Sendable r in Self.keyBytes(r[slot]) }
            case .ratio:
                measure = .ratio(numerator: { @Sendable _ in box.value }, baseline: .otherGroups)
                threshold = spec.threshold / 100
            case .gap(let weekdaysOnly):
                measure = .gap(calendar: weekdaysOnly ? .weekdays(timeZone: pack.policy.timeZone) : .continuous)
            }
            let window: AggregateSpec.Window = spec.window.map { .tumbling(seconds: $0) } ?? .whole
            // The time slot resolved once (AggregateSpec.recordTime looks it up by name per record).
            let timeSlot = rule.file.target.kind.schema.slot("time")
            let time: @Sendable (Record) -> Int64? = { r in timeSlot.flatMap { r[$0].timeValue } }
            let aggregateSpec = AggregateSpec(groupBy: groupBy, time: time, window: window, measure: measure,
                                              threshold: threshold, minCount: spec.minCount)
            aggregates.append(AggregateSlot(rule, try AggregateEvaluator(spec: aggregateSpec), box))
        }
        for (kind, rules) in pack.rulesByKind where !rules.isEmpty {
            let slots = rules.map(RuleSlot.init)
            rulesByKind[kind] = slots
            chains[kind] = RuleChain(slots)
        }
        for (i, a) in aggregates.enumerated() {
            let kind = a.rule.file.target.kind
            aggregatesByKind[kind].append(i)
            var slots = Set(aggregateKeySlotsByKind[kind])
            slots.formUnion(a.rule.groupSlots)
            if let d = a.rule.distinctSlot { slots.insert(d) }
            aggregateKeySlotsByKind[kind] = slots.sorted()
            timeSlotByKind[kind] = kind.schema.slot("time")
        }
        for a in aggregates {
            let keySlots = aggregateKeySlotsByKind[a.rule.file.target.kind]
            a.groupPositions = a.rule.groupSlots.map { keySlots.firstIndex(of: $0)! }
            a.distinctPosition = a.rule.distinctSlot.map { keySlots.firstIndex(of: $0)! }
        }
    }

    func context(for kind: RecordKind) -> EvalContext {
        if let c = contexts[kind] { return c }
        let env = pack.policy.environment(kind: kind, reference: .empty)
        let c = EvalContext(environment: env)!
        contexts[kind] = c
        return c
    }

    /// Evaluates every rule of the record's kind; `emit` receives findings in rule order.
    public func evaluate(_ record: Record, emit: (Finding) -> Void) {
        guard let (ctx, aggregateRules) = begin(record) else { return }
        evaluateRecordRules(ctx, record) { f, _ in emit(f) }
        for i in aggregateRules {
            let a = aggregates[i]
            if let f = a.filter, f(ctx) != .true { continue }
            if let n = a.numerator { a.box.value = n(ctx) == .true }
            a.evaluator.add(record)
            for hit in a.evaluator.takeHits() { emit(finding(aggregate: a.rule, hit)) }
        }
    }

    /// Counts the record and readies its context; nil when its kind has no rules at all.
    @inline(__always)
    private func begin(_ record: Record) -> (ctx: EvalContext, aggregateRules: [Int])? {
        evaluatedCounts[record.kind] += 1
        let aggregateRules = aggregatesByKind[record.kind]
        if chains[record.kind] == nil && aggregateRules.isEmpty { return nil }
        let ctx = context(for: record.kind)
        ctx.reset(record: record)
        return (ctx, aggregateRules)
    }

    @inline(__always)
    private func evaluateRecordRules(_ ctx: EvalContext, _ record: Record, emit: (Finding, Bool) -> Void) {
        guard let chain = chains[record.kind] else { return }
        let rules = rulesByKind[record.kind]
        ctx.ruleOutcomes.removeAll(keepingCapacity: true)
        chain.run(ctx)
        for o in ctx.ruleOutcomes {
            let slot = rules[o.rule]
            if o.fired {
                emit(finding(slot.rule, ctx), false)
            } else {
                for gap in ctx.gaps[o.gaps] { reportGap(gap, rule: slot.rule.descriptor, record: record) { emit($0, true) } }
            }
        }
    }

    /// The record rules of one kind as nested closures, each capturing its condition and the rest
    /// of the chain: one call per record runs every rule without loading rule objects or closures
    /// from arrays (each such load retains, and closures taken out of arrays go through
    /// reabstraction thunks). Rules that fire or meet gaps are noted in `ctx.ruleOutcomes`.
    final class RuleChain {
        let run: (EvalContext) -> Void

        init(_ slots: [RuleSlot]) {
            run = Self.build(slots[...], index: 0)
        }

        /// Longest run of rules built as one nested chain; longer packs are split in halves, so the
        /// call depth per record stays `linearRun + log2(rules / linearRun)` however many rule files
        /// a pack has (a chain as deep as the pack overflowed a worker's 1 MiB stack).
        static let linearRun = 16

        private static func build(_ slots: ArraySlice<RuleSlot>, index: Int) -> (EvalContext) -> Void {
            if slots.count > linearRun {
                let half = slots.count / 2
                let mid = slots.startIndex + half
                let left = build(slots[..<mid], index: index)
                let right = build(slots[mid...], index: index + half)
                return { ctx in
                    left(ctx)
                    right(ctx)
                }
            }
            let condition = slots[slots.startIndex].condition
            let i = index
            if slots.count == 1 {
                return { ctx in
                    let start = ctx.gaps.count
                    let r = condition(ctx)
                    if r == .true || (r == .unknown && ctx.gaps.count > start) {
                        ctx.ruleOutcomes.append(RuleOutcome(rule: i, fired: r == .true, gaps: start..<ctx.gaps.count))
                    }
                }
            }
            let rest = build(slots.dropFirst(), index: index + 1)
            return { ctx in
                let start = ctx.gaps.count
                let r = condition(ctx)
                if r == .true || (r == .unknown && ctx.gaps.count > start) {
                    ctx.ruleOutcomes.append(RuleOutcome(rule: i, fired: r == .true, gaps: start..<ctx.gaps.count))
                }
                rest(ctx)
            }
        }
    }

    // MARK: - Parallel scans

    /// Parallel scans: every worker evaluates the record rules and the per-record parts of the
    /// aggregate rules (filter, ratio numerator) with its own evaluator and routes what the
    /// aggregates need into a feed; one evaluator replays the feeds in input order, so aggregate
    /// state and hits are exactly those of one sequential evaluator.
    ///
    /// Gap findings are reported once per evaluator (`isGap` true): a consumer merging several
    /// evaluators keeps the first by fingerprint.
    public func evaluate(_ record: Record, routingAggregatesTo feed: inout AggregateFeed,
                         emit: (_ finding: Finding, _ isGap: Bool) -> Void) {
        guard let (ctx, aggregateRules) = begin(record) else { return }
        evaluateRecordRules(ctx, record, emit: emit)
        if aggregateRules.isEmpty { return }
        var passed: UInt64 = 0, numerators: UInt64 = 0
        for i in aggregateRules {
            let a = aggregates[i]
            if let f = a.filter, f(ctx) != .true { continue }
            passed |= 1 << UInt64(i)
            if let n = a.numerator, n(ctx) == .true { numerators |= 1 << UInt64(i) }
        }
        if passed == 0 { return }
        let slots = aggregateKeySlotsByKind[record.kind]
        feed.append(kind: record.kind, locator: record.locator, passed: passed, numerators: numerators,
                    time: timeSlotByKind[record.kind].flatMap { record[$0].timeValue }, count: slots.count) {
            Self.keyBytes(record[slots[$0]])
        }
    }

    /// Replays a feed into this evaluator's aggregates (in feed order; partials merged); `lineOffset` and
    /// `indexOffset` are added to the locators (chunk-local numbering made global).
    public func replay(_ feed: AggregateFeed, lineOffset: Int = 0, indexOffset: Int = 0, emit: (Finding) -> Void) {
        // Pre-aggregated rules: one merge per rule (their records are not among the entries).
        for (i, partial) in feed.partials.enumerated() {
            guard let partial else { continue }
            let a = aggregates[i]
            a.evaluator.merge(partial, lineOffset: lineOffset, indexOffset: indexOffset)
            if a.evaluator.hasHits {
                for hit in a.evaluator.takeHits() { emit(finding(aggregate: a.rule, hit)) }
            }
        }
        // The kind's aggregate rules, looked up once per run of entries of one kind (every entry
        // of a feed from one file has the same kind), not per entry.
        // The slots are held unretained and the feed's strings through a buffer pointer: per
        // entry and rule, retaining a slot and capturing the feed's arrays in the locator closure
        // cost more than the counting (docs/executor.md). `aggregates` owns the slots for the run.
        var kind: RecordKind?
        var rules: [(bit: UInt64, slot: Unmanaged<AggregateSlot>)] = []
        feed.strings.withUnsafeBufferPointer { strings in
            for e in feed.entries {
                if kind != e.kind {
                    kind = e.kind
                    rules = aggregatesByKind[e.kind].map { (UInt64(1) << UInt64($0), .passUnretained(aggregates[$0])) }
                }
                for (bit, slot) in rules where e.passed & bit != 0 {
                    slot._withUnsafeGuaranteedRef { a in
                        add(e, of: feed, to: a, isNumerator: e.numerators & bit != 0) {
                            e.place.locator(strings: strings, lineOffset: lineOffset, indexOffset: indexOffset)
                        }
                        if a.evaluator.hasHits {
                            for hit in a.evaluator.takeHits() { emit(finding(aggregate: a.rule, hit)) }
                        }
                    }
                }
            }
        }
    }

    /// Adds one feed entry to one aggregate rule: its group key and distinct value from the
    /// entry's keys, no `Record` rebuilt.
    @inline(__always)
    private func add(_ e: AggregateFeed.Entry, of feed: AggregateFeed, to a: AggregateSlot, isNumerator: Bool, locator: () -> Locator) {
        var key: AggregateGroupKey? = AggregateGroupKey()
        for p in a.groupPositions {
            guard let v = feed.key(e.keyStart + p) else {
                key = nil
                break
            }
            key!.append(v)
        }
        let value = a.distinctPosition.flatMap { feed.key(e.keyStart + $0) }
        a.evaluator.add(group: key, time: e.time, value: value, isNumerator: isNumerator, makeLocator: locator)
    }

    /// Replays feeds into this evaluator's aggregates in record-time order, not in feed order: the
    /// exact evaluation of windowed aggregates whatever the order of the input (a second pass of
    /// the scan, see `ScanScheduler`). Entries are ordered by (time, position), position counting
    /// through `feeds` in order, so ties keep input order and the result is deterministic. Entries
    /// without a time are placed first: windowed aggregates count them as `missingTime` wherever
    /// they stand, so their place changes no result. `emit` receives each finding with the index of
    /// the feed whose entry closed the window (hits of `finish` are not emitted here).
    ///
    /// Memory on top of the feeds: 16 bytes per entry for the order.
    public func replayInTimeOrder(_ feeds: [AggregateFeed], emit: (_ finding: Finding, _ feed: Int) -> Void) {
        var starts: [Int] = []
        var order: [(time: Int64, position: Int)] = []
        order.reserveCapacity(feeds.reduce(0) { $0 + $1.entries.count })
        for feed in feeds {
            starts.append(order.count)
            for e in feed.entries {
                let time = e.time ?? Int64.min
                order.append((time, order.count))
            }
        }
        order.sort { $0.time != $1.time ? $0.time < $1.time : $0.position < $1.position }
        for o in order {
            // The feed holding this position: the last one starting at or before it.
            var lo = 0, hi = starts.count
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if starts[mid] <= o.position { lo = mid } else { hi = mid }
            }
            let feed = feeds[lo]
            let e = feed.entries[o.position - starts[lo]]
            for i in aggregatesByKind[e.kind] where e.passed & (1 << UInt64(i)) != 0 {
                let a = aggregates[i]
                add(e, of: feed, to: a, isNumerator: e.numerators & (1 << UInt64(i)) != 0) { feed.locator(of: e) }
                for hit in a.evaluator.takeHits() { emit(finding(aggregate: a.rule, hit), lo) }
            }
        }
    }

    /// Closes the aggregate windows and reports what they found.
    public func finish(emit: (Finding) -> Void) {
        for a in aggregates {
            for hit in a.evaluator.finish() { emit(finding(aggregate: a.rule, hit)) }
        }
    }

    /// Aggregate rules that could not count some records because their window had already been
    /// closed (records older than what the rule had seen, typically a second export of the same
    /// period given after the first). Windows are evaluated as the records stream by, with memory
    /// bounded by keys, so such records are left out of that rule; the scan reports them.
    public var lateRecords: [AggregateLateRecords] {
        aggregates.compactMap { a in
            a.evaluator.counters.late == 0 ? nil
                : AggregateLateRecords(ruleID: a.rule.descriptor.id, count: a.evaluator.counters.late, samples: a.evaluator.lateSamples,
                                       records: a.evaluator.counters.counted + a.evaluator.counters.late
                                           + a.evaluator.counters.missingKey + a.evaluator.counters.missingTime)
        }
    }

    // MARK: - Findings

    /// Per kind: the slots of the fields that name persons (`FieldDisclosure.person`), always
    /// pseudonymised into a finding.
    static let personSlots: KindTable<[(name: String, slot: Int)]> = {
        var t = KindTable<[(name: String, slot: Int)]>(repeating: [])
        for kind in RecordKind.allCases {
            t[kind] = kind.schema.fields.enumerated().filter { $0.element.disclosure == .person }.map { ($0.element.name, $0.offset) }
        }
        return t
    }()

    /// The evidence guard of the pack: every data value of a finding passes it.
    var guardian: EvidenceGuard { pack.evidenceGuard }

    func finding(_ rule: CompiledRule, _ ctx: EvalContext) -> Finding {
        let record = ctx.record
        var evidence: [Evidence] = []
        var persons: [String: String] = [:]
        var keys: [ByteString] = [ByteString(record.kind.rawValue)]
        for ref in rule.evidence {
            evidence += self.evidence(ref, ctx: ctx, persons: &persons)
        }
        // Persons of the record are always pseudonymised into the finding, evidence or not.
        for (name, slot) in Self.personSlots[record.kind] where persons[name] == nil {
            if let s = record[slot].stringValue { persons[name] = person(s) }
        }
        if rule.fingerprint.isEmpty {
            keys.append(ByteString(record.locator.recordID ?? ""))
        }
        for slot in rule.fingerprint {
            if case .text = record.kind.schema.fields[slot].type {
                // Content of the hits, not the whole text: editing unrelated words keeps the fingerprint.
                for h in ctx.detection(slot)?.hits ?? [] {
                    let pieces = record[slot].strings
                    if h.piece < pieces.count {
                        keys.append(ByteString(Array(pieces[h.piece].bytes[h.range.clamped(to: 0..<pieces[h.piece].count)])))
                    }
                }
            } else {
                keys.append(Self.keyBytes(record[slot]) ?? ByteString(""))
            }
        }
        let time = record.kind.schema.slot("time").flatMap { record[$0].timeValue }
        let bucket = rule.file.fingerprintBucket.flatMap { b in time.map { CivilTime.floorDiv($0, b) } }
        return Finding(
            ruleID: rule.descriptor.id, title: rule.descriptor.title, severity: rule.descriptor.severity,
            findingClass: rule.descriptor.findingClass, norms: rule.descriptor.norms, locator: findingLocator(record.locator), time: time,
            evidence: evidence, persons: persons, remediation: rule.descriptor.remediation,
            fingerprint: pseudonymizer.fingerprint(rule: rule.descriptor.id, keys: keys, timeBucket: bucket))
    }

    /// The record's locator as a finding may carry it: its record id only when it may be shown
    /// like a `.label` value (a code-like token or a word of the pack), everything neutralised.
    func findingLocator(_ locator: Locator) -> Locator {
        var l = locator
        if let id = l.recordID, !reveal, !guardian.isDisclosable(ByteString(id)) { l.recordID = nil }
        return l.neutralised
    }

    /// At most this many elements of a list value are shown.
    static let maxListElements = 20

    func evidence(_ ref: FieldRef, ctx: EvalContext, persons: inout [String: String]) -> [Evidence] {
        let value = ctx.record[ref.slot]
        if value.isMissing { return [Evidence(field: ref.name, value: "–")] }
        switch ctx.record.kind.schema.fields[ref.slot].disclosure {
        case .text:
            guard let detection = ctx.detection(ref.slot) else { return [] }
            let pieces = value.strings
            let infos = pack.policy.detectors.detectors
            return detection.hits.prefix(EvidenceGuard.maxHits).map { h in
                let info = infos[h.detector]
                let bytes = h.piece < pieces.count ? pieces[h.piece].bytes[h.range.clamped(to: 0..<pieces[h.piece].count)] : []
                return Evidence(field: ref.name, detector: info.name, value: guardian.hitText(bytes, detector: info, reveal: reveal),
                                piece: h.piece, range: h.range)
            }
        case .person:
            let ps = value.strings.map { person($0) }
            if let first = ps.first { persons[ref.name] = first }
            return [Evidence(field: ref.name, value: Self.joined(ps))]
        case .identifier:
            return [Evidence(field: ref.name, value: Self.joined(value.strings.map { guardian.identifier($0, reveal: reveal) }))]
        case .label:
            return [Evidence(field: ref.name, value: Self.joined(value.strings.map { guardian.label($0, reveal: reveal) }))]
        case .shown:
            return [Evidence(field: ref.name, value: Masking.neutralised(Self.display(value)))]
        }
    }

    /// List elements joined with `, `, at most `maxListElements` of them.
    static func joined(_ items: [String]) -> String {
        let shown = items.prefix(maxListElements).joined(separator: ", ")
        return items.count > maxListElements ? shown + ", … (+\(items.count - maxListElements))" : shown
    }

    /// A group key or gap key of a field as a finding may show it (by the field's disclosure).
    func shownKey(_ key: ByteString, field: FieldSpec) -> String {
        switch field.disclosure {
        case .person: return person(key)
        case .identifier: return guardian.identifier(key, reveal: reveal)
        case .label, .text:
            if case .list = field.type {
                let items = key.bytes.split(separator: 0x1F, omittingEmptySubsequences: false).map { ByteString(Array($0)) }
                return Self.joined(items.map { guardian.label($0, reveal: reveal) })
            }
            return field.disclosure == .text && !reveal ? guardian.freeText(key) : guardian.label(key, reveal: reveal)
        case .shown: return Masking.neutralised(key.string)
        }
    }

    /// A person's keyed pseudonym, or the id itself with `reveal`.
    func person(_ id: ByteString) -> String {
        if reveal { return Masking.neutralised(id.string) }
        if let known = personMemo[id] { return known }
        let p = pseudonymizer.person(id)
        if personMemo.count < Self.personMemoLimit { personMemo[id] = p }
        return p
    }

    /// Pseudonyms already computed (an HMAC each; the same persons recur in many findings).
    private var personMemo: [ByteString: String] = [:]
    static let personMemoLimit = 4_096

    static func display(_ value: Value) -> String {
        switch value {
        case .missing: return "–"
        case .string(let s): return s.string
        case .number(let n): return n == n.rounded() ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "true" : "false"
        case .time(let t): return CivilTime.iso8601(t)
        case .list(let l): return l.map(\.string).joined(separator: ", ")
        }
    }

    /// The bytes a value is grouped or counted by in an aggregate (nil: missing).
    @inline(__always)
    package static func keyBytes(_ value: Value) -> ByteString? {
        switch value {
        case .string(let s): return s
        case .list(let l): return ByteString(Array(l.map(\.bytes).joined(separator: [0x1F])))
        case .time(let t): return ByteString(String(t))
        case .number(let n): return ByteString(String(n))
        case .bool(let b): return ByteString(b ? "true" : "false")
        case .missing: return nil
        }
    }

    /// `3d 4h 5m` style text of a duration in seconds.
    static func durationText(_ seconds: Int64) -> String {
        let d = seconds / 86_400, h = seconds % 86_400 / 3600, m = seconds % 3600 / 60
        var parts: [String] = []
        if d > 0 { parts.append("\(d)d") }
        if h > 0 { parts.append("\(h)h") }
        if m > 0 || parts.isEmpty { parts.append("\(m)m") }
        return parts.joined(separator: " ")
    }

    func reportGap(_ gap: ConfigurationGap, rule: RuleDescriptor, record: Record, emit: (Finding) -> Void) {
        let key = GapKey(table: gap.table, key: gap.key, kind: gap.kind)
        guard reportedGaps.insert(key).inserted else { return }
        let d = pack.gapDescriptor
        // Tables keyed by a person (their first field is a `.person` field): the key is pseudonymised.
        let personTable = RecordKind(rawValue: gap.table).map { $0.schema.fields.first?.disclosure == .person } ?? false
        // An entry id missed in the documentation index is masked like the access record's `entry`.
        let entryTable = gap.table == RecordKind.documentation.rawValue
        let shown = personTable ? person(gap.key) : entryTable ? guardian.identifier(gap.key, reveal: reveal) : guardian.label(gap.key, reveal: reveal)
        let what: Localized
        switch gap.kind {
        case .lookupMiss where entryTable:
            what = Localized(de: "Eintrag „\(shown)“ fehlt im Dokumentationsexport (documentation)",
                             en: "entry '\(shown)' is missing from the documentation export (documentation)")
        case .lookupMiss:
            what = Localized(de: "„\(shown)“ fehlt in der Stammdatentabelle \(gap.table)",
                             en: "'\(shown)' is missing from the reference table \(gap.table)")
        case .unmappedCategory:
            what = Localized(de: "Kategorie „\(shown)“ ist in Taxonomie oder Matrix nicht erfasst",
                             en: "category '\(shown)' is not in the taxonomy or the matrix")
        case .invalidSchedule:
            what = Localized(de: "Einsatzplan „\(shown)“ ist nicht lesbar", en: "schedule '\(shown)' cannot be read")
        }
        emit(Finding(
            ruleID: d.id, title: d.title, severity: d.severity, findingClass: .gap, norms: d.norms,
            locator: findingLocator(record.locator), time: record.kind.schema.slot("time").flatMap { record[$0].timeValue },
            evidence: [Evidence(field: gap.table, value: shown)], persons: [:], remediation: d.remediation,
            fingerprint: pseudonymizer.fingerprint(rule: d.id, keys: [ByteString(gap.kind.rawValue), ByteString(gap.table), gap.key],
                                                   timeBucket: nil),
            detail: Localized(de: "Regel \(rule.id) nicht entscheidbar: \(what.de) (\(gap.position))",
                              en: "rule \(rule.id) undecidable: \(what.en) (\(gap.position))")))
    }

    func finding(aggregate rule: CompiledAggregate, _ hit: AggregateHit) -> Finding {
        let d = rule.descriptor
        var persons: [String: String] = [:]
        var evidence: [Evidence] = []
        let schema = rule.file.target.kind.schema
        for (i, slot) in rule.groupSlots.enumerated() where i < hit.groupKey.count {
            let field = schema.fields[slot]
            let shown = shownKey(hit.groupKey[i], field: field)
            if field.disclosure == .person { persons[field.name] = shown }
            evidence.append(Evidence(field: field.name, value: shown))
        }
        let spec = rule.spec
        let measured: String
        let detail: Localized
        switch spec.measure {
        case .ratio:
            let share = Int((hit.value * 100).rounded())
            let base = Int(((hit.baseline ?? 0) * 100).rounded())
            measured = "\(share) %"
            detail = Localized(
                de: "Anteil \(share) % bei \(hit.count) Vorgängen, Vergleichswert aller anderen \(base) % (Schwelle +\(Int(spec.threshold)) Prozentpunkte)",
                en: "share \(share) % of \(hit.count) cases, baseline of all others \(base) % (threshold +\(Int(spec.threshold)) points)")
        case .gap(let weekdaysOnly):
            measured = Self.durationText(Int64(hit.value))
            let limit = Self.durationText(Int64(spec.threshold))
            let from = hit.windowStart.map(CivilTime.iso8601) ?? "–", to = hit.windowEnd.map(CivilTime.iso8601) ?? "–"
            detail = Localized(
                de: "Keine Einträge von \(from) bis \(to): \(measured)\(weekdaysOnly ? " Werktagszeit (Mo–Fr)" : "") (Schwelle \(limit), \(hit.count) Einträge insgesamt)",
                en: "no entries from \(from) to \(to): \(measured)\(weekdaysOnly ? " of weekday time (Mon–Fri)" : "") (threshold \(limit), \(hit.count) entries in all)")
        default:
            measured = String(Int(hit.value))
            let window = hit.windowStart.map { s in " \(CivilTime.iso8601(s))–\(CivilTime.iso8601(hit.windowEnd ?? s))" } ?? ""
            detail = Localized(de: "Wert \(measured) (Schwelle \(Int(spec.threshold)))\(window)",
                               en: "value \(measured) (threshold \(Int(spec.threshold)))\(window)")
        }
        evidence.append(Evidence(field: "measure", value: measured))
        let locator = findingLocator(hit.samples.first ?? Locator(file: "", line: 0, byteOffset: 0, index: 0))
        let bucket = hit.windowStart.map { CivilTime.floorDiv($0, 3600) }
        return Finding(
            ruleID: d.id, title: d.title, severity: d.severity, findingClass: d.findingClass, norms: d.norms,
            locator: locator, time: hit.windowStart, evidence: evidence, persons: persons, remediation: d.remediation,
            fingerprint: pseudonymizer.fingerprint(rule: d.id, keys: hit.groupKey, timeBucket: bucket), detail: detail)
    }
}

/// What the aggregate rules need from a run of records (see `RuleEvaluator.evaluate(_:routingAggregatesTo:emit:)`):
/// per record that passed at least one aggregate filter its locator, which filters it passed, the
/// ratio numerators, its time and the key bytes of the slots the aggregates group or count by
/// (`RuleEvaluator.keyBytes`, nil when missing). Compact: no whole records, no `Value` boxes.
///
/// Why no `Locator`s or `ByteString`s inside: entries and key ranges are plain values, so a feed is
/// appended to and freed without reference counting per row (the file name is stored once, record
/// ids and key bytes in side arrays); a routed row costs a few stores.
public struct AggregateFeed: Sendable {
    struct Entry: Sendable {
        let kind: RecordKind
        let passed: UInt64
        let numerators: UInt64
        let time: Int64?
        /// The locator, its file and record id indexing `strings`.
        let place: CompactLocator
        /// First of the entry's ranges in `keyRanges`.
        let keyStart: Int
    }
    /// Bytes `start..<start+count` of `keyBytes`; `count` −1: the key is missing.
    struct KeyRange: Sendable {
        let start: Int
        let count: Int
    }
    var entries: [Entry] = []
    var keyRanges: [KeyRange] = []
    var keyBytes: [UInt8] = []
    var strings: [String] = []
    private var lastFile: Int32 = -1
    /// Per aggregate rule (index into `pack.aggregates`): the records the batch executor
    /// pre-aggregated on its worker instead of routing them one by one (`AggregatePartial`);
    /// a rule's records are either here or in `entries`, never in both.
    package private(set) var partials: [AggregatePartial?] = []

    public init() {}
    /// Records routed one by one (the exact re-evaluation's limit counts these).
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty && partials.allSatisfy { $0?.isEmpty ?? true } }

    /// The partial of aggregate rule `index`, made for `evaluator` on first use.
    package mutating func partial(_ index: Int, for evaluator: AggregateEvaluator) -> AggregatePartial {
        if index < partials.count, let p = partials[index] { return p }
        if partials.count <= index { partials += [AggregatePartial?](repeating: nil, count: index + 1 - partials.count) }
        let p = AggregatePartial(for: evaluator)
        partials[index] = p
        return p
    }

    /// Routes one record to the aggregate rules in `passed` (bits by index into `pack.aggregates`):
    /// its locator, the ratio numerators, its time and its keys. `key(k)` gives the key bytes of
    /// the `k`-th slot of `RuleEvaluator.aggregateKeySlots(of: kind)` (`count` of them), written
    /// straight into the feed.
    package mutating func append(kind: RecordKind, locator: Locator, passed: UInt64, numerators: UInt64, time: Int64?,
                                 count: Int, key: (Int) -> ByteString?) {
        append(kind: kind, file: locator.file, line: locator.line, column: locator.column, byteOffset: locator.byteOffset,
               index: locator.index, recordID: locator.recordID, passed: passed, numerators: numerators, time: time,
               count: count, key: key)
    }

    /// `append(kind:locator:…)` with the locator's parts, so the batch executor builds no
    /// `Locator` per routed row.
    package mutating func append(kind: RecordKind, file: String, line: Int, column: Int?, byteOffset: Int64, index: Int,
                                 recordID id: String?, passed: UInt64, numerators: UInt64, time: Int64?,
                                 count: Int, key: (Int) -> ByteString?) {
        if lastFile < 0 || strings[Int(lastFile)] != file {
            lastFile = Int32(strings.count)
            strings.append(file)
        }
        var recordID: Int32 = -1
        if let id {
            recordID = Int32(strings.count)
            strings.append(id)
        }
        entries.append(.init(kind: kind, passed: passed, numerators: numerators, time: time,
                             place: CompactLocator(file: lastFile, recordID: recordID, line: line, column: column,
                                                   byteOffset: byteOffset, index: index),
                             keyStart: keyRanges.count))
        for k in 0..<count {
            if let v = key(k) {
                let start = keyBytes.count
                v.withUnsafeBytes { keyBytes.append(contentsOf: $0) }
                keyRanges.append(KeyRange(start: start, count: keyBytes.count - start))
            } else {
                keyRanges.append(KeyRange(start: 0, count: -1))
            }
        }
    }

    /// Empties the feed keeping its storage (the sequential scan replays a feed per batch).
    package mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        keyRanges.removeAll(keepingCapacity: true)
        keyBytes.removeAll(keepingCapacity: true)
        strings.removeAll(keepingCapacity: true)
        lastFile = -1
        for p in partials { p?.reset() }
    }

    /// The key at `keyRanges[i]` (nil: missing).
    @inline(__always)
    func key(_ i: Int) -> ByteString? {
        let r = keyRanges[i]
        if r.count < 0 { return nil }
        return keyBytes.withUnsafeBytes { ByteString(UnsafeRawBufferPointer(rebasing: $0[r.start..<r.start + r.count])) }
    }

    /// The locator of entry `e`.
    func locator(of e: Entry) -> Locator {
        strings.withUnsafeBufferPointer { e.place.locator(strings: $0) }
    }
}

/// Records an aggregate rule left uncounted because they arrived after their window was closed.
public struct AggregateLateRecords: Sendable, Hashable {
    public let ruleID: String
    public let count: Int
    /// The first few of them (`maxSamples` of the rule's aggregate).
    public let samples: [Locator]
    /// Records that passed the rule's filter (counted, late, or without key or time): what an
    /// exact re-evaluation of the rule routes into its feed.
    public let records: Int
}
