import Foundation
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords
import TrennwandYAML

/// `audit.yaml`: everything a scan needs, explicit and reviewable. Paths are relative to the file.
/// Every key is described in `AuditConfigSchema` (rendered as docs/audit-yaml.md); the allowed
/// keys of each mapping come from there.
///
/// ```yaml
/// sources:                         # evaluated inputs (files, folders, globs); profile optional (detected otherwise)
///   - path: Jobcenter-Zugriffe.csv
///     profile: jobcenter-zugriffe
/// reference:                       # reference tables (Stammdaten), profiles detected or given
///   - path: Stammdaten/*.csv
/// profiles: [profile/]             # profile directories added to the built-in ones (and --profiles)
/// rules: { only: [TW105], exclude: [TW402] }
/// fail_on: high                    # exit code 1 from this severity on
/// now: 2025-12-31T12:00:00+01:00   # reference time of now() (retention); default: start of the run
/// strict: false                    # rejected records → exit code 3
/// formats: { html: out/bericht.html, sarif: out/trennwand.sarif }
/// lang: de
/// waivers: trennwand-waivers.yaml     # audited exceptions (docs/waivers.md); default: that name beside audit.yaml
/// waiver_limits: { max_matches: 20, max_validity_months: 12 }   # defaults; docs/waivers.md
/// baseline: previous.sarif           # only new findings count for the exit code
/// state: /var/lib/trennwand/state.sqlite   # history, incremental scans (docs/operations.md)
/// retention_months: 6
/// allow_empty: false               # true: no input file at all is no error (default: exit 3)
/// ```
///
/// `path:` is a file, a folder (searched recursively like the command line's paths) or a glob.
package struct AuditConfig: Sendable {
    package var inputs: [ScanInput] = []
    package var only: Set<String>?
    package var exclude: Set<String> = []
    package var failOn: Severity?
    package var now: Int64?
    package var strict: Bool?
    package var formats: [OutputTarget] = []
    package var language: Language?
    package var rules: String?
    /// The waiver file a scan applies: `waivers:`, else `trennwand-waivers.yaml` beside audit.yaml
    /// when it exists; nil: none.
    package var waivers: String?
    /// Where `trennwand waive` writes: `waivers:`, else `trennwand-waivers.yaml` beside audit.yaml
    /// (without a configuration: in the working directory). The same file a scan then finds.
    package var waiverFile: String = WaiverFile.defaultPath
    package var waiverLimits = WaiverLimits()
    package var baseline: String?
    package var state: String?
    package var retentionMonths: Int?
    /// The patterns of `sources:` (resolved), for the message when nothing matches.
    package var sourcePatterns: [String] = []
    /// Input files the `sources:` patterns matched.
    package var sourceInputCount = 0
    /// `sources: PATTERN` / `reference: PATTERN` entries that matched no input file.
    package var unmatchedPatterns: [String] = []
    /// `allow_empty: true`: a run without any input file is no error (exit 3 otherwise).
    package var allowEmpty = false
    /// `profiles:`: profile directories (resolved) added to the built-in ones.
    package var profileDirectories: [String] = []
    /// Every `profile:` of `sources:` / `reference:` with its position, checked against the
    /// catalogue once it is loaded (`checkProfiles`).
    package var profileReferences: [(id: String, position: SourcePosition)] = []

    package init() {}

    /// No audit.yaml: the waiver file of the working directory (`trennwand-waivers.yaml`), applied
    /// when it exists, the same file `trennwand waive` writes without a configuration.
    package static func withoutFile() -> AuditConfig {
        var c = AuditConfig()
        if FileManager.default.fileExists(atPath: c.waiverFile) { c.waivers = c.waiverFile }
        return c
    }

    package static func load(path: String) throws -> AuditConfig {
        let doc = try YAMLNode.load(path: path)
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") || base.isEmpty ? p : base + "/" + p }
        let m = try AuditConfigSchema.mapping(doc, under: "")
        var c = AuditConfig()
        for key in ["reference", "sources"] {
            guard let list = m.optional(key) else { continue }
            for item in try list.sequence() {
                let im = try AuditConfigSchema.mapping(item, under: key + "[]")
                let pattern = resolve(try im.required("path").string())
                // A folder (also one a glob matches) stands for its input files, recursively, as on the
                // command line; a zip archive for its input members; `a.zip!/m.csv` is taken as written.
                let matches = InputFile.archiveMember(pattern).map { _ in [pattern] } ?? expandPaths(glob(pattern))
                if key == "sources" {
                    c.sourcePatterns.append(pattern)
                    c.sourceInputCount += matches.count
                }
                if matches.isEmpty { c.unmatchedPatterns.append("\(key): \(pattern)") }
                let profileNode = im.optional("profile")
                let profile = try profileNode?.string()
                if let profile, let profileNode { c.profileReferences.append((profile, profileNode.position)) }
                c.inputs += matches.map { ScanInput(path: $0, profile: profile) }
            }
        }
        c.profileDirectories = try m.optional("profiles")?.stringList().map(resolve) ?? []
        c.allowEmpty = try m.optional("allow_empty")?.bool() ?? false
        if let r = m.optional("rules") {
            let rm = try AuditConfigSchema.mapping(r, under: "rules")
            if let o = rm.optional("only") { c.only = Set(try o.stringList()) }
            if let e = rm.optional("exclude") { c.exclude = Set(try e.stringList()) }
        }
        if let f = m.optional("fail_on") {
            guard let s = Severity(rawValue: try f.string()) else {
                throw f.error("config.fail-on", de: "fail_on: critical, high, medium, low oder info", en: "fail_on: critical, high, medium, low or info")
            }
            c.failOn = s
        }
        if let n = m.optional("now") {
            guard let t = parseTime(try n.string()) else {
                throw n.error("config.now", de: "now: Zeitpunkt nach ISO 8601 erwartet", en: "now: ISO 8601 timestamp expected")
            }
            c.now = t
        }
        c.strict = try m.optional("strict")?.bool()
        if let fm = m.optional("formats") {
            for e in try fm.mapping().entries {
                guard let f = OutputFormat(reportName: e.key) else {
                    throw e.keyNode.error("config.format", de: "unbekanntes Format „\(e.key)“ (\(OutputFormat.names))",
                                          en: "unknown format '\(e.key)' (\(OutputFormat.names))")
                }
                let target = try e.value.string()
                c.formats.append(OutputTarget(f, target == "-" ? .standardOutput : .file(resolve(target))))
            }
        }
        if let l = m.optional("lang") {
            guard let lang = Language(rawValue: try l.string()) else {
                throw l.error("config.lang", de: "lang: de oder en", en: "lang: de or en")
            }
            c.language = lang
        }
        c.rules = try m.optional("rules_directory").map { resolve(try $0.string()) }
        c.waivers = try m.optional("waivers").map { resolve(try $0.string()) }
        c.waiverFile = c.waivers ?? resolve(WaiverFile.defaultPath)
        if c.waivers == nil, FileManager.default.fileExists(atPath: c.waiverFile) { c.waivers = c.waiverFile }
        if let wl = m.optional("waiver_limits") {
            let lm = try AuditConfigSchema.mapping(wl, under: "waiver_limits")
            if let n = lm.optional("max_matches") {
                let v = try n.int()
                guard WaiverLimits.maxMatchesRange.contains(v) else {
                    throw n.error("config.waiver-limits", de: "max_matches: ganze Zahl von 1 bis \(WaiverLimits.maxMatchesRange.upperBound)",
                                  en: "max_matches: whole number from 1 to \(WaiverLimits.maxMatchesRange.upperBound)")
                }
                c.waiverLimits.maxMatches = v
            }
            if let n = lm.optional("max_validity_months") {
                let v = try n.int()
                guard WaiverLimits.maxValidityMonthsRange.contains(v) else {
                    throw n.error("config.waiver-limits", de: "max_validity_months: ganze Zahl von 1 bis \(WaiverLimits.maxValidityMonthsRange.upperBound)",
                                  en: "max_validity_months: whole number from 1 to \(WaiverLimits.maxValidityMonthsRange.upperBound)")
                }
                c.waiverLimits.maxValidityMonths = v
            }
        }
        c.baseline = try m.optional("baseline").map { resolve(try $0.string()) }
        c.state = try m.optional("state").map { resolve(try $0.string()) }
        c.retentionMonths = try m.optional("retention_months")?.int()
        return c
    }

    /// Every `profile:` must name a profile of the catalogue: an unknown id is a configuration
    /// error at its position naming the known ids (before any file is read).
    package func checkProfiles(_ catalog: ProfileCatalog) throws {
        for ref in profileReferences where catalog.profile(id: ref.id) == nil {
            let known = catalog.profiles.map(\.id).joined(separator: ", ")
            throw ConfigError(ref.position, code: "config.unknown-profile",
                              de: "unbekanntes Profil „\(ref.id)“ (bekannt: \(known))",
                              en: "unknown profile '\(ref.id)' (known: \(known))")
        }
    }
}

/// ISO 8601 timestamp → UTC epoch seconds (local times read in Europe/Berlin).
package func parseTime(_ text: String) -> Int64? {
    guard let p = CivilTime.parseISO8601(Array(text.utf8)), let zone = ZoneConverter(identifier: "Europe/Berlin") else { return nil }
    return p.utc(zone: zone)
}

/// Files matching a shell pattern, sorted; a pattern without wildcards is returned as it is.
package func glob(_ pattern: String) -> [String] {
    if !pattern.contains(where: { "*?[".contains($0) }) {
        return FileManager.default.fileExists(atPath: pattern) ? [pattern] : []
    }
    var g = glob_t()
    defer { globfree(&g) }
    guard Glibc.glob(pattern, 0, nil, &g) == 0 else { return [] }
    return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
}
