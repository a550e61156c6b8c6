import TrennwandOutputs
import TrennwandRecords
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

extension SeverityHistory {
    /// Open findings by severity after each stored run (`StateStore.openBySeverityHistory`), for
    /// the report's stacked bars.
    package init(_ runs: [OpenAfterRun]) {
        self.init(points: runs.map { Point(run: $0.runID, started: $0.started, open: $0.open) })
    }
}

extension HTMLTrendSection {
    /// The report's trend section from the state store: open findings by severity per run, or nil
    /// when the store has no run yet (or cannot be read).
    package static func openBySeverity(_ store: StateStore, limit: Int = 30) -> HTMLTrendSection? {
        guard let runs = try? store.openBySeverityHistory(limit: limit), !runs.isEmpty else { return nil }
        return HTMLTrendSection(
            caption: Localized(de: "Offene Befunde nach Schweregrad nach jedem Prüflauf (Zustandsdatenbank, letzte \(runs.count) Läufe).",
                               en: "Open findings by severity after each run (state database, last \(runs.count) runs)."),
            history: SeverityHistory(runs))
    }
}
