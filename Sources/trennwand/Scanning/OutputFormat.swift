import Foundation
import TrennwandOutputs

/// Output formats of `scan` and `gate`, selected as `--format NAME=PATH` (`-` is standard output).
enum OutputFormat: String, CaseIterable {
    case sarif, junit, jsonl, csv, html, text

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Formats made to leave the machine (code-scanning uploads, CI test reports): never with raw
    /// evidence unless forced. JSON Lines is a local format (files, pipes for own review) and may
    /// carry `--reveal` output; it still never carries control characters.
    var isExported: Bool { self == .sarif || self == .junit }

    func writer(sink: any OutputSink, colors: Bool, sourceRoot: String?, trend: HTMLTrendSection? = nil) -> any FindingWriter {
        switch self {
        case .sarif: return SARIFWriter(sink: sink, sourceRoot: sourceRoot)
        case .junit: return JUnitWriter(sink: sink)
        case .jsonl: return JSONLinesWriter(sink: sink)
        case .csv: return CSVWriter(sink: sink)
        case .html: return HTMLReportWriter(sink: sink, trend: trend)
        case .text: return TextSummaryWriter(sink: sink, colors: colors)
        }
    }
}

/// Parses `NAME=PATH` (or just `NAME`, meaning standard output).
func parseFormatSpec(_ spec: String) -> (OutputFormat, String)? {
    let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
    guard let f = OutputFormat(rawValue: parts[0].lowercased()) else { return nil }
    return (f, parts.count > 1 ? parts[1] : "-")
}
