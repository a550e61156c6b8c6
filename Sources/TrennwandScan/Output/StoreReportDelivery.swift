import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState

/// What `trennwand report` renders: the report set of a state store's last finished run, without
/// scanning (issue #14), into the same outputs a scan writes.
package struct StoreReportRequest: Sendable {
    package var statePath: String
    package var targets: [OutputTarget]
    /// Rule texts of the current rule pack (findings stored without a payload take theirs).
    package var rules: [RuleDescriptor]
    /// A waiver file applied to every reported finding (silently; `scan` and `waive lint` warn).
    package var waivers: String?
    package var waiverLimits = WaiverLimits()
    /// Only findings seen (or resolved) at or after this time (UTC epoch seconds).
    package var since: Int64?
    package var failOn: Severity?
    package var language: Language = .de
    package var toolVersion: String
    /// Reference time for waiver expiry (the wall clock).
    package var now: Int64
    package var sourceRoot = FileManager.default.currentDirectoryPath
    package var colorStandardOutput = false

    package init(statePath: String, targets: [OutputTarget], rules: [RuleDescriptor], toolVersion: String, now: Int64) {
        self.statePath = statePath
        self.targets = targets
        self.rules = rules
        self.toolVersion = toolVersion
        self.now = now
    }
}

extension StoreReport {
    /// Renders the report set of the store's last finished run into `request.targets`.
    ///
    /// The store is opened without creating it (a missing or empty file is `state.not-found`),
    /// migrated if it is older, and read in one read transaction: the run lock is not taken, a
    /// scan running meanwhile is neither blocked nor waited for (the report shows the last
    /// finished run and warns, `report.run-in-progress`). Verdict: `.findings` when an open, not
    /// waived violation at or above `failOn` is reported.
    package static func render(_ r: StoreReportRequest, diagnose: (ScanDiagnostic) -> Void) -> ScanVerdict.Reason {
        var waiverSet: WaiverSet?
        if let path = r.waivers {
            do {
                let set = try WaiverSet.load(path: path, limits: r.waiverLimits, clock: Int64(Date().timeIntervalSince1970))
                try set.checkRules(known: Set(r.rules.map(\.id)))
                waiverSet = set
            } catch {
                diagnose(.unexpected(error, label: .configurationError))
                return .configuration
            }
        }
        let store: StateStore
        let last: RunRecord
        let skipped: [SkippedFile]
        do {
            store = try StateStore(path: r.statePath, mustExist: true)
            let (finished, running) = try store.lastFinishedRun()
            guard let finished else {
                diagnose(ScanDiagnostic(code: "report.no-run", label: .configurationError, message: Localized(
                    de: "\(r.statePath): der Zustandsspeicher enthält noch keinen beendeten Prüflauf; zuerst „trennwand scan --state“ ausführen [report.no-run]",
                    en: "\(r.statePath): the state store holds no finished run yet; run 'trennwand scan --state' first [report.no-run]"),
                    voice: .interface))
                return .stateConfiguration
            }
            if let running {
                diagnose(ScanDiagnostic(code: "report.run-in-progress", label: .warning, message: Localized(
                    de: "Prüflauf \(running) läuft gerade; der Bericht zeigt den Stand nach Lauf \(finished.id) und die Dateien, die Lauf \(running) bis jetzt gespeichert hat [report.run-in-progress]",
                    en: "run \(running) is in progress; the report shows the state after run \(finished.id) and the files run \(running) has stored so far [report.run-in-progress]"),
                    voice: .interface))
            }
            last = finished
            skipped = try store.filesNotScanned(in: Int64.max)
        } catch {
            let e = StateError.from(error, path: r.statePath)
            diagnose(.state(e))
            if case .notFound = e { return .stateConfiguration }
            return ScanVerdict.stateReason(e)
        }
        // The HTML trend section as a scan draws it (`StateSession.trendSection`; no run is begun).
        let trend = (try? StateSession(path: r.statePath, started: last.started, toolVersion: r.toolVersion,
                                       rulePackHash: last.rulePackHash, inputs: [], full: false,
                                       retentionMonths: StateStore.defaultRetentionMonths, diagnose: { _ in }))?.trendSection()
        var run = RunInfo(toolVersion: r.toolVersion, started: last.started, finished: last.finished ?? last.started,
                          rulePackHash: last.rulePackHash, rules: r.rules, inputs: [], language: r.language, failOn: r.failOn)
        run.state = StateRunInfo(runID: last.id, skipped: skipped, since: r.since, fromStore: true)
        let contexts = StoreReport(runID: last.id, waivers: waiverSet, now: r.now, baseline: nil, failOn: r.failOn,
                                   trustStoredWaivers: waiverSet == nil)
        let delivery = ReportDelivery(targets: r.targets, sourceRoot: r.sourceRoot, colorStandardOutput: r.colorStandardOutput)
        let rules = Dictionary(r.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let failure: ScanDiagnostic?
        do {
            failure = try store.reportFindings(ReportSelection(runID: last.id, since: r.since), rules: rules) { set in
                delivery.write(set.lazy.map { ($0.finding, contexts.context($0.finding, $0.lifecycle)) }, run: run,
                               baseline: nil, trend: trend)
            }
        } catch {
            let e = StateError.from(error, path: r.statePath)
            diagnose(.state(e))
            return ScanVerdict.stateReason(e)
        }
        if let failure {
            diagnose(failure)
            return .output
        }
        return contexts.gating ? .findings : .ok
    }
}
