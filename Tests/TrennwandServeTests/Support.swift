import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords
import TrennwandScan
import TrennwandServe
import TrennwandState
import XCTest

/// The repository's Samples/ and Rules/, found from this file's path.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("Samples")
    static let rules = root.appendingPathComponent("Rules").path
}

/// A state store holding a real scan of Samples/ (made once per test process, copied per test).
enum SampleState {
    /// The key of the sample scan (tests recompute pseudonyms with it, as `serve --config` does).
    static let key = PseudonymKey(bytes: Array(repeating: 0x5A, count: 32), origin: "test")

    /// The persons of the sample's reference tables by pseudonym, read like `serve --config Samples/audit.yaml`.
    static let persons: PersonDirectory = {
        guard let config = try? AuditConfig.load(path: Repo.samples.appendingPathComponent("audit.yaml").path),
              let catalog = try? ProfileCatalog(directories: [Repo.rules + "/profiles"]) else { return PersonDirectory() }
        return ReferencePersons.directory(config.inputs, catalog: catalog, pseudonymizer: Pseudonymizer(key: key)).directory
    }()

    /// The template, scanned by the scan library like `scan --config Samples/audit.yaml --state`.
    static let template: Result<String, TemplateProblem> = {
        do {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-serve-template-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("state.sqlite").path
            let config = try AuditConfig.load(path: Repo.samples.appendingPathComponent("audit.yaml").path)
            let catalog = try ProfileCatalog(directories: [Repo.rules + "/profiles"])
            let ruleSet = RuleSet.load(rulesDirectory: Repo.rules)
            let policy = try PolicyData.load(rulesDirectory: Repo.rules)
            var request = ScanRequest(inputs: config.inputs, catalog: catalog, ruleSet: ruleSet, policy: policy, key: SampleState.key, now: config.now!,
                                      threads: 1, toolVersion: "0.0.0-test", historyCode: { $0 == .ok ? 0 : 9 })
            request.state = StateOptions(path: path, full: false, retentionMonths: 1_200)
            let verdict = Scan.run(request) { _ in }
            guard verdict.result != nil else { throw NSError(domain: "scan", code: 1) }
            return .success(path)
        } catch {
            return .failure(TemplateProblem(text: String(describing: error)))
        }
    }()

    /// A fresh copy of the template in its own directory.
    static func copy() throws -> String {
        let template = try template.get()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("state.sqlite").path
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: template + suffix) {
            try FileManager.default.copyItem(atPath: template + suffix, toPath: path + suffix)
        }
        return path
    }
}

struct TemplateProblem: Error, Sendable {
    var text: String
}

/// A clock tests move.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 1_800_000_000  // 2027-01-15

    var now: Int64 { lock.withLock { value } }
    func advance(_ seconds: Int64) { lock.withLock { value += seconds } }
}

/// The workspace over a copy of the sample state, with one account per role (password known)
/// and a cheap KDF so the tests stay fast.
struct Harness {
    static let password = "a-long-test-password"
    let path: String
    let state: StateStore
    let clock = TestClock()
    let app: ServeApp

    init(throttle: LoginThrottle.Limits = .standard, maxGroupDecision: Int = 10_000, persons: PersonDirectory? = SampleState.persons) throws {
        path = try SampleState.copy()
        state = try StateStore(path: path, mustExist: true)
        var config = ServeConfiguration()
        config.passwordCost = PasswordHasher.Cost(logN: 4, r: 8, p: 1)
        config.throttle = throttle
        config.maxGroupDecision = maxGroupDecision
        config.persons = persons
        let clock = self.clock
        config.clock = { clock.now }
        app = ServeApp(store: state.review, config: config)
    }

    /// Creates an account with a password set (through the store, as the setup link would).
    func account(_ name: String, _ role: ReviewRole) async throws {
        let token = Tokens.make()
        _ = try await state.review.createAccount(name: name, role: role, tokenHash: Tokens.stored(token), expires: clock.now + 3600,
                                                 by: "test", at: clock.now)
        let hash = try PasswordHasher.hash(Self.password, cost: PasswordHasher.Cost(logN: 4, r: 8, p: 1))
        _ = try await state.review.redeemSetup(tokenHash: Tokens.stored(token), passwordHash: hash, at: clock.now)
    }

    /// All four roles, named after them.
    func allRoles() async throws {
        for role in ReviewRole.allCases { try await account(role.rawValue, role) }
    }

    /// An open finding naming a person the reference tables know, with that pseudonym and its identities.
    func findingWithKnownPerson() async throws -> (fingerprint: String, pseudonym: String, identities: [PersonIdentity]) {
        for row in try state.findings() where row.status.isOpen {
            guard let detail = try await state.review.findingDetail(fingerprint: row.fingerprint) else { continue }
            for p in detail.finding.persons.values.sorted() where !SampleState.persons.identities(of: p).isEmpty {
                return (row.fingerprint, p, SampleState.persons.identities(of: p))
            }
        }
        throw TemplateProblem(text: "no open finding names a person of the reference tables")
    }

    func application() -> some ApplicationProtocol { Application(router: app.router()) }
}

/// A signed-in test client: session cookie and CSRF token.
struct Signed: Sendable {
    var cookie: String
    var csrf: String
}

extension TestClientProtocol {
    func get(_ uri: String, cookie: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: uri, method: .get, headers: headers)
    }

    func post(_ uri: String, form: [(String, String)], cookie: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: FormData.encode(form)))
    }

    /// GET /login (form token cookie) then POST /login; the response of the POST.
    func loginResponse(_ name: String, password: String = Harness.password) async throws -> TestResponse {
        let page = try await get("/login")
        let formCookie = try XCTUnwrap(cookieValue(page, "tw_form"))
        let csrf = try XCTUnwrap(hiddenCSRF(String(buffer: page.body)))
        return try await post("/login", form: [("csrf", csrf), ("name", name), ("password", password)], cookie: "tw_form=\(formCookie)")
    }

    /// Logs in and reads the session's CSRF token from a page.
    func login(_ name: String) async throws -> Signed {
        let response = try await loginResponse(name)
        XCTAssertEqual(response.status, .seeOther, "login of \(name)")
        let session = try XCTUnwrap(cookieValue(response, "tw_session"))
        let cookie = "tw_session=\(session)"
        let page = try await get(name == "admin" ? "/accounts" : "/runs", cookie: cookie)
        let csrf = try XCTUnwrap(hiddenCSRF(String(buffer: page.body)))
        return Signed(cookie: cookie, csrf: csrf)
    }
}

func cookieValue(_ response: TestResponse, _ name: String) -> String? {
    for header in response.headers[values: .setCookie] {
        let first = header.split(separator: ";")[0]
        let kv = first.split(separator: "=", maxSplits: 1)
        if kv.count == 2, kv[0] == name { return String(kv[1]) }
    }
    return nil
}

func setCookieHeader(_ response: TestResponse, _ name: String) -> String? {
    response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
}

/// The value of the first hidden `csrf` field of a page.
func hiddenCSRF(_ html: String) -> String? {
    guard let r = html.range(of: "name=\"csrf\" value=\"") else { return nil }
    let rest = html[r.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}

/// Fingerprints linked from a page.
func linkedFingerprints(_ html: String) -> [String] {
    var out: [String] = []
    var rest = Substring(html)
    while let r = rest.range(of: "href=\"/findings/") {
        let tail = rest[r.upperBound...]
        let fp = tail.prefix { $0.isHexDigit }
        if !fp.isEmpty { out.append(String(fp)) }
        rest = tail
    }
    return out
}
