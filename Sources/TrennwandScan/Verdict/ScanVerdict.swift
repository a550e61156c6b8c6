import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState

/// How a scan ended: the reason the frontend turns into its exit code (the CLI: docs/operations.md).
package struct ScanVerdict: Sendable {
    /// Why the scan ended as it did. Errors come before findings: an error never ends as `.ok`.
    package enum Reason: Sendable, Hashable, CaseIterable {
        /// Nothing at or above the threshold (or no threshold).
        case ok
        /// Open violations at or above `failOn` that are new (baseline, state).
        case findings
        /// A rule, the configuration or a waiver file is wrong; also a waiver file refused as a whole.
        case configuration
        /// The state store is held by another run or has an unknown schema.
        case stateConfiguration
        /// An input could not be read (or, strict, records were rejected); also a broken baseline
        /// or a scan stopped by an input error.
        case input
        /// The state store could not be read or written (disk full, permissions).
        case stateIO
        /// A report could not be written (no partial report is left).
        case output
    }

    package var reason: Reason
    /// The scan's result, when the scan got that far.
    package var result: ScanResult?

    package init(reason: Reason, result: ScanResult? = nil) {
        self.reason = reason
        self.result = result
    }

    /// The reason of a scan whose reports were written: errors first, then open (not waived)
    /// violations at or above the threshold — with a baseline only those new against it. With a
    /// state database the reports cover every finding open after the run, and so does the exit
    /// code: `stateGate` (not nil) is `StoreReport.gating` over that set, and replaces the look
    /// at this run's `findings` (a still open critical finding in a skipped file fails the run).
    package static func decide(waiverFileRefused: Bool, inputs: [InputAccount], lateRecords: Bool = false, strict: Bool, failOn: Severity?,
                               findings: FindingList, waived: [WaiverInfo?], baseline: BaselineComparison?,
                               stateGate: Bool? = nil) -> Reason {
        if waiverFileRefused { return .configuration }
        if inputs.contains(where: { $0.fileError != nil }) { return .input }
        // --strict: a record rejected, or left uncounted by an aggregate rule (its exact
        // re-evaluation in time order skipped: reorder limit), is an incomplete scan.
        if strict && (lateRecords || inputs.contains(where: { $0.rejected > 0 })) { return .input }
        guard let failOn else { return .ok }
        if let stateGate { return stateGate ? .findings : .ok }
        let gating = findings.indices.contains { i in
            let f = findings[i]
            guard f.findingClass == .violation, f.severity >= failOn, waived[i] == nil else { return false }
            if let baseline, !baseline.isNew(f) { return false }
            return true
        }
        return gating ? .findings : .ok
    }

    /// A held lock or a store of an unknown schema is a configuration matter; a store that cannot
    /// be read or written (disk full, permissions) is an I/O error. docs/operations.md.
    package static func stateReason(_ error: Error) -> Reason {
        switch error as? StateError {
        case .locked?, .schema?, .schemaMismatch?: return .stateConfiguration
        default: return .stateIO
        }
    }
}

extension WaiverInfo {
    /// The outputs' view of a waiver that covers a finding.
    package init(_ waiver: Waiver) {
        self.init(reason: waiver.reason, approver: waiver.approver, created: waiver.created, expires: waiver.expires,
                  decision: waiver.decision, owner: waiver.owner, reportedOn: waiver.reportedOn,
                  authorityReference: waiver.authorityReference)
    }
}

extension BaselineCounts {
    /// The counts of a baseline comparison, for `RunSummary.baseline`.
    package init(_ comparison: BaselineComparison) {
        self.init(new: comparison.new.count, unchanged: comparison.unchanged.count, gone: comparison.gone.count, absent: comparison.gone)
    }
}
