/// "Did you mean …?" for mistyped names (subcommands, configuration keys): one place for the
/// edit distance, used by the command line and the configuration parser.
package enum NameSuggestion {
    /// The known name within edit distance 2 (or starting with the typed text), if any.
    package static func closest(to typed: String, among names: [String]) -> String? {
        let t = typed.lowercased()
        if let prefix = names.first(where: { $0.hasPrefix(t) && t.count >= 2 }) { return prefix }
        let scored = names.map { ($0, distance(Array(t), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Damerau–Levenshtein (optimal string alignment): a swapped pair (`scna`) counts one.
    package static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
