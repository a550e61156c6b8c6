import TrennwandOutputs
import TrennwandState

extension TrendChart {
    /// The chart of a trend from the state database: the state answers the query, the HTML
    /// output draws it.
    package init(_ trend: Trend, metric: TrendMetric = .count) {
        self.init(periods: trend.periods, keys: trend.keys,
                  totals: Dictionary(uniqueKeysWithValues: trend.keys.map { ($0, trend.total($0)) }),
                  values: Dictionary(uniqueKeysWithValues: trend.keys.map { ($0, trend.series($0, metric: metric)) }),
                  defaultTitle: "trend \(trend.per.rawValue) per \(trend.by.rawValue)")
    }
}
