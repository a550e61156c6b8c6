import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandReaders
import TrennwandRecords

/// `trennwand profiles check PROFILE`: which rules a profile feeds fully, partly (naming the missing
/// fields) or not at all, from the same field analysis as docs/fields.md (`FieldUsage`).
///
/// Decision: fields of reference tables that a rule reads through a lookup (participants,
/// staff, …) count as available when a profile of that kind in the catalog (the shipped
/// one plus `--profiles`) maps the column; a scan then reads that table from the matching export
/// (`reference:` in audit.yaml). A field mapped with `optional: true` counts as available.
struct ProfilesCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: UI.t("Zeigt, welche Regeln ein Profil voll, teilweise oder gar nicht versorgt.",
                       "Shows which rules a profile feeds fully, partly or not at all."),
        discussion: UI.t("PROFIL ist eine Profil-ID aus dem Katalog oder der Pfad einer Profildatei. Exit-Code 0, wenn das Profil gelesen wurde; 2 bei einem fehlerhaften Profil.",
                         "PROFILE is a profile id from the catalog or the path of a profile file. Exit code 0 when the profile was read; 2 for a broken profile."))

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp(UI.t("Profil-ID oder Pfad einer Profildatei (.yaml).", "Profile id or path of a profile file (.yaml)."),
                                 valueName: UI.t("profil", "profile")))
    var profile: String

    @Option(name: .customLong("profiles"), help: ArgumentHelp(
        UI.t("Zusätzliches Profilverzeichnis (mehrfach möglich).", "Additional profile directory (repeatable)."),
        valueName: UI.t("verzeichnis", "dir")))
    var profileDirectories: [String] = []

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausgabe: text oder json.", "Output: text or json."), valueName: "format"))
    var format: Format = .text

    func run() throws {
        let catalog = try loadCatalog(global: global, extra: profileDirectories)
        let checked = try resolve(catalog)
        let (set, policy) = try loadRules(global)
        if !set.errors.isEmpty {
            for e in set.errors { printError(e.text(UI.language)) }
            throw Exit.configuration
        }
        let results = ProfileCoverage.grade(checked, catalog: catalog.profiles,
                                            usages: try FieldReferenceDoc.usages(set, policy: policy))
        let titles = Dictionary(set.rules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        switch format {
        case .json: print(ProfileCoverage.json(checked, results, titles: titles))
        case .text: print(ProfileCoverage.text(checked, results, titles: titles), terminator: "")
        }
    }

    /// The profile named by id, or read from a path (an argument with `/` or a YAML suffix).
    func resolve(_ catalog: ProfileCatalog) throws -> SourceProfile {
        do {
            if profile.contains("/") || profile.hasSuffix(".yaml") || profile.hasSuffix(".yml") {
                return try SourceProfile.load(path: profile)
            }
            return try catalog.require(id: profile)
        } catch let e as ConfigError {
            printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + e.text(UI.language) + " [\(e.code)]")
            throw Exit.configuration
        }
    }
}

/// The grades of every rule for one profile, and their text and JSON forms.
enum ProfileCoverage {
    /// How the profile relates to a rule.
    enum Relation: String {
        /// The rule runs on records of the profile's kind.
        case record
        /// The rule looks up records of the profile's (reference) kind.
        case reference
        /// Neither: the rule is about another kind.
        case otherKind = "other_kind"
    }

    struct Result {
        let usage: FieldUsage
        let relation: Relation
        let feed: FieldFeed
    }

    /// Grades every rule. Record rules of the profile's kind: the profile's fields plus the
    /// reference columns mapped by the catalog's profiles. Rules looking the profile's kind up:
    /// its columns from this profile, everything else assumed available.
    static func grade(_ profile: SourceProfile, catalog: [SourceProfile], usages: [FieldUsage]) -> [Result] {
        let own = Set(profile.fields.map { FieldKey(profile.kind, $0.name) })
        // Lookups read other kinds only, so every other kind's mapped columns may be looked up
        // (reference tables today; any kind a rule can look up records of).
        var reference = Set<FieldKey>()
        for p in catalog where p.kind != profile.kind {
            for f in p.fields { reference.insert(FieldKey(p.kind, f.name)) }
        }
        return usages.map { u in
            if u.kind == profile.kind {
                return Result(usage: u, relation: .record, feed: u.feed(available: own.union(reference)))
            }
            if u.referenceKinds.contains(profile.kind) {
                let others = Set(u.reads.map(\.field).filter { $0.kind != profile.kind })
                return Result(usage: u, relation: .reference, feed: u.feed(available: others.union(own)))
            }
            return Result(usage: u, relation: .otherKind, feed: FieldFeed(grade: .none, missing: [], blocking: []))
        }
    }

    static func name(_ r: FieldRead, _ u: FieldUsage) -> String {
        r.field.kind == u.kind ? r.field.name : r.field.description
    }

