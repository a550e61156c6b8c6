import ArgumentParser
import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandScan

/// `trennwand waive list`: the triage decisions of a waiver file as a table (or JSON).
struct WaiveList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: UI.t("Listet die Ausnahmen: Regel, Entscheidung, Genehmigung, Verantwortung, Frist, Begründung.",
                       "Lists the waivers: rule, decision, approver, owner, expiry, reason."),
        discussion: UI.t(
            """
            Je Eintrag: Zeile in der Ausnahmedatei, Regel, Entscheidung, genehmigt von, verantwortlich, gültig bis \
            (letzter gültiger Tag, Europe/Berlin), verbleibende Tage („abgelaufen“ nach Ablauf) und die Begründung \
            (Steuerzeichen neutralisiert, in der Tabelle gekürzt). --json gibt alle Felder vollständig aus.
            Exit-Code 0: gelesen (auch ohne Ausnahmedatei); 2: fehlerhafte Ausnahmedatei oder Prüfauftrag.
            """,
            """
            Per entry: line in the waiver file, rule, decision, approver, owner, valid until (last valid day, \
            Europe/Berlin), days left ('expired' once expired) and the reason (control characters neutralised, \
            shortened in the table). --json prints every field in full.
            Exit code 0: read (also without a waiver file); 2: malformed waiver file or configuration.
            """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var files: WaiverFileOptions
    @OptionGroup var reference: ReferenceTimeOptions

    @Flag(name: .long, help: ArgumentHelp(UI.t("Als JSON ausgeben.", "Print as JSON.")))
    var json = false

    func run() throws {
        let cfg = try files.loadConfig()
        let now = try reference.resolve(cfg)
        let set = try loadWaiverSet(files.file(cfg), named: files.waivers != nil, limits: cfg.waiverLimits)
        let waivers = set?.waivers ?? []
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(waivers.map { WaiverListing($0, now: now) }), as: UTF8.self))
            return
        }
        if waivers.isEmpty {
            print(UI.t("Keine Ausnahmen.", "No waivers."))
            return
        }
        let header = UI.t(["Zeile", "Regel", "Entscheidung", "genehmigt von", "verantwortlich", "gültig bis", "Tage", "Begründung"],
                          ["Line", "Rule", "Decision", "approver", "owner", "valid until", "days", "reason"])
        let rows = waivers.map { w -> [String] in
            [String(w.position.line), w.rule, w.decision.map { UI.text($0.label) } ?? "–", cell(w.approver, 40),
             w.owner.map { cell($0, 30) } ?? "–", BerlinTime.date(w.expires - 1),
             w.daysLeft(now: now).map(String.init) ?? UI.t("abgelaufen", "expired"), cell(w.reason, 60)]
        }
        printTable(header: header, rows: rows, rightAligned: [0, 6])
    }

    /// A table cell: neutralised, on one line, at most `limit` characters.
    private func cell(_ text: String, _ limit: Int) -> String {
        let one = Masking.neutralised(text).split(whereSeparator: { $0.isNewline || $0 == "\t" }).joined(separator: " ")
        return one.count > limit ? String(one.prefix(limit - 1)) + "…" : one
    }
}

/// Reads the waiver file for `list` and `lint`. A missing file is no error unless it was named
/// with `--waivers` (nil: no file); a malformed one is printed with its position and ends the
/// command with exit 2.
func loadWaiverSet(_ path: String, named: Bool, limits: WaiverLimits) throws -> WaiverSet? {
    if !named && !FileManager.default.fileExists(atPath: path) {
        printError(UI.t("Hinweis: keine Ausnahmedatei (\(path)) [waivers.none]", "note: no waiver file (\(path)) [waivers.none]"))
        return nil
    }
    do {
        return try WaiverSet.load(path: path, limits: limits, clock: Int64(Date().timeIntervalSince1970))
    } catch let e as ConfigError {
        printError(UI.t("Fehler in der Ausnahmedatei: ", "error in the waiver file: ") + e.text(UI.language) + " [\(e.code)]")
        throw Exit.configuration
    }
}

extension Waiver {
    /// Whole Berlin calendar days from today to the last valid day (0: today is the last); nil
    /// once expired.
    func daysLeft(now: Int64) -> Int? {
        guard isValid(at: now) else { return nil }
        let zone = ZoneConverter(identifier: BerlinTime.zoneIdentifier)
        func day(_ t: Int64) -> Int64 { CivilTime.floorDiv(zone?.local(fromUTC: t) ?? t, 86_400) }
        return Int(day(expires - 1) - day(now))
    }
}

/// One waiver in `waive list --json`: machine times in ISO 8601 UTC, the last valid day as a
/// Berlin date (`2027-01-31`), texts neutralised.
struct WaiverListing: Encodable {
    var file: String
    var line: Int
    var rule: String
    var fingerprint: String?
    var match: Bool
    var decision: String?
    var reason: String
    var approver: String
    var secondApprover: String?
    var owner: String?
    var scope: String
    var created: String
    var expires: String
    var validUntil: String
    var daysLeft: Int?
    var expired: Bool
    var reportedOn: String?
    var authorityReference: String?
    var ticket: String?

    enum CodingKeys: String, CodingKey {
        case file, line, rule, fingerprint, match, decision, reason, approver, owner, scope, created, expires, expired, ticket
        case secondApprover = "second_approver", validUntil = "valid_until", daysLeft = "days_left"
        case reportedOn = "reported_on", authorityReference = "authority_reference"
    }

    init(_ w: Waiver, now: Int64) {
        file = w.position.file
        line = w.position.line
        rule = w.rule
        fingerprint = w.fingerprint
        match = w.match != nil
        decision = w.decision?.rawValue
        reason = Masking.neutralised(w.reason)
        approver = Masking.neutralised(w.approver)
        secondApprover = w.secondApprover.map { Masking.neutralised($0) }
        owner = w.owner.map { Masking.neutralised($0) }
        scope = w.scope.rawValue
        created = CivilTime.iso8601(w.created)
        expires = CivilTime.iso8601(w.expires)
        validUntil = WaiverTime.berlinDate(w.expires - 1)
        daysLeft = w.daysLeft(now: now)
        expired = !w.isValid(at: now)
        reportedOn = w.reportedOn.map { WaiverTime.berlinDate($0) }
        authorityReference = w.authorityReference.map { Masking.neutralised($0) }
        ticket = w.ticket.map { Masking.neutralised($0) }
    }
}
