import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandState

/// An audit-trail row's detail read back for people: the one place that understands the
/// `key=value` text the store writes (`ReviewStore+Accounts/Decisions/Escalations/Reidentification`,
/// the serve handlers). The stored text is hashed into the chain and stays as it is; only its
/// display changes. A detail of an unknown shape (an older or newer writer) is shown as stored.
struct TrailDetail: Sendable, Hashable {
    let action: AuditAction
    /// The values by key, as stored.
    let fields: [String: String]

    /// A key the store writes for an action, in writing order.
    private struct Key {
        let name: String
        var optional = false
        /// Free text (a reason, a note): may hold spaces and `k=` itself, so it ends at the *last*
        /// occurrence of a later key (the writer appends those after it), not the first.
        var free = false
        var number = false
    }

    /// What each action writes (empty: no detail).
    private static func schema(_ a: AuditAction) -> [Key]? {
        switch a {
        case .login, .logout, .passwordSet, .accountDisabled: return []
        case .loginFailed: return nil
        case .accountCreated: return [Key(name: "role"), Key(name: "via", optional: true)]
        case .accountSetupIssued: return [Key(name: "via", optional: true)]
        case .decision, .decisionImported:
            return [Key(name: "kind"), Key(name: "rule"), Key(name: "expires"), Key(name: "assignee", optional: true),
                    Key(name: "authority_reference", optional: true), Key(name: "reason", free: true),
                    Key(name: "approver", optional: true)]
        case .decisionsExported:
            return [Key(name: "entries", number: true), Key(name: "skipped_expired", number: true), Key(name: "out", optional: true, free: true)]
        case .rawDataViewed: return [Key(name: "request", number: true), Key(name: "pseudonym"), Key(name: "found", number: true)]
        case .escalationOpened: return [Key(name: "rule"), Key(name: "detected", number: true), Key(name: "deadline", number: true)]
        case .escalationClosed:
            return [Key(name: "outcome"), Key(name: "late_by_seconds", optional: true, number: true), Key(name: "note", free: true)]
        case .reidentificationRequested: return [Key(name: "request", number: true), Key(name: "pseudonym"), Key(name: "reason", free: true)]
        case .reidentificationApproved:
            return [Key(name: "request", number: true), Key(name: "pseudonym"), Key(name: "expires", optional: true, number: true),
                    Key(name: "note", free: true)]
        case .reidentificationRefused: return [Key(name: "request", number: true), Key(name: "pseudonym"), Key(name: "note", free: true)]
        }
    }

    /// Reads a stored detail; nil when the action is unknown or the text has another shape.
    static func parse(action raw: String, detail: String) -> TrailDetail? {
        guard let action = AuditAction(rawValue: raw) else { return nil }
        if action == .loginFailed {
            // Written as a bare phrase, not as key=value.
            guard detail == "locked" || detail == "wrong name or password" else { return nil }
            return TrailDetail(action: action, fields: ["reason": detail])
        }
        guard let keys = schema(action) else { return nil }
        var fields: [String: String] = [:]
        var rest = Substring(detail)
        var i = 0
        while i < keys.count {
            let key = keys[i]
            if !fields.isEmpty {
                guard rest.hasPrefix(" ") else {
                    if key.optional { i += 1; continue }
                    return nil
                }
            }
            let body = fields.isEmpty ? rest : rest.dropFirst()
            guard body.hasPrefix(key.name + "=") else {
                if key.optional { i += 1; continue }
                return nil
            }
            let value = body.dropFirst(key.name.count + 1)
            var end = value.endIndex
            for later in keys[(i + 1)...] {
                let marker = " \(later.name)="
                let found = key.free ? value.range(of: marker, options: .backwards) : value.range(of: marker)
                if let found, found.lowerBound < end { end = found.lowerBound }
            }
            let v = String(value[..<end])
            if key.number, Int64(v) == nil { return nil }
            fields[key.name] = v
            rest = value[end...]
            i += 1
        }
        guard rest.isEmpty else { return nil }
        // Values that name a kind must be one we know how to say.
        if let kind = fields["kind"], WaiverDecision(rawValue: kind) == nil { return nil }
        if let role = fields["role"], ReviewRole(rawValue: role) == nil { return nil }
        if let outcome = fields["outcome"], Escalation.Outcome(rawValue: outcome) == nil { return nil }
        return TrailDetail(action: action, fields: fields)
    }

    /// The event as one sentence (HTML, every stored value escaped): the action with its detail,
    /// times in Berlin time, days German in German. Unknown shapes: the action's label and the
    /// stored text.
    static func html(action: String, detail: String, _ l: Language) -> String {
        if let parsed = parse(action: action, detail: detail) { return parsed.sentence(l) }
        let label = h(Pages.actionLabel(action, l))
        guard !detail.isEmpty else { return label }
        return label + " – " + h(l == .de ? Pages.days(in: detail) : detail)
    }

