import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState

/// The contexts of a report rendered from the state store (`scan --state`, `trennwand report`):
/// waiver, lifecycle and baseline state of every finding of the report set, decided while the
/// set streams from the store, and what the verdict needs from them.
///
/// - Status: `new` and `reopened` only for findings the report's run saw; one last seen by an
///   earlier run (its file skipped as unchanged) is `open` — the store keeps its status and
///   `lastRun` (docs/operations.md).
/// - Waivers: a finding this run scanned (`lastRun == runID`) carries the waiver the run's
///   `WaiverStep` applied (`scannedWaivers`); a finding of a file the run skipped as unchanged (or
///   every finding, for `trennwand report`) is matched against the waiver set silently (the run's
///   warnings came from `WaiverStep` already): the first valid waiver that matches, never a
///   `scope: broad` one on a critical finding. No waivers when the file was refused.
/// - Lifecycle: as stored, except that the waiver decided now wins: an open finding with a waiver
///   is shown `waived`, a stored `waived` without one is `open` again (the store is not changed).
/// - Baseline: `new`/`unchanged` by fingerprint for open findings, `absent` for a resolved one the
///   baseline holds; counts over the reported set (gone: baseline entries not reported open).
/// - Gate: an open (new, open, reopened), not waived violation at or above `failOn` — with a
///   baseline only one new against it.
package final class StoreReport {
    let runID: Int64?
    let waivers: [Waiver]
    let now: Int64
    let scannedWaivers: [String: WaiverInfo]?
    let baseline: Set<String>?
    let baselineEntries: [Baseline.Entry]
    let failOn: Severity?
    /// `trennwand report` without a waiver file: a stored `waived` status stands (the decision
    /// was taken by the scan that saw the finding; the report does not know the file).
    let trustStoredWaivers: Bool
    /// Whether the reported set holds a finding that fails the run (see the type's notes).
    package private(set) var gating = false
    private var newCount = 0
    private var unchangedCount = 0
    private var presentInBaseline = 0
    /// Baseline fingerprints the report already shows (open as unchanged, resolved as absent).
    private var shown: Set<String> = []

    /// - Parameters:
    ///   - runID: the run the report belongs to (this scan's, or the last finished one for `report`).
    ///   - scannedWaivers: the waivers this scan's `WaiverStep` applied, by fingerprint; nil for
    ///     `trennwand report` (every finding is matched against `waivers`).
    package init(runID: Int64?, waivers: WaiverSet?, now: Int64, scannedWaivers: [String: WaiverInfo]? = nil,
                 baseline: Baseline?, failOn: Severity?, trustStoredWaivers: Bool = false) {
        self.runID = runID
        self.trustStoredWaivers = trustStoredWaivers
        self.waivers = waivers?.waivers ?? []
        self.now = now
        self.scannedWaivers = scannedWaivers
        self.baseline = baseline.map { Set($0.entries.map { $0.fingerprint.lowercased() }) }
        self.baselineEntries = baseline?.entries ?? []
        self.failOn = failOn
    }

    /// The context of one reported finding (call once per finding, in report order).
    package func context(_ f: Finding, _ stored: FindingLifecycle) -> FindingContext {
        var lifecycle = stored
        var waiver: WaiverInfo?
        if lifecycle.status != .resolved {
            // New or reopened are events of the run that saw it; a run that skipped its file
            // (or a later run, for `report`) shows it as still open.
            if let runID, lifecycle.lastRun != runID, lifecycle.status == .new || lifecycle.status == .reopened {
                lifecycle.status = .open
            }
            if let scannedWaivers, let runID, lifecycle.lastRun == runID {
                waiver = scannedWaivers[f.fingerprint]
            } else {
                waiver = covering(f).map(WaiverInfo.init)
            }
            if waiver != nil {
                lifecycle.status = .waived
            } else if lifecycle.status == .waived && !trustStoredWaivers {
                lifecycle.status = .open
            }
        }
        var state: BaselineState?
        if let baseline {
            let known = baseline.contains(f.fingerprint.lowercased())
            if known { shown.insert(f.fingerprint.lowercased()) }
            if lifecycle.status == .resolved {
                state = known ? .absent : nil
            } else {
                state = known ? .unchanged : .new
                if known { unchangedCount += 1; presentInBaseline += 1 } else { newCount += 1 }
            }
        }
        if let failOn, f.findingClass == .violation, f.severity >= failOn, waiver == nil, lifecycle.status.isOpen,
           state != .unchanged {
            gating = true
        }
        return FindingContext(waived: waiver, lifecycle: lifecycle, baseline: state)
    }

    /// The baseline counts of the reported set (after the last `context` call).
    package var baselineCounts: BaselineCounts? {
        // Entries the report did not show at all are written by the outputs as `absent` results.
        baseline.map { BaselineCounts(new: newCount, unchanged: unchangedCount, gone: $0.count - presentInBaseline,
                                      absent: baselineEntries.filter { !shown.contains($0.fingerprint.lowercased()) }) }
    }

    private func covering(_ f: Finding) -> Waiver? {
        let rule = f.ruleID.uppercased()
        return waivers.first { w in
            w.rule == rule && w.isValid(at: now) && !(f.severity == .critical && w.scope == .broad) && w.matches(f)
        }
    }
}
