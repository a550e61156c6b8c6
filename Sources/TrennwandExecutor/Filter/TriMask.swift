/// The three-valued verdict of a condition over one batch: a row is true, false, or unknown
/// (neither bit set) — the rule language's Kleene logic, 64 rows per machine word.
///
/// Why two bitmaps: `and`, `or` and `not` of three-valued verdicts become word operations
/// (`T = Ta & Tb, F = Fa | Fb` for `and`, the dual for `or`, swapping for `not`), where the
/// closure evaluator made one indirect call per node and record.
package struct TriMask: Sendable, Equatable {
    package var isTrue: [UInt64]
    package var isFalse: [UInt64]
    package let count: Int

    package init(count: Int) {
        self.count = count
        isTrue = Array(repeating: 0, count: (count + 63) / 64)
        isFalse = Array(repeating: 0, count: (count + 63) / 64)
    }

    /// Every row `value` (true or false) — a literal, or a node that is never unknown and constant.
    package init(count: Int, constant value: Bool?) {
        self.init(count: count)
        guard let value else { return }
        for w in isTrue.indices {
            let bits = w == isTrue.count - 1 && count % 64 != 0 ? (UInt64(1) << UInt64(count % 64)) - 1 : ~UInt64(0)
            if value { isTrue[w] = bits } else { isFalse[w] = bits }
        }
    }

    @inline(__always)
    package mutating func set(_ row: Int, _ value: Bool) {
        if value { isTrue[row >> 6] |= 1 << UInt64(row & 63) } else { isFalse[row >> 6] |= 1 << UInt64(row & 63) }
    }

    @inline(__always)
    package func value(_ row: Int) -> Bool? {
        let bit = UInt64(1) << UInt64(row & 63)
        if isTrue[row >> 6] & bit != 0 { return true }
        if isFalse[row >> 6] & bit != 0 { return false }
        return nil
    }

    package static func and(_ a: TriMask, _ b: TriMask) -> TriMask {
        var r = a
        for w in r.isTrue.indices {
            r.isTrue[w] = a.isTrue[w] & b.isTrue[w]
            r.isFalse[w] = a.isFalse[w] | b.isFalse[w]
        }
        return r
    }

    package static func or(_ a: TriMask, _ b: TriMask) -> TriMask {
        var r = a
        for w in r.isTrue.indices {
            r.isTrue[w] = a.isTrue[w] | b.isTrue[w]
            r.isFalse[w] = a.isFalse[w] & b.isFalse[w]
        }
        return r
    }

    package func negated() -> TriMask {
        var r = self
        swap(&r.isTrue, &r.isFalse)
        return r
    }

    /// Clears the bits of rows at or beyond `count` in the last word.
    @inline(__always)
    package static func clearTail(_ words: inout [UInt64], count: Int) {
        if count % 64 != 0, !words.isEmpty { words[words.count - 1] &= (UInt64(1) << UInt64(count % 64)) - 1 }
    }

    /// The rows that are true, ascending.
    package var trueRows: [Int] { Self.rows(isTrue, count: count) }

    /// The rows that are neither true nor false (unknown), ascending.
    package var unknownRows: [Int] {
        var words: [UInt64] = []
        words.reserveCapacity(isTrue.count)
        for w in isTrue.indices { words.append(~(isTrue[w] | isFalse[w])) }
        return Self.rows(words, count: count)
    }

    private static func rows(_ words: [UInt64], count: Int) -> [Int] {
        var rows: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            var bits = word
            while bits != 0 {
                let row = w * 64 + bits.trailingZeroBitCount
                if row < count { rows.append(row) }
                bits &= bits - 1
            }
        }
        return rows
    }

    /// Rows still undecided by an `and` (not yet false) or an `or` (not yet true): the selection
    /// the next operand needs to be evaluated for.
    package var anyTrue: Bool { isTrue.contains { $0 != 0 } }
}
