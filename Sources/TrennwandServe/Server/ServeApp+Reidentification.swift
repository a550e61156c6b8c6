import Foundation
import Hummingbird
import TrennwandFindings
import TrennwandRecords
import TrennwandState

/// Four-eyes re-identification (issue #18 item 5, docs/serve.md): a dpo asks for the identity
/// behind one pseudonym of one finding with a reason; a different personalrat approves or
/// refuses; the requester then sees the identity for `revealValidity` seconds, each view a
/// `raw_data_viewed` row of the audit trail.
extension ServeApp {
    static let maxReason = 2000

    func requestReidentification(fingerprint: String, form: FormData, _ visitor: Visitor) async throws -> Response {
        guard WaiverSetFingerprint.isValid(fingerprint), let detail = try await store.findingDetail(fingerprint: fingerprint) else {
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                           body: Pages.notFound(visitor)), status: .notFound)
        }
        let pseudonym = form["pseudonym"] ?? ""
        let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // Only a pseudonym this finding names: a request is always about one person in one finding.
        guard Set(detail.finding.persons.values).contains(pseudonym) else {
            return try await findingPage(fingerprint, visitor, problem: Localized(
                de: "Bitte ein Pseudonym dieser Feststellung wählen.", en: "Please choose a pseudonym of this finding."))
        }
        guard !reason.isEmpty, reason.count <= Self.maxReason else {
            return try await findingPage(fingerprint, visitor, problem: Localized(
                de: "Bitte den Grund der Aufdeckung angeben (höchstens \(Self.maxReason) Zeichen).",
                en: "Please give the reason for the re-identification (at most \(Self.maxReason) characters)."))
        }
        let r = try await store.requestReidentification(fingerprint: detail.finding.fingerprint, pseudonym: pseudonym, reason: reason,
                                                        by: visitor.account.name, at: now)
        return Reply.redirect("/reidentifications/\(r.id)")
    }

    func decideReidentification(_ idText: String, approve: Bool, form: FormData, _ visitor: Visitor) async throws -> Response {
        guard let id = Int64(idText), try await store.reidentification(id: id) != nil else {
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                           body: Pages.notFound(visitor)), status: .notFound)
        }
        let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= Self.maxReason else {
            return try await reidentificationPage(idText, visitor, problem: Localized(
                de: "Anmerkung zu lang (höchstens \(Self.maxReason) Zeichen).", en: "Note too long (at most \(Self.maxReason) characters)."))
        }
        do {
            _ = try await store.decideReidentification(id: id, approve: approve, note: note, validity: config.revealValidity,
                                                       by: visitor.account.name, at: now)
        } catch let refusal as ReidentificationRefusal {
            switch refusal {
            case .selfApproval:
                return try await reidentificationPage(idText, visitor, status: .forbidden, problem: Localized(
                    de: "Vier-Augen-Prinzip: über den eigenen Antrag entscheidet eine andere Person.",
                    en: "Four eyes: another person decides on one's own request."))
            case .alreadyDecided:
                return try await reidentificationPage(idText, visitor, status: .conflict, problem: Localized(
                    de: "Über diesen Antrag ist bereits entschieden.", en: "This request has already been decided."))
            case .unknownRequest:
                return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                               body: Pages.notFound(visitor)), status: .notFound)
            }
        }
        return Reply.redirect("/reidentifications/\(id)")
    }

    func reidentificationsPage(_ visitor: Visitor) async throws -> Response {
        let open = try await store.openReidentifications()
        return Reply.html(Pages.layout(visitor, title: Localized(de: "Aufdeckungen", en: "Re-identifications"),
                                       body: Pages.reidentifications(visitor, open: open)))
    }

    /// A request and its state. Its requester, after approval and before expiry, also sees the
    /// identity; that view is appended to the audit trail (`raw_data_viewed`) before it is sent.
    func reidentificationPage(_ idText: String, _ visitor: Visitor, status: HTTPResponse.Status? = nil,
                              problem: Localized?) async throws -> Response {
        guard let id = Int64(idText), let r = try await store.reidentification(id: id) else {
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                           body: Pages.notFound(visitor)), status: .notFound)
        }
        let now = self.now
        var revealed: [PersonIdentity]?
        if r.reveals(to: visitor.account.name, at: now) {
            let identities = config.persons?.identities(of: r.pseudonym) ?? []
            // The row names the request and the pseudonym, never the identity.
            _ = try await store.audit(at: now, account: visitor.account.name, action: .rawDataViewed, object: "finding:\(r.fingerprint)",
                                      detail: "request=\(r.id) pseudonym=\(r.pseudonym) found=\(identities.count)")
            revealed = identities
        }
        let page = Pages.reidentification(visitor, r, revealed: revealed, directoryLoaded: config.persons != nil, now: now,
                                          problem: problem)
        return Reply.html(Pages.layout(visitor, title: Localized(de: "Aufdeckung #\(r.id)", en: "Re-identification #\(r.id)"), body: page),
                          status: status ?? (problem == nil ? .ok : .unprocessableContent))
    }
}
