import Foundation
import Hummingbird
import HummingbirdTLS
import HTTPTypes
import Logging
import NIOSSL
import TrennwandFindings
import TrennwandRecords
import TrennwandState

/// A signed-in visitor of a guarded route: the session and the page language.
struct Visitor: Sendable {
    var session: ReviewSession
    var lang: Language
    var account: ReviewAccount { session.account }
}

/// `trennwand serve`: the review workspace over one state store (issue #18, docs/serve.md).
///
/// Routes (the permission each needs; `Permission`):
///
/// | route | needs |
/// |---|---|
/// | `GET /login`, `POST /login`, `GET/POST /setup/{token}`, `GET /static/style.css` | nothing |
/// | `POST /logout` | a session |
/// | `GET /`, `/findings`, `/findings/{fp}`, `/decisions`, `/decisions/export`, `/runs` | read |
/// | `POST /findings/{fp}/decision`, `POST /decisions/group`, `POST /findings/{fp}/escalate`, `POST /findings/{fp}/escalation/close` | decide |
/// | `GET /accounts`, `POST /accounts`, `POST /accounts/{name}/disable` | manage accounts |
/// | `POST /findings/{fp}/reidentification` | request re-identification |
/// | `POST /reidentifications/{id}/approve`, `POST /reidentifications/{id}/refuse` | approve re-identification |
/// | `GET /reidentifications`, `GET /reidentifications/{id}` | view re-identifications |
///
/// Without a session a GET is redirected to the login page and a POST refused with 401; a role
/// without the permission gets 403; a POST without the session's CSRF token gets 403.
package struct ServeApp: Sendable {
    package let store: ReviewStore
    package let config: ServeConfiguration
    package let throttle: LoginThrottle
    /// Rule descriptors by id (texts for findings stored without a payload).
    package let rules: [String: RuleDescriptor]

    static let sessionCookie = "tw_session"
    /// Double-submit token of the login and setup forms (there is no session yet to hold one).
    static let formCookie = "tw_form"
    static let maxBody = 64 * 1024

    package init(store: ReviewStore, config: ServeConfiguration, rules: [String: RuleDescriptor] = [:]) {
        self.store = store
        self.config = config
        self.throttle = LoginThrottle(limits: config.throttle)
        self.rules = rules
    }

    var now: Int64 { config.clock() }

    // MARK: - Router

    package func router() -> Router<ServeContext> {
        let router = Router(context: ServeContext.self)
        router.add(middleware: SecurityHeaders())
        router.get("/static/style.css") { _, _ in
            var headers = HTTPFields()
            headers[.cacheControl] = "private, max-age=3600"
            return Reply.text(Pages.stylesheet, contentType: "text/css; charset=utf-8", extra: headers)
        }
        router.get("/login") { request, _ in self.loginPage(request) }
        router.post("/login") { request, context in try await self.login(request, context) }
        router.get("/setup/:token") { request, context in try await self.setupPage(request, context) }
        router.post("/setup/:token") { request, context in try await self.setup(request, context) }
        router.post("/logout", use: guarded(.session) { _, _, visitor, _ in
            try await self.store.endSession(idHash: visitor.session.idHash, account: visitor.account.name, at: self.now)
            return Reply.redirect("/login", cookies: [Cookies.header(Self.sessionCookie, "", maxAge: 0)])
        })
        router.get("/", use: guarded(.read) { _, _, visitor, _ in try await self.overviewPage(visitor) })
        router.get("/findings", use: guarded(.read) { request, _, visitor, _ in try await self.findingsPage(request, visitor) })
        router.get("/findings/:fp", use: guarded(.read) { _, context, visitor, _ in
            try await self.findingPage(context.parameters.get("fp") ?? "", visitor, problem: nil)
        })
        router.post("/findings/:fp/decision", use: guarded(.decide) { _, context, visitor, form in
            try await self.decide(fingerprint: context.parameters.get("fp") ?? "", form: form, visitor)
        })
        router.post("/decisions/group", use: guarded(.decide) { _, _, visitor, form in try await self.decideGroup(form: form, visitor) })
        router.post("/findings/:fp/escalate", use: guarded(.decide) { _, context, visitor, _ in
            try await self.escalate(fingerprint: context.parameters.get("fp") ?? "", visitor)
        })
        router.post("/findings/:fp/escalation/close", use: guarded(.decide) { _, context, visitor, form in
            try await self.closeEscalation(fingerprint: context.parameters.get("fp") ?? "", form: form, visitor)
        })
        router.get("/decisions", use: guarded(.read) { _, _, visitor, _ in try await self.decisionsPage(visitor) })
        router.get("/decisions/export", use: guarded(.read) { _, _, visitor, _ in try await self.export(visitor) })
        router.get("/runs", use: guarded(.read) { _, _, visitor, _ in try await self.runsPage(visitor) })
        router.get("/accounts", use: guarded(.manageAccounts) { _, _, visitor, _ in try await self.accountsPage(visitor, notice: nil) })
        router.post("/accounts", use: guarded(.manageAccounts) { _, _, visitor, form in try await self.createAccount(form, visitor) })
        router.post("/accounts/:name/disable", use: guarded(.manageAccounts) { _, context, visitor, _ in
            try await self.disableAccount(context.parameters.get("name") ?? "", visitor)
        })
        router.post("/findings/:fp/reidentification", use: guarded(.requestReidentification) { _, context, visitor, form in
            try await self.requestReidentification(fingerprint: context.parameters.get("fp") ?? "", form: form, visitor)
        })
        router.get("/reidentifications", use: guarded(.viewReidentifications) { _, _, visitor, _ in
            try await self.reidentificationsPage(visitor)
        })
        router.get("/reidentifications/:id", use: guarded(.viewReidentifications) { _, context, visitor, _ in
            try await self.reidentificationPage(context.parameters.get("id") ?? "", visitor, problem: nil)
        })
        for (path, approve) in [("approve", true), ("refuse", false)] {
            router.post("/reidentifications/:id/\(path)", use: guarded(.approveReidentification) { _, context, visitor, form in
                try await self.decideReidentification(context.parameters.get("id") ?? "", approve: approve, form: form, visitor)
            })
        }
        return router
    }

    /// Wraps a handler with the session, CSRF and permission checks.
    func guarded(_ permission: Permission,
                 _ handler: @escaping @Sendable (Request, ServeContext, Visitor, FormData) async throws -> Response)
        -> @Sendable (Request, ServeContext) async throws -> Response {
        { request, context in
            var request = request
            let query = FormData(request.uri.query)
            let isPost = request.method == .post
            guard let token = Cookies.value(Self.sessionCookie, in: request), Tokens.isWellFormed(token),
                  let session = try await self.store.session(idHash: Tokens.stored(token), at: self.now,
                                                             idle: self.config.idleTimeout, maximum: self.config.maximumSession)
            else {
                let lang = Language(rawValue: query["lang"] ?? "") ?? .de
                if isPost { return Reply.html(Pages.error(status: .unauthorized, lang: lang), status: .unauthorized) }
                let path = request.uri.path
                let next = path == "/" || !path.hasPrefix("/") ? "" : "?" + FormData.encode([("next", path)])
                return Reply.redirect("/login" + next)
            }
            var lang = session.language ?? .de
            if let wanted = query["lang"].flatMap(Language.init(rawValue:)), wanted != session.language {
                try await self.store.setSessionLanguage(idHash: session.idHash, language: wanted)
                lang = wanted
            }
            var form = FormData(nil)
            if isPost {
                let body = try await request.collectBody(upTo: Self.maxBody)
                form = FormData(String(buffer: body))
                guard let sent = form["csrf"], PasswordHasher.constantTimeEqual(sent, session.csrf) else {
                    return Reply.html(Pages.error(status: .forbidden, lang: lang, detail: Localized(
                        de: "Formular abgelaufen oder nicht von dieser Sitzung (CSRF-Schutz). Seite neu laden und erneut senden.",
                        en: "Form expired or not from this session (CSRF protection). Reload the page and send again.")), status: .forbidden)
                }
            }
            let visitor = Visitor(session: session, lang: lang)
            guard permission.allows(session.account.role) else {
                return Reply.html(Pages.layout(visitor, title: Localized(de: "Kein Zugriff", en: "Forbidden"),
                                               body: Pages.forbidden(visitor)), status: .forbidden)
            }
            return try await handler(request, context, visitor, isPost ? form : query)
        }
    }

    // MARK: - Running

    /// Builds the application (plain HTTP or TLS) after the start-up checks.
    package func application(logger: Logger? = nil) throws -> some ApplicationProtocol {
        try config.validate()
        let address = BindAddress.hostname(config.listen.host, port: config.listen.port)
        let configuration = ApplicationConfiguration(address: address, serverName: nil)
        if let certPath = config.tlsCertificate, let keyPath = config.tlsKey {
            let chain: [NIOSSLCertificate]
            let key: NIOSSLPrivateKey
            do { chain = try NIOSSLCertificate.fromPEMFile(certPath) } catch { throw ServeError.tlsFile(path: certPath) }
            do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch { throw ServeError.tlsFile(path: keyPath) }
            guard !chain.isEmpty else { throw ServeError.tlsFile(path: certPath) }
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return Application(router: router(), server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration,
                               logger: logger)
        }
        return Application(router: router(), configuration: configuration, logger: logger)
    }
}
