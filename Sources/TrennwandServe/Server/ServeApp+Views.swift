import Foundation
import Hummingbird
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandState

/// The reading pages, the decisions and the accounts.
extension ServeApp {
    func overviewPage(_ visitor: Visitor) async throws -> Response {
        let overview = try await store.overview()
        let lastRun = try await store.lastRun()
        let escalations = try await store.openEscalations()
        return Reply.html(Pages.layout(visitor, title: Localized(de: "Übersicht", en: "Overview"),
                                       body: Pages.overview(visitor, overview, lastRun: lastRun, escalations: escalations, now: now)))
    }

    func findingsPage(_ request: Request, _ visitor: Visitor) async throws -> Response {
        let query = FormData(request.uri.query)
        let filter = FilterForm.filter(query)
        let groups = try await store.groups(filter)
        let facets = try await store.facets()
        var rows: [FindingRow] = []
        let page = max(0, Int(query["page"] ?? "") ?? 0)
        var trend: DetectionTrend?
        if let rule = filter.rule {
            rows = try await store.findingRows(filter, limit: Pages.pageSize + 1, offset: page * Pages.pageSize)
            trend = try await store.detectionTrend(rule: rule)
        }
        return Reply.html(Pages.layout(visitor, title: Localized(de: "Feststellungen", en: "Findings"),
                                       body: Pages.findings(visitor, query: query, filter: filter, groups: groups, facets: facets,
                                                            rows: rows, page: page, trend: trend)))
    }

