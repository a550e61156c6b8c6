import Foundation
import TrennwandEngine
@testable import TrennwandExecutor
import TrennwandRecords
import XCTest

/// The batch executor scans a text column's runs in place (`DetectorScanner.fire`), not as
/// `ByteString`s through `DetectorSet.scan` as the record engine does: for every row and every
/// detector, both must say the same — whichever of a record's texts holds the hit.
final class BatchDetectorColumnTests: XCTestCase {
    func testDetectorsFireOnTheSameRowsAsTheRecordEnginesScan() throws {
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let zone = try XCTUnwrap(ZoneConverter(identifier: policy.timeZone))
        let set = try XCTUnwrap(policy.detectors as? DetectorSet)
        // Synthetic texts: keyword terms of several lists, a check-digit identifier with and
        // without its context word, blanks and harmless prose.
        let pool = [
            "Bewilligungsbescheid liegt vor: Regelbedarf und Mehrbedarf für Alleinerziehende bis Oktober.",
            "Laut Jobcenter droht eine Sanktion wegen eines versäumten Termins; Minderung um 10 % angekündigt.",
            "Diagnose vom Hausarzt liegt vor, Reha-Antrag gestellt.",
            "Überweisung auf IBAN DE89 3704 0044 0532 0130 00 besprochen.",
            "DE89370400440532013000",
            "Partner und Kinder in der Bedarfsgemeinschaft unverändert.",
            "Bewerbungsunterlagen gemeinsam überarbeitet.",
            " ",
            "Schuldnerberatung vermittelt, Gläubigerliste erstellt.",
            // Piece edges (a scan over a record's texts joined would meet them: tried, see
            // docs/executor.md, tenth stop): a term of two words split over two texts (must not
            // fire), an excluded word and a wildcard term ending a text, a context word ending
            // the text before an identifier that requires it (counts within its own text only).
            "Zur Stellung in der",
            "BG wurde nichts gesagt.",
            "Partner in der BG",
            "Fehlerdiagnose",
            "diagnose",
            "Kd.-Nr.",
            "123A456789 wurde genannt.",
            "Kd.-Nr. 123A456789 liegt vor.",
        ].map { ByteString($0) }
        let slot = try XCTUnwrap(RecordKind.documentation.schema.slot("text"))
        var state: UInt64 = 20   // a fixed LCG: the same rows every run
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        var rows: [[ByteString]] = []
        for _ in 0..<300 {
            let n = Int(next() % 5)   // 0 (missing) to 4 texts
            rows.append((0..<n).map { _ in pool[Int(next() % UInt64(pool.count))] })
        }
        // The edge cases side by side, in the order that would join them into one hit.
        rows += [["Zur Stellung in der", "BG wurde nichts gesagt."], ["Kd.-Nr.", "123A456789 wurde genannt."],
                 ["Fehlerdiagnose", "diagnose"], ["Partner in der BG", "Fehlerdiagnose"]].map { $0.map { ByteString($0) } }
        let symbols = SymbolTable(seed: SymbolTable.schemaSeed())
        let batch = RecordBatch(kind: .documentation, file: "detectors", capacity: rows.count)
        for (i, texts) in rows.enumerated() {
            let row = batch.beginRow(line: i + 1, byteOffset: 0, index: i + 1)
            if !texts.isEmpty {
                batch.columns[slot].beginRuns(row)
                for t in texts { t.withUnsafeBytes { batch.columns[slot].appendRun(row, $0) } }
            }
            batch.commitRow()
        }
        let environment = BatchEnvironment(symbols: symbols, zone: zone, detectors: set)
        let expected = rows.map { set.scan($0) }
        var firedInALaterText = 0, fired = Set<Int>()
        for d in set.detectors.indices {
            var r = TriMask(count: rows.count)
            environment.fired(batch, slot: slot, anyOf: [d], selection: nil, into: &r)
            for (row, texts) in rows.enumerated() {
                // A record without text is unknown, not false.
                XCTAssertEqual(r.value(row), texts.isEmpty ? nil : expected[row].fired(d),
                               "row \(row) \(texts.map(\.string)), detector \(set.detectors[d].name)")
                if expected[row].fired(d) {
                    fired.insert(d)
                    if !set.scan(Array(texts.prefix(1))).fired(d) { firedInALaterText += 1 }
                }
            }
        }
        // Several detectors at once (any of them) over a selection: rows outside it stay unknown,
        // a fresh environment scans only the selected rows' texts.
        let fresh = BatchEnvironment(symbols: symbols, zone: zone, detectors: set)
        let some = Array(set.detectors.indices.prefix(3))
        var selection = [UInt64](repeating: 0, count: (rows.count + 63) / 64)
        for row in rows.indices where row % 3 != 1 { selection[row >> 6] |= 1 << UInt64(row & 63) }
        var r = TriMask(count: rows.count)
        fresh.fired(batch, slot: slot, anyOf: some, selection: selection, into: &r)
        for (row, texts) in rows.enumerated() {
            let want: Bool? = row % 3 == 1 || texts.isEmpty ? nil : some.contains { expected[row].fired($0) }
            XCTAssertEqual(r.value(row), want, "row \(row), detectors \(some)")
        }
        XCTAssertGreaterThanOrEqual(fired.count, 4, "the pool makes several detectors fire")
        XCTAssertGreaterThan(firedInALaterText, 20, "hits in a record's second or later text are compared")
    }
}
