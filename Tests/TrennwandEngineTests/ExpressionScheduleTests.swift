import XCTest
@testable import TrennwandEngine
import TrennwandRecords

final class ExpressionScheduleTests: XCTestCase {
    /// Local wall-clock seconds for a date and time (2025-03-03 is a Monday).
    func local(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
        Int64(CivilTime.daysFromCivil(year: 2025, month: 3, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60)
    }

    func testWeekdaySpanAndEnd() throws {
        let s = try DeploymentSchedule(parsing: "Mo-Fr 08:00-16:30")
        XCTAssertTrue(s.contains(local: local(3, 8)))
        XCTAssertTrue(s.contains(local: local(7, 16, 29)))
        XCTAssertFalse(s.contains(local: local(7, 16, 30)), "end minute excluded")
        XCTAssertFalse(s.contains(local: local(8, 10)), "Saturday")
        XCTAssertFalse(s.contains(local: local(3, 7, 59)))
    }

    func testGroupsListsAndSeveralRanges() throws {
        let s = try DeploymentSchedule(parsing: "Mo,Mi 08:00-12:00; Di 13:00-17:00")
        XCTAssertTrue(s.contains(local: local(5, 9)))
        XCTAssertFalse(s.contains(local: local(4, 9)))
        XCTAssertTrue(s.contains(local: local(4, 13)))
        let t = try DeploymentSchedule(parsing: "Do 08:00-12:00, 13:00-15:00")
        XCTAssertTrue(t.contains(local: local(6, 14)))
        XCTAssertFalse(t.contains(local: local(6, 12, 30)))
    }

    func testOvernightAndWrappingDaySpan() throws {
        let s = try DeploymentSchedule(parsing: "Fr-Mo 22:00-06:00")
        XCTAssertTrue(s.contains(local: local(7, 23)))
        XCTAssertTrue(s.contains(local: local(8, 5)), "Saturday morning from the Friday range")
        XCTAssertTrue(s.contains(local: local(4, 5)), "Tuesday morning from the Monday range")
        XCTAssertFalse(s.contains(local: local(5, 5)))
        XCTAssertTrue(try DeploymentSchedule(parsing: "Sa,So 00:00-24:00").contains(local: local(9, 23, 59)))
    }

    func testErrorsCarryOffsets() {
        for (text, offset) in [("Mo-Fx 08:00-16:00", 3), ("Mo-Fr 8-16", 6), ("Mo-Fr 08:00 16:00", 12), ("", 0), ("Mo 08:00-12:00 Di", 15)] {
            XCTAssertThrowsError(try DeploymentSchedule(parsing: text), text) { e in
                XCTAssertEqual((e as? DeploymentSchedule.ParseError)?.offset, offset, text)
            }
        }
    }
}