    func findingPage(_ fingerprint: String, _ visitor: Visitor, problem: Localized?) async throws -> Response {
        guard WaiverSetFingerprint.isValid(fingerprint),
              let detail = try await store.findingDetail(fingerprint: fingerprint, rules: rules) else {
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                           body: Pages.notFound(visitor)), status: .notFound)
        }
        let trail = try await store.auditEvents(object: "finding:\(detail.finding.fingerprint)")
        let escalation = try await store.escalations(fingerprint: detail.finding.fingerprint).first { $0.isOpen }
        let requests = Permission.viewReidentifications.allows(visitor.account.role)
            ? try await store.reidentifications(fingerprint: detail.finding.fingerprint) : []
        let body = Pages.finding(visitor, detail, trail: trail, escalation: escalation, now: now, problem: problem)
            + Pages.reidentificationSection(visitor, detail.finding, requests: requests, now: now)
        return Reply.html(Pages.layout(visitor, title: detail.finding.title, body: body),
                          status: problem == nil ? .ok : .unprocessableContent)
    }

    /// The draft a decision form describes (validated by the waiver file's own rules).
    func draft(_ form: FormData, rule: String, fingerprint: String, visitor: Visitor) -> WaiverFile.Draft {
        WaiverFile.Draft(rule: rule, fingerprint: fingerprint, reason: form["reason"] ?? "", approver: visitor.account.name,
                         until: form["expires"], ticket: form["ticket"],
                         decision: WaiverDecision(rawValue: form["kind"] ?? ""), owner: form["assignee"],
                         reportedOn: form["kind"] == WaiverDecision.reportedArt33.rawValue ? form["reported_on"] : nil,
                         authorityReference: form["kind"] == WaiverDecision.reportedArt33.rawValue ? form["authority_reference"] : nil)
    }

    /// Checks a draft; returns the decision to record or the problem to show.
    func decision(from draft: WaiverFile.Draft, at now: Int64) -> DecisionCheck {
        guard let kind = draft.decision else {
            return .failure(Localized(de: "Bitte eine Art der Entscheidung wählen.", en: "Please choose a kind of decision."))
        }
        do {
            let expires = try WaiverFile.validate(draft, now: now)
            return .success(ReviewDecision(fingerprint: draft.fingerprint, ruleID: draft.rule, kind: kind, reason: draft.reason,
                                           assignee: draft.owner, expires: expires,
                                           reportedOn: kind == .reportedArt33 ? (draft.reportedOn ?? WaiverTime.berlinDate(now)) : nil,
                                           authorityReference: draft.authorityReference, ticket: draft.ticket,
                                           decidedBy: draft.approver, decidedAt: now, origin: .serve))
        } catch let p as WaiverFile.Problem {
            return .failure(p.message)
        } catch {
            return .failure(Localized(de: "Entscheidung ungültig.", en: "Invalid decision."))
        }
    }

    func decide(fingerprint: String, form: FormData, _ visitor: Visitor) async throws -> Response {
        guard WaiverSetFingerprint.isValid(fingerprint), let detail = try await store.findingDetail(fingerprint: fingerprint) else {
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                           body: Pages.notFound(visitor)), status: .notFound)
        }
        let now = self.now
        switch decision(from: draft(form, rule: detail.finding.ruleID, fingerprint: detail.finding.fingerprint, visitor: visitor), at: now) {
        case .failure(let problem):
            return try await findingPage(fingerprint, visitor, problem: problem)
        case .success(let d):
            try await store.record([d])
            return Reply.redirect("/findings/\(detail.finding.fingerprint)")
        }
    }

    /// One decision for every finding of one rule in the current filter (a narrow waiver each).
    func decideGroup(form: FormData, _ visitor: Visitor) async throws -> Response {
        let filter = FilterForm.filter(form)
        guard let rule = filter.rule else {
            return Reply.html(Pages.error(status: .badRequest, lang: visitor.lang), status: .badRequest)
        }
        // A group decision covers every finding of the filter or none: more than the limit is
        // refused rather than cut off silently.
        let rows = try await store.findingRows(filter, limit: config.maxGroupDecision + 1)
        let back = "/findings?" + FormData.encode(FilterForm.pairs(form))
        guard !rows.isEmpty else { return Reply.redirect(back) }
        guard rows.count <= config.maxGroupDecision else {
            let problem = Localized(de: "Mehr als \(config.maxGroupDecision) Feststellungen im Filter; bitte enger fassen.",
                                    en: "More than \(config.maxGroupDecision) findings in the filter; please narrow it.")
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Entscheidung ungültig", en: "Invalid decision"),
                                           body: Pages.problem(visitor, problem, back: back)), status: .unprocessableContent)
        }
        let now = self.now
        var decisions: [ReviewDecision] = []
        for row in rows {
            switch decision(from: draft(form, rule: rule, fingerprint: row.fingerprint, visitor: visitor), at: now) {
            case .failure(let problem):
                return Reply.html(Pages.layout(visitor, title: Localized(de: "Entscheidung ungültig", en: "Invalid decision"),
                                               body: Pages.problem(visitor, problem, back: back)), status: .unprocessableContent)
            case .success(let d): decisions.append(d)
            }
        }
        try await store.record(decisions)
        return Reply.redirect(back)
    }

    /// Starts the Art. 33 clock of a finding: 72 hours from its first detection.
    func escalate(fingerprint: String, _ visitor: Visitor) async throws -> Response {
        guard WaiverSetFingerprint.isValid(fingerprint), let detail = try await store.findingDetail(fingerprint: fingerprint) else {
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                           body: Pages.notFound(visitor)), status: .notFound)
        }
        _ = try await store.escalate(fingerprint: detail.finding.fingerprint, ruleID: detail.finding.ruleID,
                                     detected: detail.lifecycle.firstSeen, by: visitor.account.name, at: now)
        return Reply.redirect("/findings/\(detail.finding.fingerprint)")
    }

    /// Closes an open escalation with the documented decision that no risk exists (Art. 33(1)).
    func closeEscalation(fingerprint: String, form: FormData, _ visitor: Visitor) async throws -> Response {
        guard WaiverSetFingerprint.isValid(fingerprint), let detail = try await store.findingDetail(fingerprint: fingerprint) else {
            return Reply.html(Pages.layout(visitor, title: Localized(de: "Nicht gefunden", en: "Not found"),
                                           body: Pages.notFound(visitor)), status: .notFound)
        }
        let fp = detail.finding.fingerprint
        guard let reason = form["reason"] else {
            return try await findingPage(fp, visitor, problem: Localized(
                de: "Bitte begründen, warum kein Risiko für die Betroffenen besteht.",
                en: "Please give the reason why there is no risk to the persons concerned."))
        }
        guard try await store.closeEscalationNoRisk(fingerprint: fp, reason: reason, by: visitor.account.name, at: now) else {
            return try await findingPage(fp, visitor, problem: Localized(de: "Keine offene Eskalation.", en: "No open escalation."))
        }
        return Reply.redirect("/findings/\(fp)")
    }

    func decisionsPage(_ visitor: Visitor) async throws -> Response {
        let decisions = try await store.currentDecisions()
        return Reply.html(Pages.layout(visitor, title: Localized(de: "Entscheidungen", en: "Decisions"),
                                       body: Pages.decisions(visitor, decisions, now: now)))
    }

    func export(_ visitor: Visitor) async throws -> Response {
        let decisions = try await store.currentDecisions()
        let now = self.now
        let export = try WaiverExport.text(decisions, now: now)
        try await store.audit(at: now, account: visitor.account.name, action: .decisionsExported, object: "decisions",
                              detail: "entries=\(export.entries) skipped_expired=\(export.skippedExpired)")
        var headers = HTTPFields()
        headers[.contentDisposition] = "attachment; filename=\"trennwand-waivers.yaml\""
        return Reply.text(export.text, contentType: "application/yaml; charset=utf-8", extra: headers)
    }

    func runsPage(_ visitor: Visitor) async throws -> Response {
        let runs = try await store.runs(limit: 100)
        let history = try await store.openBySeverityHistory(limit: 30)
        let chart = SeverityHistory(points: history.map { SeverityHistory.Point(run: $0.runID, started: $0.started, open: $0.open) })
        let ruleTrends = try await store.topRuleTrends(rules: 5, months: 12)
        return Reply.html(Pages.layout(visitor, title: Localized(de: "Prüfläufe", en: "Runs"),
                                       body: Pages.runs(visitor, runs, chart: chart, ruleTrends: ruleTrends)))
    }

    func accountsPage(_ visitor: Visitor, notice: String?, problem: Localized? = nil) async throws -> Response {
        let accounts = try await store.accounts()
        return Reply.html(Pages.layout(visitor, title: Localized(de: "Konten", en: "Accounts"),
                                       body: Pages.accounts(visitor, accounts, setupLink: notice, problem: problem)),
                          status: problem == nil ? .ok : .unprocessableContent)
    }

    func createAccount(_ form: FormData, _ visitor: Visitor) async throws -> Response {
        let name = form["name"] ?? ""
        guard let role = ReviewRole(rawValue: form["role"] ?? ""),
              (2...64).contains(name.count), name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            return try await accountsPage(visitor, notice: nil, problem: Localized(
                de: "Name (2–64 Zeichen: Buchstaben, Ziffern, . _ -) und Rolle angeben.",
                en: "Give a name (2–64 characters: letters, digits, . _ -) and a role."))
        }
        let token = Tokens.make()
        do {
            _ = try await store.createAccount(name: name, role: role, tokenHash: Tokens.stored(token),
                                              expires: now + config.setupLinkValidity, by: visitor.account.name, at: now)
        } catch ReviewStore.AccountProblem.nameTaken {
            return try await accountsPage(visitor, notice: nil, problem: Localized(de: "Den Namen gibt es schon.", en: "The name exists already."))
        }
        return try await accountsPage(visitor, notice: config.baseURL + "/setup/" + token)
    }

    func disableAccount(_ name: String, _ visitor: Visitor) async throws -> Response {
        if name.lowercased() == visitor.account.name.lowercased() {
            return try await accountsPage(visitor, notice: nil, problem: Localized(
                de: "Das eigene Konto lässt sich nicht sperren.", en: "You cannot disable your own account."))
        }
        do {
            try await store.disableAccount(name: name, by: visitor.account.name, at: now)
        } catch ReviewStore.AccountProblem.unknownAccount {
            return try await accountsPage(visitor, notice: nil, problem: Localized(de: "Unbekanntes Konto.", en: "Unknown account."))
        }
        return Reply.redirect("/accounts")
    }
}

