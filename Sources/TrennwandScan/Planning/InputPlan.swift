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
    /// The documentation index: documentation records cut down to `DocumentationIndex.fields`,
    /// for lookups such as `documentation(record_id == entry).visibility`; and the inputs read
    /// for it (their content decides findings of other inputs, like a reference table's).
    var documentationIndex: [Record] = []
    var indexedInputs: [String] = []

    static func make(_ inputs: [ScanInput], catalog: ProfileCatalog, progress: ((String) -> Void)?) throws -> InputPlan {
        var plan = InputPlan()
        for input in inputs {
            let resolved = try UnitReader.resolve(input, catalog: catalog)
            guard let profile = resolved.profile else {
                if let failure = resolved.failure { plan.accounts.append(failure) }
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
        plan.indexDocumentation(catalog: catalog)
        return plan
    }

    /// A first pass over the documentation inputs, before any rule runs, so that every access
    /// record sees the whole index whatever the thread count or chunk size (findings stay
    /// deterministic). Done only when an access input's profile maps `entry` (even optionally):
    /// a scan of logs that name persons pays neither the second read nor the memory. Errors are
    /// not accounted here: the evaluation pass reads the same file and accounts them.
    private mutating func indexDocumentation(catalog: ProfileCatalog) {
        guard evaluated.contains(where: { $0.1.kind == .access && $0.1.fields.contains { $0.name == "entry" } }) else { return }
        for (input, profile) in evaluated where profile.kind == .documentation {
            indexedInputs.append(input.path)
            _ = Ingest.run(file: input.path, profile: profile, catalog: catalog) { record in
                documentationIndex.append(DocumentationIndex.entry(of: record))
            }
        }
    }
}

/// What the documentation index keeps of a documentation record: the fields an access record
/// resolves through `entry` (docs/performance.md: memory per entry). Everything else, above all
/// the free text, is dropped at once, so the index grows with the number of entries, not their size.
enum DocumentationIndex {
    static let fields = ["record_id", "time", "subject", "author", "author_org", "doc_type", "visibility", "team"]
    static let slots: [Int] = fields.compactMap { RecordKind.documentation.schema.slot($0) }

    static func entry(of record: Record) -> Record {
        var out = Record(kind: .documentation, locator: record.locator)
        for slot in slots { out.values[slot] = record.values[slot] }
        return out
    }
}
