import Foundation
import GRDB
import TrennwandState
import XCTest

/// `audit verify` detects a changed, removed or reordered row (issue #18 acceptance).
final class AuditTrailTests: XCTestCase {
    /// A store with six trail rows; returns its path.
    func trail() async throws -> String {
        let harness = try Harness()
        let review = harness.state.review
        for i in 1...6 {
            try await review.audit(at: 1_800_000_000 + Int64(i), account: "dpo", action: .decision, object: "finding:\(i)",
                                   detail: "kind=mitigated reason=row \(i)")
        }
        XCTAssertTrue(try review.verifyAuditTrail().intact)
        return harness.path
    }

    /// Direct SQL on the file, as someone with the file would do it (triggers dropped first).
    func tamper(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete")
            try db.execute(sql: sql)
        }
    }

    func verify(_ path: String) throws -> AuditTrail.Verification {
        try StateStore(path: path, mustExist: true).review.verifyAuditTrail()
    }

    func testIntactTrailVerifiesAndReportsItsHead() async throws {
        let path = try await trail()
        let v = try verify(path)
        XCTAssertTrue(v.intact)
        XCTAssertEqual(v.rows, 6)
        XCTAssertEqual(v.headSeq, 6)
        XCTAssertEqual(v.headHash?.count, 64)
    }

    func testChangedRowIsFound() async throws {
        let path = try await trail()
        try tamper(path, "UPDATE audit_event SET detail = 'kind=false_positive reason=row 3' WHERE seq = 3")
        XCTAssertEqual(try verify(path).firstBreak, .changed(seq: 3))
    }

    func testChangedTimeOrAccountIsFound() async throws {
        let path = try await trail()
        try tamper(path, "UPDATE audit_event SET account = 'someone' WHERE seq = 5")
        XCTAssertEqual(try verify(path).firstBreak?.seq, 5)
        let path2 = try await trail()
        try tamper(path2, "UPDATE audit_event SET at = at + 1 WHERE seq = 2")
        XCTAssertEqual(try verify(path2).firstBreak?.seq, 2)
    }

    func testRemovedRowIsFound() async throws {
        let path = try await trail()
        try tamper(path, "DELETE FROM audit_event WHERE seq = 4")
        XCTAssertEqual(try verify(path).firstBreak, .removed(before: 5))
        let first = try await trail()
        try tamper(first, "DELETE FROM audit_event WHERE seq = 1")
        XCTAssertEqual(try verify(first).firstBreak, .removed(before: 2))
    }

    func testRemovedAndRenumberedRowIsFound() async throws {
        let path = try await trail()
        // Remove row 4 and close the gap: the numbers are consecutive again, the links are not.
        try tamper(path, """
            DELETE FROM audit_event WHERE seq = 4;
            UPDATE audit_event SET seq = seq - 1 WHERE seq > 4;
            """)
        let v = try verify(path)
        XCTAssertFalse(v.intact)
        XCTAssertEqual(v.firstBreak?.seq, 4)
    }

    func testReorderedRowsAreFound() async throws {
        let path = try await trail()
        try tamper(path, """
            UPDATE audit_event SET seq = 100 WHERE seq = 2;
            UPDATE audit_event SET seq = 2 WHERE seq = 3;
            UPDATE audit_event SET seq = 3 WHERE seq = 100;
            """)
        XCTAssertEqual(try verify(path).firstBreak?.seq, 2)
    }

    func testRehashedRowStillBreaksTheLinkOfTheNext() async throws {
        let path = try await trail()
        // A forger who recomputes the changed row's own hash breaks the next row's link.
        try forge(path)
        XCTAssertEqual(try verify(path).firstBreak, .unlinked(seq: 4))
    }

    func forge(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_event_no_update")
            let row = try XCTUnwrap(try Row.fetchOne(db, sql: "SELECT * FROM audit_event WHERE seq = 3"))
            let hash = AuditTrail.hash(seq: 3, at: row["at"], account: row["account"], action: row["action"], object: row["object"],
                                       detail: "forged", prevHash: row["prev_hash"])
            try db.execute(sql: "UPDATE audit_event SET detail = 'forged', hash = ? WHERE seq = 3", arguments: [hash])
        }
    }

    func testTrailRefusesUpdateAndDeleteThroughSQLite() async throws {
        let path = try await trail()
        try assertAppendOnly(path)
        XCTAssertTrue(try verify(path).intact)
    }

    func assertAppendOnly(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        XCTAssertThrowsError(try queue.write { try $0.execute(sql: "UPDATE audit_event SET detail = 'x' WHERE seq = 1") })
        XCTAssertThrowsError(try queue.write { try $0.execute(sql: "DELETE FROM audit_event WHERE seq = 1") })
    }

    func testCanonicalEncodingSeparatesFields() {
        // Moving a character between two fields changes the hash.
        let a = AuditTrail.hash(seq: 1, at: 2, account: "ab", action: "c", object: "", detail: "", prevHash: AuditTrail.genesis)
        let b = AuditTrail.hash(seq: 1, at: 2, account: "a", action: "bc", object: "", detail: "", prevHash: AuditTrail.genesis)
        XCTAssertNotEqual(a, b)
    }
}
