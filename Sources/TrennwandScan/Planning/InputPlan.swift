import Foundation
import TrennwandReaders
import TrennwandRecords

/// The inputs of a scan sorted out before any rule runs: each input's profile (given or
/// detected), the reference tables read whole (rules are compiled against them), the evaluated
/// inputs in order. Inputs without a usable profile are accounted with their file error; any
/// other error stops the scan.
struct InputPlan {
    /// Accounts of inputs that failed here and of the reference tables read, in input order.
    var accounts: [InputAccount] = []
    /// Inputs to evaluate, with their profiles, in input order.
    var evaluated: [(ScanInput, SourceProfile)] = []
    /// Reference rows by kind, and the rows of each reference input (evaluated too, in order).
    var tables: [RecordKind: [Record]] = [:]
    var referenceBatches: [[Record]] = []
    var referenceInputs: [String] = []
    /// Record kind of each readable input (by its profile).
    var kinds: [String: RecordKind] = [:]

    static func make(_ inputs: [ScanInput], catalog: ProfileCatalog, progress: ((String) -> Void)?) throws -> InputPlan {
        var plan = InputPlan()
        for input in inputs {
            let profile: SourceProfile
            do {
                profile = try UnitReader.profile(for: input, catalog: catalog)
            } catch let e as InputError {
                var a = InputAccount(file: input.path)
                a.fileError = e.rejection
                plan.accounts.append(a)
                continue
            } catch let e as ConfigError {
                var a = InputAccount(file: input.path)
                a.fileError = Rejection(locator: Locator(file: input.path, line: 0, byteOffset: 0, index: 0),
                                        reason: RejectReason(code: e.code, de: e.text(.de), en: e.text(.en)))
                plan.accounts.append(a)
                continue
            }
            plan.kinds[input.path] = profile.kind
            if profile.kind.isEvaluated {
                plan.evaluated.append((input, profile))
            } else {
                progress?(input.path)
                var rows: [Record] = []
                let account = UnitReader.readWhole(path: input.path, profile: profile, catalog: catalog) { rows.append($0) }
                plan.tables[profile.kind, default: []] += rows
                plan.referenceBatches.append(rows)
                plan.referenceInputs.append(input.path)
                plan.accounts.append(account)
            }
        }
        return plan
    }
}
