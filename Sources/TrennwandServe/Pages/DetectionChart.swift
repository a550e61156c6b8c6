import Foundation
import TrennwandRecords
import TrennwandState

/// The per-rule trend of the findings list: one rule's findings by month of first detection, as
/// inline SVG bars (no script, no external resource: the CSP forbids both) with the numbers as a
/// table beside it, so the chart reads without images and with a screen reader.
enum DetectionChart {
    static let monthNames = (
        de: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
        en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"])

    /// `März 2025` / `March 2025`.
    static func monthLabel(_ m: DetectionTrend.Month, _ l: Language) -> String {
        let names = l == .de ? monthNames.de : monthNames.en
        return "\(names[(m.month - 1) % 12]) \(m.year)"
    }

    /// The axis label: the first three letters (`Mär`, `Mar`).
    static func shortMonth(_ m: DetectionTrend.Month, _ l: Language) -> String {
        String((l == .de ? monthNames.de : monthNames.en)[(m.month - 1) % 12].prefix(3))
    }

    /// The figure (caption, SVG, numbers); empty when the rule has no finding.
    static func figure(rule: String, _ trend: DetectionTrend, _ l: Language) -> String {
        guard !trend.months.isEmpty else { return "" }
        func t(_ de: String, _ en: String) -> String { l == .de ? de : en }
        let first = monthLabel(trend.months[0], l), last = monthLabel(trend.months[trend.months.count - 1], l)
        let title = t("\(rule): Feststellungen nach Monat der ersten Erkennung, \(first) bis \(last)",
                      "\(rule): findings by month of first detection, \(first) to \(last)")
        var caption = t("\(title) (\(trend.total) insgesamt, alle Status, unabhängig von den übrigen Filtern",
                        "\(title) (\(trend.total) in total, every status, regardless of the other filters")
        if trend.earlier > 0 { caption += t("; \(trend.earlier) davor erkannt", "; \(trend.earlier) detected earlier") }
        caption += ")"
        var b = "<figure class=\"trend\" id=\"rule-trend\"><figcaption>\(h(caption))</figcaption>"
        b += svg(title: title, trend, l)
        b += "<details><summary>\(t("Zahlen als Tabelle", "Numbers as a table"))</summary><table class=\"counts\"><thead><tr>"
        b += "<th>\(t("Monat", "Month"))</th><th class=\"n\">\(t("Feststellungen", "Findings"))</th></tr></thead><tbody>"
        for m in trend.months { b += "<tr><td>\(h(monthLabel(m, l)))</td><td class=\"n\">\(m.count)</td></tr>" }
        return b + "</tbody></table></details></figure>"
    }

    /// Vertical bars, one per month, the count above each bar; axis labels every month (every
    /// second beyond 12 months), the year under January and under the first bar.
    static func svg(title: String, _ trend: DetectionTrend, _ l: Language) -> String {
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        let months = trend.months
        let width = 640.0, height = 220.0, left = 40.0, top = 16.0, bottom = 36.0
        let plotW = width - left - 10, plotH = height - top - bottom
        let yMax = Double(niceCeiling(months.map(\.count).max() ?? 0))
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(h(title))\" font-family=\"sans-serif\" font-size=\"12\">"
        s += "<title>\(h(title))</title><g stroke=\"#d0d7de\">"
        for i in 0...4 {
            let y = top + plotH - plotH * Double(i) / 4
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(width - 10))\" y2=\"\(f(y))\"/>"
        }
        s += "</g><g fill=\"#57606a\" text-anchor=\"end\">"
        for i in 0...4 {
            s += "<text x=\"\(f(left - 5))\" y=\"\(f(top + plotH - plotH * Double(i) / 4 + 4))\">\(Int(yMax * Double(i) / 4))</text>"
        }
        s += "</g>"
        let slot = plotW / Double(months.count)
        let barW = min(40, slot * 0.7)
        let step = months.count > 12 ? 2 : 1
        for (i, m) in months.enumerated() {
            let x = left + slot * Double(i) + (slot - barW) / 2, mid = x + barW / 2
            let bh = plotH * Double(m.count) / max(yMax, 1)
            let label = monthLabel(m, l)
            s += "<rect x=\"\(f(x))\" y=\"\(f(top + plotH - bh))\" width=\"\(f(barW))\" height=\"\(f(bh))\" fill=\"#0969da\">"
            s += "<title>\(h("\(label): \(m.count)"))</title></rect>"
            if m.count > 0 {
                s += "<text x=\"\(f(mid))\" y=\"\(f(top + plotH - bh - 3))\" text-anchor=\"middle\" font-size=\"11\">\(m.count)</text>"
            }
            if i % step == 0 {
                s += "<text x=\"\(f(mid))\" y=\"\(f(top + plotH + 14))\" text-anchor=\"middle\">\(h(shortMonth(m, l)))</text>"
            }
            if i == 0 || m.month == 1 {
                s += "<text x=\"\(f(mid))\" y=\"\(f(top + plotH + 28))\" text-anchor=\"middle\" fill=\"#57606a\">\(m.year)</text>"
            }
        }
        return s + "</svg>"
    }

