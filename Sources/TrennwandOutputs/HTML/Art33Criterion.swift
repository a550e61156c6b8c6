import TrennwandFindings
import TrennwandRecords

/// When the report points to the 72-hour notification duty of Art. 33 DSGVO, and from when the
/// clock runs: the one place that decides it (docs/outputs.md, "Art.-33-Kandidaten").
/// The hint names § 83a SGB X besides Art. 33 DSGVO: the Jobcenter, a § 35 SGB I body, also
/// reports a breach of social data to its supervising authority.
///
/// A finding is a candidate when it is a violation (never a configuration gap), neither resolved
/// nor waived, and either critical, or of severity high or above from a rule tagged `breach` or `art33`
/// (`RuleTag`). The report shows the hint once per rule group. The 72-hour clock counts from
/// detection: the finding's first sighting in the state store (`FindingLifecycle.firstSeen`) when
/// the run keeps state, otherwise the start of this run (`RunInfo.started`) — the report says which.
package enum Art33Criterion {
    /// Severity from which a `breach`/`art33`-tagged rule's violations qualify.
    package static let taggedMinimum: Severity = .high
    /// Severity from which every violation qualifies, tagged or not.
    package static let untaggedMinimum: Severity = .critical
    /// The notification deadline after detection (Art. 33 Abs. 1 DSGVO).
    package static let deadlineSeconds: Int64 = 72 * 3600

    /// Whether a finding is an Art. 33 candidate under this criterion.
    /// A finding the run resolved or a waiver covers (the decision is recorded) is no candidate.
    package static func applies(_ finding: Finding, rule: RuleDescriptor?, context: FindingContext = FindingContext()) -> Bool {
        guard finding.findingClass == .violation else { return false }
        if context.lifecycle?.status == .resolved || context.waived != nil { return false }
        if finding.severity >= untaggedMinimum { return true }
        return finding.severity >= taggedMinimum && (rule?.isTaggedBreach ?? false)
    }

    /// What the clock counts from: detection in the state store, or this run.
    package enum ClockSource: Sendable, Hashable {
        case firstSeen
        case runStart
    }

    /// Start of the 72-hour clock for one finding, and where it came from.
    package static func clockStart(lifecycle: FindingLifecycle?, run: RunInfo) -> (Int64, ClockSource) {
        if let l = lifecycle { return (l.firstSeen, .firstSeen) }
        return (run.started, .runStart)
    }
}
