import Foundation

/// The server `scan --engine` connects to, from a libpq-style URL:
///
/// - `postgresql://user:password@host:port/database` (also `postgres://`); `[::1]` for IPv6;
/// - a Unix socket: `postgresql://user@/database?host=/socket/dir` (or the directory
///   percent-encoded as the host, `postgresql://%2Frun%2Fpostgresql/db`); the socket is
///   `DIR/.s.PGSQL.<port>` as for libpq;
/// - query parameters `host`, `port`, `user`, `password`, `dbname`, `sslmode`
///   (`disable`, `prefer`, `require`, `verify-full`); every part percent-decoded.
///
/// Missing parts as libpq: user from `PGUSER`, else the login name; password from `PGPASSWORD`;
/// database = the user; port 5432; host `localhost`. The password is never part of `shown`.
package struct PostgreSQLEngineURL: Sendable, Equatable {
    package enum SSLMode: String, Sendable, Equatable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    package var host: String
    package var port: Int
    /// The directory of the server's Unix socket (then `host` is that directory too).
    package var socketDirectory: String?
    package var user: String
    package var password: String?
    package var database: String
    package var sslMode: SSLMode

    /// A malformed URL: what is wrong (the URL itself is not repeated: it may hold a password).
    package struct ParseError: Error, Sendable, Equatable {
        package var de: String
        package var en: String
    }

    package var socketPath: String? {
        socketDirectory.map { ($0 as NSString).appendingPathComponent(".s.PGSQL.\(port)") }
    }

    /// `user@host:port/database` (socket: `user@/dir:port/database`), no password.
    package var shown: String {
        let where_ = socketDirectory.map { "\($0):\(port)" } ?? (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        return "\(user)@\(where_)/\(database)"
    }

    package init(host: String, port: Int, socketDirectory: String?, user: String, password: String?, database: String, sslMode: SSLMode) {
        self.host = host
        self.port = port
        self.socketDirectory = socketDirectory
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
    }

    /// Parses `text`; `environment` supplies `PGUSER`, `PGPASSWORD` and `USER` defaults.
    package init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func fail(_ de: String, _ en: String) -> ParseError { ParseError(de: de, en: en) }
        var rest: Substring
        if text.hasPrefix("postgresql://") {
            rest = text.dropFirst("postgresql://".count)
        } else if text.hasPrefix("postgres://") {
            rest = text.dropFirst("postgres://".count)
        } else {
            throw fail("URL muss mit postgresql:// oder postgres:// beginnen", "the URL must start with postgresql:// or postgres://")
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var authority = rest, path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        var userPart: Substring?, passwordPart: Substring?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let info = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            if let colon = info.firstIndex(of: ":") {
                userPart = info[..<colon]
                passwordPart = info[info.index(after: colon)...]
            } else {
                userPart = info
            }
        }
        var hostPart: Substring = hostPort, portPart: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("IPv6-Adresse ohne „]“", "IPv6 address without ']'") }
            hostPart = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("nach „]“ wird „:Port“ erwartet", "':port' expected after ']'") }
                portPart = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            hostPart = hostPort[..<colon]
            portPart = hostPort[hostPort.index(after: colon)...]
        }
        func decoded(_ s: Substring, _ what: String) throws -> String {
            guard let d = String(s).removingPercentEncoding else {
                throw fail("ungültige %-Kodierung in \(what)", "invalid %-encoding in \(what)")
            }
            return d
        }
        var host = try decoded(hostPart, "Host")
        var port = try portPart.map { try decoded($0, "Port") }
        var user = try userPart.map { try decoded($0, "Benutzer/user") }
        var password = try passwordPart.map { try decoded($0, "Passwort/password") }
        var database = path.isEmpty ? nil : try decoded(path, "Datenbank/database")
        var sslMode: SSLMode?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decoded(kv[0], "Parameter"), value = kv.count > 1 ? try decoded(kv[1], key) : ""
            switch key {
            case "host": host = value
            case "port": port = value
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "sslmode":
                guard let m = SSLMode(rawValue: value) else {
                    throw fail("sslmode „\(value)“ unbekannt (disable, prefer, require, verify-full)",
                               "unknown sslmode '\(value)' (disable, prefer, require, verify-full)")
                }
                sslMode = m
            case "application_name", "connect_timeout": break
            default: throw fail("unbekannter Parameter „\(key)“", "unknown parameter '\(key)'")
            }
        }
        let portNumber: Int
        if let port, !port.isEmpty {
            guard let n = Int(port), (1...65535).contains(n) else { throw fail("Port „\(port)“ ungültig", "invalid port '\(port)'") }
            portNumber = n
        } else {
            portNumber = 5432
        }
        if user?.isEmpty ?? true { user = environment["PGUSER"] ?? environment["USER"] }
        guard let user, !user.isEmpty else { throw fail("kein Benutzer (URL, PGUSER oder USER)", "no user (URL, PGUSER or USER)") }
        if password == nil { password = environment["PGPASSWORD"] }
        if database?.isEmpty ?? true { database = user }
        if database!.contains("/") { throw fail("Datenbankname mit „/“", "database name with '/'") }
        let socket = host.hasPrefix("/")
        if host.isEmpty { host = "localhost" }
        if socket, let mode = sslMode, mode != .disable && mode != .prefer {
            throw fail("sslmode=\(mode.rawValue) über einen Unix-Socket", "sslmode=\(mode.rawValue) over a Unix socket")
        }
        self.init(host: host, port: portNumber, socketDirectory: socket ? host : nil, user: user, password: password,
                  database: database!, sslMode: sslMode ?? (socket ? .disable : .prefer))
    }
}
