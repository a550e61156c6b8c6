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
/// deterministically: by input, record index, rule, then arrival.
///
/// Memory: findings are not kept during the scan. Each new finding's per-occurrence part
/// (locator, evidence, persons, fingerprint, detail) is appended JSON-encoded to an anonymous
/// temporary file (created and unlinked at once, so nothing stays behind even after a kill; it
/// holds only what the report holds: masked evidence, pseudonyms). The rule's shared texts (title,
/// norms, remediation) are kept once per rule. In memory per finding: the sort key, the
/// fingerprint and the file offset (~150 bytes instead of ~2.5 KB), so the scan's peak no longer
/// grows with the findings of a large input. `sorted()` reads them back. Without a usable
/// temporary directory the collector keeps findings in memory, as before.
struct FindingCollector {
    private struct Item {
        var fileOrder: Int
        var index: Int
        var ruleID: String
        var seq: Int
        var occurrences: Int
        var stored: Stored
    }
    private enum Stored {
        case memory(Finding)
        case spilled(offset: Int64, length: Int)
    }
    /// The per-occurrence part of a finding.
    private struct Spilled: Codable {
        var severity: Severity
        var findingClass: FindingClass
        var locator: Locator
        var time: Int64?
        var evidence: [Evidence]
        var persons: [String: String]
        var fingerprint: String
        var detail: Localized?
    }
    private struct Shared {
        var title: Localized
        var norms: [Norm]
        var remediation: Localized
    }

    private var byFingerprint: [String: Int] = [:]
    private var items: [Item] = []
    private var shared: [String: Shared] = [:]
    private let spill: SpillFile?

    init(spill: Bool = true) {
        self.spill = spill ? SpillFile() : nil
    }

    var count: Int { items.count }

    mutating func add(_ f: Finding, fileOrder: Int) {
        if let i = byFingerprint[f.fingerprint] {
            items[i].occurrences += 1
            return
        }
        byFingerprint[f.fingerprint] = items.count
        var stored = Stored.memory(f)
        if let spill, shared[f.ruleID].map({ $0.title == f.title && $0.norms == f.norms && $0.remediation == f.remediation }) ?? true {
            if shared[f.ruleID] == nil { shared[f.ruleID] = Shared(title: f.title, norms: f.norms, remediation: f.remediation) }
            let part = Spilled(severity: f.severity, findingClass: f.findingClass, locator: f.locator, time: f.time,
                               evidence: f.evidence, persons: f.persons, fingerprint: f.fingerprint, detail: f.detail)
            if let data = try? JSONEncoder().encode(part), let offset = spill.append(data) {
                stored = .spilled(offset: offset, length: data.count)
            }
        }
        items.append(Item(fileOrder: fileOrder, index: f.locator.index, ruleID: f.ruleID, seq: items.count,
                          occurrences: f.occurrences, stored: stored))
    }

    /// All findings in report order. Throws if the spill file cannot be read back (a vanished or
    /// failing disk): the scan then stops with exit code 3 rather than report fewer findings.
    func sorted() throws -> [Finding] {
        let decoder = JSONDecoder()
        return try items.sorted {
            if $0.fileOrder != $1.fileOrder { return $0.fileOrder < $1.fileOrder }
            if $0.index != $1.index { return $0.index < $1.index }
            if $0.ruleID != $1.ruleID { return $0.ruleID < $1.ruleID }
            return $0.seq < $1.seq
        }.map { item throws -> Finding in
            var f: Finding
            switch item.stored {
            case .memory(let m):
                f = m
            case .spilled(let offset, let length):
                // The file is private to this process and written above; a failed read must not
                // turn into a silently missing finding.
                guard let spill, let data = spill.read(offset: offset, length: length),
                      let part = try? decoder.decode(Spilled.self, from: data), let s = shared[item.ruleID] else {
                    throw InputError(file: "$TMPDIR/trennwand-findings", byteOffset: offset, code: "spill.read",
                                     de: "zwischengespeicherte Befunde nicht lesbar", en: "spilled findings unreadable")
                }
                f = Finding(ruleID: item.ruleID, title: s.title, severity: part.severity, findingClass: part.findingClass,
                            norms: s.norms, locator: part.locator, time: part.time, evidence: part.evidence,
                            persons: part.persons, remediation: s.remediation, fingerprint: part.fingerprint,
                            detail: part.detail)
            }
            f.occurrences = item.occurrences
            return f
        }
    }
}

/// An anonymous temporary file (unlinked right after creation) for findings during a scan.
final class SpillFile {
    private let fd: Int32
    private var size: Int64 = 0

    init?() {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((dir + "/trennwand-findings-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends `data`; returns its offset, or nil if the write failed (disk full: the caller keeps
    /// the finding in memory).
    func append(_ data: Data) -> Int64? {
        let offset = size
        let ok = data.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = pwrite(fd, buf.baseAddress! + done, buf.count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        guard ok else { return nil }
        size += Int64(data.count)
        return offset
    }

    func read(offset: Int64, length: Int) -> Data? {
        var data = Data(count: length)
        let ok = data.withUnsafeMutableBytes { buf -> Bool in
            var done = 0
            while done < length {
                let n = pread(fd, buf.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        return ok ? data : nil
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
