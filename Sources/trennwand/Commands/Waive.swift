import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandRecords
import TrennwandScan
import TrennwandState

extension WaiverDecision: ExpressibleByArgument {}

/// `trennwand waive`: records, lists and checks triage decisions (audited waivers).
///
/// `trennwand waive <fingerprint> --rule … --decision … --reason … --approver … --until …` is the
/// default subcommand (`add`): the HTML report prints exactly that line for each finding.
struct WaiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waive",
        abstract: UI.t("Triage-Entscheidungen: Ausnahme eintragen (Standard), auflisten (list) und prüfen (lint).",
                       "Triage decisions: add a waiver (default), list them (list) and check them (lint)."),
        subcommands: [WaiveAdd.self, WaiveList.self, WaiveLint.self],
        defaultSubcommand: WaiveAdd.self)
}

/// Options naming the waiver file, shared by `waive`, `waive list` and `waive lint`.
struct WaiverFileOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        UI.t("Prüfauftrag (audit.yaml): waivers, waiver_limits, rules_directory und state daraus (Standard: ./audit.yaml, wenn vorhanden).",
             "Audit configuration (audit.yaml): waivers, waiver_limits, rules_directory and state from it (default: ./audit.yaml if present)."),
        valueName: UI.t("datei", "file")))
    var config: String?

    @Option(name: [.customLong("waivers"), .customLong("file")], help: ArgumentHelp(
        UI.t("Ausnahmedatei (Standard: waivers aus dem Prüfauftrag, sonst trennwand-waivers.yaml neben audit.yaml bzw. im Arbeitsverzeichnis).",
             "Waiver file (default: waivers of the audit configuration, else trennwand-waivers.yaml beside audit.yaml or in the working directory)."),
        valueName: UI.t("datei", "file")))
    var waivers: String?

    /// The audit configuration: `--config`, else `./audit.yaml` when it exists (so `waive` run
    /// where audit.yaml lies writes the file `scan --config audit.yaml` reads), else defaults.
    func loadConfig() throws -> AuditConfig {
        if let config { return try AuditConfig.loadForCommand(config) }
        if FileManager.default.fileExists(atPath: "audit.yaml") { return try AuditConfig.loadForCommand("audit.yaml") }
        return try AuditConfig.loadForCommand(nil)
    }

    /// The waiver file: `--waivers`, else that of the configuration.
    func file(_ cfg: AuditConfig) -> String { waivers ?? cfg.waiverFile }
}

/// `--now` of `waive list` and `waive lint`: the time expiry is judged at.
struct ReferenceTimeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        UI.t("Bezugszeitpunkt für Ablauf und Fristen: Datum (31.01.2027 oder 2027-01-31, 00:00 Europe/Berlin) oder Zeitpunkt mit Zeitzone (Standard: now des Prüfauftrags, sonst jetzt).",
             "Reference time for expiry and days left: a date (31.01.2027 or 2027-01-31, 00:00 Europe/Berlin) or a date-time with time zone (default: now of the configuration, else the clock)."),
        valueName: UI.t("zeitpunkt", "time")))
    var now: String?

    /// `--now`, else `now:` of audit.yaml (as the scan judges waivers), else the clock.
    func resolve(_ cfg: AuditConfig) throws -> Int64 {
        guard let now else { return cfg.now ?? Int64(Date().timeIntervalSince1970) }
        switch WaiverTime.parse(now, endOfDay: false, zone: ZoneConverter(identifier: BerlinTime.zoneIdentifier)) {
        case .success(let t): return t
        case .failure(let p):
            printError(UI.t("Fehler: --now: \(p.de) [waive.now]", "error: --now: \(p.en) [waive.now]"))
            throw Exit.configuration
        }
    }
}

