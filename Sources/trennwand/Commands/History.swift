import ArgumentParser
import Foundation
import TrennwandRecords
import TrennwandState

/// `trennwand history`: the runs recorded in a state store, newest first.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: UI.t("Zeigt die Prüfläufe eines Zustandsspeichers (neueste zuerst).",
                       "Shows the scan runs recorded in a state store (newest first)."),
        discussion: UI.t(
            """
            Je Lauf: Beginn (UTC), Status (beendet, läuft, abgebrochen), geprüfte, übersprungene und fehlerhafte \
            Dateien, Feststellungen neu, erneut gesehen (offen), wieder aufgetreten, behoben, ausgenommen, und der \
            Exit-Code. Liest nur; ein laufender Prüflauf wird nicht behindert.
            Exit-Code 0: gelesen; 2: Zustandsspeicher fehlt oder hat ein unbekanntes Schema; 3: Lesefehler.
            """,
            """
            Per run: start (UTC), status (finished, running, interrupted), files scanned, skipped and failed, \
            findings new, seen again (open), reopened, resolved, waived, and the exit code. Read-only; a running \
            scan is not disturbed.
            Exit code 0: read; 2: state store missing or of an unknown schema; 3: read error.
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher (SQLite).", "State store (SQLite)."),
                                            valueName: UI.t("datei", "file")))
    var state: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Höchstens so viele Läufe.", "At most this many runs.")))
    var limit: Int = 50

    @Flag(name: .long, help: ArgumentHelp(UI.t("Als JSON ausgeben (Zeiten ISO 8601, UTC).", "Print as JSON (times ISO 8601, UTC).")))
    var json = false

    /// The runs as JSON: `started` and `finished` as ISO 8601 UTC times (`2026-01-31T02:30:00Z`),
    /// never epoch integers; slashes unescaped (`Stammdaten/…`, not `Stammdaten\/…`).
    static func json(_ runs: [RunRecord]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let tree = try JSONSerialization.jsonObject(with: try encoder.encode(runs)) as? [[String: Any]] ?? []
        let converted: [[String: Any]] = tree.map { run in
            var run = run
            for key in ["started", "finished"] {
                if let seconds = (run[key] as? NSNumber)?.int64Value { run[key] = CivilTime.iso8601(seconds) }
            }
            return run
        }
        let data = try JSONSerialization.data(withJSONObject: converted, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    func run() throws {
        let runs = try withStateStore(path: state) { try $0.history(limit: limit) }
        if json {
            print(try Self.json(runs))
            return
        }
        if runs.isEmpty {
            print(UI.t("Keine Prüfläufe gespeichert.", "No runs recorded."))
            return
        }
        let header = UI.t(
            ["Lauf", "Beginn (UTC)", "Status", "geprüft", "übersprungen", "fehlerhaft", "neu", "offen", "wieder", "behoben", "ausgenommen", "Exit"],
            ["Run", "Started (UTC)", "Status", "scanned", "skipped", "failed", "new", "open", "reopened", "resolved", "waived", "Exit"])
        let rows = runs.map { r -> [String] in
            [String(r.id), CivilTime.iso8601(r.started), statusText(r.status), String(r.filesScanned), String(r.filesSkipped),
             String(r.filesFailed), String(r.new), String(r.open), String(r.reopened), String(r.resolved), String(r.waived),
             r.exitCode.map(String.init) ?? "–"]
        }
        printTable(header: header, rows: rows, rightAligned: Set([0] + Array(3...11)))
    }

    private func statusText(_ s: RunStatus) -> String {
        switch s {
        case .finished: return UI.t("beendet", "finished")
        case .running: return UI.t("läuft", "running")
        case .interrupted: return UI.t("abgebrochen", "interrupted")
        }
    }
}

extension UI {
    /// Picks the German or English column headers.
    static func t(_ de: [String], _ en: [String]) -> [String] { language == .de ? de : en }
}

/// Opens a state store read-only for `history` and `trend`, mapping its errors to exit codes:
/// 2 when the store is missing or of an unknown schema, 3 for other read errors.
func withStateStore<T>(path: String, _ body: (StateStore) throws -> T) throws -> T {
    do {
        return try body(try StateStore(path: path, readOnly: true))
    } catch {
        let e = StateError.from(error, path: path)
        printError(UI.t("Fehler: ", "error: ") + e.text(UI.language))
        switch e {
        case .notFound, .schema, .schemaMismatch: throw Exit.configuration
        default: throw Exit.input
        }
    }
}

/// Prints a plain text table with padded columns to standard output.
func printTable(header: [String], rows: [[String]], rightAligned: Set<Int>) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
            return rightAligned.contains(i) ? pad + c : c + pad
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    print(line(header))
    print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for row in rows { print(line(row)) }
}
