import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandState

/// Pages of the four-eyes re-identification (docs/serve.md). Identities appear only on the
/// request page, only for its requester after approval and before expiry.
extension Pages {
    static func outcome(_ r: Reidentification, now: Int64, _ l: Language) -> String {
        switch r.outcome {
        case nil: return t(l, "wartet auf Personalrat", "waiting for the staff council")
        case .refused?: return t(l, "abgelehnt", "refused")
        case .approved?:
            if let e = r.expires, now < e { return t(l, "freigegeben bis ", "approved until ") + time(e) }
            return t(l, "freigegeben, abgelaufen", "approved, expired")
        }
    }

    /// The section of a finding page: its requests, and for a dpo the form to ask for one.
    static func reidentificationSection(_ v: Visitor, _ f: Finding, requests: [Reidentification], now: Int64) -> String {
        let l = v.lang
        guard Permission.viewReidentifications.allows(v.account.role) else { return "" }
        var b = "<section class=\"decide\" id=\"reidentification\"><h2>\(t(l, "Aufdeckung (Vier-Augen-Prinzip)", "Re-identification (four eyes)"))</h2>"
        if !requests.isEmpty {
            b += "<ul>"
            for r in requests {
                b += "<li><a href=\"/reidentifications/\(r.id)\">#\(r.id)</a> <code>\(h(r.pseudonym))</code> · \(h(r.requestedBy)) · \(h(outcome(r, now: now, l)))</li>"
            }
            b += "</ul>"
        }
        let pseudonyms = Array(Set(f.persons.values)).sorted()
        if Permission.requestReidentification.allows(v.account.role), !pseudonyms.isEmpty {
            b += "<form class=\"stack\" method=\"post\" action=\"/findings/\(h(f.fingerprint))/reidentification\">\(csrfField(v))"
            b += "<label>\(t(l, "Pseudonym", "Pseudonym"))<select name=\"pseudonym\">"
            for p in pseudonyms { b += "<option value=\"\(h(p))\">\(h(p))</option>" }
            b += "</select></label>"
            b += "<label>\(t(l, "Grund (wird dem Personalrat gezeigt und protokolliert)", "Reason (shown to the staff council and logged)"))"
            b += "<textarea name=\"reason\" required maxlength=\"2000\"></textarea></label>"
            b += "<button type=\"submit\">\(t(l, "Aufdeckung beantragen", "Request re-identification"))</button></form>"
        } else if pseudonyms.isEmpty {
            b += "<p class=\"meta\">\(t(l, "Diese Feststellung nennt keine Person.", "This finding names no person."))</p>"
        }
        return b + "</section>"
    }

    /// Open requests, for the personalrat to decide.
    static func reidentifications(_ v: Visitor, open: [Reidentification]) -> String {
        let l = v.lang
        var b = "<h1>\(t(l, "Aufdeckungen", "Re-identifications"))</h1>"
        guard !open.isEmpty else { return b + "<p>\(t(l, "Keine offenen Anträge.", "No open requests."))</p>" }
        b += "<table><thead><tr><th>#</th><th>\(t(l, "Feststellung", "Finding"))</th><th>Pseudonym</th><th>\(t(l, "Beantragt von", "Requested by"))</th><th>\(t(l, "am", "at"))</th><th>\(t(l, "Grund", "Reason"))</th></tr></thead><tbody>"
        for r in open {
            b += "<tr><td><a href=\"/reidentifications/\(r.id)\">#\(r.id)</a></td><td><a href=\"/findings/\(h(r.fingerprint))\"><code>\(h(String(r.fingerprint.prefix(12))))</code></a></td>"
            b += "<td><code>\(h(r.pseudonym))</code></td><td>\(h(r.requestedBy))</td><td>\(time(r.requestedAt))</td><td>\(h(r.reason))</td></tr>"
        }
        return b + "</tbody></table>"
    }

    /// One request: its facts, the personalrat's decision form, and for its requester the identity.
    static func reidentification(_ v: Visitor, _ r: Reidentification, revealed: [PersonIdentity]?, directoryLoaded: Bool, now: Int64,
                                 problem: Localized?) -> String {
        let l = v.lang
        var b = "<h1>\(t(l, "Aufdeckung", "Re-identification")) #\(r.id)</h1>"
        if let problem { b += "<p class=\"problem\">\(h(problem.text(l)))</p>" }
        b += "<dl class=\"facts\">"
        b += "<dt>\(t(l, "Feststellung", "Finding"))</dt><dd><a href=\"/findings/\(h(r.fingerprint))\"><code>\(h(r.fingerprint))</code></a></dd>"
        b += "<dt>Pseudonym</dt><dd><code>\(h(r.pseudonym))</code></dd>"
        b += "<dt>\(t(l, "Beantragt von", "Requested by"))</dt><dd>\(h(r.requestedBy)), \(time(r.requestedAt))</dd>"
        b += "<dt>\(t(l, "Grund", "Reason"))</dt><dd>\(h(r.reason))</dd>"
        b += "<dt>Status</dt><dd>\(h(outcome(r, now: now, l)))</dd>"
        if let by = r.decidedBy {
            b += "<dt>\(t(l, "Entschieden von", "Decided by"))</dt><dd>\(h(by)), \(time(r.decidedAt))"
            if let n = r.note, !n.isEmpty { b += " – \(h(n))" }
            b += "</dd>"
        }
        b += "</dl>"
        if let revealed {
            b += "<section class=\"notice\" id=\"identity\"><h2>\(t(l, "Identität", "Identity"))</h2>"
            if revealed.isEmpty {
                b += "<p>" + (directoryLoaded
                    ? t(l, "Keine Referenztabelle nennt diese Person (z. B. nur im Protokoll vorkommende Kennung).",
                        "No reference table names this person (e.g. an id that occurs only in the log).")
                    : t(l, "Der Server wurde ohne Referenztabellen gestartet (serve --config).", "The server was started without reference tables (serve --config).")) + "</p>"
            } else {
                b += "<ul>"
                for p in revealed { b += "<li><strong>\(h(p.id))</strong> <span class=\"meta\">(\(h(p.table)).\(h(p.field)))</span></li>" }
                b += "</ul>"
            }
            b += "<p class=\"meta\">\(t(l, "Dieser Abruf ist im Prüfprotokoll vermerkt.", "This view is recorded in the audit trail."))</p></section>"
        }
        if r.isOpen && Permission.approveReidentification.allows(v.account.role) {
            if r.requestedBy == v.account.name {
                b += "<p class=\"meta\">\(t(l, "Über den eigenen Antrag entscheidet eine andere Person.", "Another person decides on one's own request."))</p>"
            } else {
                for (path, de, en) in [("approve", "Freigeben", "Approve"), ("refuse", "Ablehnen", "Refuse")] {
                    b += "<form class=\"stack\" method=\"post\" action=\"/reidentifications/\(r.id)/\(path)\">\(csrfField(v))"
                    b += "<label>\(t(l, "Anmerkung", "Note"))<textarea name=\"note\" maxlength=\"2000\"></textarea></label>"
                    b += "<button type=\"submit\" name=\"do\" value=\"\(path)\">\(t(l, de, en))</button></form>"
                }
            }
        }
        return b
    }
}
