import Foundation
import Logging
import TrennwandRecords

/// How log lines look on standard error: plain text (default) or one JSON object per line
/// (`--log-format json`, `TRENNWAND_LOG_FORMAT=json`).
enum LogFormat: String, CaseIterable {
    case text, json
}

/// The one way diagnostics leave the process: every warning, error, file rejection and state
/// message is a swift-log event of `Log.shared`, so journald levels, JSON lines and the level
/// filter (`TRENNWAND_LOG_LEVEL`) apply to all of them alike. Data (reports, findings, summaries)
/// never go through here: they stay on standard output.
///
/// Metadata keys with a meaning of their own: `code` (the stable message code), `file` (the input
/// or output the message is about); any other key is a field.
struct StderrLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let journald: Bool
    let format: LogFormat

    init(label: String, level: Logger.Level, format: LogFormat, journald: Bool) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.journald = journald
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        ProgressDisplay.clearActive()
        writeStderr(Self.line(level: event.level, message: "\(event.message)", metadata: all, format: format, journald: journald,
                              time: Date()) + "\n")
    }

    /// One log line, without the newline. Text: the message as the CLI always printed it, with the
    /// `<N>` priority prefix under journald. JSON: `time` (ISO 8601 UTC), `level`, `code`,
    /// `message` (without its trailing ` [code]`), `file`, `fields`; also prefixed under journald,
    /// which strips the prefix before storing the line.
    static func line(level: Logger.Level, message: String, metadata: Logger.Metadata, format: LogFormat, journald: Bool,
                     time: Date) -> String {
        let prefix = journald ? "<\(priority(level))>" : ""
        switch format {
        case .text:
            return prefix + message
        case .json:
            var fields = metadata
            let code = fields.removeValue(forKey: "code").map { "\($0)" }
            let file = fields.removeValue(forKey: "file").map { "\($0)" }
            var text = message
            if let code, text.hasSuffix(" [\(code)]") { text.removeLast(code.count + 3) }
            var object: [String: Any] = ["time": isoTime(time), "level": level.rawValue, "message": text]
            object["code"] = code ?? NSNull()
            object["file"] = file ?? NSNull()
            object["fields"] = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, "\($0.value)") })
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return prefix + String(decoding: data, as: UTF8.self)
        }
    }

    static func isoTime(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// sd-daemon(3) priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}

enum Log {
    /// The log format: `--log-format` (before or after the subcommand), else `TRENNWAND_LOG_FORMAT`,
    /// else text. Read before argument parsing, like the language: the logger exists before that.
    static let format: LogFormat = {
        let args = CommandLine.arguments
        for (i, a) in args.enumerated() {
            if a == "--log-format", i + 1 < args.count, let f = LogFormat(rawValue: args[i + 1].lowercased()) { return f }
            if a.hasPrefix("--log-format="), let f = LogFormat(rawValue: String(a.dropFirst(13)).lowercased()) { return f }
        }
        return ProcessInfo.processInfo.environment["TRENNWAND_LOG_FORMAT"].flatMap { LogFormat(rawValue: $0.lowercased()) } ?? .text
    }()

    /// The process-wide logger; level from `TRENNWAND_LOG_LEVEL` (trace … critical), default `notice`.
    static let shared: Logger = {
        let environment = ProcessInfo.processInfo.environment
        let level = environment["TRENNWAND_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .notice
        let journald = environment["JOURNAL_STREAM"].map { !$0.isEmpty } ?? false
        let chosen = Log.format
        LoggingSystem.bootstrap { StderrLogHandler(label: $0, level: level, format: chosen, journald: journald) }
        return Logger(label: "trennwand")
    }()

    /// Logs one message; `code` and `file` become metadata (JSON fields, never part of the text).
    static func emit(_ level: Logger.Level, _ message: String, code: String? = nil, file: String? = nil) {
        var metadata: Logger.Metadata = [:]
        if let code { metadata["code"] = .string(code) }
        if let file { metadata["file"] = .string(file) }
        shared.log(level: level, "\(message)", metadata: metadata.isEmpty ? nil : metadata)
    }

    /// The code at the end of a message (`… [input.empty]`), if any.
    static func trailingCode(_ message: String) -> String? {
        guard message.hasSuffix("]"), let open = message.lastIndex(of: "[") else { return nil }
        let code = message[message.index(after: open)..<message.index(before: message.endIndex)]
        guard !code.isEmpty, code.allSatisfy({ $0.isLetter || $0.isNumber || ".-_".contains($0) }),
              open > message.startIndex, message[message.index(before: open)] == " " else { return nil }
        return String(code)
    }
}

/// Colours and terminal control sequences only for a terminal that wants them: never with
/// `NO_COLOR` set (no-color.org), `TERM=dumb`, or output that is not a terminal.
enum Terminal {
    static func styled(_ fd: Int32) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        if environment["NO_COLOR"].map({ !$0.isEmpty }) == true { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(fd) == 1
    }
}
