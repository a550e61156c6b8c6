import TrennwandRecords

/// Lifecycle of a finding across scheduled scans, keyed by its content-based fingerprint.
///
/// Lives beside `Finding` (not in the state store) because every output shows it: with `--state`
/// a report covers all findings open after the run, each with its status (issue #14).
///
/// - `new`: first seen in the run recorded as `firstRun` (stays `new` until another run sees it again).
/// - `open`: seen again by a later run (or still open in a file the run skipped as unchanged).
/// - `resolved`: its source file was re-scanned completely and the fingerprint was not found again.
/// - `reopened`: seen again after it had been resolved.
/// - `waived`: a waiver covered it when it was last seen (set by the scan, not by the store).
public enum FindingStatus: String, Sendable, Codable, CaseIterable {
    case new, open, resolved, reopened, waived

    /// Whether the finding still needs attention (not resolved; waived ones are decided).
    public var isOpen: Bool { self == .new || self == .open || self == .reopened }

    public var label: Localized {
        switch self {
        case .new: return Localized(de: "neu", en: "new")
        case .open: return Localized(de: "weiterhin offen", en: "still open")
        case .resolved: return Localized(de: "erledigt", en: "resolved")
        case .reopened: return Localized(de: "wieder aufgetreten", en: "reopened")
        case .waived: return Localized(de: "mit Ausnahme", en: "waived")
        }
    }
}

/// Where a finding stands in the state store after a run: status, when and in which runs it was
/// seen. Absent (nil) for a run without `--state`.
public struct FindingLifecycle: Sendable, Codable, Hashable {
    public var status: FindingStatus
    /// UTC epoch seconds of the run that first found it, and that run's id.
    public var firstSeen: Int64
    public var firstRun: Int64
    /// UTC epoch seconds of the last run that read it, and that run's id. A run that skips its
    /// file as unchanged does not advance them: the report names that file "unverändert, geprüft
    /// in Lauf `lastRun`" (docs/operations.md).
    public var lastSeen: Int64
    public var lastRun: Int64
    /// The run that resolved it, when `status == .resolved`.
    public var resolvedRun: Int64?

    public init(status: FindingStatus, firstSeen: Int64, firstRun: Int64, lastSeen: Int64, lastRun: Int64, resolvedRun: Int64? = nil) {
        self.status = status
        self.firstSeen = firstSeen
        self.firstRun = firstRun
        self.lastSeen = lastSeen
        self.lastRun = lastRun
        self.resolvedRun = resolvedRun
    }
}
