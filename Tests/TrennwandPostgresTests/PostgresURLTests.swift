import XCTest
@testable import TrennwandPostgres

/// `scan --engine` URLs: the libpq forms, defaults from the environment, the password never shown.
final class PostgresURLTests: XCTestCase {
    let env = ["USER": "login"]

    func testFullTCPURL() throws {
        let u = try PostgreSQLEngineURL(parsing: "postgresql://auditor:s3cr%40t@db.example:6543/prüfung?sslmode=require", environment: env)
        XCTAssertEqual(u, PostgreSQLEngineURL(host: "db.example", port: 6543, socketDirectory: nil, user: "auditor", password: "s3cr@t",
                                              database: "prüfung", sslMode: .require))
        XCTAssertEqual(u.shown, "auditor@db.example:6543/prüfung")
        XCTAssertFalse(u.shown.contains("s3cr"))
        XCTAssertNil(u.socketPath)
    }

    func testPostgresSchemeDefaultsAndPGPASSWORD() throws {
        let u = try PostgreSQLEngineURL(parsing: "postgres://", environment: ["USER": "login", "PGPASSWORD": "fromenv"])
        XCTAssertEqual(u.host, "localhost")
        XCTAssertEqual(u.port, 5432)
        XCTAssertEqual(u.user, "login")
        XCTAssertEqual(u.database, "login")
        XCTAssertEqual(u.password, "fromenv")
        XCTAssertEqual(u.sslMode, .prefer)
        // A password in the URL wins over PGPASSWORD; PGUSER over USER.
        let v = try PostgreSQLEngineURL(parsing: "postgresql://:pw@h/db", environment: ["USER": "login", "PGUSER": "pguser", "PGPASSWORD": "x"])
        XCTAssertEqual(v.password, "pw")
        XCTAssertEqual(v.user, "pguser")
    }

    func testUnixSocketForms() throws {
        let a = try PostgreSQLEngineURL(parsing: "postgresql://trennwand@/postgres?host=/tmp/tw%20pg", environment: env)
        XCTAssertEqual(a.socketDirectory, "/tmp/tw pg")
        XCTAssertEqual(a.socketPath, "/tmp/tw pg/.s.PGSQL.5432")
        XCTAssertEqual(a.sslMode, .disable)
        let b = try PostgreSQLEngineURL(parsing: "postgresql://%2Frun%2Fpostgresql:5433/db", environment: env)
        XCTAssertEqual(b.socketPath, "/run/postgresql/.s.PGSQL.5433")
        XCTAssertEqual(b.shown, "login@/run/postgresql:5433/db")
    }

    func testIPv6AndQueryParameters() throws {
        let u = try PostgreSQLEngineURL(parsing: "postgresql://[::1]:5999?dbname=d&user=u&password=p&sslmode=disable", environment: env)
        XCTAssertEqual(u.host, "::1")
        XCTAssertEqual(u.port, 5999)
        XCTAssertEqual(u.database, "d")
        XCTAssertEqual(u.user, "u")
        XCTAssertEqual(u.password, "p")
        XCTAssertEqual(u.sslMode, .disable)
        XCTAssertEqual(u.shown, "u@[::1]:5999/d")
    }

    func testMalformedURLsAreRefused() {
        for bad in ["mysql://h/db", "postgresql://h:99999/db", "postgresql://h:abc/db", "postgresql://h/db?sslmode=sometimes",
                    "postgresql://h/db?colour=blue", "postgresql://[::1/db", "postgresql://h/d%ZZb",
                    "postgresql:///db?host=/tmp/s&sslmode=require"] {
            XCTAssertThrowsError(try PostgreSQLEngineURL(parsing: bad, environment: env), bad) { e in
                XCTAssertTrue(e is PostgreSQLEngineURL.ParseError, bad)
            }
        }
        // No user anywhere.
        XCTAssertThrowsError(try PostgreSQLEngineURL(parsing: "postgresql://h/db", environment: [:]))
    }
}
