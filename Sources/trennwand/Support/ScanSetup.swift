import Foundation
import TrennwandEngine
import TrennwandReaders
import TrennwandRecords
import TrennwandScan

/// What `scan` and `export` resolve alike from `--config` and the command line: the audit
/// configuration, the profiles, the rule pack and the inputs. One place, so an export reads exactly
/// the files, with the profiles, that the scan would read. Problems are printed and end the
/// command (exit 2 for configuration, 3 for no input at all).
struct ScanSetup {
    var config: AuditConfig
    /// The global options with `rules:` of the configuration applied.
    var global: GlobalOptions
    var catalog: ProfileCatalog
    var ruleSet: RuleSet
    var policy: PolicyData

    static func load(config path: String?, global: GlobalOptions, profileDirectories: [String]) throws -> ScanSetup {
        let cfg = try AuditConfig.loadForCommand(path)
        var g = global
        if g.rules == nil, let r = cfg.rules { g.rules = r }
        // `profiles:` of audit.yaml first, then `--profiles`: both add to the built-in profiles.
        let catalog = try loadCatalog(global: g, extra: cfg.profileDirectories + profileDirectories)
        do { try cfg.checkProfiles(catalog) } catch let e as ConfigError {
            printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + e.text(UI.language) + " [\(e.code)]")
            throw Exit.configuration
        }
        let (ruleSet, policy) = try loadRules(g)
        for e in ruleSet.errors { printError(e.text(UI.reportLanguage(config: cfg.language))) }
        if !ruleSet.errors.isEmpty { throw Exit.configuration }
        return ScanSetup(config: cfg, global: g, catalog: catalog, ruleSet: ruleSet, policy: policy)
    }

    /// The inputs: those of the configuration, then `paths` (directories expanded). Nothing to
    /// evaluate (an empty or unmounted export folder) is an input error, not "clean".
    func inputs(paths: [String], allowEmpty: Bool) throws -> [ScanInput] {
        let cfg = config
        let commandLineInputs = expandPaths(paths).map { ScanInput(path: $0) }
        let inputs = cfg.inputs + commandLineInputs
        // The evaluated candidates: `sources:` and the command line; without either, whatever the
        // configuration lists (reference tables are evaluated too).
        let onlyReference = cfg.sourcePatterns.isEmpty && paths.isEmpty
        let candidates = onlyReference ? cfg.inputs : Array(cfg.inputs.suffix(cfg.sourceInputCount)) + commandLineInputs
        if let empty = InputSelection.emptyError(inputs: candidates, patterns: onlyReference ? cfg.unmatchedPatterns : cfg.sourcePatterns + paths,
                                                 allowEmpty: allowEmpty || cfg.allowEmpty) {
            Log.emit(.error, empty.text(interface: UI.language, report: UI.language), code: empty.code)
            throw Exit.input
        }
        for pattern in cfg.unmatchedPatterns {
            let w = InputSelection.unmatchedWarning(pattern)
            Log.emit(.warning, w.text(interface: UI.language, report: UI.language), code: w.code)
        }
        return inputs
    }

    /// The rules `--rule` (else `only:`) selects, minus `exclude:`; nil for all.
    func selectedRules(_ onlyRules: [String]) -> Set<String>? {
        var only = onlyRules.isEmpty ? config.only : Set(onlyRules.map { $0.uppercased() })
        if !config.exclude.isEmpty { only = Set((only ?? Set(ruleSet.rules.map(\.id))).subtracting(config.exclude)) }
        return only
    }
}
