import Foundation
import TrennwandOutputs

/// Output formats of `scan` and `gate`, selected as `--format NAME=PATH` (`-` is standard output).
package enum OutputFormat: String, CaseIterable, Sendable {
    case sarif, junit, jsonl, csv, html, text
    /// The next baseline (`--write-baseline FILE`, format by the file's extension): this run's
    /// findings without resolved and absent ones, in the format `Baseline.load` reads.
    case baselineSARIF = "baseline-sarif"
    case baselineJSONL = "baseline-jsonl"
    /// Prometheus text exposition format of the run's facts (`--metrics FILE`); the frontend
    /// appends the exit code (`MetricsText.outcome`).
    case metrics

    /// The report formats (`--format`, `formats:` in audit.yaml).
    package static var reports: [OutputFormat] { [.sarif, .junit, .jsonl, .csv, .html, .text] }

    package static var names: String { reports.map(\.rawValue).joined(separator: ", ") }

    /// A report format by its `--format` name (the baseline formats come from `--write-baseline`).
    package init?(reportName: String) {
        guard let f = OutputFormat(rawValue: reportName), OutputFormat.reports.contains(f) else { return nil }
        self = f
    }

    /// Formats made to leave the machine (code-scanning uploads, CI test reports, baselines
    /// committed to a repository): never with raw evidence unless forced. JSON Lines is a local
    /// format (files, pipes for own review) and may carry `--reveal` output; it still never
    /// carries control characters.
    package var isExported: Bool { self == .sarif || self == .junit || self == .baselineSARIF || self == .baselineJSONL }

    /// How many records of a merged finding this format writes (the first included): the text
    /// summary and the metrics only count them (`occurrences`), SARIF lists up to GitHub's limit.
    /// Why: a scan's report decodes a finding's spilled records only as far as some format lists
    /// them (a large export: 6,000 findings merging 17 MB of records, read back for a summary).
    package var occurrencesListed: Int {
        switch self {
        case .text, .metrics: return 1
        case .sarif, .baselineSARIF: return SARIFWriter.githubLocationLimit
        case .junit, .jsonl, .csv, .html, .baselineJSONL: return Int.max
        }
    }

    /// The writer of this format; `threads`: how many threads may encode (JSON Lines).
    package func writer(sink: any OutputSink, colors: Bool, sourceRoot: String?, trend: HTMLTrendSection? = nil,
                        threads: Int = 1) -> any FindingWriter {
        switch self {
        case .sarif: return SARIFWriter(sink: sink, sourceRoot: sourceRoot)
        case .junit: return JUnitWriter(sink: sink)
        case .jsonl: return JSONLinesWriter(sink: sink, encodingThreads: threads)
        case .csv: return CSVWriter(sink: sink)
        case .html: return HTMLReportWriter(sink: sink, trend: trend)
        case .text: return TextSummaryWriter(sink: sink, colors: colors)
        case .baselineSARIF: return BaselineFileWriter(format: .sarif, sink: sink, sourceRoot: sourceRoot)
        case .baselineJSONL: return BaselineFileWriter(format: .jsonLines, sink: sink, sourceRoot: sourceRoot)
        case .metrics: return MetricsWriter(sink: sink)
        }
    }
}

/// Where a report goes: the process's standard output (`-`) or a path.
///
/// A path may still name a device (`/dev/stdout`, `/dev/null`, a FIFO): those are written in
/// place (`ReportDelivery`); only `-` is the standard output as such.
package enum OutputDestination: Sendable, Hashable, CustomStringConvertible {
    case standardOutput
    case file(String)

    /// `-` is standard output, anything else a path.
    package init(_ text: String) { self = text == "-" ? .standardOutput : .file(text) }

    /// As written on the command line: `-` or the path.
    package var description: String {
        switch self {
        case .standardOutput: return "-"
        case .file(let path): return path
        }
    }
}

/// One report of a scan: a format and its destination.
package struct OutputTarget: Sendable, Hashable {
    package var format: OutputFormat
    package var destination: OutputDestination

    package init(_ format: OutputFormat, _ destination: OutputDestination) {
        self.format = format
        self.destination = destination
    }

    /// The next baseline at `path` (`--write-baseline`), SARIF or JSON Lines by the extension;
    /// nil for another extension.
    package init?(baselinePath path: String) {
        switch BaselineFileWriter.format(forPath: path) {
        case .sarif?: self.init(.baselineSARIF, .file(path))
        case .jsonLines?: self.init(.baselineJSONL, .file(path))
        case nil: return nil
        }
    }

    /// Parses `NAME=PATH` (or just `NAME`, meaning standard output); nil for an unknown format.
    package init?(spec: String) {
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        guard let name = parts.first, let f = OutputFormat(reportName: name.lowercased()) else { return nil }
        self.init(f, parts.count > 1 ? OutputDestination(parts[1]) : .standardOutput)
    }
}
