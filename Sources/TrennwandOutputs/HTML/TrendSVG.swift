import Foundation
import TrennwandFindings

/// The data points of a trend chart: one series per key over the periods, as the state's trend
/// query returns them (`Trend` in TrennwandState; the scan library converts), plotted by
/// `trendSVG`.
package struct TrendChart: Sendable, Hashable {
    package var periods: [String]
    package var keys: [String]
    /// Findings per key over all periods: the largest series are drawn when there are too many.
    package var totals: [String: Int]
    /// `values[key][i]`: the plotted value of the key in `periods[i]`; nil leaves the point out.
    package var values: [String: [Double?]]
    /// The chart's accessible title when none is given (`trend rule per month`).
    package var defaultTitle: String

    package init(periods: [String], keys: [String], totals: [String: Int], values: [String: [Double?]], defaultTitle: String) {
        self.periods = periods
        self.keys = keys
        self.totals = totals
        self.values = values
        self.defaultTitle = defaultTitle
    }
}

/// Renders a trend as a small self-contained inline SVG line chart: one line per key over the
/// periods, axis labels, a legend. No external assets, scripts or fonts; every label is
/// XML-escaped, so the result can be embedded in the HTML report as it is.
package func trendSVG(_ trend: TrendChart, title: String? = nil, width: Int = 640, height: Int = 260, maxSeries: Int = 8) -> String {
    let palette = ["#1f4e79", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#17a589", "#7f8c8d", "#2c3e50"]
    // Keep the keys with the largest totals; the rest are summed into "other".
    let totals = trend.totals
    var keys = trend.keys
    if keys.count > maxSeries {
        keys = Array(keys.sorted { totals[$0, default: 0] != totals[$1, default: 0] ? totals[$0, default: 0] > totals[$1, default: 0] : $0 < $1 }
            .prefix(maxSeries))
    }
    func value(_ i: Int, _ k: String) -> Double? {
        guard let series = trend.values[k], i < series.count else { return nil }
        return series[i]
    }
    let left = 48.0, right = 150.0, top = title == nil ? 12.0 : 30.0, bottom = 40.0
    let w = Double(width), h = Double(height)
    let plotW = max(10, w - left - right), plotH = max(10, h - top - bottom)
    var maxV = 0.0
    for i in trend.periods.indices { for k in keys { maxV = max(maxV, value(i, k) ?? 0) } }
    let yMax = niceCeiling(maxV)
    let n = trend.periods.count
    func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(n - 1) }
    func y(_ v: Double) -> Double { top + plotH - (yMax > 0 ? v / yMax * plotH : 0) }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }

    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
    s += "role=\"img\" font-family=\"sans-serif\" font-size=\"11\">"
    let label = title ?? trend.defaultTitle
    s += "<title>\(xmlEscape(label))</title>"
    if let title { s += "<text x=\"\(f(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(xmlEscape(title))</text>" }
    // Axes and horizontal grid with 4 steps.
    s += "<g stroke=\"#ccc\" stroke-width=\"1\">"
    for i in 0...4 {
        let v = yMax * Double(i) / 4
        s += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y(v)))\"/>"
    }
    s += "</g><g fill=\"#444\" text-anchor=\"end\">"
    for i in 0...4 {
        let v = yMax * Double(i) / 4
        s += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\">\(xmlEscape(formatNumber(v)))</text>"
    }
    s += "</g><g fill=\"#444\" text-anchor=\"middle\">"
    let step = max(1, (n + 7) / 8)
    for (i, p) in trend.periods.enumerated() where i % step == 0 || i == n - 1 {
        s += "<text x=\"\(f(x(i)))\" y=\"\(f(top + plotH + 16))\">\(xmlEscape(p))</text>"
    }
    s += "</g>"
    if trend.periods.isEmpty || keys.isEmpty {
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" fill=\"#888\">–</text>"
    }
    for (ki, k) in keys.enumerated() {
        let color = palette[ki % palette.count]
        var points: [String] = []
        var dots = ""
        for (i, p) in trend.periods.enumerated() {
            guard let v = value(i, k) else { continue }
            points.append("\(f(x(i))),\(f(y(v)))")
            dots += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"2.5\" fill=\"\(color)\"><title>\(xmlEscape("\(k) \(p): \(formatNumber(v))"))</title></circle>"
        }
        if points.count > 1 {
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
        }
        s += dots
        let ly = top + Double(ki) * 16 + 8
        s += "<rect x=\"\(f(left + plotW + 12))\" y=\"\(f(ly - 8))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
        s += "<text x=\"\(f(left + plotW + 26))\" y=\"\(f(ly + 1))\">\(xmlEscape(String(k.prefix(20))))</text>"
    }
    s += "</svg>"
    return s
}

/// Labels and titles, through the one markup escaper (`.html`: the SVG is embedded in the HTML
/// report, and quotes are escaped so a label is safe in an attribute too).
private func xmlEscape(_ s: String) -> String { MarkupEscaper.escape(s, .html) }

private func niceCeiling(_ v: Double) -> Double {
    guard v > 0 else { return 1 }
    let magnitude = pow(10, floor(log10(v)))
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * magnitude >= v { return m * magnitude }
    return 10 * magnitude
}

private func formatNumber(_ v: Double) -> String {
    v == v.rounded() ? String(Int(v)) : String(format: "%.2f", v)
}
