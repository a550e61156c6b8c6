import Foundation
import HTTPTypes
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState

/// Server-rendered HTML of the review workspace: German first, English with `?lang=en`; no
/// script, no external resource; every value through `h()` (the project's one escaper).
/// Persons appear only as pseudonyms, values only masked, as stored.
enum Pages {
    /// Findings per page of a rule list: 100 keeps a page readable and quick to render (about
    /// 30 KB) when 32 browsers ask for it at once; the pager goes on.
    static let pageSize = 100

    /// The report's stylesheet plus the workspace's navigation and forms.
    static let stylesheet = ReportStylesheet.css + """

    nav.top { background: #1b1f24; color: #fff; padding: .35rem 1.5rem; display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; align-items: center; }
    nav.top a { color: #fff; text-decoration: none; } nav.top a.here { text-decoration: underline; }
    nav.top .who { margin-left: auto; color: #d0d7de; font-size: .9rem; }
    nav.top form { display: inline; } nav.top button { font: inherit; font-size: .85rem; }
    form.stack { display: grid; gap: .4rem; max-width: 32rem; } form.stack label { display: grid; gap: .1rem; }
    input, select, textarea, button { font: inherit; } textarea { min-height: 4rem; }
    .problem { background: #ffebe9; border: 1px solid #cf222e; padding: .35rem .6rem; margin: .3rem 0; }
    .notice { background: #dafbe1; border: 1px solid #1a7f37; padding: .35rem .6rem; margin: .3rem 0; overflow-wrap: anywhere; }
    section.decide { border: 1px solid var(--line); padding: .3rem .9rem .6rem; margin: .8rem 0; background: var(--soft); }
    #overview { display: flex; flex-wrap: wrap; gap: .8rem; align-items: flex-start; }
    #overview .card { max-width: 100%; overflow-x: auto; }
    tr.late td { color: #82071e; font-weight: 600; }
    """

    static func t(_ lang: Language, _ de: String, _ en: String) -> String { lang == .de ? de : en }

    static let csrfText = Localized(de: "Formular abgelaufen oder nicht von dieser Seite (CSRF-Schutz). Seite neu laden und erneut senden.",
                                    en: "Form expired or not from this page (CSRF protection). Reload the page and send again.")

    /// The frame of every page of a signed-in visitor.
    static func layout(_ v: Visitor, title: Localized, body: String) -> String {
        let l = v.lang
        var nav = ""
        if Permission.read.allows(v.account.role) {
            for (path, de, en) in [("/", "Übersicht", "Overview"), ("/findings", "Feststellungen", "Findings"),
                                   ("/decisions", "Entscheidungen", "Decisions"), ("/runs", "Prüfläufe", "Runs")] {
                nav += "<a href=\"\(path)\">\(h(t(l, de, en)))</a>"
            }
        }
        if Permission.viewReidentifications.allows(v.account.role) {
            nav += "<a href=\"/reidentifications\">\(t(l, "Aufdeckungen", "Re-identifications"))</a>"
        }
        if Permission.manageAccounts.allows(v.account.role) { nav += "<a href=\"/accounts\">\(t(l, "Konten", "Accounts"))</a>" }
        let other: Language = l == .de ? .en : .de
        nav += "<a href=\"?lang=\(other.rawValue)\" lang=\"\(other.rawValue)\">\(other == .en ? "English" : "Deutsch")</a>"
        nav += "<span class=\"who\">\(h(v.account.name)) · \(h(v.account.role.label.text(l)))</span>"
        nav += "<form method=\"post\" action=\"/logout\">\(csrfField(v))<button type=\"submit\">\(t(l, "Abmelden", "Log out"))</button></form>"
        return document(lang: l, title: title.text(l), body: "<nav class=\"top\">\(nav)</nav><main>\(body)</main>")
    }

