import TrennwandRecords

/// Extracts a key or value from a record (nil: the record has none and is not counted).
public typealias AggregateKey = @Sendable (Record) -> ByteString?
/// A condition on one record.
public typealias AggregatePredicate = @Sendable (Record) -> Bool

/// What an aggregate rule measures, per group and window, and when it fires.
///
/// The spec is independent of the rule expression language: keys, values and predicates are
/// closures, so the rule compiler hands in compiled slot accessors. Examples:
/// - TW402 bulk reading: `groupBy: [actor]`, `filter: action == read`, `window: .tumbling(3600)`,
///   `measure: .distinct(subject)`, `threshold: 50` (fires at ≥ 50 distinct subjects).
/// - TW401 neutrality: `groupBy: [actor]`, `filter: is a referral by seconded staff`,
///   `window: .whole`, `measure: .ratio(numerator: offer belongs to own Träger, baseline: .allGroups)`,
///   `threshold: 0.20` (20 percentage points above the baseline), `minCount: 20`.
public struct AggregateSpec: Sendable {
    /// The quantity measured per group and window.
    public enum Measure: Sendable {
        /// Number of records.
        case count
        /// Number of distinct values (records without a value are not counted).
        case distinct(AggregateKey)
        /// Share of records matching `numerator`, compared with the share over a baseline of groups.
        case ratio(numerator: AggregatePredicate, baseline: Baseline)
        /// Silent intervals: every gap between consecutive record times of a group that is at
        /// least `threshold` seconds long (measured on `calendar`) is one hit. Whole run only.
        case gap(calendar: GapCalendar)
    }

    /// How the length of a gap between two records is measured.
    public enum GapCalendar: Sendable, Hashable {
        /// Elapsed seconds.
        case continuous
        /// Only Monday–Friday time counts (local wall clock of the zone): a weekend never makes
        /// a gap, a gap from Friday 17:00 to Tuesday 08:00 is 7 h + 24 h + 8 h = 39 h.
        case weekdays(timeZone: String)
    }

    /// Which records form the baseline share of a ratio (same window).
    public enum Baseline: Sendable, Hashable {
        /// All records of all groups, the group itself included.
        case allGroups
        /// All records of all other groups (leave-one-out): a single dominant group cannot
        /// lift the baseline it is compared with.
        case otherGroups
    }

    /// How records are bucketed in time.
    public enum Window: Sendable, Hashable {
        /// One bucket per group for the whole run; results only at `finish()`.
        case whole
        /// Fixed, non-overlapping windows `[k·seconds + offset, (k+1)·seconds + offset)`; with
        /// seconds = 3600 and offset 0 they are aligned to the UTC hour.
        case tumbling(seconds: Int64, offset: Int64 = 0)
        /// A window of `seconds` ending at the newest record of each group: `(t − seconds, t]`.
        case sliding(seconds: Int64)
    }

    public var groupBy: [AggregateKey]
    /// Records not matching are ignored (counted in `AggregateCounters.filteredOut`).
    public var filter: AggregatePredicate?
    /// Event time in epoch seconds (UTC); required for windowed specs.
    public var time: @Sendable (Record) -> Int64?
    public var window: Window
    public var measure: Measure
    /// `count`/`distinct`: fires when value ≥ threshold. `ratio`: fires when share ≥ baseline +
    /// threshold (a fraction: 0.2 = 20 percentage points). `gap`: seconds; a gap of at least
    /// this length fires.
    public var threshold: Double
    /// Fires only when the group has at least this many records in the window.
    public var minCount: Int
    /// Up to this many locators of contributing records are kept per hit as evidence.
    public var maxSamples: Int
    /// Tumbling windows: how far (seconds) a record may arrive behind the newest one seen and
    /// still be counted; a window closes once the newest time reaches its end + this. Default: one
    /// window length. Later records are counted as late, never silently dropped. (Sliding windows
    /// accept records inside the group's current window.)
    public var allowedLateness: Int64?

    public init(groupBy: [AggregateKey], filter: AggregatePredicate? = nil,
                time: @escaping @Sendable (Record) -> Int64? = AggregateSpec.recordTime,
                window: Window, measure: Measure, threshold: Double, minCount: Int = 0,
                maxSamples: Int = 5, allowedLateness: Int64? = nil) {
        self.groupBy = groupBy
        self.filter = filter
        self.time = time
        self.window = window
        self.measure = measure
        self.threshold = threshold
        self.minCount = minCount
        self.maxSamples = maxSamples
        self.allowedLateness = allowedLateness
    }

    /// The canonical `time` field of the record's kind (slot looked up per call: prefer a
    /// compiled accessor on hot paths).
    @Sendable public static func recordTime(_ record: Record) -> Int64? {
        record.kind.schema.slot("time").flatMap { record[$0].timeValue }
    }

    /// An accessor for a canonical string field, with the slot resolved once.
    public static func field(_ name: String, of kind: RecordKind) -> AggregateKey? {
        guard let slot = kind.schema.slot(name) else { return nil }
        return { record in record.kind == kind ? record[slot].stringValue : nil }
    }
}

/// A spec that cannot be evaluated.
public struct AggregateSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: Localized
    public init(de: String, en: String) { message = Localized(de: de, en: en) }
    public var description: String { message.en }
}

/// One firing group and window, with the evidence to show.
public struct AggregateHit: Sendable, Hashable {
    /// The values of the `groupBy` keys, e.g. `[actor]`.
    public var groupKey: [ByteString]
    /// Tumbling: the window's aligned start; sliding: time of the earliest record in the window
    /// at the peak; whole run: time of the group's first record (nil if records had no time).
    public var windowStart: Int64?
    /// Tumbling: the window's end (exclusive); sliding: time of the record at the peak; whole
    /// run: time of the group's last record.
    public var windowEnd: Int64?
    /// The measured value: count, distinct count, or share (0…1).
    public var value: Double
    /// Records of the group in the window.
    public var count: Int
    /// Ratio only: records matching the numerator.
    public var numerator: Int?
    /// Ratio only: the baseline share the group was compared with.
    public var baseline: Double?
    /// Locators of up to `maxSamples` contributing records (distinct: records that brought a
    /// new value; ratio: numerator records), in arrival order.
    public var samples: [Locator]

    public init(groupKey: [ByteString], windowStart: Int64?, windowEnd: Int64?, value: Double, count: Int,
                numerator: Int? = nil, baseline: Double? = nil, samples: [Locator] = []) {
        self.groupKey = groupKey
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.value = value
        self.count = count
        self.numerator = numerator
        self.baseline = baseline
        self.samples = samples
    }

    /// Deterministic order: window start, then group key (bytewise), then window end.
    public static func precedes(_ a: AggregateHit, _ b: AggregateHit) -> Bool {
        let sa = a.windowStart ?? Int64.min, sb = b.windowStart ?? Int64.min
        if sa != sb { return sa < sb }
        if a.groupKey != b.groupKey { return a.groupKey.lexicographicallyPrecedes(b.groupKey) }
        return (a.windowEnd ?? Int64.min) < (b.windowEnd ?? Int64.min)
    }
}

/// What happened to the records handed to an evaluator: each is counted exactly once.
public struct AggregateCounters: Sendable, Hashable {
    /// Records counted into a group.
    public var counted = 0
    /// Records not matching the spec's filter.
    public var filteredOut = 0
    /// Records without a group key (or, for `distinct`, without a value).
    public var missingKey = 0
    /// Records without a time in a windowed spec.
    public var missingTime = 0
    /// Records that arrived after their window was closed (more than `allowedLateness` behind).
    public var late = 0
}
