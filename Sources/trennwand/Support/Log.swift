import Foundation
import Logging

/// Log lines to standard error, one per event. Under systemd (`JOURNAL_STREAM` set) each line
/// starts with the syslog priority prefix `<N>` so journald files it at the right level.
struct StderrLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let journald: Bool

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
        self.journald = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let prefix = journald ? "<\(Self.priority(event.level))>" : ""
        printError("\(prefix)\(label) \(event.level): \(event.message)\(meta)")
    }

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
    /// The process-wide logger; level from `TRENNWAND_LOG_LEVEL` (trace … critical), default `notice`.
    static let shared: Logger = {
        let env = ProcessInfo.processInfo.environment["TRENNWAND_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
        let level = env ?? .notice
        LoggingSystem.bootstrap { StderrLogHandler(label: $0, level: level) }
        return Logger(label: "trennwand")
    }()
}
