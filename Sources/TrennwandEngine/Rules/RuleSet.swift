import Dispatch
import Foundation
import Synchronization
import TrennwandFindings
import TrennwandRecords
import TrennwandYAML

/// The policy data every rule is compiled against: taxonomy, separation matrix, detectors and
/// named value lists. Loaded once per run from the rules directory.
public struct PolicyData: Sendable {
    public let taxonomy: Taxonomy
    public let matrix: SeparationMatrix
    public let detectors: DetectorSet
    public let namedLists: [String: [String]]
    public let timeZone: String
    /// The separation matrix as direction × category → decision, inheritance resolved
    /// (`MatrixBuiltin.decisions`), made once for every `matrix()` the rules call.
    package let matrixDecisions: [ByteString: [ByteString: ByteString]]

    init(taxonomy: Taxonomy, matrix: SeparationMatrix, detectors: DetectorSet, namedLists: [String: [String]], timeZone: String) {
        self.taxonomy = taxonomy
        self.matrix = matrix
        self.detectors = detectors
        self.namedLists = namedLists
        self.timeZone = timeZone
        matrixDecisions = MatrixBuiltin.decisions(taxonomy: taxonomy, matrix: matrix)
    }

    /// Loads `taxonomy.yaml`, `policy/matrix.yaml`, `detectors.yaml`, `lists/` and `named-lists/`;
    /// the detectors' compiled databases from and into `detectorCache` when given.
    public static func load(rulesDirectory: String, timeZone: String = "Europe/Berlin",
                            detectorCache: DetectorDatabaseCache? = nil) throws -> PolicyData {
        let (taxonomy, matrix) = try SeparationMatrix.loadPolicy(rulesDirectory: rulesDirectory)
        let detectors = try DetectorSet(rulesDirectory: rulesDirectory, cache: detectorCache)
        // Named value lists: every `Rules/named-lists/*.yaml` maps list names to values; a name
        // defined twice is an error at its second definition.
        var lists: [String: [String]] = [:]
        let listDir = rulesDirectory + "/named-lists"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: listDir)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        for f in files {
            let m = try YAMLNode.load(path: listDir + "/" + f).mapping()
            for e in m.entries {
                if lists[e.key] != nil {
                    throw e.keyNode.error("lists.duplicate", de: "Liste „\(e.key)“ ist schon definiert",
                                          en: "list '\(e.key)' is already defined")
                }
                lists[e.key] = try e.value.stringList()
            }
        }
        return PolicyData(taxonomy: taxonomy, matrix: matrix, detectors: detectors, namedLists: lists, timeZone: timeZone)
    }

    public func environment(kind: RecordKind, reference: ReferenceTables, now: Int64 = 0) -> CompileEnvironment {
        CompileEnvironment(kind: kind, detectors: detectors, taxonomy: taxonomy, matrix: matrix, reference: reference,
                           namedLists: namedLists, timeZone: timeZone, now: now, matrixDecisions: matrixDecisions)
    }
}

