import TrennwandRecords

/// A configuration gap met while evaluating: the rule could not be decided because reference or
/// policy data is incomplete (unknown actor, unmapped category, unreadable schedule). Gaps are
/// their own result class: never a violation, never silently ignored.
public struct ConfigurationGap: Sendable, Hashable {
    /// What kind of policy or reference data is missing.
    public enum Kind: String, Sendable {
        /// A value lookup (`staff(person == actor).org`) found no row for its key.
        case lookupMiss = "lookup-miss"
        /// A category that is not in the taxonomy or has no separation-matrix cell.
        case unmappedCategory = "unmapped-category"
        /// A schedule string from the data that cannot be parsed.
        case invalidSchedule = "invalid-schedule"
    }

    public var kind: Kind
    /// Where in the rule file the lookup or call stands.
    public var position: SourcePosition
    /// The reference table (`staff`) or `matrix`/`schedule`.
    public var table: String
    /// The value that was not found. May be a person's account: pseudonymise before output.
    public var key: ByteString
}

/// The per-record (and per-thread) evaluation state shared by all rules of one record kind:
/// the current record, a detection cache per text slot (each text field scanned at most once
/// per record), the time-zone converter and a cache of parsed schedules.
///
/// Create one per worker thread and call `reset(record:)` for each record; the caches keep their
/// storage between records.
public final class EvalContext {
    public private(set) var record: Record
    /// Configuration gaps recorded since the last `reset(record:)`.
    public private(set) var gaps: [ConfigurationGap] = []

    private var detections: [DetectionResult?]
    private var scannedSlots: [Int] = []
    private let scan: ([ByteString]) -> DetectionResult
    private var clock: LocalClock
    private var schedules: [ByteString: DeploymentSchedule?] = [:]
    private var lastSchedule: (text: ByteString, schedule: DeploymentSchedule?)?

    /// A context for records of `kind`. Fails only for a time zone unknown to the system.
    public init?(kind: RecordKind, detectors: any DetectorScanning, timeZone: String = "Europe/Berlin") {
        guard let zone = ZoneConverter(identifier: timeZone) else { return nil }
        self.clock = LocalClock(zone)
        self.record = Record(kind: kind, locator: .init(file: "", line: 0, column: nil, byteOffset: 0, index: 0))
        self.detections = Array(repeating: nil, count: kind.schema.count)
        self.scan = makeScanFunction(detectors)
    }

    /// A context for the environment a condition was compiled against.
    public convenience init?(environment: CompileEnvironment) {
        self.init(kind: environment.kind, detectors: environment.detectors, timeZone: environment.timeZone)
    }

    /// Switches to the next record; clears the detection cache and the gaps.
    public func reset(record: Record) {
        precondition(record.kind == self.record.kind, "EvalContext is per record kind")
        self.record = record
        // Clear only what was filled: scanning an 18-slot array of optionals per record costs
        // more than evaluating a dozen field tests.
        for slot in scannedSlots { detections[slot] = nil }
        if !scannedSlots.isEmpty { scannedSlots.removeAll(keepingCapacity: true) }
        if !gaps.isEmpty { gaps.removeAll(keepingCapacity: true) }
    }

    @inline(__always)
    func value(_ slot: Int) -> Value { record.values[slot] }

    /// The detection result of the text field at `slot`, scanning it on first use; nil when the
    /// field is missing. The engine reads the hits from here for masked evidence (no second scan).
    public func detection(_ slot: Int) -> DetectionResult? {
        if let d = detections[slot] { return d }
        let pieces = record.values[slot].strings
        if pieces.isEmpty, record.values[slot].isMissing { return nil }
        let d = scan(pieces)
        detections[slot] = d
        scannedSlots.append(slot)
        return d
    }

    /// Local wall-clock seconds ("as if UTC") in the profile time zone.
    @inline(__always)
    func local(_ utc: Int64) -> Int64 { clock.local(utc) }

    /// A schedule string from the data, parsed once per distinct string.
    func schedule(_ text: ByteString) -> DeploymentSchedule? {
        if let last = lastSchedule, last.text == text { return last.schedule }
        if let cached = schedules[text] {
            lastSchedule = (text, cached)
            return cached
        }
        let parsed = try? DeploymentSchedule(parsing: text.string)
        schedules[text] = .some(parsed)
        lastSchedule = (text, parsed)
        return parsed
    }

    func recordGap(_ gap: ConfigurationGap) { gaps.append(gap) }

    /// Record rules of the current record that fired or met configuration gaps, in rule order
    /// (filled by `RuleEvaluator`'s rule chain, read right after it).
    var ruleOutcomes: [RuleOutcome] = []
}

/// A record rule that did not simply evaluate to false: fired, or unknown with the
/// configuration gaps `gaps` (indexes into `EvalContext.gaps`).
struct RuleOutcome {
    var rule: Int
    var fired: Bool
    var gaps: Range<Int>
}

/// Local wall-clock seconds of UTC instants, with a one-entry cache in front of the converter's
/// hour cache: consecutive records are usually in the same hour, and offsets change only on full
/// hours (the converter's own assumption). Per thread, like its `ZoneConverter`; shared by the
/// closure evaluator's `EvalContext` and the batch executor.
package struct LocalClock {
    private let zone: ZoneConverter
    private var lastHour: Int64 = .min
    private var lastOffset: Int64 = 0

    package init(_ zone: ZoneConverter) { self.zone = zone }

    @inline(__always)
    package mutating func local(_ utc: Int64) -> Int64 {
        let hour = ExprCivil.floorDiv(utc, 3600)
        if hour == lastHour { return utc + lastOffset }
        let l = zone.local(fromUTC: utc)
        lastHour = hour
        lastOffset = l - utc
        return l
    }
}
