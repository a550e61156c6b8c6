import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords

/// Waivers applied to a scan's findings: audited exceptions stay visible; expired ones
/// re-activate their finding. A waiver that reaches too far makes the whole waiver file not
/// apply (every finding open) and the run a configuration error after the reports are written;
/// the state is not advanced, so its findings stay new.
enum WaiverStep {
    struct Outcome {
        /// Per finding (report order): the waiver that covers it, if any.
        var waived: [WaiverInfo?]
        /// The waiver file was refused as a whole.
        var fileRefused: Bool
    }

    static func apply(_ set: WaiverSet?, to findings: FindingList, request r: ScanRequest,
                      diagnose: (ScanDiagnostic) -> Void) -> Outcome {
        if let set {
            // Which file the run used: it may have been found beside audit.yaml without --waivers.
            let n = set.waivers.count
            diagnose(ScanDiagnostic(
                code: "waivers.loaded",
                message: Localized(de: "Ausnahmedatei: \(set.path) (\(n) \(n == 1 ? "Eintrag" : "Einträge")) [waivers.loaded]",
                                   en: "waiver file: \(set.path) (\(n) \(n == 1 ? "entry" : "entries")) [waivers.loaded]")))
        }
        let outcome = set?.apply(to: findings, now: r.now, evaluatedRules: r.onlyRules, limits: r.waiverLimits)
        for w in outcome?.warnings ?? [] {
            diagnose(ScanDiagnostic(code: w.code, label: .warning, message: .each { w.text($0) }))
        }
        let refused = !(outcome?.fileApplies ?? true)
        for e in outcome?.refused ?? [] { diagnose(.config(e, label: .configurationError)) }
        if refused, let set {
            diagnose(ScanDiagnostic(
                code: "waiver.file-not-applied", label: .configurationError,
                message: Localized(
                    de: "\(set.path): Ausnahmedatei wird nicht angewandt (abgelehnte Einträge oben), alle Feststellungen sind offen; Einträge korrigieren und erneut scannen [waiver.file-not-applied]",
                    en: "\(set.path): waiver file not applied (refused entries above), every finding is open; fix the entries and scan again [waiver.file-not-applied]"),
                voice: .interface))
        }
        return Outcome(waived: findings.indices.map { i in outcome?.applied[i].map(WaiverInfo.init) }, fileRefused: refused)
    }
}

extension WaiverWarning {
    /// Stable code of the warning, for frontends and tests.
    var code: String {
        switch kind {
        case .expired: return "waiver.expired"
        case .unmatched: return "waiver.unmatched"
        case .criticalNotWaived: return "waiver.critical-not-waived"
        }
    }
}