    /// The sentence of a parsed detail.
    func sentence(_ l: Language) -> String {
        func t(_ de: String, _ en: String) -> String { l == .de ? de : en }
        func v(_ key: String) -> String { h(fields[key] ?? "") }
        func quoted(_ key: String) -> String { t("„\(v(key))“", "“\(v(key))”") }
        func time(_ key: String) -> String { h(fields[key].flatMap { Int64($0) }.map(BerlinTime.dateTime) ?? "") }
        func number(_ key: String) -> Int { Int(fields[key] ?? "") ?? 0 }
        func code(_ key: String) -> String { "<code>\(v(key))</code>" }
        let via = fields["via"].map { $0 == "init-admin" ? t(" (über serve --init-admin)", " (via serve --init-admin)") : " (\(h($0)))" } ?? ""
        switch action {
        case .login: return t("Angemeldet", "Logged in")
        case .logout: return t("Abgemeldet", "Logged out")
        case .passwordSet: return t("Passwort festgelegt", "Password set")
        case .accountDisabled: return t("Konto gesperrt", "Account disabled")
        case .loginFailed:
            return fields["reason"] == "locked"
                ? t("Anmeldung abgewiesen: zu viele Fehlversuche, vorübergehend gesperrt", "Login refused: too many failed attempts, locked for a while")
                : t("Anmeldung fehlgeschlagen: Name oder Passwort falsch", "Login failed: wrong name or password")
        case .accountCreated:
            let role = ReviewRole(rawValue: fields["role"] ?? "")?.label.text(l) ?? ""
            return t("Konto angelegt mit der Rolle \(h(role))", "Account created with the role \(h(role))") + via
        case .accountSetupIssued: return t("Einrichtungslink ausgegeben", "Setup link issued") + via
        case .decision, .decisionImported:
            let kind = WaiverDecision(rawValue: fields["kind"] ?? "")?.label.text(l) ?? ""
            let expires = fields["expires"] ?? ""
            var s = action == .decisionImported ? t("Aus Ausnahmedatei importiert: Entscheidung", "Imported from a waiver file: decision")
                : t("Entscheidung", "Decision")
            s += t(" „\(h(kind))“ zu Regel \(v("rule")), gültig bis \(h(Pages.day(expires)))",
                   " “\(h(kind))” on rule \(v("rule")), valid until \(h(expires))")
            if fields["assignee"] != nil { s += t(", zuständig: \(v("assignee"))", ", assignee: \(v("assignee"))") }
            if fields["authority_reference"] != nil {
                s += t(", Aktenzeichen der Aufsichtsbehörde \(v("authority_reference"))", ", authority’s reference \(v("authority_reference"))")
            }
            s += t(": Begründung \(quoted("reason"))", ": reason \(quoted("reason"))")
            if fields["approver"] != nil { s += t(" (genehmigt von \(v("approver")))", " (approved by \(v("approver")))") }
            return s
        case .decisionsExported:
            let n = number("entries"), skipped = number("skipped_expired")
            var s = t("\(n) \(n == 1 ? "Entscheidung" : "Entscheidungen") als Ausnahmedatei exportiert",
                      "\(n) \(n == 1 ? "decision" : "decisions") exported as a waiver file")
            if skipped > 0 { s += t(", \(skipped) abgelaufene ausgelassen", ", \(skipped) expired left out") }
            if fields["out"] != nil { s += t(" nach \(code("out"))", " to \(code("out"))") }
            return s
        case .rawDataViewed:
            let n = number("found")
            let entries = n == 0 ? t("kein Eintrag im Personenverzeichnis", "no entry in the person directory")
                : t("\(n) \(n == 1 ? "Eintrag" : "Einträge") im Personenverzeichnis", "\(n) \(n == 1 ? "entry" : "entries") in the person directory")
            return t("Identität zu \(code("pseudonym")) angezeigt (Antrag \(v("request")); \(entries))",
                     "Identity of \(code("pseudonym")) shown (request \(v("request")); \(entries))")
        case .escalationOpened:
            return t("Nach Art. 33 eskaliert (Regel \(v("rule"))): Meldefrist bis \(time("deadline")) (erkannt \(time("detected")))",
                     "Escalated under Art. 33 (rule \(v("rule"))): notification deadline \(time("deadline")) (detected \(time("detected")))")
        case .escalationClosed:
            var s = t("Art.-33-Eskalation geschlossen", "Art. 33 escalation closed")
            if let late = fields["late_by_seconds"].flatMap({ Int64($0) }) {
                let span = "\(late / 3600) h \(late % 3600 / 60) min"
                s += t(", \(span) nach Ablauf der Frist", ", \(span) after the deadline")
            }
            let note = fields["note"] ?? ""
            if fields["outcome"] == Escalation.Outcome.reported.rawValue {
                // The store notes the decision that reported it as `decision <id>`.
                if note.hasPrefix("decision "), let id = Int64(note.dropFirst("decision ".count)) {
                    return s + t(": gemeldet (Entscheidung \(id))", ": reported (decision \(id))")
                }
                return s + t(": gemeldet, Vermerk \(quoted("note"))", ": reported, note \(quoted("note"))")
            }
            return s + t(": kein Risiko für die Betroffenen (Art. 33 Abs. 1), Begründung \(quoted("note"))",
                         ": no risk to the persons concerned (Art. 33(1)), reason \(quoted("note"))")
        case .reidentificationRequested:
            return t("Aufdeckung von \(code("pseudonym")) beantragt (Antrag \(v("request"))): Begründung \(quoted("reason"))",
                     "Re-identification of \(code("pseudonym")) requested (request \(v("request"))): reason \(quoted("reason"))")
        case .reidentificationApproved, .reidentificationRefused:
            let approved = action == .reidentificationApproved
            var s = approved
                ? t("Aufdeckung von \(code("pseudonym")) genehmigt (Antrag \(v("request")))",
                    "Re-identification of \(code("pseudonym")) approved (request \(v("request")))")
                : t("Aufdeckung von \(code("pseudonym")) abgelehnt (Antrag \(v("request")))",
                    "Re-identification of \(code("pseudonym")) refused (request \(v("request")))")
            if fields["expires"] != nil { s += t(", einsehbar bis \(time("expires"))", ", visible until \(time("expires"))") }
            if !(fields["note"] ?? "").isEmpty { s += t(": Vermerk \(quoted("note"))", ": note \(quoted("note"))") }
            return s
        }
    }
}
