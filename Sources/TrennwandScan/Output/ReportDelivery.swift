import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the findings of a scan into every requested report at once (one pass, `FanoutWriter`).
///
/// Report files appear complete or not at all (`AtomicFileSink`): a failure while writing any of
/// them leaves the previous files in place. Standard output and special files (`/dev/null`, a
/// FIFO, a terminal) are written in place.
package struct ReportDelivery {
    package var targets: [OutputTarget]
    /// Paths in SARIF are made relative to this directory.
    package var sourceRoot: String
    /// Colours in a text summary written to standard output (the CLI: stdout is a terminal).
    package var colorStandardOutput: Bool
    /// Threads a writer may use to encode (the scan's `--threads`; JSON Lines encodes in blocks side by side).
    package var threads: Int

    package init(targets: [OutputTarget], sourceRoot: String, colorStandardOutput: Bool, threads: Int = 1) {
        self.targets = targets
        self.sourceRoot = sourceRoot
        self.colorStandardOutput = colorStandardOutput
        self.threads = threads
    }

    /// Writes every report from `entries` (findings in report order, each with its context:
    /// a scan's `FindingList`, or the state store's report set read from a cursor); returns the
    /// diagnostic of a failure (nothing half-written is left). `entries` is read once; `summary`
    /// is asked for the baseline counts after the last entry (they may be counted while streaming).
    package func write<S: Sequence>(_ entries: S, run: RunInfo, baseline: @autoclosure () -> BaselineCounts?,
                                    trend: HTMLTrendSection?) -> ScanDiagnostic? where S.Element == (Finding, FindingContext) {
        var writers: [any FindingWriter] = []
        var sinks: [any OutputSink] = []
        var atomic: [AtomicFileSink] = []
        var direct: [Int32] = []
        for target in targets {
            let sink: any OutputSink
            let path = target.destination.description
            do {
                switch target.destination {
                case .standardOutput:
                    sink = FileDescriptorSink(fd: STDOUT_FILENO)
                case .file(let path) where Self.isSpecialFile(path):
                    // /dev/null, a FIFO, a terminal: written in place (never renamed over).
                    let s = try FileDescriptorSink(path: path)
                    direct.append(s.fd)
                    sink = s
                case .file(let path):
                    let dir = (path as NSString).deletingLastPathComponent
                    if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
                    let s = try AtomicFileSink(path: path)
                    atomic.append(s)
                    sink = s
                }
            } catch {
                atomic.forEach { $0.discard() }
                return ScanDiagnostic(code: (error as? OutputError)?.code ?? "output.write",
                                      message: ScanDiagnostic.outputFailure(error, path: path), voice: .interface)
            }
            sinks.append(sink)
            writers.append(target.format.writer(sink: sink, colors: target.destination == .standardOutput && colorStandardOutput,
                                                sourceRoot: sourceRoot, trend: trend, threads: threads))
        }
        var fan = FanoutWriter(writers)
        do {
            try fan.begin(run: run)
            for (f, context) in entries { try fan.write(f, context: context) }
            try fan.end(summary: RunSummary(finished: run.finished, inputs: run.inputs, baseline: baseline()))
            for s in sinks { try s.flush() }
            // Only now do the report files appear, complete: a failure above leaves the old ones.
            for s in atomic { try s.commit() }
        } catch {
            atomic.forEach { $0.discard() }
            return ScanDiagnostic(code: (error as? OutputError)?.code ?? "output.write", label: .outputFailed,
                                  message: ScanDiagnostic.outputFailure(error, path: nil), voice: .interface)
        }
        for fd in direct { close(fd) }
        return nil
    }

    /// The most records of a merged finding any of the targets writes (`OutputFormat.occurrencesListed`).
    package var occurrencesListed: Int { targets.map(\.format.occurrencesListed).max() ?? 1 }

    /// A scan's findings with their contexts (same order), as `write` takes them, each with at
    /// most `occurrencesUpTo` records listed (`occurrences` keeps the full count).
    package static func entries(_ findings: FindingList, contexts: [FindingContext],
                                occurrencesUpTo limit: Int = .max) -> some Sequence<(Finding, FindingContext)> {
        findings.indices.lazy.map { (findings.finding(at: $0, occurrencesUpTo: limit), contexts[$0]) }
    }

    /// Existing character devices and FIFOs (`/dev/null`, `/dev/stdout`, a terminal, a pipe) are
    /// written in place, never replaced. Everything else, also a block device or a symlink to a
    /// regular file, goes through `AtomicFileSink`, whose rename replaces a link, not its target.
    static func isSpecialFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFCHR || type == S_IFIFO
    }
}
