import Foundation
import Hummingbird
import HTTPTypes
import TrennwandFindings
import TrennwandRecords

/// Form and query parameters (`application/x-www-form-urlencoded`): `+` is a space, `%XX` a
/// byte; a malformed escape leaves the text as it is. Repeated names keep every value in order.
package struct FormData: Sendable {
    package private(set) var pairs: [(String, String)] = []

    package init(_ text: String?) {
        guard let text else { return }
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(kv[0])
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            pairs.append((name, value))
        }
    }

    static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of `name`, trimmed; nil when absent or empty.
    package subscript(_ name: String) -> String? {
        guard let v = pairs.first(where: { $0.0 == name })?.1.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else {
            return nil
        }
        return v
    }

    package func all(_ name: String) -> [String] { pairs.filter { $0.0 == name }.map(\.1) }

    /// `name=value&…` with percent-encoding (for links that keep a filter).
    package static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { k, v in
            (k.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "=" + (v.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
        }.joined(separator: "&")
    }
}

/// Cookies of a request, by name (the first of duplicates).
enum Cookies {
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0] == name { return String(kv[1]) }
            }
        }
        return nil
    }

    /// A cookie with every protection: `Secure` (also on loopback HTTP: browsers treat
    /// http://localhost and 127.0.0.1 as a secure context), `HttpOnly`, `SameSite=Strict`, `Path=/`.
    /// No `Max-Age` for the session: it ends with the browser; the server enforces the timeouts.
    static func header(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var s = "\(name)=\(value); Path=/; HttpOnly; Secure; SameSite=Strict"
        if let maxAge { s += "; Max-Age=\(maxAge)" }
        return s
    }
}

/// Response helpers: every page is HTML in UTF-8; the security headers are added by `SecurityHeaders`.
enum Reply {
    static func html(_ body: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static func text(_ body: String, contentType: String, status: HTTPResponse.Status = .ok, extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 See Other to a path of ours (never to a URL from the request: no open redirect).
    static func redirect(_ path: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = path
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: .seeOther, headers: headers)
    }
}

/// Headers on every response, pages and errors alike (docs/serve.md "Security").
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ServeContext

    /// Nothing but our own stylesheet; no script at all; forms only to us; never framed.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            response = Reply.html(Pages.error(status: error.status, lang: .de), status: error.status)
        } catch {
            context.logger.error("request failed: \(String(describing: type(of: error)))")
            response = Reply.html(Pages.error(status: .internalServerError, lang: .de), status: .internalServerError)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// HTML text and attribute values through the project's one escaper.
@inline(__always) func h(_ s: String) -> String { MarkupEscaper.escape(s, .html) }