extension RuleSet {
    /// The rule files and the policy data of `rulesDirectory`, loaded side by side on two threads;
    /// the same result and the same errors as `RuleSet.load` then `PolicyData.load`.
    ///
    /// Why: the two are independent, and at the start of a scan nothing else runs yet. Loaded one
    /// after the other (the YAML through Yams, the detector patterns through Vectorscan's
    /// compiler) they were a fifth of a two-thread scan of 256 MB, with the second core idle
    /// (docs/executor.md).
    public static func loadWithPolicy(rulesDirectory: String, timeZone: String = "Europe/Berlin",
                                      detectorCache: DetectorDatabaseCache? = nil) throws -> (RuleSet, PolicyData) {
        // Two threads, not more: the other thread reads the norm catalogue and then rule files,
        // this one the policy and then helps with the rule files left. At the twelfth stop (Yams
        // composing every node) two threads parsing YAML contended for the one malloc arena and
        // this thread only read the policy; with `YAMLComposer` allocating less, its help is a
        // small gain: catalogue to rules loaded (20 alternating runs, fourteenth stop) min 18.1 →
        // 16.7 ms, median 20.7 → 20.2 ms. More threads than two would contend again.
        let queue = RuleFileQueue(paths: ruleFiles(in: rulesDirectory))
        let norms = Mutex<(NormCatalog?, [ConfigError])?>(nil)
        let group = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            let n = loadNorms(rulesDirectory: rulesDirectory)
            norms.withLock { $0 = n }
            queue.drain()
        }
        let policy = Result { try PolicyData.load(rulesDirectory: rulesDirectory, timeZone: timeZone, detectorCache: detectorCache) }
        queue.drain()
        group.wait()
        let (catalogue, errors) = norms.withLock { $0! }
        return (assemble(rulesDirectory: rulesDirectory, paths: queue.paths, parsed: queue.results, catalogue: catalogue, errors: errors),
                try policy.get())
    }
}

/// Rule files handed out one at a time to whichever thread asks (`drain`), parsed into `results`
/// by index: the same results whichever thread parsed which file (`RuleSet.load` drains it on
/// several threads, a scan's start on one).
final class RuleFileQueue: Sendable {
    let paths: [String]
    private let next = Atomic<Int>(0)
    private let parsed: Mutex<[Result<RuleFile, any Error>?]>

    init(paths: [String]) {
        self.paths = paths
        parsed = Mutex(Array(repeating: nil, count: paths.count))
    }

    /// Parses files until none is left unclaimed; returns when this thread's last one is done.
    func drain() {
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard i < paths.count else { return }
            let r = Result { try RuleFile.parse(try YAMLNode.load(path: paths[i])) }
            parsed.withLock { $0[i] = r }
        }
    }

    /// Every file's result, once every thread's `drain` has returned.
    var results: [Result<RuleFile, any Error>] { parsed.withLock { $0.map { $0! } } }
}

/// All rule files of a rules directory, parsed (conditions not yet compiled), with every problem
/// found collected rather than stopping at the first.
public struct RuleSet: Sendable {
    public let rules: [RuleFile]
    public let errors: [ConfigError]
    /// SHA-256 over every data file of the rules directory (rules, policy, lists, profiles), so a
    /// changed rule pack is recognised (history, incremental scans).
    public let hash: String
    /// The norm catalogue (`norms.yaml`) the rules cite by key; nil when the directory has none.
    public var catalogue: NormCatalog? = nil

    /// Directories below the rules directory that hold other data than rules.
    static let reserved: Set<String> = ["profiles", "policy", "lists", "named-lists"]

    /// Rule files: `TW*.yaml`/`TW*.yml` in the subfolders of `rulesDirectory` (one rule per file;
    /// the folder names the rule family), sorted by path.
    public static func ruleFiles(in rulesDirectory: String) -> [String] {
        let fm = FileManager.default
        guard let top = try? fm.contentsOfDirectory(atPath: rulesDirectory) else { return [] }
        var out: [String] = []
        for dir in top.sorted() where !reserved.contains(dir) {
            let path = rulesDirectory + "/" + dir
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
                  let files = try? fm.contentsOfDirectory(atPath: path) else { continue }
            for f in files.sorted() where f.hasPrefix("TW") && (f.hasSuffix(".yaml") || f.hasSuffix(".yml")) {
                out.append(path + "/" + f)
            }
        }
        return out
    }

    public static func load(rulesDirectory: String) -> RuleSet {
        let (catalogue, errors) = loadNorms(rulesDirectory: rulesDirectory)
        // The files are parsed side by side (YAML through Yams is most of the load), then
        // checked in path order, so results and errors are those of one file after the other.
        let queue = RuleFileQueue(paths: ruleFiles(in: rulesDirectory))
        DispatchQueue.concurrentPerform(iterations: min(queue.paths.count, ProcessInfo.processInfo.activeProcessorCount)) { _ in queue.drain() }
        return assemble(rulesDirectory: rulesDirectory, paths: queue.paths, parsed: queue.results, catalogue: catalogue, errors: errors)
    }

