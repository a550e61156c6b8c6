import XCTest
import TrennwandRecords
import TrennwandState
@testable import TrennwandServe

/// People read days and trail actions in German; the trail keeps ISO days and raw actions on record.
final class PagesFormatTests: XCTestCase {
    func testISODaysInTrailDetailsReadGerman() {
        XCTAssertEqual(Pages.day("2027-03-04"), "04.03.2027")
        XCTAssertEqual(Pages.day("unbefristet"), "unbefristet")
        XCTAssertEqual(Pages.days(in: "kind=accepted_risk rule=TW106 expires=2027-03-04 reason=bis 2026-13-01 offen, Az. 12345-67890"),
                       "kind=accepted_risk rule=TW106 expires=04.03.2027 reason=bis 2026-13-01 offen, Az. 12345-67890")
        XCTAssertEqual(Pages.days(in: "2025-01-31"), "31.01.2025")
        XCTAssertEqual(Pages.days(in: ""), "")
    }

    func testEveryTrailActionHasALabelInBothLanguages() {
        for a in AuditAction.allCases {
            XCTAssertNotEqual(Pages.actionLabel(a.rawValue, .de), a.rawValue, a.rawValue)
            XCTAssertFalse(Pages.actionLabel(a.rawValue, .en).isEmpty)
        }
        XCTAssertEqual(Pages.actionLabel("decision", .de), "Entscheidung")
        XCTAssertEqual(Pages.actionLabel("unknown_action", .de), "unknown_action")
    }
}