/// `trennwand waive <fingerprint> …`: appends one audited waiver for a finding's fingerprint.
struct WaiveAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: UI.t("Trägt eine befristete, begründete Ausnahme für eine Feststellung in die Ausnahmedatei ein.",
                       "Adds a justified, expiring waiver for one finding to the waiver file."),
        discussion: UI.t(
            """
            Der Fingerabdruck steht in JSON Lines im Feld „fingerprint“, in SARIF unter \
            partialFingerprints["trennwandFingerprint/v1"]; der HTML-Bericht zeigt den ganzen Befehl zum Kopieren. \
            Der Eintrag wird an die Ausnahmedatei angehängt: die aus „waivers:“ des Prüfauftrags, sonst \
            trennwand-waivers.yaml neben audit.yaml (ohne Prüfauftrag: im Arbeitsverzeichnis) – genau die Datei, \
            die scan und gate von selbst laden. Bestehende Einträge bleiben Byte für Byte erhalten. Über dem \
            Eintrag steht ein Kommentar mit Regeltitel und maskiertem Beleg aus dem Zustandsspeicher (--state \
            oder „state:“ des Prüfauftrags). --decision: false_positive, accepted_risk (Standard), mitigated, \
            reported_art33 (dann --authority-reference, --reported-on Standard heute). created ist das heutige \
            Datum (Europe/Berlin). --until ist ein Datum (31.01.2027 oder 2027-01-31, gilt bis Tagesende \
            Europe/Berlin) oder ein Zeitpunkt mit Zeitzone, in der Zukunft und höchstens 12 Monate \
            (waiver_limits.max_validity_months) nach heute; ohne --until gilt das späteste erlaubte Datum.
            Exit-Code 0: eingetragen; 2: ungültige Angabe oder fehlerhafte Ausnahmedatei.
            """,
            """
            The fingerprint is the field 'fingerprint' in JSON Lines and partialFingerprints["trennwandFingerprint/v1"] \
            in SARIF; the HTML report shows the whole command to copy. The entry is appended to the waiver file: \
            'waivers:' of the audit configuration, else trennwand-waivers.yaml beside audit.yaml (without a \
            configuration: in the working directory) – the very file scan and gate load on their own. Existing \
            entries stay byte for byte. A comment above the entry names the rule title and the masked evidence from \
            the state store (--state or 'state:' of the configuration). --decision: false_positive, accepted_risk \
            (default), mitigated, reported_art33 (then --authority-reference; --reported-on defaults to today). \
            created is today's date (Europe/Berlin). --until is a date (31.01.2027 or 2027-01-31, valid through the \
            end of that day in Europe/Berlin) or a date-time with time zone, in the future and at most 12 months \
            (waiver_limits.max_validity_months) after today; without --until the latest allowed date is written.
            Exit code 0: added; 2: invalid argument or malformed waiver file.
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var files: WaiverFileOptions

    @Argument(help: ArgumentHelp(UI.t("Fingerabdruck der Feststellung.", "Fingerprint of the finding."), valueName: "fingerprint"))
    var fingerprint: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Regel-ID (TWnnn).", "Rule id (TWnnn)."), valueName: "id"))
    var rule: String

    @Option(name: .long, help: ArgumentHelp(
        UI.t("Entscheidung: false_positive, accepted_risk (Standard), mitigated, reported_art33.",
             "Decision: false_positive, accepted_risk (default), mitigated, reported_art33."),
        valueName: UI.t("art", "kind")))
    var decision: WaiverDecision?

    @Option(name: .long, help: ArgumentHelp(UI.t("Begründung.", "Reason."), valueName: UI.t("text", "text")))
    var reason: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Genehmigende Person oder Rolle.", "Approving person or role."),
                                            valueName: UI.t("name", "name")))
    var approver: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Wer die Feststellung weiterverfolgt (Person oder Rolle).",
                                                 "Who follows the finding up (person or role)."),
                                            valueName: UI.t("name", "name")))
    var owner: String?

    @Option(name: .long, help: ArgumentHelp(
        UI.t("Gültig bis: Datum (31.01.2027 oder 2027-01-31, bis Tagesende Europe/Berlin) oder Zeitpunkt mit Zeitzone; höchstens 12 Monate (Standard: das späteste erlaubte Datum).",
             "Valid until: a date (31.01.2027 or 2027-01-31, through the end of the day, Europe/Berlin) or a date-time with time zone; at most 12 months (default: the latest allowed date)."),
        valueName: UI.t("datum", "date")))
    var until: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("reported_art33: Datum der Meldung an die Aufsichtsbehörde (Standard: heute).",
                                                 "reported_art33: date of the report to the supervisory authority (default: today)."),
                                            valueName: UI.t("datum", "date")))
    var reportedOn: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("reported_art33: Aktenzeichen der Aufsichtsbehörde (Pflicht).",
                                                 "reported_art33: the supervisory authority's reference (required)."),
                                            valueName: "ref"))
    var authorityReference: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Verweis auf Ticket oder Entscheidung.", "Reference to a ticket or decision."),
                                            valueName: "ref"))
    var ticket: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher für den Kommentar mit Regeltitel und maskiertem Beleg (Standard: state des Prüfauftrags); nur gelesen.",
                                                 "State store for the comment with rule title and masked evidence (default: state of the configuration); read only."),
                                            valueName: UI.t("datei", "file")))
    var state: String?

    func run() throws {
        let cfg = try files.loadConfig()
        var g = global
        if g.rules == nil, let r = cfg.rules { g.rules = r }
        let (ruleSet, _) = try loadRules(g)
        let knownRules = Set(ruleSet.rules.map(\.id))
        let file = files.file(cfg)
        if decision == nil {
            printError(UI.t("Hinweis: keine --decision angegeben; eingetragen wird accepted_risk [waive.default-decision]",
                            "note: no --decision given; accepted_risk is written [waive.default-decision]"))
        }
        let now = Int64(Date().timeIntervalSince1970)
        do {
            let comment = try commentLines(ruleSet: ruleSet, statePath: state ?? cfg.state)
            let draft = WaiverFile.Draft(rule: rule, fingerprint: fingerprint, reason: reason, approver: approver,
                                         until: until, ticket: ticket, decision: decision ?? .acceptedRisk, owner: owner,
                                         reportedOn: reportedOn, authorityReference: authorityReference, comment: comment)
            if FileManager.default.fileExists(atPath: file) {
                for w in try WaiverSet.load(path: file, limits: cfg.waiverLimits).waivers where w.fingerprint == fingerprint.lowercased() {
                    printError(UI.t("Hinweis: \(w.position.file):\(w.position.line): für diesen Fingerabdruck gibt es schon eine Ausnahme (bis \(BerlinTime.date(w.expires - 1)))",
                                    "note: \(w.position.file):\(w.position.line): this fingerprint already has a waiver (until \(BerlinTime.date(w.expires - 1)))"))
                }
            }
            let added = try WaiverFile.append(draft, path: file, now: now, limits: cfg.waiverLimits, knownRules: knownRules)
            printError(UI.t("Ausnahme an \(file) angehängt:", "waiver appended to \(file):") + added)
        } catch let e as WaiverFile.Problem {
            printError(UI.t("Fehler: ", "error: ") + UI.text(e.message) + " [\(e.code)]")
            throw Exit.configuration
        } catch let e as ConfigError {
            printError(UI.t("Fehler in der Ausnahmedatei: ", "error in the waiver file: ") + e.text(UI.language) + " [\(e.code)]")
            throw Exit.configuration
        }
    }

    /// The comment above the entry: rule title, and from the state store (read only) the masked
    /// evidence, file and first sighting; "not found" when there is no store or no such finding.
    /// A finding stored under another rule is refused (the waiver would match nothing).
    func commentLines(ruleSet: RuleSet, statePath: String?) throws -> [String] {
        let id = rule.uppercased()
        let title = ruleSet.rules.first { $0.id.uppercased() == id }.map { UI.text($0.title) }
        var lines = [title.map { "\(id) – \($0)" } ?? id]
        var stored: StoredFinding?
        if let statePath {
            do {
                stored = try StateStore(path: statePath, readOnly: true).finding(fingerprint: fingerprint)
            } catch {
                printError(UI.t("Hinweis: ", "note: ") + StateError.from(error, path: statePath).text(UI.language))
            }
        }
        guard let stored else {
            printError(UI.t("Hinweis: Feststellung nicht im Zustandsspeicher gefunden\(statePath == nil ? " (kein --state und kein state: im Prüfauftrag)" : ""); Eintrag wird trotzdem geschrieben [waive.not-in-state]",
                            "note: finding not found in the state store\(statePath == nil ? " (no --state and no state: in the configuration)" : ""); the entry is written anyway [waive.not-in-state]"))
            lines.append("Feststellung nicht im Zustandsspeicher gefunden / finding not found in the state store")
            return lines
        }
        if stored.ruleID.uppercased() != id {
            throw WaiverFile.Problem(code: "waive.rule-mismatch",
                                     de: "der Fingerabdruck gehört im Zustandsspeicher zur Regel \(stored.ruleID), nicht zu \(id)",
                                     en: "in the state store the fingerprint belongs to rule \(stored.ruleID), not \(id)")
        }
        lines.append(UI.t("Beleg (maskiert): ", "evidence (masked): ") + stored.evidence)
        lines.append(UI.t("Datei: \(stored.sourcePath), zuerst gesehen \(BerlinTime.dateTime(stored.firstSeen)), \(stored.occurrences)× im letzten Lauf",
                          "file: \(stored.sourcePath), first seen \(BerlinTime.dateTime(stored.firstSeen)), \(stored.occurrences)× in the latest scan"))
        return lines
    }
}