    /// The runs page's table of the most frequent rules, one row of small bars per rule over the
    /// same months and on one scale (so rows compare); each row's numbers are its `aria-label`
    /// and each bar's `<title>`. Empty when the store holds no finding.
    static func topRules(_ rules: [RuleTrend], _ l: Language) -> String {
        guard let months = rules.first?.trend.months, let first = months.first, let last = months.last else { return "" }
        func t(_ de: String, _ en: String) -> String { l == .de ? de : en }
        let scale = max(1, rules.flatMap { $0.trend.months.map(\.count) }.max() ?? 1)
        let range = "\(monthLabel(first, l)) \(t("bis", "to")) \(monthLabel(last, l))"
        var b = "<section class=\"card\" id=\"rule-trends\"><h2>\(t("Häufigste Regeln nach Monat der ersten Erkennung", "Most frequent rules by month of first detection"))</h2>"
        b += "<p class=\"muted\">\(h(t("Die \(rules.count) Regeln mit den meisten Feststellungen, erstmals erkannt \(range) (alle Status; ein Maßstab für alle Zeilen, höchster Monatswert \(scale)).", "The \(rules.count) rules with the most findings first detected \(range) (every status; one scale for all rows, highest month \(scale)).")))</p>"
        b += "<table><thead><tr><th>\(t("Regel", "Rule"))</th><th>\(h(t("Monate \(range)", "Months \(range)")))</th><th class=\"n\">\(t("im Zeitraum", "in the period"))</th></tr></thead><tbody>"
        for r in rules {
            let inPeriod = r.trend.months.reduce(0) { $0 + $1.count }
            let numbers = r.trend.months.map { "\(monthLabel($0, l)) \($0.count)" }.joined(separator: ", ")
            b += "<tr><td><a href=\"/findings?rule=\(h(r.ruleID))\">\(h(r.ruleID))</a>"
            if let title = r.title { b += " <span class=\"meta\">\(h(title.text(l)))</span>" }
            b += "</td><td>\(spark(label: "\(r.ruleID): \(numbers)", r.trend.months, scale: scale, l))</td><td class=\"n\">\(inPeriod)</td></tr>"
        }
        return b + "</tbody></table></section>"
    }

    /// Small bars without axes (one table cell), 20 px per month.
    static func spark(label: String, _ months: [DetectionTrend.Month], scale: Int, _ l: Language) -> String {
        let slot = 20, height = 36, barW = 14
        var s = "<svg class=\"spark\" width=\"\(slot * months.count)\" height=\"\(height)\" viewBox=\"0 0 \(slot * months.count) \(height)\" role=\"img\" aria-label=\"\(h(label))\">"
        s += "<line x1=\"0\" y1=\"\(height - 1)\" x2=\"\(slot * months.count)\" y2=\"\(height - 1)\" stroke=\"#d0d7de\"/>"
        for (i, m) in months.enumerated() {
            let bh = m.count == 0 ? 0 : max(2, (height - 2) * m.count / scale)
            s += "<rect x=\"\(i * slot + (slot - barW) / 2)\" y=\"\(height - 1 - bh)\" width=\"\(barW)\" height=\"\(bh)\" fill=\"#0969da\">"
            s += "<title>\(h("\(monthLabel(m, l)): \(m.count)"))</title></rect>"
        }
        return s + "</svg>"
    }

    /// The axis maximum: 4, 8, 20, 40, 80, 200, … (four even steps).
    static func niceCeiling(_ v: Int) -> Int {
        guard v > 4 else { return 4 }
        var m = 1
        while true {
            for k in [1, 2, 5] where k * m * 4 >= v { return k * m * 4 }
            m *= 10
        }
    }
}
