import XCTest
import TrennwandRecords
@testable import TrennwandReaders

/// Full-width timestamps are read at fixed offsets (`TimestampLayout`, through `TimestampField`):
/// for every value — full width or not, valid or not — the result must be the general parser's.
final class TimestampLayoutTests: XCTestCase {
    func testFixedOffsetsGiveTheGeneralParsersResultForEveryValue() throws {
        let zone = try XCTUnwrap(ZoneConverter(identifier: "Europe/Berlin"))
        let patterns = ["dd.MM.yyyy HH:mm:ss", "yyyy-MM-dd HH:mm", "dd.MM.yyyy", "yyyyMMddHHmmss", "d.M.yyyy H:mm", "MM/dd/yyyy"]
        var state: UInt64 = 11
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % n
        }
        var viaLayout = 0
        for pattern in patterns {
            let format = try XCTUnwrap(TimestampFormat.compile(pattern))
            let field = TimestampField(format: format, endOfDay: false, zone: zone)
            let layout = TimestampLayout(format)
            for _ in 0..<3_000 {
                // A plausible full-width value (a field out of range now and then), then a
                // mutation: a digit, a separator, a space doubled, a byte dropped or added, or none.
                let parts: [Character: Int] = [
                    "y": [1999, 2024, 2025, 2026, 2028, 2100][next(6)], "M": next(20) == 0 ? 13 : 1 + next(12),
                    "d": next(20) == 0 ? [0, 30, 31, 32][next(4)] : 1 + next(28), "H": next(30) == 0 ? 24 : next(24),
                    "m": next(60), "s": next(30) == 0 ? 60 : next(60),
                ]
                var text = ""
                var rest = Substring(pattern)
                while let c = rest.first {
                    let run = rest.prefix { $0 == c }
                    rest = rest.dropFirst(run.count)
                    if let n = parts[c] {
                        let digits = String(n)
                        text += String(repeating: "0", count: max(0, (c == "y" ? 4 : 2) - digits.count)) + digits
                    } else {
                        text += run
                    }
                }
                var value = Array(text.utf8)
                switch next(7) {
                case 0: value[next(value.count)] = UInt8(ascii: "0") + UInt8(next(10))
                case 1: value[next(value.count)] = [UInt8(ascii: "."), UInt8(ascii: " "), UInt8(ascii: "x"), UInt8(ascii: ":")][next(4)]
                case 2: if let s = value.firstIndex(of: 0x20) { value.insert(0x20, at: s) }
                case 3: value.remove(at: next(value.count))
                case 4: value.insert(UInt8(ascii: "1"), at: next(value.count + 1))
                default: break
                }
                let expected = value.withUnsafeBytes { format.parse($0) }
                let got = value.withUnsafeBytes { field.parse($0) }
                XCTAssertEqual(got?.local, expected?.local, "\(pattern): \(String(decoding: value, as: UTF8.self))")
                XCTAssertEqual(got?.hasTime, expected?.hasTime, "\(pattern): \(String(decoding: value, as: UTF8.self))")
                if let layout, value.count == layout.width, value.withUnsafeBytes({ layout.parse($0) }) != nil { viaLayout += 1 }
            }
        }
        XCTAssertGreaterThan(viaLayout, 5_000, "most values take the fixed offsets")
        XCTAssertNil(TimestampLayout(try XCTUnwrap(TimestampFormat.compile("HH:mm"))), "time of day only: general parser")
        XCTAssertNil(TimestampLayout(.iso8601))
    }
}
