// TrennwandOutputs: the last layer before the CLI. Findings (already masked and pseudonymised
// by the engine) stream in one by one through `FindingWriter`, like ripgrep's `Sink`, and leave as
// SARIF, JUnit XML, JSON Lines, CSV, a self-contained HTML report or the terminal summary.
// Outputs never read the clock, the environment or the version: all of it arrives in `RunInfo`
// and `RunSummary`, so golden files compare byte for byte.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandFindings
import TrennwandRecords

/// A streaming consumer of one run's findings.
///
/// The caller calls `begin(run:)` once, `write(_:waived:)` per finding (in any order), then
/// `end(summary:)` once. Writers keep as little as their format allows: JSON Lines, CSV, SARIF and
/// HTML write each finding as it comes; JUnit groups failures per rule; the text summary keeps
/// only counts and the top findings.
package protocol FindingWriter {
    /// Writes the run header (tool, rules, run facts).
    mutating func begin(run: RunInfo) throws
    /// Writes one finding with what the run knows about it: the waiver that covers it (waived
    /// findings stay visible), its lifecycle in the state store, its baseline state.
    mutating func write(_ finding: Finding, context: FindingContext) throws
    /// Writes totals and accounting and flushes the sink.
    mutating func end(summary: RunSummary) throws
    /// Whether `FanoutWriter` hands this writer the baseline's absent entries (state `absent`).
    /// False unless a writer shows them as gone (the machine formats and the text summary do).
    var showsAbsentBaselineEntries: Bool { get }
}

extension FindingWriter {
    package var showsAbsentBaselineEntries: Bool { false }

    /// Writes a finding known only by its waiver (no state, no baseline).
    package mutating func write(_ finding: Finding, waived: WaiverInfo?) throws {
        try write(finding, context: FindingContext(waived: waived))
    }
}

/// Whether a finding was in the baseline the run compared against (SARIF `baselineState`).
package enum BaselineState: String, Sendable, Codable, Hashable, CaseIterable {
    /// Not in the baseline.
    case new
    /// In the baseline and found again.
    case unchanged
    /// In the baseline, not found any more.
    case absent
}

/// What a run knows about one finding besides the finding itself.
package struct FindingContext: Sendable, Codable, Hashable {
    /// The waiver that covers it, if any.
    package var waived: WaiverInfo?
    /// Its lifecycle in the state store (runs with `--state`).
    package var lifecycle: FindingLifecycle?
    /// Its baseline state (runs with `--baseline`).
    package var baseline: BaselineState?

    package init(waived: WaiverInfo? = nil, lifecycle: FindingLifecycle? = nil, baseline: BaselineState? = nil) {
        self.waived = waived
        self.lifecycle = lifecycle
        self.baseline = baseline
    }
}

/// An audited waiver that covers a finding: who accepted it, why, and until when.
///
/// Outputs only show waivers; matching and expiry are decided upstream. An expired waiver never
/// reaches an output as a `WaiverInfo` (the finding is open again).
package struct WaiverInfo: Sendable, Codable, Hashable {
    /// Why the finding is accepted (free text written by the approver).
    package var reason: String
    /// Who approved it (name or role, e.g. `Datenschutzbeauftragte JC`).
    package var approver: String
    /// UTC epoch seconds when the waiver was created.
    package var created: Int64
    /// UTC epoch seconds when the waiver expires; nil only for waivers without expiry (discouraged).
    package var expires: Int64?
    /// The kind of decision, when the waiver file names one.
    package var decision: WaiverDecision?
    /// Who follows the finding up.
    package var owner: String?
    /// `reported_art33`: report date (UTC epoch seconds) and the authority's reference.
    package var reportedOn: Int64?
    package var authorityReference: String?

    package init(reason: String, approver: String, created: Int64, expires: Int64?, decision: WaiverDecision? = nil,
                 owner: String? = nil, reportedOn: Int64? = nil, authorityReference: String? = nil) {
        self.reason = reason
        self.approver = approver
        self.created = created
        self.expires = expires
        self.decision = decision
        self.owner = owner
        self.reportedOn = reportedOn
        self.authorityReference = authorityReference
    }
}

/// Open and waived counts of one group (a severity, a rule, a norm).
package struct Tally: Sendable, Codable, Hashable {
    package var open: Int = 0
    package var waived: Int = 0
    package var total: Int { open + waived }

    package init(open: Int = 0, waived: Int = 0) {
        self.open = open
        self.waived = waived
    }
}

/// Baseline comparison counts, when the run compared against a baseline.
package struct BaselineCounts: Sendable, Codable, Hashable {
    /// Findings not in the baseline.
    package var new: Int
    /// Findings also in the baseline.
    package var unchanged: Int
    /// Baseline findings no longer found.
    package var gone: Int
    /// The baseline's entries no longer found, with what the baseline holds of them. `FanoutWriter`
    /// writes each as a finding with baseline state `absent` (SARIF `baselineState: "absent"`)
    /// after this run's findings; they are never counted as open.
    package var absent: [Baseline.Entry]

    package init(new: Int, unchanged: Int, gone: Int, absent: [Baseline.Entry] = []) {
        self.new = new
        self.unchanged = unchanged
        self.gone = gone
        self.absent = absent
    }
}

