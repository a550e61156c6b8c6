import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// One input of a scan: a file and, optionally, the profile to read it with.
struct ScanInput {
    var path: String
    var profile: String?
}

/// The result of a scan: findings (collapsed by fingerprint, deterministic order) and accounting.
struct ScanResult {
    var findings: [Finding]
    var inputs: [InputAccount]
    var referenceRows: [RecordKind: Int]
    var descriptors: [RuleDescriptor]
    var rulePackHash: String
    /// Evaluated inputs not read because an earlier run scanned the same content (incremental).
    var skipped: [String]
    /// Record kind of each readable input (by its profile).
    var kinds: [String: RecordKind]
    var started: Int64
    var finished: Int64
    var elapsed: Double
}

/// Runs a scan: reference tables first (they are needed to compile lookups), then every
/// evaluated input streamed through the rule evaluator.
struct ScanPipeline {
    let catalog: ProfileCatalog
    let ruleSet: RuleSet
    let policy: PolicyData
    let pseudonymizer: Pseudonymizer
    let onlyRules: Set<String>?
    let now: Int64
    var reveal = false
    var progress: ((String) -> Void)?
    /// Called once the inputs are classified (evaluated inputs, reference inputs); returns the
    /// evaluated paths to skip (incremental scans: unchanged content, same rule pack and reference).
    var planSkips: (([String], [String]) throws -> Set<String>)?

    func run(_ inputs: [ScanInput]) throws -> ScanResult {
        let clock = Date()
        let started = Int64(clock.timeIntervalSince1970)
        var accounts: [InputAccount] = []
        var evaluatedInputs: [(ScanInput, SourceProfile)] = []
        var tables: [RecordKind: [Record]] = [:]
        // Reference rows per input, in input order: rules may apply to them too (TW903–TW905).
        var referenceBatches: [[Record]] = []
        var referenceInputs: [String] = []
        var kinds: [String: RecordKind] = [:]
        // Pass 1: choose profiles; read reference tables.
        for input in inputs {
            let profile: SourceProfile
            do {
                if let id = input.profile { profile = try catalog.require(id: id) } else { profile = try catalog.detect(file: input.path) }
            } catch let e as InputError {
                var a = InputAccount(file: input.path)
                a.fileError = e.rejection
                accounts.append(a)
                continue
            } catch let e as ConfigError {
                var a = InputAccount(file: input.path)
                a.fileError = Rejection(locator: Locator(file: input.path, line: 0, byteOffset: 0, index: 0),
                                        reason: RejectReason(code: e.code, de: e.text(.de), en: e.text(.en)))
                accounts.append(a)
                continue
            }
            kinds[input.path] = profile.kind
            if profile.kind.isEvaluated {
                evaluatedInputs.append((input, profile))
            } else {
                progress?(input.path)
                var rows: [Record] = []
                let result = Ingest.run(file: input.path, profile: profile, catalog: catalog) { rows.append($0) }
                tables[profile.kind, default: []] += rows
                referenceBatches.append(rows)
                referenceInputs.append(input.path)
                accounts.append(result.account)
            }
        }
        let skipped = try planSkips?(evaluatedInputs.map(\.0.path), referenceInputs) ?? []
        let reference = ReferenceTables(tables)
        let (pack, errors) = CompiledRulePack.compile(ruleSet, policy: policy, reference: reference, only: onlyRules, now: now)
        if let first = errors.first { throw first }
        let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: pseudonymizer, reveal: reveal)
        var collected = FindingCollector()
        var order = 0
        // Pass 2: rules on reference tables, then the evaluated inputs, each in the given order.
        for rows in referenceBatches {
            let fileOrder = order
            order += 1
            for record in rows { evaluator.evaluate(record) { collected.add($0, fileOrder: fileOrder) } }
        }
        var skippedAccounts: [String] = []
        for (input, profile) in evaluatedInputs {
            if skipped.contains(input.path) {
                skippedAccounts.append(input.path)
                continue
            }
            progress?(input.path)
            let fileOrder = order
            order += 1
            let result = Ingest.run(file: input.path, profile: profile, catalog: catalog) { record in
                evaluator.evaluate(record) { collected.add($0, fileOrder: fileOrder) }
            }
            accounts.append(result.account)
        }
        evaluator.finish { collected.add($0, fileOrder: order) }
        return ScanResult(
            findings: collected.sorted(), inputs: accounts, referenceRows: tables.mapValues(\.count),
            descriptors: pack.descriptors, rulePackHash: ruleSet.hash, skipped: skippedAccounts, kinds: kinds, started: started,
            finished: Int64(Date().timeIntervalSince1970), elapsed: Date().timeIntervalSince(clock))
    }
}

/// Collapses findings with the same fingerprint (counting occurrences) and orders them
/// deterministically: by input order, position in the file, then rule id.
struct FindingCollector {
    private var byFingerprint: [String: Int] = [:]
    private var items: [(finding: Finding, fileOrder: Int, seq: Int)] = []

    mutating func add(_ f: Finding, fileOrder: Int) {
        if let i = byFingerprint[f.fingerprint] {
            items[i].finding.occurrences += 1
            return
        }
        byFingerprint[f.fingerprint] = items.count
        items.append((f, fileOrder, items.count))
    }

    func sorted() -> [Finding] {
        items.sorted {
            if $0.fileOrder != $1.fileOrder { return $0.fileOrder < $1.fileOrder }
            if $0.finding.locator.index != $1.finding.locator.index { return $0.finding.locator.index < $1.finding.locator.index }
            if $0.finding.ruleID != $1.finding.ruleID { return $0.finding.ruleID < $1.finding.ruleID }
            return $0.seq < $1.seq
        }.map(\.finding)
    }
}

/// Expands the scan paths: files as given, directories recursively to their `.csv` and `.xml`
/// files (sorted, hidden files skipped).
func expandPaths(_ paths: [String]) -> [String] {
    var out: [String] = []
    let fm = FileManager.default
    for p in paths {
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue {
            let files = (fm.enumerator(atPath: p)?.allObjects as? [String] ?? [])
                .filter { f in
                    let name = (f as NSString).lastPathComponent
                    let ext = (f as NSString).pathExtension.lowercased()
                    return !name.hasPrefix(".") && (ext == "csv" || ext == "xml")
                }.sorted()
            out += files.map { (p as NSString).appendingPathComponent($0) }
        } else {
            out.append(p)
        }
    }
    return out
}
