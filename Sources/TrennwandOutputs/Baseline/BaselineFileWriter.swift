import TrennwandFindings
import TrennwandRecords

/// Writes the findings of this run as the next baseline (`--write-baseline FILE`): SARIF or JSON
/// Lines, exactly as `Baseline.load` reads them back.
///
/// Every finding of the run goes in, waived ones too (a waiver can expire; its finding is still
/// known). Findings that are no longer there — resolved by this run (state) or baseline entries
/// gone (`absent`) — stay out: the next run must see them as new if they come back. SARIF keeps
/// every result (no GitHub limit: the file is a baseline, not an upload).
package struct BaselineFileWriter: FindingWriter {
    package enum Format: Sendable, Hashable {
        case sarif, jsonLines
    }

    private var inner: any FindingWriter

    package init(format: Format, sink: any OutputSink, sourceRoot: String?) {
        switch format {
        case .sarif: inner = SARIFWriter(sink: sink, sourceRoot: sourceRoot, maxResults: Int.max)
        case .jsonLines: inner = JSONLinesWriter(sink: sink)
        }
    }

    /// The format a baseline path asks for by its extension: `.sarif` (also `.sarif.json`) or
    /// `.jsonl`/`.ndjson`; nil for anything else.
    package static func format(forPath path: String) -> Format? {
        let p = path.lowercased()
        if p.hasSuffix(".sarif") || p.hasSuffix(".sarif.json") { return .sarif }
        if p.hasSuffix(".jsonl") || p.hasSuffix(".ndjson") { return .jsonLines }
        return nil
    }

    package mutating func begin(run: RunInfo) throws { try inner.begin(run: run) }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        guard !OutputSupport.isGone(context) else { return }
        // Kept without its baseline state: in the next run every finding here is known.
        var c = context
        c.baseline = nil
        try inner.write(finding, context: c)
    }

    package mutating func end(summary: RunSummary) throws {
        var s = summary
        s.baseline = nil
        s.byBaselineState = [:]
        try inner.end(summary: s)
    }
}
