import TrennwandRecords
import XCTest

final class BerlinTimeTests: XCTestCase {
    func testWinterAndSummerTime() {
        // 2025-01-31T23:00:00Z is 1 February 00:00 in Berlin (CET, +1).
        XCTAssertEqual(BerlinTime.dateTime(1_738_364_400), "01.02.2025 00:00")
        XCTAssertEqual(BerlinTime.date(1_738_364_400), "01.02.2025")
        // 2025-07-01T11:45:00Z is 13:45 in Berlin (CEST, +2).
        XCTAssertEqual(BerlinTime.dateTime(1_751_370_300), "01.07.2025 13:45")
    }

    func testParseDayGermanAndISO() {
        XCTAssertEqual(BerlinTime.parseDay("31.01.2027").map { [$0.year, $0.month, $0.day] }, [2027, 1, 31])
        XCTAssertEqual(BerlinTime.parseDay("1.2.2027").map { [$0.year, $0.month, $0.day] }, [2027, 2, 1])
        XCTAssertEqual(BerlinTime.parseDay("2027-01-31").map { [$0.year, $0.month, $0.day] }, [2027, 1, 31])
        XCTAssertNil(BerlinTime.parseDay("31.02.2027"))
        XCTAssertNil(BerlinTime.parseDay("31.01.27"))
        XCTAssertNil(BerlinTime.parseDay("2027-1-31"))
    }

    func testStartOfDayIsBerlinMidnight() {
        // 00:00 Berlin on 1 February 2025 = 2025-01-31T23:00:00Z.
        XCTAssertEqual(BerlinTime.startOfDay(year: 2025, month: 2, day: 1), 1_738_364_400)
        XCTAssertEqual(BerlinTime.startOfDay(year: 2025, month: 7, day: 1), 1_751_320_800)
    }
}
