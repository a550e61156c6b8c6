import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandFindings
import TrennwandOutputs
import TrennwandReaders
import TrennwandRecords
import TrennwandState

/// One scan from request to verdict: waivers and baseline read (a broken file stops the scan
/// early), the state opened, the inputs evaluated (`ScanScheduler`), waivers applied, the
/// baseline compared, the lifecycle committed, the reports written (`ReportDelivery`) and the
/// verdict decided. Messages go to `diagnose` as they arise, in the order the CLI always printed
/// them.
package enum Scan {
    package static func run(_ request: ScanRequest, diagnose: @escaping (ScanDiagnostic) -> Void) -> ScanVerdict {
        run(request, evaluate: nil, diagnose: diagnose)
    }

    /// Everything of a scan after evaluation — waivers, baseline, state, reports, verdict — for
    /// findings an SQL engine decided (`trennwand collect`): `evaluate` supplies the result instead
    /// of the inputs being read (`Scan.collected` builds it). One path, so a collected run is
    /// delivered exactly as a scan.
    /// `evaluate` is given the state store's planning step when `--state` is on: call it once with the
    /// evaluated and the reference input paths (it opens the run and hashes the files).
    package static func deliver(_ request: ScanRequest, evaluate: @escaping (_ planSkips: PlanSkips?) throws -> ScanResult,
                                diagnose: @escaping (ScanDiagnostic) -> Void) -> ScanVerdict {
        run(request, evaluate: evaluate, diagnose: diagnose)
    }

    /// A scan result from findings made elsewhere, collapsed and ordered by the scan's collector
    /// (`fileOrder`: the position of the finding's input in the scan).
    package static func collected(_ findings: [(finding: Finding, fileOrder: Int)], inputs: [InputAccount], descriptors: [RuleDescriptor],
                                  rulePackHash: String, kinds: [String: RecordKind], started: Int64) -> ScanResult {
        var collector = FindingCollector()
        for (f, order) in findings { collector.add(f, fileOrder: order) }
        let finished = Int64(Date().timeIntervalSince1970)
        return ScanResult(findings: collector.sorted(), inputs: inputs, referenceRows: [:], descriptors: descriptors,
                          rulePackHash: rulePackHash, skipped: [], kinds: kinds, started: started, finished: finished,
                          elapsed: Double(finished - started))
    }

    /// The state store's planning step: evaluated and reference input paths → the paths to skip.
    package typealias PlanSkips = ([String], [String]) throws -> Set<String>

    private static func run(_ request: ScanRequest, evaluate: ((PlanSkips?) throws -> ScanResult)?,
                            diagnose: @escaping (ScanDiagnostic) -> Void) -> ScanVerdict {
        let r = request
        var scheduler = ScanScheduler(catalog: r.catalog, ruleSet: r.ruleSet, policy: r.policy, pseudonymizer: Pseudonymizer(key: r.key),
                                      onlyRules: r.onlyRules, now: r.now, threads: r.threads, chunkBytes: r.chunkBytes)
        scheduler.reveal = r.reveal
        scheduler.keepInMemory = r.keepInMemory
        if let limit = r.reorderLimit { scheduler.reorderLimit = max(0, limit) }
        if let progress = r.progress {
            let total = r.inputs.count
            var n = 0
            scheduler.progress = { path in
                n += 1
                progress(.file(index: n, total: total, path: path))
            }
        }
        // Waivers and baseline are read before the scan: a broken file stops it early.
        var waiverSet: WaiverSet?
        if let path = r.waivers {
            do {
                let set = try WaiverSet.load(path: path, limits: r.waiverLimits, clock: Int64(Date().timeIntervalSince1970))
                try set.checkRules(known: Set(r.ruleSet.rules.map(\.id)))
                waiverSet = set
            } catch {
                diagnose(.unexpected(error, label: .configurationError))
                return ScanVerdict(reason: .configuration)
            }
        }
        var baseline: Baseline?
        if let path = r.baseline {
            do { baseline = try Baseline.load(path: path) } catch let e as InputError where e.rejection.reason.code == Baseline.missingCode && r.baselineOptional {
                diagnose(.baselineMissingOptional(path: path))
                baseline = Baseline.empty(path: path)
            } catch {
                diagnose((error as? InputError).map { .file($0, label: .inputError) } ?? .unexpected(error, label: .inputError))
                return ScanVerdict(reason: .input)
            }
            for w in baseline?.provenanceWarnings(rulePackHash: r.ruleSet.hash, keyID: r.key.keyID) ?? [] {
                diagnose(.file(w, label: .warning))
            }
        }
        var session: StateSession?
        if let state = r.state {
            do {
                session = try StateSession(path: state.path, started: Int64(Date().timeIntervalSince1970), toolVersion: r.toolVersion,
                                           rulePackHash: r.ruleSet.hash, inputs: r.inputs.map(\.path), full: state.full,
                                           retentionMonths: state.retentionMonths, diagnose: diagnose)
            } catch {
                let e = StateError.from(error, path: state.path)
                diagnose(.state(e))
                return ScanVerdict(reason: ScanVerdict.stateReason(e))
            }
        }
        let planSkips: PlanSkips? = session.map { session in { try session.plan(evaluated: $0, reference: $1) } }
        scheduler.planSkips = planSkips
        var result: ScanResult
        let identities = FileIdentity.snapshot(r.inputs.map(\.path))
        do { result = try evaluate?(planSkips) ?? scheduler.run(r.inputs) } catch {
            let reason: ScanVerdict.Reason
            switch error {
            case let e as ConfigError:
                diagnose(.config(e, label: .ruleError))
                reason = .configuration
            case let e as StateError:
                diagnose(.state(e))
                reason = ScanVerdict.stateReason(e)
            case let e as InputError:
                diagnose(.file(e, label: .scanStopped))
                reason = .input
            default:
                diagnose(.unexpected(error, label: .scanStopped))
                reason = .input
            }
            session?.abandon(exitCode: r.historyCode(.input))
            return ScanVerdict(reason: reason)
        }
        result.inputs = FileIdentity.markChanged(result.inputs, before: identities, skipped: Set(result.skipped))
        for a in result.inputs where a.fileError?.reason.code == FileIdentity.changedCode {
            diagnose(.file(InputError(a.fileError!), label: .inputError))
        }
        for late in result.lateRecords {
            diagnose(result.reorderLimit.map { .reorderLimit(late, limit: $0) } ?? .lateRecords(late))
        }
        r.progress?(.finished)
        var run = RunInfo(toolVersion: r.toolVersion, started: result.started, finished: result.finished,
                          rulePackHash: result.rulePackHash, rules: result.descriptors, inputs: result.inputs,
                          language: r.language, failOn: r.failOn)
        run.keyID = r.key.keyID
        run.revealed = r.reveal
        let waivers = WaiverStep.apply(waiverSet, to: result.findings, request: r, diagnose: diagnose)
        let comparison = baseline?.compare(findings: result.findings)
        // State: lifecycle per finding, one transaction per file.
        if let session, !waivers.fileRefused {
            do {
                _ = try session.commit(result: result, waived: Set(result.findings.indices.compactMap {
                    waivers.waived[$0] == nil ? nil : result.findings[$0].fingerprint
                }), storePayload: !r.reveal)
            } catch {
                let e = StateError.from(error, path: session.store.path)
                diagnose(.state(e))
                session.abandon(exitCode: r.historyCode(.input))
                return ScanVerdict(reason: ScanVerdict.stateReason(e), result: result)
            }
            session.report().forEach(diagnose)
        }
        let delivery = ReportDelivery(targets: r.targets, sourceRoot: r.sourceRoot, colorStandardOutput: r.colorStandardOutput,
                                      threads: r.threads)
        let failure: ScanDiagnostic?
        var stateGate: Bool?
        if let session, session.committed, let info = session.runInfo {
            // The state is the source of truth: every output covers all findings open after this
            // run and those it resolved, skipped files included (issue #14).
            run.state = info
            let trend = session.trendSection()
            var scannedWaivers: [String: WaiverInfo] = [:]
            for (i, w) in waivers.waived.enumerated() { if let w { scannedWaivers[result.findings[i].fingerprint] = w } }
            let contexts = StoreReport(runID: info.runID, waivers: waiverSet, now: r.now, scannedWaivers: scannedWaivers,
                                       baseline: baseline, failOn: r.failOn)
            let rules = Dictionary(result.descriptors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            // --reveal: the store keeps no unmasked finding, so the run's own findings are shown as
            // scanned (actor, subject and evidence revealed alike); those only the store knows stay masked.
            let findings = result.findings
            let revealed: [String: Int] = r.reveal ? Dictionary(
                findings.indices.map { (findings.finding(at: $0, occurrencesUpTo: 1).fingerprint, $0) },
                uniquingKeysWith: { first, _ in first }) : [:]
            do {
                failure = try session.store.reportFindings(ReportSelection(runID: info.runID), rules: rules,
                                                           live: { fp in revealed[fp].map { findings[$0] } }) { set in
                    delivery.write(set.lazy.map { ($0.finding, contexts.context($0.finding, $0.lifecycle)) }, run: run,
                                   baseline: contexts.baselineCounts, trend: trend)
                }
            } catch {
                let e = StateError.from(error, path: session.store.path)
                diagnose(.state(e))
                session.abandon(exitCode: r.historyCode(.input))
                return ScanVerdict(reason: ScanVerdict.stateReason(e), result: result)
            }
            stateGate = contexts.gating
        } else {
            let contexts = waivers.waived.indices.map { i in
                FindingContext(waived: waivers.waived[i],
                               baseline: comparison?.state(of: result.findings[i]))
            }
            failure = delivery.write(ReportDelivery.entries(result.findings, contexts: contexts,
                                                             occurrencesUpTo: delivery.occurrencesListed), run: run,
                                     baseline: comparison.map(BaselineCounts.init), trend: session?.trendSection())
        }
        if let failure {
            diagnose(failure)
            session?.finish(exitCode: r.historyCode(.output), skipped: result.skipped.count)
            return ScanVerdict(reason: .output, result: result)
        }
        let reason = ScanVerdict.decide(waiverFileRefused: waivers.fileRefused, inputs: result.inputs,
                                        lateRecords: !result.lateRecords.isEmpty, strict: r.strict, failOn: r.failOn,
                                        findings: result.findings, waived: waivers.waived, baseline: comparison,
                                        stateGate: stateGate)
        session?.finish(exitCode: r.historyCode(reason), skipped: result.skipped.count)
        return ScanVerdict(reason: reason, result: result)
    }
}

extension ScanDiagnostic {
    /// `--baseline-optional` and the baseline file does not exist (a first run): every finding is new.
    package static func baselineMissingOptional(path: String) -> ScanDiagnostic {
        ScanDiagnostic(code: "baseline.missing-optional", message: Localized(
            de: "Hinweis: \(path): Baseline-Datei gibt es noch nicht (--baseline-optional) – jeder Befund gilt als neu; mit --write-baseline DATEI die nächste schreiben [baseline.missing-optional]",
            en: "note: \(path): baseline file does not exist yet (--baseline-optional) – every finding counts as new; write the next one with --write-baseline FILE [baseline.missing-optional]"))
    }

    /// An aggregate rule left records uncounted: the findings of that rule may be incomplete.
    package static func lateRecords(_ late: AggregateLateRecords) -> ScanDiagnostic {
        let first = late.samples.first.map { " (\($0.description))" } ?? ""
        return ScanDiagnostic(code: "aggregate.late-records", label: .warning, message: Localized(
            de: "\(late.ruleID): \(late.count) Datensätze lagen zeitlich vor einem schon ausgewerteten Zeitfenster und wurden für diese Regel nicht gezählt\(first); Exporte desselben Zeitraums zu einer nach Zeit sortierten Datei zusammenführen oder die Dateien in zeitlicher Reihenfolge angeben [aggregate.late-records]",
            en: "\(late.ruleID): \(late.count) records were older than a time window already evaluated and were not counted for this rule\(first); merge exports of the same period into one file sorted by time, or give the files in time order [aggregate.late-records]"))
    }

    /// The exact re-evaluation of an aggregate rule with late records was skipped (too many
    /// records to hold): pass 1's findings of that rule stand, possibly incomplete.
    package static func reorderLimit(_ late: AggregateLateRecords, limit: Int) -> ScanDiagnostic {
        let first = late.samples.first.map { " (\($0.description))" } ?? ""
        return ScanDiagnostic(code: "aggregate.reorder-limit", label: .warning, message: Localized(
            de: "\(late.ruleID): \(late.count) Datensätze lagen zeitlich vor einem schon ausgewerteten Zeitfenster und wurden für diese Regel nicht gezählt\(first); die exakte Auswertung in zeitlicher Reihenfolge entfiel, weil sie mehr als \(limit) Datensätze hätte halten müssen; Exporte desselben Zeitraums zu einer nach Zeit sortierten Datei zusammenführen oder die Dateien in zeitlicher Reihenfolge angeben [aggregate.reorder-limit]",
            en: "\(late.ruleID): \(late.count) records were older than a time window already evaluated and were not counted for this rule\(first); the exact evaluation in time order was skipped because it would have had to hold more than \(limit) records; merge exports of the same period into one file sorted by time, or give the files in time order [aggregate.reorder-limit]"))
    }

    package static func state(_ e: StateError) -> ScanDiagnostic {
        ScanDiagnostic(code: e.code, message: .each { e.text($0) })
    }
}
