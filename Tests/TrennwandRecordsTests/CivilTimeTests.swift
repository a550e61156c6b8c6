import XCTest
@testable import TrennwandRecords

final class CivilTimeTests: XCTestCase {
    func testDaysRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilTime.civilFromDays(days)
            XCTAssertEqual(CivilTime.daysFromCivil(year: y, month: m, day: d), days)
        }
        XCTAssertEqual(CivilTime.daysFromCivil(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(CivilTime.daysFromCivil(year: 2024, month: 2, day: 29), 19_782)
    }

    func testISO8601() {
        XCTAssertEqual(CivilTime.iso8601(0), "1970-01-01T00:00:00Z")
        XCTAssertEqual(CivilTime.iso8601(1_709_541_300), "2024-03-04T08:35:00Z")
    }

    func testBerlinOffsetsAcrossDaylightSaving() throws {
        let berlin = try XCTUnwrap(ZoneConverter(identifier: "Europe/Berlin"))
        func local(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int) -> Int64 {
            Int64(CivilTime.daysFromCivil(year: y, month: mo, day: d)) * 86_400 + Int64(h * 3600 + mi * 60)
        }
        // Winter: UTC+1
        XCTAssertEqual(CivilTime.iso8601(berlin.utc(fromLocal: local(2025, 1, 15, 9, 0))), "2025-01-15T08:00:00Z")
        // Summer: UTC+2
        XCTAssertEqual(CivilTime.iso8601(berlin.utc(fromLocal: local(2025, 7, 15, 9, 0))), "2025-07-15T07:00:00Z")
        // Autumn overlap 2025-10-26 02:30 exists twice: the earlier (summer) instant is chosen.
        XCTAssertEqual(CivilTime.iso8601(berlin.utc(fromLocal: local(2025, 10, 26, 2, 30))), "2025-10-26T00:30:00Z")
        // Back to local.
        XCTAssertEqual(berlin.local(fromUTC: berlin.utc(fromLocal: local(2025, 7, 15, 9, 0))), local(2025, 7, 15, 9, 0))
    }

    /// The converter remembers the last two hours it converted: times alternating between hours
    /// of winter, summer and the autumn overlap, in every order, convert as a fresh converter does.
    func testAlternatingHoursConvertAsAFreshConverterDoes() throws {
        let berlin = try XCTUnwrap(ZoneConverter(identifier: "Europe/Berlin"))
        func local(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int) -> Int64 {
            Int64(CivilTime.daysFromCivil(year: y, month: mo, day: d)) * 86_400 + Int64(h * 3600 + mi * 60)
        }
        let hours = [local(2025, 1, 15, 9, 0), local(2025, 7, 15, 9, 0), local(2027, 12, 31, 23, 59), local(2025, 10, 26, 2, 30),
                     local(2025, 3, 30, 2, 30)]
        var state: UInt64 = 7
        for _ in 0..<400 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let t = hours[Int(state >> 33) % hours.count] + Int64((state >> 20) % 3600)
            let fresh = try XCTUnwrap(ZoneConverter(identifier: "Europe/Berlin"))
            XCTAssertEqual(berlin.utc(fromLocal: t), fresh.utc(fromLocal: t), CivilTime.iso8601(t))
        }
    }
}

final class ISO8601ParseTests: XCTestCase {
    func testForms() throws {
        let berlin = try XCTUnwrap(ZoneConverter(identifier: "Europe/Berlin"))
        func utc(_ s: String) -> String? {
            CivilTime.parseISO8601(Array(s.utf8)).map { CivilTime.iso8601($0.utc(zone: berlin)) }
        }
        XCTAssertEqual(utc("2025-03-04T09:15:00Z"), "2025-03-04T09:15:00Z")
        XCTAssertEqual(utc("2025-03-04T09:15:00+01:00"), "2025-03-04T08:15:00Z")
        XCTAssertEqual(utc("2025-03-04T09:15+0100"), "2025-03-04T08:15:00Z")
        XCTAssertEqual(utc("2025-07-04 09:15:30.250"), "2025-07-04T07:15:30Z")
        XCTAssertEqual(utc("2025-07-04"), "2025-07-03T22:00:00Z")
        XCTAssertTrue(CivilTime.parseISO8601(Array("2025-07-04".utf8))!.dateOnly)
        for bad in ["2025-02-30", "2025-13-01", "2025-1-01", "2025-03-04T25:00", "2025-03-04T09:15:00+01:00x", "", "20250304"] {
            XCTAssertNil(CivilTime.parseISO8601(Array(bad.utf8)), bad)
        }
    }
}