/// A checked decision form: the decision to record, or the problem to show.
enum DecisionCheck {
    case success(ReviewDecision)
    case failure(Localized)
}

/// A fingerprint as the store writes it: lower-case hex, bounded length.
enum WaiverSetFingerprint {
    static func isValid(_ s: String) -> Bool {
        (8...128).contains(s.utf8.count) && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }
}

/// The filter of the findings pages as GET parameters (and hidden fields of the group decision).
enum FilterForm {
    static let names = ["severity", "status", "rule", "traeger", "system", "norm", "from", "to", "decision"]

    static func filter(_ form: FormData) -> FindingFilter {
        var f = FindingFilter()
        f.severity = form["severity"].flatMap(Severity.init(rawValue:))
        f.status = form["status"].flatMap(FindingStatus.init(rawValue:))
        f.rule = form["rule"].map { $0.uppercased() }
        f.traeger = form["traeger"]
        f.system = form["system"]
        f.norm = form["norm"]
        f.from = form["from"].flatMap { day($0, endOfDay: false) }
        f.to = form["to"].flatMap { day($0, endOfDay: true) }
        switch form["decision"] {
        case "none": f.decision = FindingFilter.DecisionFilter.none
        case "any": f.decision = .any
        case let k?: f.decision = WaiverDecision(rawValue: k).map { .kind($0) }
        case nil: break
        }
        return f
    }

    /// The filter's parameters as given (for links and hidden fields).
    static func pairs(_ form: FormData) -> [(String, String)] {
        names.compactMap { n in form[n].map { (n, $0) } }
    }

    /// A day (`2025-03-01` or `01.03.2025`) in Europe/Berlin: its start, or the start of the next day.
    static func day(_ text: String, endOfDay: Bool) -> Int64? {
        guard text.count == 10, case .success(let t) = WaiverTime.parse(text, endOfDay: endOfDay,
                                                                        zone: ZoneConverter(identifier: WaiverSet.dateZone)) else { return nil }
        return t
    }
}
