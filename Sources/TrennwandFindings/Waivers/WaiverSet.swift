import Foundation
import TrennwandRecords
import TrennwandYAML

/// All waivers of one waiver file (`trennwand-waivers.yaml`), read with positions.
///
/// The file is a YAML list of entries (docs/waivers.md). Every entry needs `rule`, a narrow match
/// (`fingerprint` and/or `match`), `reason`, `approver`, `created` and `expires`; anything missing,
/// empty or malformed is a `ConfigError` at its `file:line:column` (CLI exit code 2), because a
/// waiver that cannot be audited must not silently hide a finding.
public struct WaiverSet: Sendable {
    /// The file the waivers were read from.
    public var path: String
    /// Entries in file order.
    public var waivers: [Waiver]

    public init(path: String, waivers: [Waiver]) {
        self.path = path
        self.waivers = waivers
    }

    /// The time zone in which a plain date (`2025-06-30`) is read.
    public static let dateZone = "Europe/Berlin"

    static let entryKeys: Set<String> = ["rule", "fingerprint", "match", "reason", "approver", "created", "expires", "ticket"]
    static let matchKeys: Set<String> = ["file", "line", "record_id", "person", "detector", "evidence"]

    /// Reads and checks a waiver file. Throws `ConfigError` naming `file:line:column`.
    public static func load(path: String) throws -> WaiverSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(SourcePosition(file: path, line: 1, column: 1), code: "waiver.unreadable",
                              de: "Ausnahmedatei kann nicht gelesen werden", en: "waiver file cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses waiver file text; `file` is used in error positions. A file with only comments is empty.
    public static func parse(_ text: String, file: String) throws -> WaiverSet {
        let root: YAMLNode
        do { root = try YAMLNode.parse(text, file: file) } catch let e as ConfigError where e.code == "yaml.empty" {
            return WaiverSet(path: file, waivers: [])
        }
        if root.isNull { return WaiverSet(path: file, waivers: []) }
        let entries: [YAMLNode]
        do { entries = try root.sequence() } catch {
            throw root.error("waiver.not-a-list", de: "Die Ausnahmedatei muss eine Liste von Einträgen („- rule: …“) sein",
                             en: "the waiver file must be a list of entries ('- rule: …')")
        }
        let zone = ZoneConverter(identifier: dateZone)
        return WaiverSet(path: file, waivers: try entries.map { try waiver($0, zone: zone) })
    }

    // MARK: Reading one entry

    private static func waiver(_ node: YAMLNode, zone: ZoneConverter?) throws -> Waiver {
        let m = try node.mapping(allowed: entryKeys)
        let rule = try requiredText(m, "rule", de: "Regel-ID", en: "rule id").uppercased()
        var fingerprint: String?
        if let entry = m.entries.first(where: { $0.key == "fingerprint" }) {
            let fp = try nonEmpty(entry, de: "Fingerabdruck", en: "fingerprint").lowercased()
            guard WaiverSet.isFingerprint(fp) else {
                throw entry.value.error("waiver.fingerprint", de: "Fingerabdruck muss hexadezimal sein (aus SARIF/JSON Lines kopieren)",
                                        en: "fingerprint must be hexadecimal (copy it from SARIF/JSON Lines)")
            }
            fingerprint = fp
        }
        var match: WaiverMatch?
        if let entry = m.entries.first(where: { $0.key == "match" }) {
            match = try readMatch(entry)
        }
        if fingerprint == nil && match == nil {
            throw node.error("waiver.no-match",
                             de: "Ausnahme braucht eine enge Eingrenzung: „fingerprint“ oder „match“",
                             en: "waiver needs a narrow match: 'fingerprint' or 'match'")
        }
        let reason = try requiredText(m, "reason", de: "Begründung", en: "reason")
        let approver = try requiredText(m, "approver", de: "Genehmigende Person", en: "approver")
        let created = try time(m, "created", zone: zone, endOfDay: false, de: "Erstellungsdatum", en: "creation date")
        let expires = try time(m, "expires", zone: zone, endOfDay: true, de: "Ablaufdatum", en: "expiry")
        if expires <= created {
            let v = m.entries.first { $0.key == "expires" }!.value
            throw v.error("waiver.expires-before-created", de: "„expires“ liegt nicht nach „created“",
                          en: "'expires' is not after 'created'")
        }
        let ticket = try m.optional("ticket")?.string()
        return Waiver(rule: rule, fingerprint: fingerprint, match: match, reason: reason, approver: approver,
                      created: created, expires: expires, ticket: ticket, position: node.position)
    }

    private static func readMatch(_ entry: YAMLMapping.Entry) throws -> WaiverMatch {
        let m = try entry.value.mapping(allowed: matchKeys)
        var match = WaiverMatch()
        match.file = try m.optional("file")?.string()
        match.line = try m.optional("line")?.int()
        match.recordID = try m.optional("record_id")?.string()
        match.person = try m.optional("person")?.string()
        match.detector = try m.optional("detector")?.string()
        if let ev = m.optional("evidence") {
            for e in try ev.mapping().entries { match.evidence[e.key] = try e.value.string() }
        }
        if match.isEmpty {
            throw entry.keyNode.error("waiver.empty-match", de: "„match“ nennt kein Kriterium", en: "'match' names no criterion")
        }
        if match.line != nil && match.file == nil {
            throw entry.keyNode.error("waiver.line-without-file", de: "„line“ nur zusammen mit „file“", en: "'line' only together with 'file'")
        }
        let onlyFile = match.file != nil && match.line == nil && match.recordID == nil && match.person == nil
            && match.detector == nil && match.evidence.isEmpty
        if onlyFile, let pattern = match.file, pattern.allSatisfy({ "*?/.".contains($0) }) {
            throw entry.keyNode.error("waiver.too-broad", de: "„match“ mit „file: \(pattern)“ allein ist zu weit",
                                      en: "'match' with only 'file: \(pattern)' is too broad")
        }
        return match
    }

    private static func requiredText(_ m: YAMLMapping, _ key: String, de: String, en: String) throws -> String {
        guard let entry = m.entries.first(where: { $0.key == key }) else {
            throw m.node.error("waiver.missing-\(key)", de: "Pflichtfeld „\(key)“ (\(de)) fehlt", en: "required field '\(key)' (\(en)) is missing")
        }
        return try nonEmpty(entry, de: de, en: en)
    }

    private static func nonEmpty(_ entry: YAMLMapping.Entry, de: String, en: String) throws -> String {
        let text = entry.value.isNull ? "" : try entry.value.string()
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw entry.keyNode.error("waiver.empty-\(entry.key)", de: "„\(entry.key)“ (\(de)) ist leer", en: "'\(entry.key)' (\(en)) is empty")
        }
        return text
    }

