import Foundation
import Logging
import PostgresNIO
import TrennwandPlan

/// Runs an export on a PostgreSQL server for `scan --engine` (docs/scale-out.md): connects,
/// creates a schema of its own for the run (`tw_run_<16 hex digits>`), creates the tables
/// (`PlanSQLRenderer.ddl`), loads every file the manifests list with `COPY … FROM STDIN`
/// (`PostgreSQLLoad`: the same staging and column values as psql's `load.sql`), runs each rule's
/// query and writes its rows to `<resultDirectory>/<rule>.jsonl` as psql's `run-all.sql` does, so
/// `collect` reads them unchanged. The schema is dropped afterwards unless `keep` — also when a
/// step after its creation failed. The connection is closed on every path.
package struct PostgreSQLExecutor: Sendable {
    package var url: PostgreSQLEngineURL
    package var keep: Bool

    package init(url: PostgreSQLEngineURL, keep: Bool) {
        self.url = url
        self.keep = keep
    }

    /// Bytes sent per COPY message (the file is streamed in pieces of about this size).
    static let chunk = 1 << 20

    /// The run; returns the schema's name. Errors are `PostgreSQLEngineError`.
    package func run(exportDirectory: String, manifests: [ExportManifest], plans: [RulePlan], resultDirectory: String) async throws -> String {
        let logger = Logger(label: "trennwand.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: try configuration(), id: 1, logger: logger)
        } catch let e as PostgreSQLEngineError {
            throw e
        } catch {
            throw Self.classify(error, phase: nil, socket: url.socketPath)
        }
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        let schema = "tw_run_" + String(repeating: "0", count: 16 - hex.count) + hex
        let syntax = PostgreSQLSyntax()
        var created = false
        do {
            try await execute(connection, "CREATE SCHEMA \(syntax.identifier(schema))", logger: logger)
            created = true
            try await execute(connection, "SET search_path TO \(syntax.identifier(schema))", logger: logger)
            try await execute(connection, "SET client_min_messages TO warning", logger: logger)
            let renderer = PlanSQLRenderer(syntax)
            for statement in renderer.ddl() { try await execute(connection, statement, logger: logger) }
            try await load(connection, exportDirectory: exportDirectory, manifests: manifests, syntax: syntax, logger: logger)
            try FileManager.default.createDirectory(atPath: resultDirectory, withIntermediateDirectories: true)
            for plan in plans {
                let rows = try await fetch(connection, syntax.resultQuery(renderer.query(plan)), rule: plan.ruleID, logger: logger)
                let path = (resultDirectory as NSString).appendingPathComponent("\(plan.ruleID).jsonl")
                guard FileManager.default.createFile(atPath: path, contents: Data(rows)) else {
                    throw PostgreSQLEngineError(.write(path: path), detail: "")
                }
            }
            if !keep { try await execute(connection, "DROP SCHEMA \(syntax.identifier(schema)) CASCADE", logger: logger) }
        } catch {
            if created && !keep {
                _ = try? await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(syntax.identifier(schema)) CASCADE"), logger: logger)
            }
            try? await connection.close()
            if let e = error as? PostgreSQLEngineError { throw e }
            throw PostgreSQLEngineError(.write(path: resultDirectory), detail: "")
        }
        try? await connection.close()
        return schema
    }

    /// The connection settings of the URL (TLS per `sslmode`; `prefer` and `require` do not
    /// verify the certificate, as libpq; `verify-full` does).
    func configuration() throws -> PostgresConnection.Configuration {
        if let socket = url.socketPath {
            return .init(unixSocketPath: socket, username: url.user, password: url.password, database: url.database)
        }
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.sslMode {
            case .disable: tls = .disable
            case .prefer, .require:
                var c = TLSConfiguration.makeClientConfiguration()
                c.certificateVerification = .none
                let context = try NIOSSLContext(configuration: c)
                tls = url.sslMode == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw PostgreSQLEngineError(.connect, detail: "TLS")
        }
        return .init(host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: tls)
    }

    private func execute(_ connection: PostgresConnection, _ sql: String, rule: String? = nil, logger: Logger) async throws {
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await _ in rows {}
        } catch {
            throw Self.classify(error, phase: .query(rule: rule), socket: url.socketPath)
        }
    }

    /// The rows of a result query (one text column: a JSON object), one line each.
    private func fetch(_ connection: PostgresConnection, _ sql: String, rule: String, logger: Logger) async throws -> [UInt8] {
        var out: [UInt8] = []
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await row in rows {
                let line = try row.decode(String.self)
                out += Array(line.utf8)
                out.append(0x0A)
            }
        } catch {
            throw Self.classify(error, phase: .query(rule: rule), socket: url.socketPath)
        }
        return out
    }

    /// Every file of the manifests into its table, table by table in `ExportSchema.allTables`
    /// order (the order of `SQLScripts.load`), each table's files in manifest order.
    private func load(_ connection: PostgresConnection, exportDirectory: String, manifests: [ExportManifest], syntax: PostgreSQLSyntax,
                      logger: Logger) async throws {
        var byTable: [String: [String]] = [:]
        for m in manifests {
            for f in m.files { byTable[f.table, default: []].append(f.path) }
        }
        for statement in PostgreSQLLoad.prepare(syntax) { try await execute(connection, statement, logger: logger) }
        for table in ExportSchema.allTables {
            guard let files = byTable[table.name], !files.isEmpty else { continue }
            for file in files {
                let path = (exportDirectory as NSString).appendingPathComponent(file)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw PostgreSQLEngineError(.load(file: file), detail: "")
                }
                let lines = PostgreSQLLoad.lines(Array(data))
                do {
                    try await connection.copyFrom(table: PostgreSQLLoad.staging, columns: ["line"], format: .text(.init()), logger: logger) { writer in
                        var buffer: [UInt8] = []
                        buffer.reserveCapacity(Self.chunk + 4096)
                        for line in lines {
                            PostgreSQLLoad.copyLine(line, into: &buffer)
                            if buffer.count >= Self.chunk {
                                try await writer.write(ByteBuffer(bytes: buffer))
                                buffer.removeAll(keepingCapacity: true)
                            }
                        }
                        if !buffer.isEmpty { try await writer.write(ByteBuffer(bytes: buffer)) }
                    }
                } catch {
                    throw Self.classify(error, phase: .load(file: file), socket: url.socketPath)
                }
            }
            do {
                try await execute(connection, PostgreSQLLoad.insert(table, syntax), logger: logger)
            } catch let e as PostgreSQLEngineError where e.kind == .query(rule: nil) {
                // The JSON of a line failed (e.g. `\u0000`, docs/scale-out.md): the table's files.
                throw PostgreSQLEngineError(.load(file: files.joined(separator: ", ")), detail: e.detail)
            }
            try await execute(connection, PostgreSQLLoad.clear(syntax), logger: logger)
        }
    }

    /// An error of postgres-nio in our terms: the server's SQLSTATE decides login (28P01, 28000)
    /// and database (3D000); any other server error is the phase's (`nil`: while connecting);
    /// anything else is the connection's.
    static func classify(_ error: Error, phase: PostgreSQLEngineError.Kind?, socket: String?) -> PostgreSQLEngineError {
        if let e = error as? PostgreSQLEngineError { return e }
        guard let p = error as? PSQLError else {
            return PostgreSQLEngineError(phase ?? .connect, detail: "")
        }
        let message = p.serverInfo?[.message] ?? ""
        if p.code == .server, let state = p.serverInfo?[.sqlState] {
            switch state {
            case "28P01", "28000": return PostgreSQLEngineError(.auth, detail: message)
            case "3D000": return PostgreSQLEngineError(.database, detail: message)
            default:
                if let phase { return PostgreSQLEngineError(phase, detail: "\(message) (SQLSTATE \(state))") }
                return PostgreSQLEngineError(.connect, detail: "\(message) (SQLSTATE \(state))")
            }
        }
        if p.code == .authMechanismRequiresPassword {
            return PostgreSQLEngineError(.auth, detail: "password required (URL or PGPASSWORD) / Passwort nötig (URL oder PGPASSWORD)")
        }
        if p.code == .sslUnsupported {
            return PostgreSQLEngineError(.connect, detail: "TLS (sslmode=require) not offered by the server / vom Server nicht angeboten")
        }
        return PostgreSQLEngineError(.connect, detail: socket.map { "socket \($0)" } ?? "")
    }
}
