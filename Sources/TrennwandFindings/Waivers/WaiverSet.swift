import Foundation
import TrennwandRecords
import TrennwandYAML

/// The limits a waiver is checked against (audit.yaml `waiver_limits`, docs/waivers.md).
public struct WaiverLimits: Sendable, Hashable {
    /// A waiver without `scope: broad` may match at most this many findings of a run.
    public var maxMatches: Int
    /// `expires` may lie at most this many calendar months after `created` (through the end of
    /// that day, Europe/Berlin).
    public var maxValidityMonths: Int

    public static let defaultMaxMatches = 20
    public static let defaultMaxValidityMonths = 12
    /// Allowed ranges of the two settings in audit.yaml.
    public static let maxMatchesRange = 1...10_000
    public static let maxValidityMonthsRange = 1...24

    public init(maxMatches: Int = WaiverLimits.defaultMaxMatches, maxValidityMonths: Int = WaiverLimits.defaultMaxValidityMonths) {
        self.maxMatches = maxMatches
        self.maxValidityMonths = maxValidityMonths
    }

    /// The latest allowed expiry for a waiver created at `created` (UTC epoch seconds): the end
    /// (24:00 Europe/Berlin) of the day `maxValidityMonths` calendar months after the creation day;
    /// a day that month lacks becomes its last day (31 Jan + 1 month → end of 28/29 Feb).
    public func latestExpiry(created: Int64) -> Int64 {
        let zone = ZoneConverter(identifier: WaiverSet.dateZone)
        let local = zone?.local(fromUTC: created) ?? created
        let (y, m, d) = CivilTime.civilFromDays(Int(CivilTime.floorDiv(local, 86_400)))
        let months = (m - 1) + maxValidityMonths
        let year = y + months / 12, month = months % 12 + 1
        let day = min(d, CivilTime.daysInMonth(year: year, month: month))
        let endLocal = Int64(CivilTime.daysFromCivil(year: year, month: month, day: day) + 1) * 86_400
        return zone?.utc(fromLocal: endLocal) ?? endLocal
    }
}

