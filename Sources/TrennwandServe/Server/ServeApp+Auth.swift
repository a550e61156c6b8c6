import Foundation
import Hummingbird
import TrennwandRecords
import TrennwandState

/// Login, setup links and the checks of forms without a session.
extension ServeApp {
    func loginPage(_ request: Request, problem: Localized? = nil, status: HTTPResponse.Status = .ok, lang: Language? = nil,
                   next: String? = nil) -> Response {
        let query = FormData(request.uri.query)
        let lang = lang ?? Language(rawValue: query["lang"] ?? "") ?? .de
        let token = Tokens.make()
        return Reply.html(Pages.login(lang: lang, csrf: token, next: next ?? query["next"], problem: problem), status: status,
                          cookies: [Cookies.header(Self.formCookie, token, maxAge: 3600)])
    }

    /// Reads a form posted without a session and checks its double-submit token; nil: refused.
    func sessionlessForm(_ request: inout Request) async throws -> FormData? {
        let body = try await request.collectBody(upTo: Self.maxBody)
        let form = FormData(String(buffer: body))
        guard let cookie = Cookies.value(Self.formCookie, in: request), let sent = form["csrf"], Tokens.isWellFormed(cookie),
              PasswordHasher.constantTimeEqual(cookie, sent) else { return nil }
        return form
    }

    func login(_ request: Request, _ context: ServeContext) async throws -> Response {
        var request = request
        guard let form = try await sessionlessForm(&request) else {
            return Reply.html(Pages.error(status: .forbidden, lang: .de, detail: Pages.csrfText), status: .forbidden)
        }
        let lang = Language(rawValue: form["lang"] ?? "") ?? .de
        let name = form["name"] ?? ""
        let password = form.pairs.first { $0.0 == "password" }?.1 ?? ""
        let now = self.now
        let failed = Localized(de: "Anmeldung fehlgeschlagen: Name oder Passwort falsch, oder zu viele Versuche (dann 15 Minuten warten).",
                               en: "Login failed: wrong name or password, or too many attempts (then wait 15 minutes).")
        let address = context.clientAddress
        if name.isEmpty || name.count > 100 {
            return loginPage(request, problem: failed, status: .unauthorized, lang: lang, next: form["next"])
        }
        let locked = await throttle.isLocked(account: name, address: address, now: now)
        let account = try await store.account(named: name)
        var ok = false
        if let account, let hash = account.passwordHash, !account.disabled {
            ok = PasswordHasher.verify(password, encoded: hash)
        } else {
            PasswordHasher.dummyVerify(password, cost: config.passwordCost)
        }
        guard ok, !locked, let account else {
            if !locked { await throttle.fail(account: name, address: address, now: now) }
            try await store.audit(at: now, account: "-", action: .loginFailed, object: "account:\(name)",
                                  detail: locked ? "locked" : "wrong name or password")
            return loginPage(request, problem: failed, status: .unauthorized, lang: lang, next: form["next"])
        }
        await throttle.succeed(account: name, address: address)
        let token = Tokens.make()
        try await store.createSession(idHash: Tokens.stored(token), account: account, csrf: Tokens.make(),
                                      language: Language(rawValue: form["lang"] ?? ""), at: now)
        var target = account.role == .admin ? "/accounts" : "/"
        // Only a path of ours: no scheme, no host, no `//`, no backslash.
        if let next = form["next"], next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains(":"),
           account.role != .admin {
            target = next
        }
        return Reply.redirect(target, cookies: [Cookies.header(Self.sessionCookie, token),
                                                Cookies.header(Self.formCookie, "", maxAge: 0)])
    }

    func setupPage(_ request: Request, _ context: ServeContext) async throws -> Response {
        let lang = Language(rawValue: FormData(request.uri.query)["lang"] ?? "") ?? .de
        let token = context.parameters.get("token") ?? ""
        guard Tokens.isWellFormed(token), let account = try await store.setupAccount(tokenHash: Tokens.stored(token), at: now) else {
            return Reply.html(Pages.setupInvalid(lang: lang), status: .notFound)
        }
        let form = Tokens.make()
        return Reply.html(Pages.setup(lang: lang, account: account, token: token, csrf: form, problem: nil),
                          cookies: [Cookies.header(Self.formCookie, form, maxAge: 3600)])
    }

    func setup(_ request: Request, _ context: ServeContext) async throws -> Response {
        var request = request
        guard let form = try await sessionlessForm(&request) else {
            return Reply.html(Pages.error(status: .forbidden, lang: .de, detail: Pages.csrfText), status: .forbidden)
        }
        let lang = Language(rawValue: form["lang"] ?? "") ?? .de
        let token = context.parameters.get("token") ?? ""
        guard Tokens.isWellFormed(token), let account = try await store.setupAccount(tokenHash: Tokens.stored(token), at: now) else {
            return Reply.html(Pages.setupInvalid(lang: lang), status: .notFound)
        }
        let password = form.pairs.first { $0.0 == "password" }?.1 ?? ""
        let repeated = form.pairs.first { $0.0 == "password2" }?.1 ?? ""
        var problem: Localized?
        if password.count < PasswordHasher.minimumLength {
            problem = Localized(de: "Das Passwort braucht mindestens \(PasswordHasher.minimumLength) Zeichen.",
                                en: "The password needs at least \(PasswordHasher.minimumLength) characters.")
        } else if password != repeated {
            problem = Localized(de: "Die beiden Eingaben stimmen nicht überein.", en: "The two entries differ.")
        } else if password.lowercased().contains(account.name.lowercased()) {
            problem = Localized(de: "Das Passwort darf den Kontonamen nicht enthalten.", en: "The password must not contain the account name.")
        }
        if let problem {
            let csrf = Tokens.make()
            return Reply.html(Pages.setup(lang: lang, account: account, token: token, csrf: csrf, problem: problem),
                              status: .unprocessableContent, cookies: [Cookies.header(Self.formCookie, csrf, maxAge: 3600)])
        }
        let hash = try PasswordHasher.hash(password, cost: config.passwordCost)
        guard try await store.redeemSetup(tokenHash: Tokens.stored(token), passwordHash: hash, at: now) != nil else {
            return Reply.html(Pages.setupInvalid(lang: lang), status: .notFound)
        }
        return Reply.redirect("/login?" + FormData.encode([("lang", lang.rawValue), ("done", "1")]))
    }
}
