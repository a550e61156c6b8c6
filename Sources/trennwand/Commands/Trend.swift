import ArgumentParser
import Foundation
import TrennwandOutputs
import TrennwandRecords
import TrennwandScan
import TrennwandState

extension TrendPeriod: ExpressibleByArgument {}
extension TrendDimension: ExpressibleByArgument {}

/// `trennwand trend`: findings per period and rule, severity or norm, with rates per 1,000 accesses.
struct TrendCommand: ParsableCommand {
    /// Output formats of the trend.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, csv, json, svg
    }

    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: UI.t("Feststellungen je Zeitraum und Regel, Schweregrad oder Norm, mit Rate je 1.000 Zugriffe.",
                       "Findings per period and rule, severity or norm, with the rate per 1,000 accesses."),
        discussion: UI.t(
            """
            Eine Feststellung zählt einmal, im Zeitraum des Laufs, der sie zuerst fand. Nenner der Rate sind die \
            Zugriffsdatensätze der in diesem Zeitraum erstmals ausgewerteten Dateiinhalte. Zeiträume in UTC \
            (Monat 2025-03, ISO-Woche 2025-W10). --format svg gibt ein eigenständiges SVG-Diagramm aus.
            Exit-Code 0: gelesen; 2: Zustandsspeicher fehlt oder hat ein unbekanntes Schema; 3: Lesefehler.
            """,
            """
            A finding counts once, in the period of the run that first found it. The rate's denominator is the \
            access records of the file contents first evaluated in that period. Periods in UTC (month 2025-03, \
            ISO week 2025-W10). --format svg prints a self-contained SVG chart.
            Exit code 0: read; 2: state store missing or of an unknown schema; 3: read error.
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher (SQLite).", "State store (SQLite)."),
                                            valueName: UI.t("datei", "file")))
    var state: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Zeitraum: month oder week.", "Period: month or week.")))
    var by: TrendPeriod = .month

    @Option(name: .long, help: ArgumentHelp(UI.t("Gruppierung: rule, severity oder norm.", "Grouping: rule, severity or norm.")))
    var per: TrendDimension = .rule

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausgabe: text, csv, json oder svg.", "Output: text, csv, json or svg.")))
    var format: Format = .text

    func run() throws {
        let trend = try withStateStore(path: state) { try $0.trend(by: by, per: per) }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(trend), as: UTF8.self))
        case .svg:
            let title = UI.t("Feststellungen je 1.000 Zugriffe", "Findings per 1,000 accesses")
            print(trendSVG(TrendChart(trend, metric: .rate), title: title))
        case .csv:
            print("period,\(per.rawValue),count,accesses,rate_per_1000")
            for r in trend.rows {
                print([r.period, csvField(r.key), String(r.count), String(r.accesses),
                       r.ratePer1000.map { String(format: "%.4f", $0) } ?? ""].joined(separator: ","))
            }
        case .text:
            if trend.periods.isEmpty {
                print(UI.t("Keine Daten.", "No data."))
                return
            }
            let keyHeader: String
            switch per {
            case .rule: keyHeader = UI.t("Regel", "Rule")
            case .severity: keyHeader = UI.t("Schweregrad", "Severity")
            case .norm: keyHeader = UI.t("Norm", "Norm")
            }
            let header = UI.t(["Zeitraum", keyHeader, "Anzahl", "Zugriffe", "je 1.000 Zugriffe"],
                              [UI.t("Zeitraum", "Period"), keyHeader, "Count", "Accesses", "per 1,000 accesses"])
            var rows: [[String]] = []
            for p in trend.periods {
                let cells = trend.rows.filter { $0.period == p }
                if cells.isEmpty {
                    rows.append([p, "–", "0", String(trend.accessesByPeriod[p] ?? 0), rateText(trend.accessesByPeriod[p] ?? 0 > 0 ? 0 : nil)])
                }
                for r in cells { rows.append([p, r.key, String(r.count), String(r.accesses), rateText(r.ratePer1000)]) }
            }
            printTable(header: header, rows: rows, rightAligned: [2, 3, 4])
        }
    }

    private func rateText(_ rate: Double?) -> String {
        guard let rate else { return "–" }
        let s = String(format: "%.2f", rate)
        return UI.language == .de ? s.replacingOccurrences(of: ".", with: ",") : s
    }

    private func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
