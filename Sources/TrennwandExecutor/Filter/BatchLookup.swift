import TrennwandEngine
import TrennwandPlan
import TrennwandRecords

/// A lookup join of the plan (`exists`, `lookup value`) compiled for batches: the reference
/// table's hash index on the key term, the other terms, the validity interval. Per batch it
/// gives, for every row, the first matching reference row in table order, or none.
///
/// The same reading as the closure evaluator's `rowFn` (ConditionCompiler): one probe on the key
/// term (`equals` first, else `has`), a `covers` key probed with the category and each of its
/// ancestors, the other terms and the validity checked on the candidates; a missing key or time
/// finds no row. Configuration gaps (a value lookup that misses) are not reported by the batch
/// executor yet.
package final class BatchLookup: @unchecked Sendable {
    let table: RecordKind
    let index: ReferenceIndex
    let key: BatchOperand
    let byAncestors: Bool
    let others: [(column: Int, op: LookupTermOp, value: BatchOperand)]
    let at: BatchOperand?

    init(table: RecordKind, index: ReferenceIndex, key: BatchOperand, byAncestors: Bool,
         others: [(column: Int, op: LookupTermOp, value: BatchOperand)], at: BatchOperand?) {
        self.table = table
        self.index = index
        self.key = key
        self.byAncestors = byAncestors
        self.others = others
        self.at = at
    }

    /// The matching reference row of every batch row, -1 for none.
    func rows(_ batch: RecordBatch, _ env: BatchEnvironment) -> [Int] {
        (0..<batch.count).map { rows(batch, env, only: $0) }
    }

    /// The matching reference row of batch row `row`, -1 for none.
    func rows(_ batch: RecordBatch, _ env: BatchEnvironment, only row: Int) -> Int {
        guard case .text(let k)? = BatchFilter.scalar(key, row, batch, env) else { return -1 }
        var time: Int64 = 0
        if let at {
            guard case .int(let t)? = BatchFilter.scalar(at, row, batch, env) else { return -1 }
            time = t
        }
        var values: [ByteString] = []
        for term in others {
            guard case .text(let v)? = BatchFilter.scalar(term.value, row, batch, env) else { return -1 }
            values.append(v)
        }
        let found = index.firstRow(key: k, byAncestors: byAncestors, at: at == nil ? nil : time) { r in
            let cells = index.rows[r].values
            return zip(others, values).allSatisfy { $0.op.holds(cells[$0.column], $1) }
        }
        if case .row(let r) = found { return r }
        return -1
    }
}