    static func document(lang: Language, title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(lang.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(h(title)) – Trennwand</title><link rel="stylesheet" href="/static/style.css"></head>
        <body>\(body)</body></html>
        """
    }

    static func csrfField(_ v: Visitor) -> String { "<input type=\"hidden\" name=\"csrf\" value=\"\(h(v.session.csrf))\">" }

    static func error(status: HTTPResponse.Status, lang: Language, detail: Localized? = nil) -> String {
        let text: String
        switch status.code {
        case 401: text = t(lang, "Nicht angemeldet. Bitte anmelden.", "Not signed in. Please log in.")
        case 403: text = t(lang, "Kein Zugriff.", "Forbidden.")
        case 404: text = t(lang, "Nicht gefunden.", "Not found.")
        case 413: text = t(lang, "Anfrage zu groß.", "Request too large.")
        default: text = t(lang, "Fehler \(status.code).", "Error \(status.code).")
        }
        var body = "<main><h1>\(h(text))</h1>"
        if let detail { body += "<p class=\"problem\">\(h(detail.text(lang)))</p>" }
        body += "<p><a href=\"/login\">\(t(lang, "Zur Anmeldung", "To the login page"))</a> · <a href=\"/\">\(t(lang, "Zur Übersicht", "To the overview"))</a></p></main>"
        return document(lang: lang, title: text, body: body)
    }

    static func forbidden(_ v: Visitor) -> String {
        let l = v.lang
        var s = "<h1>\(t(l, "Kein Zugriff", "Forbidden"))</h1><p>\(h(t(l, "Ihre Rolle (\(v.account.role.label.de)) erlaubt diese Seite oder Aktion nicht.", "Your role (\(v.account.role.label.en)) does not allow this page or action.")))</p>"
        if v.account.role == .admin { s += "<p><a href=\"/accounts\">\(t(l, "Zur Kontenverwaltung", "To the accounts"))</a></p>" }
        return s
    }

    static func notFound(_ v: Visitor) -> String {
        "<h1>\(t(v.lang, "Nicht gefunden", "Not found"))</h1><p>\(t(v.lang, "Diese Feststellung ist im Zustandsspeicher nicht (mehr) vorhanden.", "The state store does not hold this finding (any more)."))</p>"
    }

    static func problem(_ v: Visitor, _ p: Localized, back: String) -> String {
        "<p class=\"problem\">\(h(p.text(v.lang)))</p><p><a href=\"\(h(back))\">\(t(v.lang, "Zurück", "Back"))</a></p>"
    }

    // MARK: - Login and setup

    static func login(lang: Language, csrf: String, next: String?, problem: Localized?) -> String {
        var b = "<main><h1>Trennwand – \(t(lang, "Prüfarbeitsplatz", "review workspace"))</h1>"
        if let problem { b += "<p class=\"problem\">\(h(problem.text(lang)))</p>" }
        b += """
            <form class="stack" method="post" action="/login">
            <input type="hidden" name="csrf" value="\(h(csrf))"><input type="hidden" name="lang" value="\(lang.rawValue)">
            \(next.map { "<input type=\"hidden\" name=\"next\" value=\"\(h($0))\">" } ?? "")
            <label>\(t(lang, "Konto", "Account"))<input name="name" autocomplete="username" required maxlength="100"></label>
            <label>\(t(lang, "Passwort", "Password"))<input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">\(t(lang, "Anmelden", "Log in"))</button></form>
            <p class="small"><a href="/login?lang=\(lang == .de ? "en" : "de")">\(lang == .de ? "English" : "Deutsch")</a></p></main>
            """
        return document(lang: lang, title: t(lang, "Anmeldung", "Login"), body: b)
    }

    static func setup(lang: Language, account: ReviewAccount, token: String, csrf: String, problem: Localized?) -> String {
        var b = "<main><h1>\(t(lang, "Passwort festlegen", "Set your password"))</h1>"
        b += "<p>\(h(t(lang, "Konto „\(account.name)“, Rolle: \(account.role.label.de). Der Link gilt einmal.", "Account '\(account.name)', role: \(account.role.label.en). The link works once.")))</p>"
        if let problem { b += "<p class=\"problem\">\(h(problem.text(lang)))</p>" }
        b += """
            <form class="stack" method="post" action="/setup/\(h(token))">
            <input type="hidden" name="csrf" value="\(h(csrf))"><input type="hidden" name="lang" value="\(lang.rawValue)">
            <label>\(t(lang, "Neues Passwort (mindestens \(PasswordHasher.minimumLength) Zeichen)", "New password (at least \(PasswordHasher.minimumLength) characters)"))<input name="password" type="password" autocomplete="new-password" required minlength="\(PasswordHasher.minimumLength)"></label>
            <label>\(t(lang, "Wiederholen", "Repeat"))<input name="password2" type="password" autocomplete="new-password" required></label>
            <button type="submit">\(t(lang, "Festlegen", "Set password"))</button></form></main>
            """
        return document(lang: lang, title: t(lang, "Passwort festlegen", "Set your password"), body: b)
    }

    static func setupInvalid(lang: Language) -> String {
        document(lang: lang, title: t(lang, "Link ungültig", "Link invalid"), body: """
            <main><h1>\(t(lang, "Link ungültig", "Link invalid"))</h1><p>\(t(lang, "Der Einrichtungslink ist unbekannt, schon benutzt oder abgelaufen. Bitte bei der Kontenverwaltung einen neuen anfordern.", "The setup link is unknown, used or expired. Please ask the account administrator for a new one."))</p></main>
            """)
    }

    // MARK: - Small pieces

    static func badge(_ s: Severity, _ l: Language) -> String {
        "<span class=\"badge sev-\(s.rawValue)\">\(h(s.label.text(l)))</span>"
    }

    static func status(_ s: FindingStatus, _ l: Language) -> String {
        "<span class=\"st st-\(s.rawValue)\">\(h(s.label.text(l)))</span>"
    }

    static func time(_ t: Int64?) -> String { t.map { h(BerlinTime.dateTime($0)) } ?? "–" }

    /// An ISO day (`2027-03-04`) as people in Germany read it (`04.03.2027`); other text unchanged.
    static func day(_ iso: String) -> String {
        guard iso.count == 10, let d = BerlinTime.parseDay(iso) else { return iso }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(d.day)).\(two(d.month)).\(d.year)"
    }

    /// Every ISO day inside `text` written as `day(_:)` does (audit-trail details keep ISO on record).
    static func days(in text: String) -> String {
        var out = "", rest = Substring(text)
        while let i = rest.firstIndex(where: \.isNumber) {
            out += rest[..<i]
            let candidate = rest[i...].prefix(10)
            if candidate.count == 10, candidate.allSatisfy({ $0.isNumber || $0 == "-" }), BerlinTime.parseDay(String(candidate)) != nil {
                out += day(String(candidate))
                rest = rest[i...].dropFirst(10)
            } else {
                out += rest[i...].prefix(1)
                rest = rest[i...].dropFirst()
            }
        }
        return out + rest
    }

    /// What an audit-trail action means, for the history of a finding.
    static func actionLabel(_ raw: String, _ l: Language) -> String {
        guard let a = AuditAction(rawValue: raw) else { return raw }
        switch a {
        case .login: return t(l, "Anmeldung", "login")
        case .loginFailed: return t(l, "Anmeldung fehlgeschlagen", "failed login")
        case .logout: return t(l, "Abmeldung", "logout")
        case .accountCreated: return t(l, "Konto angelegt", "account created")
        case .accountSetupIssued: return t(l, "Einrichtungslink ausgegeben", "setup link issued")
        case .passwordSet: return t(l, "Passwort gesetzt", "password set")
        case .accountDisabled: return t(l, "Konto gesperrt", "account disabled")
        case .decision: return t(l, "Entscheidung", "decision")
        case .decisionImported: return t(l, "Entscheidung importiert", "decision imported")
        case .decisionsExported: return t(l, "Entscheidungen exportiert", "decisions exported")
        case .rawDataViewed: return t(l, "Identität angezeigt", "identity shown")
        case .escalationOpened: return t(l, "nach Art. 33 eskaliert", "escalated under Art. 33")
        case .escalationClosed: return t(l, "Art.-33-Eskalation abgeschlossen", "Art. 33 escalation closed")
        case .reidentificationRequested: return t(l, "Aufdeckung beantragt", "re-identification requested")
        case .reidentificationApproved: return t(l, "Aufdeckung genehmigt", "re-identification approved")
        case .reidentificationRefused: return t(l, "Aufdeckung abgelehnt", "re-identification refused")
        }
    }
}