    private static func time(_ m: YAMLMapping, _ key: String, zone: ZoneConverter?, endOfDay: Bool, de: String, en: String) throws -> Int64 {
        guard let entry = m.entries.first(where: { $0.key == key }) else {
            throw m.node.error("waiver.missing-\(key)", de: "Pflichtfeld „\(key)“ (\(de)) fehlt", en: "required field '\(key)' (\(en)) is missing")
        }
        let text = try nonEmpty(entry, de: de, en: en)
        switch WaiverTime.parse(text, endOfDay: endOfDay, zone: zone) {
        case .success(let t): return t
        case .failure(let problem): throw entry.value.error("waiver.\(key)", de: "„\(key)“: \(problem.de)", en: "'\(key)': \(problem.en)")
        }
    }

    static func isFingerprint(_ s: String) -> Bool {
        s.utf8.count >= 16 && s.utf8.count <= 128 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    // MARK: Applying

    /// Decides per finding which valid waiver covers it, and collects warnings.
    ///
    /// The first valid waiver in file order that matches covers a finding. A finding matched only by
    /// expired waivers is open again, with one warning per expired waiver naming the waiver's and the
    /// finding's `file:line`. A waiver that matches no finding gets an "unmatched" warning, unless
    /// its rule was not evaluated in this run (`evaluatedRules`, e.g. with `--rule`; nil: all were).
    public func apply<C: Collection>(to findings: C, now: Int64, evaluatedRules: Set<String>? = nil) -> WaiverOutcome
    where C.Element == Finding {
        var applied: [Waiver?] = Array(repeating: nil, count: findings.count)
        var reactivated: [Int] = []
        var warnings: [WaiverWarning] = []
        var used = Array(repeating: false, count: waivers.count)
        let byRule = Dictionary(grouping: waivers.indices, by: { waivers[$0].rule })
        for (i, f) in findings.enumerated() {
            guard let candidates = byRule[f.ruleID.uppercased()] else { continue }
            var expired: [Waiver] = []
            for k in candidates where waivers[k].matches(f) {
                used[k] = true
                if applied[i] == nil && waivers[k].isValid(at: now) {
                    applied[i] = waivers[k]
                } else if !waivers[k].isValid(at: now) {
                    expired.append(waivers[k])
                }
            }
            if applied[i] == nil && !expired.isEmpty {
                reactivated.append(i)
                warnings += expired.map { WaiverWarning.expired($0, finding: f) }
            }
        }
        let evaluated = evaluatedRules.map { Set($0.map { $0.uppercased() }) }
        for (k, w) in waivers.enumerated() where !used[k] && evaluated?.contains(w.rule) != false {
            warnings.append(.unmatched(w, now: now))
        }
        return WaiverOutcome(applied: applied, reactivated: reactivated, warnings: warnings)
    }
}

/// Reading the times of a waiver: `created` and `expires`.
///
/// A date-time must carry its zone (`Z`, `+02:00`); one without is ambiguous and refused. A plain
/// date is read in Europe/Berlin: as `created` it means 00:00 of that day, as `expires` the end of
/// that day (the waiver holds through the whole day and ends at 00:00 of the next day).
public enum WaiverTime {
    /// Parses a waiver time; nil zone only if the system lacks Europe/Berlin (then dates fail).
    public static func parse(_ text: String, endOfDay: Bool, zone: ZoneConverter?) -> Result<Int64, Problem> {
        guard let p = CivilTime.parseISO8601(Array(text.utf8)) else {
            return .failure(Problem(de: "Datum (JJJJ-MM-TT) oder Zeitpunkt mit Zeitzone nach ISO 8601 erwartet, z. B. 2025-06-30 oder 2025-06-30T18:00:00+02:00",
                                    en: "ISO 8601 date (YYYY-MM-DD) or date-time with time zone expected, e.g. 2025-06-30 or 2025-06-30T18:00:00+02:00"))
        }
        if p.dateOnly {
            guard let zone else {
                return .failure(Problem(de: "Zeitzone \(WaiverSet.dateZone) nicht verfügbar", en: "time zone \(WaiverSet.dateZone) not available"))
            }
            return .success(zone.utc(fromLocal: p.local + (endOfDay ? 86_400 : 0)))
        }
        guard let offset = p.offset else {
            return .failure(Problem(de: "Zeitpunkt ohne Zeitzone ist mehrdeutig; „Z“ oder „+02:00“ anhängen oder nur das Datum angeben",
                                    en: "date-time without time zone is ambiguous; append 'Z' or '+02:00', or give a date only"))
        }
        return .success(p.local - offset)
    }

    /// Today's date in Europe/Berlin as `YYYY-MM-DD`.
    public static func berlinDate(_ now: Int64) -> String {
        let local = ZoneConverter(identifier: WaiverSet.dateZone)?.local(fromUTC: now) ?? now
        return String(CivilTime.iso8601(local).prefix(10))
    }

    /// Why a time could not be read, in German and English.
    public struct Problem: Error, Sendable, Hashable {
        public var de: String
        public var en: String
    }
}
