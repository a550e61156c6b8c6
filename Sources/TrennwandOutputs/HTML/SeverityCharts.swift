import Foundation
import TrennwandFindings
import TrennwandRecords

/// Open findings by severity after each stored run, oldest first: what the report's stacked bar
/// chart draws. Filled from the state store (`StateStore.openBySeverityHistory`, converted in
/// TrennwandScan's `TrendChart+State.swift`).
package struct SeverityHistory: Sendable, Hashable {
    package struct Point: Sendable, Hashable {
        /// The run's id in the state store.
        package var run: Int64
        /// UTC epoch seconds when the run started.
        package var started: Int64
        /// Open findings by severity after the run.
        package var open: [Severity: Int]

        package init(run: Int64, started: Int64, open: [Severity: Int]) {
            self.run = run
            self.started = started
            self.open = open
        }
    }

    package var points: [Point]

    package init(points: [Point]) { self.points = points }
}

/// Inline SVG charts of the HTML report, in the badge colours (`SeverityCharts.color`): no
/// external reference, every label escaped, sized by `viewBox` so they shrink on a phone.
package enum SeverityCharts {
    /// The colour of a severity: the same value as its `.badge.sev-…` in the stylesheet.
    static func color(_ s: Severity) -> String {
        switch s {
        case .critical: return "#82071e"
        case .high: return "#cf222e"
        case .medium: return "#bc4c00"
        case .low: return "#0969da"
        case .info: return "#57606a"
        }
    }

    private static func e(_ s: String) -> String { HTMLReportAssets.escape(s) }
    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Legend line: one coloured square and label per severity that occurs.
    private static func legend(_ severities: [Severity], lang: Language, y: Double) -> String {
        var s = ""
        var x = 0.0
        for sev in severities {
            let label = sev.label.text(lang)
            s += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"11\" height=\"11\" fill=\"\(color(sev))\"/>"
            s += "<text x=\"\(f(x + 15))\" y=\"\(f(y))\">\(e(label))</text>"
            x += 26 + Double(label.count) * 7
        }
        return s
    }

    /// Horizontal bars, one per key, each split by severity; `rows` in display order.
    static func horizontalBars(title: String, rows: [(key: String, counts: [Severity: Int])], lang: Language) -> String {
        let width = 640.0, labelW = 190.0, barH = 18.0, gap = 6.0, top = 26.0
        let height = top + Double(rows.count) * (barH + gap) + 4
        let maxTotal = max(1, rows.map { $0.counts.values.reduce(0, +) }.max() ?? 1)
        let plotW = width - labelW - 50
        let used = OutputSupport.severitiesDescending.filter { s in rows.contains { ($0.counts[s] ?? 0) > 0 } }
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(e(title))\" font-family=\"sans-serif\" font-size=\"12\">"
        s += "<title>\(e(title))</title>"
        s += legend(used, lang: lang, y: 14)
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * (barH + gap)
            let key = row.key.count > 28 ? String(row.key.prefix(27)) + "…" : row.key
            s += "<text x=\"\(f(labelW - 6))\" y=\"\(f(y + 13))\" text-anchor=\"end\">\(e(key))</text>"
            var x = labelW
            for sev in used {
                let n = row.counts[sev] ?? 0
                guard n > 0 else { continue }
                let w = plotW * Double(n) / Double(maxTotal)
                s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(w, 1)))\" height=\"\(f(barH))\" fill=\"\(color(sev))\">"
                s += "<title>\(e("\(row.key) – \(sev.label.text(lang)): \(n)"))</title></rect>"
                x += w
            }
            s += "<text x=\"\(f(x + 4))\" y=\"\(f(y + 13))\">\(row.counts.values.reduce(0, +))</text>"
        }
        return s + "</svg>"
    }

    /// Vertical stacked bars: open findings by severity after each run (at most the last 30 runs).
    package static func history(title: String, _ history: SeverityHistory, lang: Language) -> String {
        let points = Array(history.points.suffix(30))
        let width = 640.0, height = 240.0, left = 40.0, top = 26.0, bottom = 36.0
        let plotW = width - left - 10, plotH = height - top - bottom
        let totals = points.map { $0.open.values.reduce(0, +) }
        let yMax = Double(niceCeiling(totals.max() ?? 0))
        let used = OutputSupport.severitiesDescending.filter { s in points.contains { ($0.open[s] ?? 0) > 0 } }
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(e(title))\" font-family=\"sans-serif\" font-size=\"12\">"
        s += "<title>\(e(title))</title>"
        s += legend(used, lang: lang, y: 14)
        s += "<g stroke=\"#d0d7de\">"
        for i in 0...4 {
            let y = top + plotH - plotH * Double(i) / 4
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(width - 10))\" y2=\"\(f(y))\"/>"
        }
        s += "</g><g fill=\"#57606a\" text-anchor=\"end\">"
        for i in 0...4 {
            let y = top + plotH - plotH * Double(i) / 4
            s += "<text x=\"\(f(left - 5))\" y=\"\(f(y + 4))\">\(Int(yMax * Double(i) / 4))</text>"
        }
        s += "</g>"
        let slot = plotW / Double(max(points.count, 1))
        let barW = min(40, slot * 0.7)
        let step = max(1, (points.count + 7) / 8)
        for (i, p) in points.enumerated() {
            let x = left + slot * Double(i) + (slot - barW) / 2
            var y = top + plotH
            for sev in used.reversed() {
                let n = p.open[sev] ?? 0
                guard n > 0 else { continue }
                let h = plotH * Double(n) / max(yMax, 1)
                y -= h
                s += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barW))\" height=\"\(f(h))\" fill=\"\(color(sev))\">"
                s += "<title>\(e("\(lang == .de ? "Lauf" : "Run") \(p.run) – \(sev.label.text(lang)): \(n)"))</title></rect>"
            }
            if i % step == 0 || i == points.count - 1 {
                s += "<text x=\"\(f(x + barW / 2))\" y=\"\(f(top + plotH + 14))\" text-anchor=\"middle\">\(e(BerlinTime.date(p.started).prefix(5) + ""))</text>"
                s += "<text x=\"\(f(x + barW / 2))\" y=\"\(f(top + plotH + 28))\" text-anchor=\"middle\" fill=\"#57606a\">#\(p.run)</text>"
            }
        }
        return s + "</svg>"
    }

    private static func niceCeiling(_ v: Int) -> Int {
        guard v > 4 else { return 4 }
        var m = 1
        while true {
            for k in [1, 2, 5] where k * m * 4 >= v { return k * m * 4 }
            m *= 10
        }
    }
}