/// A norm citation compared and hashed by its UTF-8 bytes (`RunSummary.byNorm`).
struct CitationKey: Hashable, Sendable, Codable {
    let citation: String

    init(_ citation: String) { self.citation = citation }

    /// Byte equality, by `memcmp`: `utf8.elementsEqual` walked the views byte by byte and was a
    /// third of writing a 6,182-finding text summary (issue 20, fourteenth stop).
    static func == (a: CitationKey, b: CitationKey) -> Bool {
        var x = a.citation, y = b.citation
        return x.withUTF8 { p in
            y.withUTF8 { q in p.count == q.count && (p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) }
        }
    }

    func hash(into hasher: inout Hasher) {
        var c = citation
        c.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Totals of one run, handed to `end(summary:)`.
///
/// Built by the caller while streaming (`count(_:waived:)` per finding), so every writer shows the
/// same numbers. `inputs` is the final accounting (read / evaluated / rejected per input), which
/// may be more complete than `RunInfo.inputs` at `begin`.
package struct RunSummary: Sendable, Codable {
    /// UTC epoch seconds when the scan finished.
    package var finished: Int64
    /// Final per-input accounting.
    package var inputs: [InputAccount]
    package var bySeverity: [Severity: Tally] = [:]
    package var byRule: [String: Tally] = [:]
    /// Keyed by norm citation.
    package var byNorm: [String: Tally] {
        get { Dictionary(normTallies.map { ($0.key.citation, $0.value) }, uniquingKeysWith: { Tally(open: $0.open + $1.open, waived: $0.waived + $1.waived) }) }
        set { normTallies = Dictionary(uniqueKeysWithValues: newValue.map { (CitationKey($0.key), $0.value) }) }
    }
    /// The norm counts by the citation's bytes: a `String` key hashes a citation with `§` or an
    /// umlaut through Unicode normalisation, which with the copies of each `Norm` was a fifth of
    /// writing a text summary of 6,000 findings (issue 20, twelfth stop). Citations come from the
    /// rule files, so the same norm is always spelt with the same bytes.
    private var normTallies: [CitationKey: Tally] = [:]
    package var byClass: [FindingClass: Tally] = [:]
    package var baseline: BaselineCounts?
    /// Findings by lifecycle status (runs with `--state`; resolved ones only here).
    package var byStatus: [FindingStatus: Int] = [:]
    /// Findings by baseline state (runs with `--baseline`; absent ones only here).
    package var byBaselineState: [BaselineState: Int] = [:]

    package init(finished: Int64, inputs: [InputAccount], baseline: BaselineCounts? = nil) {
        self.finished = finished
        self.inputs = inputs
        self.baseline = baseline
    }

    /// Counts one finding into every group.
    package mutating func count(_ finding: Finding, waived: WaiverInfo?) {
        count(finding, context: FindingContext(waived: waived))
    }

    /// Counts one finding into every group, and by lifecycle status and baseline state. A finding
    /// the run resolved is counted only in `byStatus` (it is not open any more).
    package mutating func count(_ finding: Finding, context: FindingContext) {
        if let status = context.lifecycle?.status { byStatus[status, default: 0] += 1 }
        if let b = context.baseline { byBaselineState[b, default: 0] += 1 }
        if context.lifecycle?.status == .resolved || context.baseline == .absent { return }
        let waived = context.waived
        func bump(_ t: inout Tally) { if waived == nil { t.open += 1 } else { t.waived += 1 } }
        bump(&bySeverity[finding.severity, default: Tally()])
        bump(&byRule[finding.ruleID, default: Tally()])
        bump(&byClass[finding.findingClass, default: Tally()])
        // Each citation once per finding (a handful of norms: no Set, whose String hashing
        // normalises every citation and was 9 % of writing a large report). By index: no `Norm` copied.
        let norms = finding.norms
        for i in norms.indices {
            let key = CitationKey(norms[i].citation)
            if (0..<i).contains(where: { CitationKey(norms[$0].citation) == key }) { continue }
            bump(&normTallies[key, default: Tally()])
        }
    }

    /// All findings counted, open and waived.
    package var total: Int { bySeverity.values.reduce(0) { $0 + $1.total } }
    /// Findings not covered by a waiver.
    package var open: Int { bySeverity.values.reduce(0) { $0 + $1.open } }
    package var waived: Int { bySeverity.values.reduce(0) { $0 + $1.waived } }

    /// Open findings at or above `threshold` (what decides exit code 1).
    package func openAtOrAbove(_ threshold: Severity?) -> Int {
        guard let threshold else { return 0 }
        return bySeverity.filter { $0.key >= threshold }.reduce(0) { $0 + $1.value.open }
    }

    package var recordsRead: Int { inputs.reduce(0) { $0 + $1.read } }
    package var recordsEvaluated: Int { inputs.reduce(0) { $0 + $1.normalised } }
    package var recordsRejected: Int { inputs.reduce(0) { $0 + $1.rejected } }

    /// Record rejection counts by reason code over all inputs, one message per code, sorted by code.
    /// File errors (`InputAccount.fileError`) are not records and are listed separately by the writers.
    package var rejectionReasons: [(code: String, message: Localized, count: Int)] {
        var counts: [String: Int] = [:]
        var messages: [String: Localized] = [:]
        for input in inputs {
            for (code, n) in input.rejectedByReason { counts[code, default: 0] += n }
            for r in input.rejections where messages[r.reason.code] == nil { messages[r.reason.code] = r.reason.message }
        }
        return counts.keys.sorted().map { code in
            (code, messages[code] ?? Localized(de: code, en: code), counts[code] ?? 0)
        }
    }
}

/// Fans one stream out to several writers (e.g. HTML report and SARIF and terminal summary at once)
/// and counts the summary on the way, so the caller cannot forget it.
package struct FanoutWriter: FindingWriter {
    package var writers: [any FindingWriter]
    package private(set) var summary: RunSummary

    package init(_ writers: [any FindingWriter]) {
        self.writers = writers
        self.summary = RunSummary(finished: 0, inputs: [])
    }

    private var rules: [RuleDescriptor] = []

    package mutating func begin(run: RunInfo) throws {
        summary = RunSummary(finished: run.finished, inputs: run.inputs)
        rules = run.rules
        for i in writers.indices { try writers[i].begin(run: run) }
    }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        summary.count(finding, context: context)
        for i in writers.indices { try writers[i].write(finding, context: context) }
    }

    /// Writes the baseline's absent entries (`BaselineCounts.absent`, state `absent`), then ends
    /// every writer with the counted summary, taking `finished`, `inputs` and `baseline` from `final`.
    package mutating func end(summary final: RunSummary) throws {
        if let absent = final.baseline?.absent, !absent.isEmpty {
            let byID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let context = FindingContext(baseline: .absent)
            for entry in absent {
                let finding = entry.finding(rule: byID[entry.ruleID])
                summary.count(finding, context: context)
                for i in writers.indices where writers[i].showsAbsentBaselineEntries { try writers[i].write(finding, context: context) }
            }
        }
        summary.finished = final.finished
        summary.inputs = final.inputs
        summary.baseline = final.baseline
        summary.baseline?.absent = []
        for i in writers.indices { try writers[i].end(summary: summary) }
    }
}

/// Helpers shared by the formats (ordering, rule lookup, waiver test).
enum OutputSupport {
    /// Severities from most to least severe.
    static let severitiesDescending: [Severity] = Severity.allCases.reversed()

