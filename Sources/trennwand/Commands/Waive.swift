import ArgumentParser
import Foundation
import TrennwandFindings
import TrennwandScan
import TrennwandOutputs
import TrennwandRecords

/// `trennwand waive`: appends one audited waiver for a finding's fingerprint to the waiver file.
struct WaiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waive",
        abstract: UI.t("Trägt eine befristete, begründete Ausnahme für eine Feststellung in die Ausnahmedatei ein.",
                       "Adds a justified, expiring waiver for one finding to the waiver file."),
        discussion: UI.t(
            """
            Der Fingerabdruck steht in JSON Lines im Feld „fingerprint“ und in SARIF unter \
            partialFingerprints["trennwandFingerprint/v1"]. Der Eintrag wird an die Datei angehängt (sie wird \
            mit Kopfkommentar angelegt, wenn sie fehlt); bestehende Einträge bleiben Byte für Byte erhalten. \
            created ist das heutige Datum (Europe/Berlin). --until ist ein Datum (gilt bis Tagesende \
            Europe/Berlin) oder ein Zeitpunkt mit Zeitzone, muss in der Zukunft und höchstens 12 Monate \
            (waiver_limits.max_validity_months in --config) nach heute liegen; ohne --until gilt das späteste \
            erlaubte Datum. Die Regel muss es im geladenen Regelwerk geben.
            Exit-Code 0: eingetragen; 2: ungültige Angabe oder fehlerhafte Ausnahmedatei.
            """,
            """
            The fingerprint is the field 'fingerprint' in JSON Lines and partialFingerprints["trennwandFingerprint/v1"] \
            in SARIF. The entry is appended to the file (created with a header comment if missing); existing \
            entries stay byte for byte. created is today's date (Europe/Berlin). --until is a date (valid through \
            the end of that day in Europe/Berlin) or a date-time with time zone; it must lie in the future and at \
            most 12 months (waiver_limits.max_validity_months in --config) after today; without --until the \
            latest allowed date is written. The rule must exist in the loaded rule pack.
            Exit code 0: added; 2: invalid argument or malformed waiver file.
            """))

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp(UI.t("Fingerabdruck der Feststellung.", "Fingerprint of the finding."), valueName: "fingerprint"))
    var fingerprint: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Regel-ID (TWnnn).", "Rule id (TWnnn)."), valueName: "id"))
    var rule: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Begründung.", "Reason."), valueName: UI.t("text", "text")))
    var reason: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Genehmigende Person oder Rolle.", "Approving person or role."),
                                            valueName: UI.t("name", "name")))
    var approver: String

    @Option(name: .long, help: ArgumentHelp(
        UI.t("Gültig bis: Datum (bis Tagesende Europe/Berlin) oder Zeitpunkt mit Zeitzone; höchstens 12 Monate (Standard: das späteste erlaubte Datum).",
             "Valid until: a date (through the end of the day, Europe/Berlin) or a date-time with time zone; at most 12 months (default: the latest allowed date)."),
        valueName: UI.t("zeitpunkt", "time")))
    var until: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Prüfauftrag (audit.yaml): waiver_limits, rules_directory und waivers daraus.",
                                                 "Audit configuration (audit.yaml): waiver_limits, rules_directory and waivers from it."),
                                            valueName: UI.t("datei", "file")))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Verweis auf Ticket oder Entscheidung.", "Reference to a ticket or decision."),
                                            valueName: "ref"))
    var ticket: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausnahmedatei (Standard: waivers aus --config, sonst trennwand-waivers.yaml).",
                                                 "Waiver file (default: waivers of --config, else trennwand-waivers.yaml)."),
                                            valueName: UI.t("datei", "file")))
    var file: String?

    func run() throws {
        let cfg = try AuditConfig.loadForCommand(config)
        var g = global
        if g.rules == nil, let r = cfg.rules { g.rules = r }
        let (ruleSet, _) = try loadRules(g)
        let knownRules = Set(ruleSet.rules.map(\.id))
        let file = self.file ?? cfg.waivers ?? WaiverFile.defaultPath
        let draft = WaiverFile.Draft(rule: rule, fingerprint: fingerprint, reason: reason, approver: approver,
                                     until: until, ticket: ticket)
        let now = Int64(Date().timeIntervalSince1970)
        do {
            if FileManager.default.fileExists(atPath: file) {
                for w in try WaiverSet.load(path: file, limits: cfg.waiverLimits).waivers where w.fingerprint == fingerprint.lowercased() {
                    printError(UI.t("Hinweis: \(w.position.file):\(w.position.line): für diesen Fingerabdruck gibt es schon eine Ausnahme (bis \(CivilTime.iso8601(w.expires)))",
                                    "note: \(w.position.file):\(w.position.line): this fingerprint already has a waiver (until \(CivilTime.iso8601(w.expires)))"))
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
}
