import Foundation
import TrennwandFindings
import TrennwandRecords

/// How `trennwand serve` runs: where it listens, with which TLS files, and the session and
/// password parameters (docs/serve.md). Tests shorten the KDF cost and inject a clock.
package struct ServeConfiguration: Sendable {
    /// Where the server listens (`--listen`, default 127.0.0.1:8080).
    package var listen: ListenAddress
    /// `--tls-cert` / `--tls-key`: PEM files; both or none.
    package var tlsCertificate: String?
    package var tlsKey: String?
    /// Seconds a session may be idle (default 30 minutes).
    package var idleTimeout: Int64 = 30 * 60
    /// Seconds a session lives at most, however active (default 12 hours).
    package var maximumSession: Int64 = 12 * 3600
    /// Seconds a setup link is valid (default 24 hours).
    package var setupLinkValidity: Int64 = 24 * 3600
    /// The password KDF's cost.
    package var passwordCost: PasswordHasher.Cost = .standard
    /// Failed logins before a lock-out, per account and per client address, and its length.
    package var throttle: LoginThrottle.Limits = .standard
    /// Findings one group decision may cover; a larger filter is refused, never cut off.
    package var maxGroupDecision = 10_000
    /// The persons of the reference tables by pseudonym (`serve --config`), for approved
    /// re-identifications; nil: none given, an approved request then reveals nothing.
    package var persons: PersonDirectory?
    /// Seconds an approved re-identification shows the identity to its requester (default 1 hour).
    package var revealValidity: Int64 = 3600
    /// The clock (UTC epoch seconds); tests move it.
    package var clock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    package init(listen: ListenAddress = .defaultAddress, tlsCertificate: String? = nil, tlsKey: String? = nil) {
        self.listen = listen
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
    }

    /// Whether pages are served over TLS.
    package var usesTLS: Bool { tlsCertificate != nil && tlsKey != nil }

    /// The start-up checks: both TLS files or none; a non-loopback address only with TLS.
    package func validate() throws {
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ServeError.tlsIncomplete
        }
        if !listen.isLoopback && !usesTLS {
            throw ServeError.nonLoopbackWithoutTLS(address: listen.description)
        }
    }

    /// `--url`: the address users open (a reverse proxy's, or the server's name when listening on
    /// 0.0.0.0), used for the setup links the server prints; nil: made from `listen`.
    package var publicURL: String?

    /// The base of links the server prints (setup links).
    package var baseURL: String { publicURL ?? (usesTLS ? "https://" : "http://") + listen.urlAuthority }

    /// Checks `--url`: `http(s)://host[:port]`, nothing after it (every link of the workspace is an
    /// absolute path, so it cannot live under a path prefix). Returns it without a trailing slash.
    package static func publicURL(parsing text: String) throws -> String {
        var t = text
        if t.hasSuffix("/") { t.removeLast() }
        guard let c = URLComponents(string: t), let scheme = c.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = c.host, !host.isEmpty, c.path.isEmpty, c.query == nil, c.fragment == nil, c.user == nil else {
            throw ServeError.badURL(text)
        }
        return t
    }
}

/// A `host:port` to listen on (`[v6]:port` for IPv6).
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int

    package static let defaultAddress = ListenAddress(host: "127.0.0.1", port: 8080)

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `127.0.0.1:8080`, `localhost:8080`, `[::1]:8080`, `0.0.0.0:443`; nil when malformed.
    package init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (1...65_535).contains(port) else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    /// 127.0.0.0/8, `::1` and `localhost`: reachable from this machine only. Any other name or
    /// address (also 0.0.0.0 and ::) counts as reachable from the network.
    package var isLoopback: Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    var urlAuthority: String { description }
}

/// Errors of `trennwand serve` with German and English text.
package enum ServeError: Error, Sendable, Hashable {
    case tlsIncomplete
    case nonLoopbackWithoutTLS(address: String)
    case badListen(String)
    case tlsFile(path: String)
    case badURL(String)
    case store(Localized)

    package var message: Localized {
        switch self {
        case .tlsIncomplete:
            return Localized(de: "--tls-cert und --tls-key nur zusammen angeben", en: "give --tls-cert and --tls-key together")
        case .nonLoopbackWithoutTLS(let a):
            return Localized(
                de: "--listen \(a) ist vom Netz erreichbar; das geht nur mit TLS (--tls-cert und --tls-key). Ohne TLS nur 127.0.0.1, ::1 oder localhost.",
                en: "--listen \(a) is reachable from the network; that needs TLS (--tls-cert and --tls-key). Without TLS only 127.0.0.1, ::1 or localhost.")
        case .badListen(let t):
            return Localized(de: "--listen „\(t)“: erwartet Adresse:Port, z. B. 127.0.0.1:8080 oder [::1]:8080",
                             en: "--listen '\(t)': expected address:port, e.g. 127.0.0.1:8080 or [::1]:8080")
        case .tlsFile(let p):
            return Localized(de: "TLS-Datei \(p) lässt sich nicht lesen (PEM erwartet)", en: "cannot read TLS file \(p) (PEM expected)")
        case .badURL(let t):
            return Localized(de: "--url „\(t)“: erwartet https://name[:port] ohne Pfad, z. B. https://dsb.example.org",
                             en: "--url '\(t)': expected https://name[:port] without a path, e.g. https://dsb.example.org")
        case .store(let m):
            return m
        }
    }
}