/// All waivers of one waiver file (`trennwand-waivers.yaml`), read with positions.
///
/// The file is a YAML list of entries (docs/waivers.md). Every entry needs `rule`, a narrow match
/// (`fingerprint` and/or `match`), `reason`, `approver`, `created` and `expires`; `decision` is
/// optional when reading (files from before decisions), `reported_art33` then needs `reported_on`
/// and `authority_reference`. Dates may be German (`31.01.2027`) or ISO. Anything missing,
/// empty or malformed is a `ConfigError` at its `file:line:column` (CLI exit code 2), because a
/// waiver that cannot be audited must not silently hide a finding. How far a waiver reaches is
/// judged by what it matches in a run (`apply`), not by its pattern.
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

    static let entryKeys: Set<String> = ["rule", "fingerprint", "match", "reason", "approver", "scope", "second_approver",
                                         "created", "expires", "ticket", "decision", "owner", "reported_on",
                                         "authority_reference"]
    static let matchKeys: Set<String> = ["file", "line", "record_id", "person", "detector", "evidence"]

    /// Reads and checks a waiver file. Throws `ConfigError` naming `file:line:column`.
    ///
    /// `clock` (UTC epoch seconds, the wall clock) refuses a `created` in the future, so a waiver
    /// cannot stretch its validity by a future creation date; nil skips that check.
    public static func load(path: String, limits: WaiverLimits = WaiverLimits(), clock: Int64? = nil) throws -> WaiverSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(SourcePosition(file: path, line: 1, column: 1), code: "waiver.unreadable",
                              de: "Ausnahmedatei kann nicht gelesen werden", en: "waiver file cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, limits: limits, clock: clock)
    }

    /// Parses waiver file text; `file` is used in error positions. A file with only comments is empty.
    public static func parse(_ text: String, file: String, limits: WaiverLimits = WaiverLimits(), clock: Int64? = nil) throws -> WaiverSet {
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
        return WaiverSet(path: file, waivers: try entries.map { try waiver($0, zone: zone, limits: limits, clock: clock) })
    }

    /// Checks that every waiver names a rule of the loaded rule pack (ids compared in upper case).
    /// Throws a `ConfigError` (`waiver.unknown-rule`) at the first unknown id's position.
    public func checkRules(known: Set<String>) throws {
        let ids = Set(known.map { $0.uppercased() })
        for w in waivers where !ids.contains(w.rule) {
            throw ConfigError(w.rulePosition, code: "waiver.unknown-rule",
                              de: "Regel „\(w.rule)“ gibt es im geladenen Regelwerk nicht; eine Ausnahme nennt genau eine vorhandene Regel-ID",
                              en: "rule '\(w.rule)' does not exist in the loaded rule pack; a waiver names exactly one existing rule id")
        }
    }

    // MARK: Reading one entry

    private static func waiver(_ node: YAMLNode, zone: ZoneConverter?, limits: WaiverLimits, clock: Int64?) throws -> Waiver {
        let m = try node.mapping(allowed: entryKeys)
        let rule = try requiredText(m, "rule", de: "Regel-ID", en: "rule id").uppercased()
        let ruleNode = m.entries.first { $0.key == "rule" }!.value
        if rule.contains(where: { "*?[]{}!,".contains($0) }) || rule.contains(where: \.isWhitespace) {
            throw ruleNode.error("waiver.rule-pattern", de: "„rule“ nennt genau eine Regel-ID (z. B. TW105), kein Muster und keine Liste",
                                 en: "'rule' names exactly one rule id (e.g. TW105), no pattern and no list")
        }
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
        var scope = WaiverScope.narrow
        if let entry = m.entries.first(where: { $0.key == "scope" }) {
            guard let s = WaiverScope(rawValue: try nonEmpty(entry, de: "Reichweite", en: "scope")) else {
                throw entry.value.error("waiver.scope", de: "„scope“: narrow oder broad", en: "'scope': narrow or broad")
            }
            scope = s
        }
        var secondApprover: String?
        if let entry = m.entries.first(where: { $0.key == "second_approver" }) {
            let second = try nonEmpty(entry, de: "Zweite genehmigende Person", en: "second approver")
            if normalizedName(second) == normalizedName(approver) {
                throw entry.value.error("waiver.same-approver",
                                        de: "„second_approver“ muss eine andere Person sein als „approver“",
                                        en: "'second_approver' must be a different person than 'approver'")
            }
            secondApprover = second
        }
        if scope == .broad && secondApprover == nil {
            throw m.node.error("waiver.missing-second_approver",
                               de: "„scope: broad“ braucht eine zweite genehmigende Person („second_approver“)",
                               en: "'scope: broad' needs a second approver ('second_approver')")
        }
        let created = try time(m, "created", zone: zone, endOfDay: false, de: "Erstellungsdatum", en: "creation date")
        let expires = try time(m, "expires", zone: zone, endOfDay: true, de: "Ablaufdatum", en: "expiry")
        let expiresNode = m.entries.first { $0.key == "expires" }!.value
        if expires <= created {
            throw expiresNode.error("waiver.expires-before-created", de: "„expires“ liegt nicht nach „created“",
                                    en: "'expires' is not after 'created'")
        }
        let latest = limits.latestExpiry(created: created)
        if expires > latest {
            let last = WaiverTime.berlinDate(latest - 1)
            throw expiresNode.error("waiver.expires-too-late",
                                    de: "„expires“ liegt mehr als \(limits.maxValidityMonths) Monate nach „created“ (spätestens \(last); waiver_limits.max_validity_months)",
                                    en: "'expires' is more than \(limits.maxValidityMonths) months after 'created' (at the latest \(last); waiver_limits.max_validity_months)")
        }
        if let clock, created > clock {
            let v = m.entries.first { $0.key == "created" }!.value
            throw v.error("waiver.created-in-future", de: "„created“ liegt in der Zukunft", en: "'created' lies in the future")
        }
        let ticket = try m.optional("ticket")?.string()
        let decision = try readDecision(m, zone: zone, created: created, clock: clock)
        let owner = try m.entries.first(where: { $0.key == "owner" }).map { try nonEmpty($0, de: "Verantwortliche Person", en: "owner") }
        return Waiver(rule: rule, fingerprint: fingerprint, match: match, reason: reason, approver: approver,
                      scope: scope, secondApprover: secondApprover, created: created, expires: expires, ticket: ticket,
                      decision: decision.kind, owner: owner, reportedOn: decision.reportedOn,
                      authorityReference: decision.authorityReference,
                      position: node.position, rulePosition: ruleNode.position)
    }

    /// `decision:` and, for `reported_art33`, `reported_on:` and `authority_reference:` (both
    /// required there and refused with any other decision). A missing `decision` is accepted
    /// (files written before decisions existed); `waive lint` reports it.
    private static func readDecision(_ m: YAMLMapping, zone: ZoneConverter?, created: Int64, clock: Int64?) throws
        -> (kind: WaiverDecision?, reportedOn: Int64?, authorityReference: String?) {
        let names = WaiverDecision.allCases.map(\.rawValue).joined(separator: ", ")
        var kind: WaiverDecision?
        if let entry = m.entries.first(where: { $0.key == "decision" }) {
            let text = try nonEmpty(entry, de: "Entscheidung", en: "decision")
            guard let d = WaiverDecision(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
                throw entry.value.error("waiver.decision", de: "„decision“: eine von \(names)", en: "'decision': one of \(names)")
            }
            kind = d
        }
        let reportedEntry = m.entries.first { $0.key == "reported_on" }
        let referenceEntry = m.entries.first { $0.key == "authority_reference" }
        guard kind == .reportedArt33 else {
            if let extra = reportedEntry ?? referenceEntry {
                throw extra.keyNode.error("waiver.art33-field",
                                          de: "„\(extra.key)“ nur mit „decision: reported_art33“",
                                          en: "'\(extra.key)' only with 'decision: reported_art33'")
            }
            return (kind, nil, nil)
        }
        guard let referenceEntry else {
            throw m.node.error("waiver.missing-authority_reference",
                               de: "„decision: reported_art33“ braucht das Aktenzeichen der Aufsichtsbehörde („authority_reference“)",
                               en: "'decision: reported_art33' needs the supervisory authority's reference ('authority_reference')")
        }
        let reference = try nonEmpty(referenceEntry, de: "Aktenzeichen der Aufsichtsbehörde", en: "authority reference")
        guard reportedEntry != nil else {
            throw m.node.error("waiver.missing-reported_on",
                               de: "„decision: reported_art33“ braucht das Datum der Meldung („reported_on“)",
                               en: "'decision: reported_art33' needs the date of the report ('reported_on')")
        }
        let reportedOn = try time(m, "reported_on", zone: zone, endOfDay: false, de: "Datum der Meldung", en: "report date")
        if let clock, reportedOn > clock {
            throw reportedEntry!.value.error("waiver.reported_on-in-future", de: "„reported_on“ liegt in der Zukunft",
                                             en: "'reported_on' lies in the future")
        }
        return (kind, reportedOn, reference)
    }

    /// A name compared case- and space-insensitively (two approvers must differ).
    private static func normalizedName(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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

    /// Decides per finding which valid waiver covers it, refuses waivers that reach too far, and
    /// collects warnings.
    ///
    /// Breadth is judged by effect, after matching: a valid waiver without `scope: broad` is
    /// refused (one `ConfigError` per reason in `refused`) when it matches more
    /// than `limits.maxMatches` findings (`waiver.too-many-matches`), findings in every file that
    /// has findings in this run when that is more than one (`waiver.every-file`), or a critical
    /// finding without naming its fingerprint (`waiver.critical-needs-fingerprint`). One refused
    /// waiver makes the whole file not apply: every finding is open (`applied` all nil), there are
    /// no warnings and no reactivated findings, only `refused`. A `scope: broad` waiver never
    /// covers a critical finding (warning `criticalNotWaived`).
    ///
    /// The first valid waiver in file order that matches covers a finding. A finding
    /// matched only by expired waivers is open again, with one warning per expired waiver naming the
    /// waiver's and the finding's `file:line`. A waiver that matches no finding gets an "unmatched"
    /// warning, unless its rule was not evaluated in this run (`evaluatedRules`, e.g. with `--rule`;
    /// nil: all were).
    public func apply<C: Collection>(to findings: C, now: Int64, evaluatedRules: Set<String>? = nil,
                                     limits: WaiverLimits = WaiverLimits()) -> WaiverOutcome
    where C.Element == Finding {
        let count = findings.count
        var applied: [Waiver?] = Array(repeating: nil, count: count)
        var reactivated: [Int] = []
        var warnings: [WaiverWarning] = []
        let byRule = Dictionary(grouping: waivers.indices, by: { waivers[$0].rule })
        // Pass 1: who matches what. Only matched findings keep their locator and fingerprint.
        var matchedBy: [Int: [Int]] = [:]
        var matched: [Int: (locator: Locator, fingerprint: String, critical: Bool)] = [:]
        var matchCount = Array(repeating: 0, count: waivers.count)
        var matchFiles = Array(repeating: Set<String>(), count: waivers.count)
        var matchesCritical = Array(repeating: false, count: waivers.count)
        var filesWithFindings: Set<String> = []
        for (i, f) in findings.enumerated() {
            filesWithFindings.insert(f.locator.file)
            guard let candidates = byRule[f.ruleID.uppercased()] else { continue }
            let hits = candidates.filter { waivers[$0].matches(f) }
            if hits.isEmpty { continue }
            let critical = f.severity == .critical
            matchedBy[i] = hits
            matched[i] = (f.locator, f.fingerprint, critical)
            for k in hits {
                matchCount[k] += 1
                matchFiles[k].insert(f.locator.file)
                if critical { matchesCritical[k] = true }
            }
        }
        // Breadth by effect.
        var refusedErrors: [ConfigError] = []
        for (k, w) in waivers.enumerated() where w.isValid(at: now) && w.scope != .broad {
            refusedErrors += breadthErrors(w, matches: matchCount[k], files: matchFiles[k].count,
                                           filesWithFindings: filesWithFindings.count, critical: matchesCritical[k], limits: limits)
        }
        // One refused entry and the whole file does not apply: every finding is open, the run is a
        // configuration error. A file half applied would look like a deliberate decision; it is
        // applied only when every entry is acceptable. No other warnings: they describe an
        // application that does not happen.
        if !refusedErrors.isEmpty {
            return WaiverOutcome(applied: Array(repeating: nil, count: count), reactivated: [], warnings: [],
                                 refused: refusedErrors)
        }
        // Pass 2: per matched finding, in finding order.
        for i in matchedBy.keys.sorted() {
            let hits = matchedBy[i]!, f = matched[i]!
            var expired: [Waiver] = []
            var broadOnCritical: [Waiver] = []
            for k in hits {
                let w = waivers[k]
                if !w.isValid(at: now) {
                    expired.append(w)
                } else if f.critical && w.scope == .broad {
                    broadOnCritical.append(w)
                } else if applied[i] == nil {
                    applied[i] = w
                }
            }
            guard applied[i] == nil else { continue }
            if !expired.isEmpty {
                reactivated.append(i)
                warnings += expired.map { WaiverWarning.expired($0, finding: f.locator, fingerprint: f.fingerprint) }
            }
            warnings += broadOnCritical.map { WaiverWarning.criticalNotWaived($0, finding: f.locator, fingerprint: f.fingerprint) }
        }
        let evaluated = evaluatedRules.map { Set($0.map { $0.uppercased() }) }
        for (k, w) in waivers.enumerated() where matchCount[k] == 0 && evaluated?.contains(w.rule) != false {
            warnings.append(.unmatched(w, now: now))
        }
        return WaiverOutcome(applied: applied, reactivated: reactivated, warnings: warnings, refused: refusedErrors)
    }

    /// Why a valid waiver without `scope: broad` reaches too far (empty: it does not).
    private func breadthErrors(_ w: Waiver, matches: Int, files: Int, filesWithFindings: Int, critical: Bool,
                               limits: WaiverLimits) -> [ConfigError] {
        let needs = Localized(
            de: "so weit nur mit „scope: broad“, Begründung und zweiter genehmigender Person („second_approver“); die Ausnahme wird nicht angewandt",
            en: "this broad only with 'scope: broad', a reason and a second approver ('second_approver'); the waiver is not applied")
        var errors: [ConfigError] = []
        if critical && w.fingerprint == nil {
            errors.append(ConfigError(w.position, code: "waiver.critical-needs-fingerprint",
                                      de: "Ausnahme für \(w.rule) trifft eine kritische Feststellung ohne deren „fingerprint“ zu nennen; kritische Feststellungen nur mit einer engen Ausnahme mit „fingerprint“ – die Ausnahme wird nicht angewandt",
                                      en: "waiver for \(w.rule) matches a critical finding without naming its 'fingerprint'; critical findings only with a narrow waiver naming the 'fingerprint' – the waiver is not applied"))
        }
        if matches > limits.maxMatches {
            errors.append(ConfigError(w.position, code: "waiver.too-many-matches",
                                      de: "Ausnahme für \(w.rule) trifft \(matches) Feststellungen (Grenze \(limits.maxMatches), waiver_limits.max_matches): \(needs.de)",
                                      en: "waiver for \(w.rule) matches \(matches) findings (limit \(limits.maxMatches), waiver_limits.max_matches): \(needs.en)"))
        }
        if filesWithFindings > 1 && files == filesWithFindings {
            errors.append(ConfigError(w.position, code: "waiver.every-file",
                                      de: "Ausnahme für \(w.rule) trifft Feststellungen in jeder der \(files) Dateien mit Feststellungen dieses Laufs: \(needs.de)",
                                      en: "waiver for \(w.rule) matches findings in every one of the \(files) files with findings in this run: \(needs.en)"))
        }
        return errors
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
        // A German date (`31.01.2027`) is a plain date like `2027-01-31`.
        if text.contains("."), !text.contains("T"), !text.contains(":") {
            guard let d = BerlinTime.parseDay(text) else { return .failure(expected) }
            guard let zone else {
                return .failure(Problem(de: "Zeitzone \(WaiverSet.dateZone) nicht verfügbar", en: "time zone \(WaiverSet.dateZone) not available"))
            }
            let local = Int64(CivilTime.daysFromCivil(year: d.year, month: d.month, day: d.day)) * 86_400
            return .success(zone.utc(fromLocal: local + (endOfDay ? 86_400 : 0)))
        }
        guard let p = CivilTime.parseISO8601(Array(text.utf8)) else { return .failure(expected) }
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

    private static let expected = Problem(
        de: "Datum (31.01.2027 oder 2027-01-31) oder Zeitpunkt mit Zeitzone nach ISO 8601 erwartet, z. B. 2027-01-31T18:00:00+01:00",
        en: "date (31.01.2027 or 2027-01-31) or ISO 8601 date-time with time zone expected, e.g. 2027-01-31T18:00:00+01:00")

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
