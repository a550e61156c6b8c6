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
