// TrennwandScan: the scan as a library, between the engine and the frontends (the CLI today).
// Planning (inputs, profiles, reference data) → Execution (scheduler, units, ordered merge) →
// Collection (collector, spill) → Verdict (waivers, baseline, lifecycle, exit reason) → Output
// (report delivery). It prints nothing: messages leave as `ScanDiagnostic`s through a callback.
import Foundation
import TrennwandOutputs
import TrennwandRecords

/// A message of a scan for the person running it (warning, error, note), with a stable `code`.
///
/// The frontend decides where it goes (the CLI: one line on standard error). The optional label
/// (`Warnung: `, `Konfigurationsfehler: ` …) is shown in the interface language; the message in
/// the report language (`lang:` of audit.yaml) or, for messages about the machine rather than the
/// audit, in the interface language, exactly as the CLI printed them before the library existed.
package struct ScanDiagnostic: Sendable, Equatable {
    /// The label before the message.
    package enum Label: Sendable, Equatable {
        case warning, configurationError, inputError, ruleError, scanStopped, outputFailed

        package var text: Localized {
            switch self {
            case .warning: return Localized(de: "Warnung: ", en: "warning: ")
            case .configurationError: return Localized(de: "Konfigurationsfehler: ", en: "configuration error: ")
            case .inputError: return Localized(de: "Eingabefehler: ", en: "input error: ")
            case .ruleError: return Localized(de: "Regelfehler: ", en: "rule error: ")
            case .scanStopped: return Localized(de: "Prüfung abgebrochen: ", en: "scan stopped: ")
            case .outputFailed:
                return Localized(de: "Ausgabe fehlgeschlagen (keine unvollständigen Berichte hinterlassen): ",
                                 en: "writing outputs failed (no partial reports left behind): ")
            }
        }
    }

    /// Which language the message follows.
    package enum Voice: Sendable, Equatable {
        /// The report language (`ScanRequest.language`).
        case report
        /// The language of the frontend's interface.
        case interface
    }

    package var code: String
    package var label: Label?
    /// The message, its `[code]` included where the CLI always showed it.
    package var message: Localized
    package var voice: Voice
    /// For `scan.unexpected`: the error's details, for a debug log only (never shown by default).
    package var debugDetail: String?
    /// The input or output the message is about, when it is about one file (a log field).
    package var file: String?

    /// How much a message matters, for the frontend's log levels (journald priorities).
    package enum Level: Sendable, Equatable {
        case error, warning, notice
    }

    /// Errors: every label but `warning`, and unlabelled state and output failures; warnings: the
    /// `warning` label; notices: everything else (state reports, notes such as a new state store).
    package var level: Level {
        switch label {
        case .warning?: return .warning
        case .configurationError?, .inputError?, .ruleError?, .scanStopped?, .outputFailed?: return .error
        case nil:
            if code.hasPrefix("output.") || code.hasPrefix("input.") || code.hasPrefix("scan.") { return .error }
            if code.hasPrefix("state."), !Self.stateNotices.contains(code) { return .error }
            return .notice
        }
    }

    /// State messages that report, not fail.
    static let stateNotices: Set<String> = ["state.created", "state.skipped", "state.interrupted", "state.purged", "state.lifecycle"]

    package init(code: String, label: Label? = nil, message: Localized, voice: Voice = .report, debugDetail: String? = nil) {
        self.code = code
        self.label = label
        self.message = message
        self.voice = voice
        self.debugDetail = debugDetail
    }

    /// The line as the CLI prints it.
    package func text(interface: Language, report: Language) -> String {
        (label?.text.text(interface) ?? "") + message.text(voice == .report ? report : interface)
    }
}

extension Localized {
    /// The same text built once per language.
    package static func each(_ text: (Language) -> String) -> Localized {
        Localized(de: text(.de), en: text(.en))
    }
}

extension ScanDiagnostic {
    /// `file: message [code]`, with the line only when there is one (no `baseline.sarif:0:`).
    package static func fileMessage(_ e: InputError, _ language: Language) -> String {
        let l = e.rejection.locator
        let place = l.line > 0 ? l.description : l.file
        return "\(place): \(e.rejection.reason.message.text(language)) [\(e.rejection.reason.code)]"
    }

    package static func file(_ e: InputError, label: Label) -> ScanDiagnostic {
        var d = ScanDiagnostic(code: e.rejection.reason.code, label: label, message: .each { fileMessage(e, $0) })
        d.file = e.rejection.locator.file
        return d
    }

    package static func config(_ e: ConfigError, label: Label) -> ScanDiagnostic {
        ScanDiagnostic(code: e.code, label: label, message: .each { e.text($0) + " [\(e.code)]" })
    }

    /// An error without a message of its own: an `InputError` or `ConfigError` shows its text;
    /// anything else a fixed text with code `scan.unexpected`, its details only in `debugDetail`,
    /// never as a raw Swift or system text.
    package static func unexpected(_ error: Error, label: Label?) -> ScanDiagnostic {
        if let e = error as? InputError {
            return ScanDiagnostic(code: e.rejection.reason.code, label: label,
                                  message: .each { e.text($0) + " [\(e.rejection.reason.code)]" })
        }
        if let e = error as? ConfigError { return ScanDiagnostic(code: e.code, label: label, message: .each { e.text($0) + " [\(e.code)]" }) }
        if let e = error as? OutputError { return ScanDiagnostic(code: e.code, label: label, message: e.message) }
        return ScanDiagnostic(
            code: "scan.unexpected", label: label,
            message: Localized(de: "unerwarteter Fehler – Einzelheiten mit TRENNWAND_LOG_LEVEL=debug; bitte mit dieser Ausgabe melden [scan.unexpected]",
                               en: "unexpected error – details with TRENNWAND_LOG_LEVEL=debug; please report it with that output [scan.unexpected]"),
            debugDetail: "unexpected error: \(String(reflecting: error))")
    }

    /// An error while opening or writing an output; never a raw system text.
    package static func outputFailure(_ error: Error, path: String?) -> Localized {
        if let e = error as? OutputError { return e.message }
        let target = path ?? "-"
        return Localized(de: "Ausgabe \(target): Schreiben fehlgeschlagen – Pfad, Berechtigungen und freien Platz prüfen [output.write]",
                         en: "output \(target): write failed – check the path, permissions and free space [output.write]")
    }
}

extension ScanDiagnostic {
    /// The per-file outcome of a finished scan as diagnostics, for a frontend's log: a file error
    /// (an error; the summary on standard output names it too) and rejected records (a warning
    /// with the count per reason code). Files whose error the scan already reported as it
    /// happened (changed during the scan) are left out.
    package static func accounting(_ inputs: [InputAccount]) -> [ScanDiagnostic] {
        var out: [ScanDiagnostic] = []
        for a in inputs {
            if let e = a.fileError, e.reason.code != FileIdentity.changedCode {
                out.append(.file(InputError(e), label: .inputError))
            }
            if a.rejected > 0 {
                let reasons = a.rejectedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                var d = ScanDiagnostic(code: "input.rejected", label: .warning, message: Localized(
                    de: "\(a.file): \(a.rejected) von \(a.read) Datensätzen abgewiesen (\(reasons)); Einzelheiten mit trennwand ingest \(a.file) [input.rejected]",
                    en: "\(a.file): \(a.rejected) of \(a.read) records rejected (\(reasons)); details with trennwand ingest \(a.file) [input.rejected]"))
                d.file = a.file
                out.append(d)
            }
        }
        return out
    }
}
