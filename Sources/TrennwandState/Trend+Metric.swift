import Foundation

/// Which value a trend chart plots.
package enum TrendMetric: String, Sendable, CaseIterable {
    /// Findings first detected in the period.
    case count
    /// Findings per 1,000 access records (periods without access records are left out).
    case rate
}

extension Trend {
    /// The data points of one key over `periods` for the metric (nil: no value, left out).
    package func series(_ key: String, metric: TrendMetric) -> [Double?] {
        periods.map { p in
            switch metric {
            case .count: return Double(count(period: p, key: key))
            case .rate: return rate(period: p, key: key)
            }
        }
    }

    /// Findings of the key over all periods.
    package func total(_ key: String) -> Int { periods.reduce(0) { $0 + count(period: $1, key: key) } }
}
