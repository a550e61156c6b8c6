import Foundation
import TrennwandEngine
import TrennwandExecutor
import TrennwandPlan
import TrennwandRecords
import XCTest

/// The 64-rows-at-a-time loops of the batch filter (symbol `=`/`<>`, symbol `in`, timestamp
/// against a constant) against the row-by-row three-valued answer, on random batches with missing
/// values and lengths that are not a multiple of 64.
final class BatchFilterWordTests: XCTestCase {
    func testWordLoopsGiveTheRowByRowVerdicts() throws {
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let zone = try XCTUnwrap(ZoneConverter(identifier: policy.timeZone))
        let actionSlot = try XCTUnwrap(RecordSchema.access.slot("action"))
        let timeSlot = try XCTUnwrap(RecordSchema.access.slot("time"))
        XCTAssertEqual(BatchColumn.Storage(RecordSchema.access.fields[actionSlot].type), .symbol)
        let actions: [ByteString] = ["read", "write", "export", "print", "delete"]
        var rng = SystemRandomNumberGenerator()
        for count in [1, 63, 64, 65, 130, 2048] {
            let symbols = SymbolTable(seed: SymbolTable.schemaSeed())
            let env = BatchEnvironment(symbols: symbols, zone: zone, detectors: policy.detectors)
            let batch = RecordBatch(kind: .access, file: "t", capacity: count)
            var action: [ByteString?] = [], time: [Int64?] = []
            for i in 0..<count {
                var r = Record(kind: .access, locator: Locator(file: "t", line: i + 1, byteOffset: 0, index: i))
                let a: ByteString? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : actions[Int.random(in: 0..<4, using: &rng)]
                let t: Int64? = Int.random(in: 0..<6, using: &rng) == 0 ? nil : Int64.random(in: 990...1010, using: &rng)
                if let a { r[actionSlot] = .string(a) }
                if let t { r[timeSlot] = .time(t) }
                batch.append(r, symbols: symbols)
                action.append(a)
                time.append(t)
            }
            func check(_ c: BatchCondition, _ expected: (Int) -> Bool?, _ what: String) {
                let mask = BatchFilter.evaluate(c, batch, env)
                for row in 0..<count {
                    XCTAssertEqual(mask.value(row), expected(row), "\(what), \(count) rows, row \(row)")
                }
                XCTAssertEqual(mask.isTrue.last.map { count % 64 == 0 ? 0 : $0 >> UInt64(count % 64) }, 0, "no bits past the last row")
            }
            let symbolColumn = BatchOperand.column(slot: actionSlot, storage: .symbol)
            for value in actions {
                check(.compare(.eq, symbolColumn, .string(value)), { action[$0].map { $0 == value } }, "action = \(value)")
                check(.compare(.ne, symbolColumn, .string(value)), { action[$0].map { $0 != value } }, "action <> \(value)")
            }
            for negated in [false, true] {
                let list: [ByteString] = ["write", "print", "delete"]
                check(.inValues(symbolColumn, list, negated: negated), { action[$0].map { list.contains($0) != negated } }, "action in, negated \(negated)")
            }
            let timeColumn = BatchOperand.column(slot: timeSlot, storage: .timestamp)
            let ops: [(PlanCompareOp, (Int64, Int64) -> Bool)] = [(.eq, ==), (.ne, !=), (.lt, <), (.le, <=), (.gt, >), (.ge, >=)]
            for (op, holds) in ops {
                check(.compare(op, timeColumn, .seconds(1000)), { time[$0].map { holds($0, 1000) } }, "time \(op.rawValue) 1000")
            }
        }
    }
}
