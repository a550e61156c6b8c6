import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandScan

/// `--metrics FILE`: the run's metric families (written by the scan's `MetricsWriter` to a
/// private file) plus the exit code and the last successful run, replacing FILE atomically
/// (`AtomicFileSink`, mode 0644: node_exporter reads it as another user; it holds counts and rule
/// ids only). A run that stopped before its reports still updates the exit code, and keeps the
/// last success of the previous file.
enum MetricsFile {
    /// Writes FILE; false (and an error on stderr) when it cannot be written.
    /// `lifecycle`: the state store's counts of this run (new, open, reopened, resolved, waived),
    /// added when the run's own families do not carry them.
    static func finish(path: String, body bodyPath: String, exitCode: Int32, lifecycle: [FindingStatus: Int]? = nil,
                       now: Int64 = Int64(Date().timeIntervalSince1970)) -> Bool {
        var body = FileManager.default.contents(atPath: bodyPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        if !body.isEmpty, let lifecycle, !body.contains("# TYPE \(MetricsText.lifecycleName) ") {
            body += MetricsText.lifecycle(lifecycle)
        }
        try? FileManager.default.removeItem(atPath: bodyPath)
        let previous = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let succeeded = exitCode == 0 || exitCode == 1
        let lastSuccess = succeeded ? now
            : MetricsText.value(of: "trennwand_last_success_timestamp_seconds", in: previous).map { Int64($0) }
        let text = body + MetricsText.outcome(exitCode: exitCode, now: now, lastSuccess: lastSuccess)
        do {
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let sink = try AtomicFileSink(path: path, mode: 0o644)
            do {
                try sink.write(text)
                try sink.flush()
                try sink.commit()
            } catch {
                sink.discard()
                throw error
            }
            return true
        } catch {
            let message = ScanDiagnostic.outputFailure(error, path: path)
            printError(UI.t("Kennzahlen: ", "metrics: ") + UI.text(message), file: path)
            return false
        }
    }
}