    static func gradeText(_ g: FieldFeed.Grade) -> String {
        switch g {
        case .full: return UI.t("voll", "fully")
        case .partial: return UI.t("teilweise", "partly")
        case .none: return UI.t("gar nicht", "not at all")
        }
    }

    static func effectText(_ e: MissingEffect) -> String {
        switch e {
        case .undecided: return UI.t("ohne es unentscheidbar", "undecidable without it")
        case .neverFires: return UI.t("ohne es nie erfüllt", "never true without it")
        case .notCounted: return UI.t("ohne es nicht gezählt", "not counted without it")
        case .stillDecides: return UI.t("entscheidet auch ohne", "decides without it")
        }
    }

    static func roleText(_ r: FieldRole) -> String {
        switch r {
        case .condition: return UI.t("Bedingung", "condition")
        case .presence: return UI.t("Vorhandensein", "presence")
        case .lookup: return UI.t("Nachschlagen", "lookup")
        case .ratio: return UI.t("Anteil", "ratio")
        case .group: return UI.t("Gruppierung", "group")
        case .window: return UI.t("Zeitfenster", "window")
        case .evidence: return UI.t("Beleg", "evidence")
        case .fingerprint: return UI.t("Fingerabdruck", "fingerprint")
        }
    }

    static func text(_ profile: SourceProfile, _ results: [Result], titles: [String: Localized]) -> String {
        let related = results.filter { $0.relation != .otherKind }
        let count = { (g: FieldFeed.Grade) in related.filter { $0.feed.grade == g }.count }
        var o = UI.t("Profil \(profile.id) (\(profile.kind.rawValue), \(profile.format.rawValue)): ",
                     "Profile \(profile.id) (\(profile.kind.rawValue), \(profile.format.rawValue)): ")
        o += UI.t("\(count(.full)) Regeln voll, \(count(.partial)) teilweise, \(count(.none)) gar nicht versorgt; ",
                  "\(count(.full)) rules fed fully, \(count(.partial)) partly, \(count(.none)) not at all; ")
        o += UI.t("\(results.count - related.count) Regeln gelten anderen Satzarten.\n",
                  "\(results.count - related.count) rules are about other record kinds.\n")
        for r in related {
            let title = titles[r.usage.ruleID].map(UI.text) ?? ""
            var line = "  \(gradeText(r.feed.grade).padding(toLength: 11, withPad: " ", startingAt: 0)) \(r.usage.ruleID)"
            if r.relation == .reference { line += UI.t(" (als Stammdaten)", " (as reference data)") }
            line += "  \(title)"
            o += line + "\n"
            if r.feed.grade == .none {
                let list = r.feed.blocking.map { "\(name($0, r.usage)) (\(effectText($0.whenMissing)))" }.joined(separator: ", ")
                o += UI.t("      fehlt: ", "      missing: ") + list + "\n"
                let rest = r.feed.missing.filter { m in !r.feed.blocking.contains { $0.field == m.field } }
                if !rest.isEmpty {
                    o += UI.t("      außerdem: ", "      also: ") + rest.map { name($0, r.usage) }.joined(separator: ", ") + "\n"
                }
            } else if r.feed.grade == .partial {
                let list = r.feed.missing.map { "\(name($0, r.usage)) (\($0.roles.map(roleText).joined(separator: ", ")))" }
                o += UI.t("      fehlt: ", "      missing: ") + list.joined(separator: ", ") + "\n"
            }
        }
        if related.isEmpty {
            o += UI.t("  Keine Regel liest Satzart \(profile.kind.rawValue).\n", "  No rule reads record kind \(profile.kind.rawValue).\n")
        }
        return o
    }

    static func json(_ profile: SourceProfile, _ results: [Result], titles: [String: Localized]) -> String {
        func field(_ r: FieldRead, _ u: FieldUsage) -> [String: Any] {
            ["field": name(r, u), "kind": r.field.kind.rawValue, "needed": r.required, "effect": r.whenMissing.rawValue,
             "roles": r.roles.map(\.rawValue)]
        }
        let rules: [[String: Any]] = results.map { r in
            [
                "rule": r.usage.ruleID,
                "title": titles[r.usage.ruleID].map(UI.text) ?? "",
                "relation": r.relation.rawValue,
                "grade": r.feed.grade.rawValue,
                "missing": r.feed.missing.map { field($0, r.usage) },
                "blocking": r.feed.blocking.map { name($0, r.usage) },
            ]
        }
        let related = results.filter { $0.relation != .otherKind }
        let object: [String: Any] = [
            "profile": profile.id,
            "kind": profile.kind.rawValue,
            "format": profile.format.rawValue,
            "file": profile.position.file,
            "summary": [
                "full": related.filter { $0.feed.grade == .full }.count,
                "partial": related.filter { $0.feed.grade == .partial }.count,
                "none": related.filter { $0.feed.grade == .none }.count,
                "other_kind": results.count - related.count,
            ],
            "rules": rules,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