    /// Whether a finding suggests a personal-data breach that may have to be reported to the
    /// supervisory authority within 72 hours (Art. 33 DSGVO): decided by `Art33Criterion`.
    static func suggestsBreach(_ finding: Finding, rule: RuleDescriptor?) -> Bool {
        Art33Criterion.applies(finding, rule: rule)
    }

    /// An ISO date (`2026-12-03`) as people read it (`03.12.2026`); anything else unchanged.
    static func germanDate(_ iso: String) -> String {
        guard let d = BerlinTime.parseDay(iso), iso.contains("-") else { return iso }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(d.day)).\(two(d.month)).\(d.year)"
    }

    /// Date part of an ISO timestamp (`2025-03-04`).
    static func isoDate(_ epoch: Int64) -> String { String(CivilTime.iso8601(epoch).prefix(10)) }

    /// UTC epoch seconds of an ISO timestamp the writers wrote (`2025-03-04T07:15:00Z`).
    static func parseISO(_ text: String) -> Int64? {
        CivilTime.parseISO8601(Array(text.utf8)).map { $0.local - ($0.offset ?? 0) }
    }

    /// ISO UTC timestamp, nil for nil.
    static func iso(_ epoch: Int64?) -> String? { epoch.map(CivilTime.iso8601) }

    /// Whether a finding counts as open in an output: not waived, not resolved by the run (state),
    /// not a baseline entry that is gone (`absent`).
    static func isOpen(_ context: FindingContext) -> Bool {
        context.waived == nil && context.lifecycle?.status != .resolved && context.baseline != .absent
    }

    /// Whether a finding is no longer there: resolved by the run or absent from it (baseline).
    static func isGone(_ context: FindingContext) -> Bool {
        context.lifecycle?.status == .resolved || context.baseline == .absent
    }

    /// `file:line` of every merged record, the first included (CSV, text).
    static func locators(_ finding: Finding) -> [String] { finding.occurrenceList.map { "\($0.locator.file):\($0.locator.line)" } }
}

extension RunSummary {
    /// Input names and rejection texts neutralised (`Masking.neutralised`).
    package var neutralised: RunSummary {
        var s = self
        s.inputs = inputs.map(\.neutralised)
        return s
    }
}

extension WaiverInfo {
    /// Reason and approver neutralised (`Masking.neutralised`).
    package var neutralised: WaiverInfo {
        WaiverInfo(reason: Masking.neutralised(reason), approver: Masking.neutralised(approver), created: created, expires: expires,
                   decision: decision, owner: owner.map(Masking.neutralised), reportedOn: reportedOn,
                   authorityReference: authorityReference.map(Masking.neutralised))
    }
}