    /// The norm catalogue (`norms.yaml`), or the error reading it.
    static func loadNorms(rulesDirectory: String) -> (NormCatalog?, [ConfigError]) {
        do {
            return (try NormCatalog.load(rulesDirectory: rulesDirectory), [])
        } catch let e as ConfigError {
            return (nil, [e])
        } catch {
            return (nil, [RuleIssue.unreadable(SourcePosition(file: rulesDirectory + "/" + NormCatalog.fileName, line: 1, column: 1),
                                               reason: error)])
        }
    }

    /// The rule set from the parsed files, checked in path order: norms resolved, file names and
    /// duplicate ids checked, errors collected.
    static func assemble(rulesDirectory: String, paths: [String], parsed: [Result<RuleFile, any Error>], catalogue: NormCatalog?,
                         errors: [ConfigError]) -> RuleSet {
        var rules: [RuleFile] = []
        var errors = errors
        var seen: [String: String] = [:]
        for (path, result) in zip(paths, parsed) {
            do {
                var rule = try result.get()
                rule.norms = resolveNorms(rule, catalogue: catalogue, errors: &errors)
                let name = (path as NSString).lastPathComponent
                if !name.hasPrefix(rule.id + "-") && !name.hasPrefix(rule.id + ".") {
                    errors.append(RuleIssue.fileName(rule.position, id: rule.id))
                }
                if let other = seen[rule.id] {
                    errors.append(RuleIssue.duplicateID(rule.position, id: rule.id, other: other))
                    continue
                }
                seen[rule.id] = path
                rules.append(rule)
            } catch let e as ConfigError {
                errors.append(e)
            } catch {
                errors.append(RuleIssue.unreadable(SourcePosition(file: path, line: 1, column: 1), reason: error))
            }
        }
        return RuleSet(rules: rules.sorted { $0.id < $1.id }, errors: errors, hash: directoryHash(rulesDirectory),
                       catalogue: catalogue)
    }

    /// The rule's norms in the order written: catalogue keys resolved into `Norm`s (with summary,
    /// binding party, source and last amendment), inline citations as written; the rule's
    /// `policy_decision` goes onto each. An unknown key is an error at its position.
    static func resolveNorms(_ rule: RuleFile, catalogue: NormCatalog?, errors: inout [ConfigError]) -> [Norm] {
        var out: [Norm] = []
        for ref in rule.normRefs {
            var norm: Norm
            switch ref {
            case .inline(let n, _):
                norm = n
            case .key(let key, let p):
                guard let catalogue else {
                    errors.append(NormIssue.noCatalogue(p, key: key))
                    continue
                }
                guard let entry = catalogue[key] else {
                    errors.append(NormIssue.unknownKey(p, key: key, suggestion: catalogue.suggestion(for: key)))
                    continue
                }
                norm = entry.norm
            }
            norm.policyDecision = rule.policyDecision?.de
            out.append(norm)
        }
        return out
    }

    /// The rule-pack hash of `dir` without parsing it (also shown by `trennwand --version`).
    public static func directoryHash(_ dir: String) -> String {
        var h = ContentHash()
        let fm = FileManager.default
        let files = (fm.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        for f in files {
            h.update(Data(f.utf8))
            if let d = fm.contents(atPath: dir + "/" + f) { h.update(d) }
        }
        return h.hex()
    }

    public var descriptors: [RuleDescriptor] { rules.map(\.descriptor) }
}

extension RuleFile {
    /// The rule as outputs see it.
    public var descriptor: RuleDescriptor {
        RuleDescriptor(id: id, title: title, description: description, severity: severity, norms: norms,
                       rationale: rationale, remediation: remediation, tags: tags, findingClass: findingClass,
                       source: path)
    }
}
