import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords
@testable import TrennwandState
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A store is used only when it can be trusted: damaged, foreign and unexpectedly empty files are
/// refused with our error (never recreated), and new stores and their lock are private (0600).
final class StateTrustTests: XCTestCase {
    /// A store with one run and a few findings, closed again.
    private func populatedStore() throws -> String {
        let path = Fixture.tempStorePath()
        let store = try StateStore(path: path)
        let run = try store.beginRun(Fixture.start())
        for i in 0..<40 {
            let file = PlannedFile(path: "/data/export-\(i)-with-a-longer-name.csv", size: 100, hash: "h\(i)")
            try store.commitFile(runID: run.id, file: file, account: Fixture.account(file.path),
                                 findings: [Fixture.finding("fp-\(i)", file: file.path)])
        }
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        return path
    }

    private func assertStateError(_ path: String, readOnly: Bool = false, code: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try StateStore(path: path, readOnly: readOnly), file: file, line: line) { error in
            XCTAssertEqual((error as? StateError)?.code, code, "\(error)", file: file, line: line)
        }
    }

    private func mode(_ path: String) -> mode_t {
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        return st.st_mode & 0o777
    }

    func testFlippedIndexBytesAreNamedAsDamage() throws {
        let path = try populatedStore()
        let root = try DatabaseQueue(path: path).read {
            try Int.fetchOne($0, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'finding_file_path'")
        }!
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let pageSize = 4096
        let pageEnd = root * pageSize
        // Ten bytes of index keys at the end of the page (cell content grows from the end):
        // the page stays well-formed, the keys no longer match the table ("row … missing from index").
        for i in 0..<10 { data[pageEnd - 8 - i * 9] ^= 0x01 }
        try data.write(to: URL(fileURLWithPath: path))
        assertStateError(path, code: "state.damaged")
        assertStateError(path, readOnly: true, code: "state.damaged")
    }

    func testGarbageHeaderAndHalvedFileStayDamaged() throws {
        let path = try populatedStore()
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.replaceSubrange(0..<16, with: Data(repeating: 0x41, count: 16))
        try data.write(to: URL(fileURLWithPath: path))
        assertStateError(path, code: "state.damaged")
        let halved = try populatedStore()
        let whole = try Data(contentsOf: URL(fileURLWithPath: halved))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: halved))
        assertStateError(halved, code: "state.damaged")
    }

    func testEmptyFileBesideItsLockIsDamagedNotANewStore() throws {
        let path = try populatedStore()
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".lock"))
        for sidecar in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + sidecar) }
        XCTAssertEqual(truncate(path, 0), 0)
        assertStateError(path, code: "state.damaged")
        assertStateError(path, readOnly: true, code: "state.damaged")
        // Still 0 bytes: nothing was recreated.
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int), 0)
        // An empty file with nothing beside it (a placeholder made with `touch`) becomes a new store.
        let placeholder = Fixture.tempStorePath()
        XCTAssertTrue(FileManager.default.createFile(atPath: placeholder, contents: nil))
        XCTAssertTrue(try StateStore(path: placeholder).createdNew)
    }

    func testForeignSQLiteFileIsRefusedAndLeftUnchanged() throws {
        let path = Fixture.tempStorePath()
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE t (a); INSERT INTO t VALUES (1)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        assertStateError(path, code: "state.foreign")
        assertStateError(path, readOnly: true, code: "state.foreign")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
        // Another application's id, even with our tables.
        let other = try populatedStore()
        try DatabaseQueue(path: other).writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 42") }
        assertStateError(other, code: "state.foreign")
    }

    func testOldStoreWithoutApplicationIDIsAccepted() throws {
        let path = try populatedStore()
        try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: "PRAGMA application_id = 0") }
        let store = try StateStore(path: path)
        XCTAssertEqual(try store.history().count, 1)
        let id = try store.db.read { try Int32.fetchOne($0, sql: "PRAGMA application_id") }
        XCTAssertEqual(id, StateStore.applicationID)
    }

    /// What a scan killed while creating its store leaves behind: our id and no table yet, or our
    /// id and GRDB's migration table without the schema. The next open finishes the store.
    func testStoreLeftHalfCreatedByAKilledScanIsFinished() throws {
        let bare = Fixture.tempStorePath()
        try DatabaseQueue(path: bare).writeWithoutTransaction {
            try $0.execute(sql: "PRAGMA application_id = \(StateStore.applicationID)")
        }
        XCTAssertEqual(try StateStore(path: bare).history().count, 0)

        let half = Fixture.tempStorePath()
        try DatabaseQueue(path: half).writeWithoutTransaction {
            try $0.execute(sql: "PRAGMA application_id = \(StateStore.applicationID)")
            try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        }
        let store = try StateStore(path: half)
        XCTAssertEqual(try store.appliedMigrations(), try StateStore(path: Fixture.tempStorePath()).appliedMigrations())
        let run = try store.beginRun(Fixture.start())
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
        XCTAssertEqual(try store.history().count, 1)

        // Without our id, the same half-made file is indistinguishable from another program's.
        let unmarked = Fixture.tempStorePath()
        try DatabaseQueue(path: unmarked).write {
            try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        }
        assertStateError(unmarked, code: "state.foreign")
    }

    func testSchemaOfAnotherBuildIsOurError() throws {
        let path = try populatedStore()
        try DatabaseQueue(path: path).write { try $0.execute(sql: "ALTER TABLE run DROP COLUMN config_hash") }
        assertStateError(path, code: "state.schema-mismatch")
    }

    func testNewStoreAndLockAre0600WhateverTheUmask() throws {
        let old = umask(0)
        defer { umask(old) }
        let path = Fixture.tempStorePath()
        let store = try StateStore(path: path)
        let run = try store.beginRun(Fixture.start())
        try store.commitFile(runID: run.id, file: PlannedFile(path: "/a.csv", size: 1, hash: "h"),
                             account: Fixture.account("/a.csv"), findings: [Fixture.finding("fp")])
        XCTAssertEqual(mode(path), 0o600)
        XCTAssertEqual(mode(path + ".lock"), 0o600)
        XCTAssertEqual(mode(path + "-wal"), 0o600)
        try store.finishRun(runID: run.id, exitCode: 0, filesSkipped: 0)
    }

    func testDatabaseErrorsBecomeOurMessages() {
        let full = DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full", sql: "COMMIT TRANSACTION")
        XCTAssertEqual(StateError.from(full, path: "/s").code, "state.io")
        XCTAssertFalse(StateError.from(full, path: "/s").message.en.contains("COMMIT"))
        let column = DatabaseError(resultCode: .SQLITE_ERROR, message: "table run has no column named config_hash")
        XCTAssertEqual(StateError.from(column, path: "/s").code, "state.schema-mismatch")
        XCTAssertEqual(StateError.from(DatabaseError(resultCode: .SQLITE_CORRUPT), path: "/s").code, "state.damaged")
    }
}
