import Foundation
import TrennwandScan

/// The progress line on a terminal's standard error: file n/N, bytes read, percentage of the
/// file and of the run, records per second, time left. Redrawn at most 10 times a second, only
/// when stderr is a terminal (never in logs or pipes); without colours (`NO_COLOR`, `TERM=dumb`)
/// the line is cleared with spaces instead of an escape sequence.
final class ProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private let styled: Bool
    private let sizes: [String: Int64]
    private let totalBytes: Int64
    private var lastDraw = Date.distantPast
    private var lastWidth = 0
    private var index = 0, total = 0
    private var path = ""
    /// Bytes and records of the files finished before the current one.
    private var doneBytes: Int64 = 0, doneRecords = 0
    private var current = ReadProgress(path: "", bytes: 0, size: nil, records: 0)

    /// The display for a scan of `inputs`, or nil when standard error is no terminal. It becomes
    /// the active one: log lines clear it before they are written (`clearActive`).
    static func make(inputs: [String]) -> ProgressDisplay? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        let display = ProgressDisplay(inputs: inputs, styled: Terminal.styled(STDERR_FILENO))
        activeLock.lock()
        active = display
        activeLock.unlock()
        return display
    }

    private static let activeLock = NSLock()
    nonisolated(unsafe) private static var active: ProgressDisplay?

    /// Clears the progress line (if one is shown) so a log line starts at the line's beginning;
    /// the next update draws it again.
    static func clearActive() {
        activeLock.lock()
        let display = active
        activeLock.unlock()
        guard let display else { return }
        display.lock.lock()
        if display.lastWidth > 0 { display.clear() }
        display.lock.unlock()
    }

    init(inputs: [String], styled: Bool) {
        self.styled = styled
        var sizes: [String: Int64] = [:]
        for p in inputs { sizes[p] = ReadProgressSize.of(p) }
        self.sizes = sizes
        totalBytes = sizes.values.reduce(0, +)
    }

    func scan(_ event: ScanProgress) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .file(let n, let all, let p):
            finishCurrent()
            index = n
            total = all
            path = p
            current = ReadProgress(path: p, bytes: 0, size: sizes[p], records: 0)
            draw(force: true)
        case .finished:
            clear()
        }
    }

    func read(_ progress: ReadProgress) {
        lock.lock()
        defer { lock.unlock() }
        if progress.path != current.path {
            finishCurrent()
        } else if progress.bytes < current.bytes {
            // The same file read again (aggregate rules re-evaluated in time order): a new pass,
            // rates and time left measured from here.
            rateStart = Date()
            rateBase = (doneBytes, doneRecords)
        }
        current = progress
        draw(force: false)
    }

    /// Where rates are measured from: the start, or the start of a file's second pass.
    private var rateStart = Date()
    private var rateBase: (bytes: Int64, records: Int) = (0, 0)

    private func finishCurrent() {
        guard !current.path.isEmpty else { return }
        doneBytes += current.size ?? current.bytes
        doneRecords += current.records
        current = ReadProgress(path: "", bytes: 0, size: nil, records: 0)
    }

    private func draw(force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let runBytes = doneBytes + min(current.bytes, current.size ?? current.bytes)
        let line = Self.line(index: index, total: total, path: path.isEmpty ? current.path : path, file: current,
                             runBytes: runBytes, totalBytes: totalBytes, rateBytes: runBytes - rateBase.bytes,
                             records: doneRecords + current.records - rateBase.records, elapsed: now.timeIntervalSince(rateStart))
        write(line)
    }

    private func write(_ line: String) {
        let pad = styled ? "\u{1B}[K" : String(repeating: " ", count: max(0, lastWidth - line.count))
        writeStderr("\r" + line + pad)
        lastWidth = line.count
    }

    private func clear() {
        writeStderr(styled ? "\r\u{1B}[K" : "\r" + String(repeating: " ", count: lastWidth) + "\r")
        lastWidth = 0
    }

    /// `[3/13] 412 MiB / 2.1 GiB (19 %) · file 61 % · 183,000 rec/s · ~2 min left · exports/x.csv`
    static func line(index: Int, total: Int, path: String, file: ReadProgress, runBytes: Int64, totalBytes: Int64,
                     rateBytes: Int64, records: Int, elapsed: TimeInterval) -> String {
        var parts = ["[\(index)/\(total)]"]
        if totalBytes > 0 {
            parts.append("\(bytes(runBytes)) / \(bytes(totalBytes)) (\(percent(runBytes, totalBytes)) %)")
        } else {
            parts.append(bytes(file.bytes))
        }
        if let size = file.size, size > 0 { parts.append(UI.t("Datei", "file") + " \(percent(file.bytes, size)) %") }
        if elapsed >= 0.5 {
            parts.append("\(Int(Double(records) / elapsed)) " + UI.t("DS/s", "rec/s"))
            if totalBytes > 0, rateBytes > 0, runBytes < totalBytes {
                let left = Double(totalBytes - runBytes) / (Double(rateBytes) / elapsed)
                parts.append(UI.t("noch ~", "~") + duration(left) + UI.t("", " left"))
            }
        }
        parts.append(path)
        return parts.joined(separator: " · ")
    }

    static func percent(_ part: Int64, _ whole: Int64) -> Int { whole > 0 ? Int(min(100, max(0, part * 100 / whole))) : 0 }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n), u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }
}

/// Sizes for the run total: plain files by `stat`, compressed inputs not counted (their read
/// bytes are of the decompressed stream).
enum ReadProgressSize {
    static func of(_ path: String) -> Int64 {
        if path.contains(".zip!") || [".gz", ".zip", ".bz2", ".xz", ".zst"].contains(where: path.lowercased().hasSuffix) { return 0 }
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }
}
