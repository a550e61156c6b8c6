import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords
@testable import TrennwandScan
import XCTest

/// The repository's Samples/ and Rules/, found from this file's path.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("Samples")
    static let rules = root.appendingPathComponent("Rules").path
}

/// A copy of the built-in rules in a temporary folder (removed with `remove()`) whose TW101
/// condition a test prefixes with its own text (`setTW101(prefix:)`).
struct RulesCopy {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-rules-\(UUID().uuidString)")
    var tw101: URL { dir.appendingPathComponent("zugriff/TW101-taetigkeit-ohne-vereinbarung.yaml") }
    private let original: String

    init() throws {
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Repo.rules), to: dir)
        original = try String(contentsOf: dir.appendingPathComponent("zugriff/TW101-taetigkeit-ohne-vereinbarung.yaml"), encoding: .utf8)
    }

    /// TW101's condition with `prefix` (e.g. `"(e) or"`) on a line before the original condition.
    func setTW101(prefix: String) throws {
        let start = try XCTUnwrap(original.range(of: "condition: |\n"))
        try original.replacingCharacters(in: start, with: "condition: |\n  \(prefix)\n").write(to: tw101, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// Samples/ loaded once: its audit.yaml, the built-in profiles, rules and policy, a fixed key.
struct SamplesFixture {
    let config: AuditConfig
    let catalog: ProfileCatalog
    let ruleSet: RuleSet
    let policy: PolicyData
    let key = PseudonymKey(bytes: Array(repeating: 0x5A, count: 32), origin: "test")

    init() throws {
        config = try AuditConfig.load(path: Repo.samples.appendingPathComponent("audit.yaml").path)
        catalog = try ProfileCatalog(directories: [Repo.rules + "/profiles"])
        ruleSet = RuleSet.load(rulesDirectory: Repo.rules)
        policy = try PolicyData.load(rulesDirectory: Repo.rules)
    }

    /// The scheduler over Samples' inputs (or `inputs`) with the given workers, chunk size, spill
    /// limit, reorder limit and engine (the batch executor unless a test compares with the record engine).
    func scan(threads: Int, chunkBytes: Int? = nil, keepInMemory: Int? = nil, othersInMemory: Int? = nil, inputs: [ScanInput]? = nil,
              reorderLimit: Int? = nil, engine: ScanEngine = .batches) throws -> ScanResult {
        var s = ScanScheduler(catalog: catalog, ruleSet: ruleSet, policy: policy, pseudonymizer: Pseudonymizer(key: key),
                              onlyRules: nil, now: config.now!, threads: threads, chunkBytes: chunkBytes)
        s.engine = engine
        s.keepInMemory = keepInMemory
        s.othersInMemory = othersInMemory
        if let reorderLimit { s.reorderLimit = reorderLimit }
        return try s.run(inputs ?? config.inputs)
    }

    func request(threads: Int = 1) -> ScanRequest {
        var r = ScanRequest(inputs: config.inputs, catalog: catalog, ruleSet: ruleSet, policy: policy, key: key, now: config.now!,
                            threads: threads, toolVersion: "0.0.0-test", historyCode: { $0 == .ok ? 0 : 9 })
        r.language = .en
        return r
    }
}

/// Stable text of findings and accounts for equality checks (`Finding` is not `Equatable`).
enum Canonical {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func lines<C: Collection>(_ items: C) -> [String] where C.Element: Encodable {
        items.map { String(decoding: try! encoder.encode($0), as: UTF8.self) }
    }
}

/// A synthetic finding: rule, file, record index and a fingerprint of 32 hex digits.
func finding(_ rule: String, file: String = "a.csv", index: Int, line: Int? = nil, fingerprint: String? = nil,
             severity: Severity = .high, findingClass: FindingClass = .violation) -> Finding {
    let seed = (rule + file).utf8.reduce(0) { ($0 &* 31 &+ Int($1)) % 1_000_003 }
    let fp = fingerprint ?? String(format: "%032x", seed * 100_000 + index)
    return Finding(ruleID: rule, title: Localized(de: "Titel \(rule)", en: "title \(rule)"), severity: severity,
                   findingClass: findingClass, norms: [Norm(citation: "§ 35 SGB I", title: "Sozialgeheimnis", asOf: "2025-01-01")],
                   locator: Locator(file: file, line: line ?? index + 2, byteOffset: Int64(index * 40), index: index),
                   time: 1_735_000_000 + Int64(index), evidence: [Evidence(field: "actor", detector: "name", value: "M*** M*******", piece: 0, range: 0..<5)],
                   persons: ["actor": "P-\(index)"], remediation: Localized(de: "prüfen", en: "check"), fingerprint: fp,
                   detail: index % 2 == 0 ? Localized(de: "Wert \(index)", en: "value \(index)") : nil)
}
