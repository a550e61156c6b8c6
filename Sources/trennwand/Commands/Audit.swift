import ArgumentParser
import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandServe
import TrennwandState

/// `trennwand audit`: the audit trail and the decisions of the review workspace (docs/serve.md).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: UI.t("Prüfpfad prüfen; Entscheidungen als Ausnahmedatei aus- und einlesen.",
                       "Verify the audit trail; export and import decisions as a waiver file."),
        subcommands: [AuditVerifyCommand.self, AuditExportWaiversCommand.self, AuditImportWaiversCommand.self])

    /// Opens the store (migrating it like `report`); every failure is exit 2 for these commands.
    static func open(_ path: String) throws -> StateStore {
        do {
            return try StateStore(path: path, mustExist: true)
        } catch {
            printError(UI.t("Fehler: ", "error: ") + StateError.from(error, path: path).text(UI.language))
            throw Exit.configuration
        }
    }

    static func fail(_ error: Error, path: String) -> ExitCode {
        printError(UI.t("Fehler: ", "error: ") + StateError.from(error, path: path).text(UI.language))
        return Exit.configuration
    }

    /// Who acts from the command line, as the trail records it.
    static var actor: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }
}

/// `trennwand audit verify --state FILE`: recomputes the hash chain.
struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: UI.t("Prüft die Hash-Kette des Prüfpfads.", "Verifies the hash chain of the audit trail."),
        discussion: UI.t(
            """
            Rechnet jede Zeile nach und nennt die erste geänderte, entfernte oder umsortierte. Gibt Anzahl und \
            Hash der letzten Zeile aus: notiert man sie außerhalb, fällt auch das Abschneiden am Ende auf.
            Exit-Code 0: intakt; 1: verändert; 2: Fehler (Zustandsspeicher fehlt, beschädigt).
            """,
            """
            Recomputes every row and names the first that was changed, removed or reordered. Prints the count \
            and the hash of the last row: noted elsewhere, they also reveal rows cut off at the end.
            Exit code 0: intact; 1: tampered; 2: error (state store missing, damaged).
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher (SQLite).", "State store (SQLite)."), valueName: UI.t("datei", "file")))
    var state: String

    func run() throws {
        let store = try AuditCommand.open(state)
        let result: AuditTrail.Verification
        do { result = try store.review.verifyAuditTrail() } catch { throw AuditCommand.fail(error, path: state) }
        let head = result.headSeq.map { UI.t("letzte Zeile #\($0), Hash \(result.headHash ?? "")", "last row #\($0), hash \(result.headHash ?? "")") }
            ?? UI.t("leer", "empty")
        if let broken = result.firstBreak {
            printError(UI.t("Fehler: Prüfpfad verändert: ", "error: audit trail tampered: ") + broken.message.text(UI.language) + " [audit.tampered]")
            throw Exit.findings
        }
        print(UI.t("Prüfpfad intakt: \(result.rows) Zeilen; \(head)", "audit trail intact: \(result.rows) rows; \(head)"))
    }
}

/// `trennwand audit export-waivers --state FILE --out waivers.yaml`.
struct AuditExportWaiversCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-waivers",
        abstract: UI.t("Schreibt die geltenden Entscheidungen als Ausnahmedatei (für scan --waivers).",
                       "Writes the decisions in force as a waiver file (for scan --waivers)."),
        discussion: UI.t("Exit-Code 0: geschrieben; 2: Fehler.", "Exit code 0: written; 2: error."))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher (SQLite).", "State store (SQLite)."), valueName: UI.t("datei", "file")))
    var state: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausnahmedatei (YAML); - für die Standardausgabe.", "Waiver file (YAML); - for standard output."),
                                            valueName: UI.t("datei", "file")))
    var out: String

    func run() throws {
        let store = try AuditCommand.open(state)
        let now = Int64(Date().timeIntervalSince1970)
        let export: WaiverExport.Export
        do {
            export = try WaiverExport.text(store.review.currentDecisionsSync(), now: now)
            try store.review.auditSync(at: now, account: AuditCommand.actor, action: .decisionsExported, object: "decisions",
                                       detail: "entries=\(export.entries) skipped_expired=\(export.skippedExpired) out=\(out)")
        } catch let e as ConfigError {
            printError(UI.t("Fehler: ", "error: ") + e.text(UI.language))
            throw Exit.configuration
        } catch {
            throw AuditCommand.fail(error, path: state)
        }
        if out == "-" {
            print(export.text, terminator: "")
            return
        }
        // Written beside and renamed: a reader never sees half a file.
        let temp = out + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temp, contents: Data(export.text.utf8)), rename(temp, out) == 0 else {
            try? FileManager.default.removeItem(atPath: temp)
            printError(UI.t("Fehler: \(out) nicht schreibbar", "error: cannot write \(out)"))
            throw Exit.configuration
        }
        printError(UI.t("Hinweis: \(export.entries) Ausnahmen nach \(out) geschrieben, \(export.skippedExpired) abgelaufene ausgelassen",
                        "note: \(export.entries) waivers written to \(out), \(export.skippedExpired) expired left out"))
    }
}

/// `trennwand audit import-waivers --state FILE --in waivers.yaml`.
struct AuditImportWaiversCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-waivers",
        abstract: UI.t("Übernimmt die Ausnahmen einer Ausnahmedatei als Entscheidungen.", "Takes the waivers of a waiver file over as decisions."),
        discussion: UI.t(
            """
            Ausnahmen mit „fingerprint“ werden Entscheidungen (ohne „decision“: Risiko akzeptiert); solche nur mit \
            „match“ werden übersprungen, ebenso unveränderte. Jede übernommene steht im Prüfpfad.
            Exit-Code 0: eingelesen; 2: Fehler (Datei ungültig, Zustandsspeicher).
            """,
            """
            Waivers with a 'fingerprint' become decisions (without 'decision': accepted risk); those with \
            'match' only are skipped, as are unchanged ones. Each one taken over is in the audit trail.
            Exit code 0: imported; 2: error (invalid file, state store).
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher (SQLite).", "State store (SQLite)."), valueName: UI.t("datei", "file")))
    var state: String

    @Option(name: .customLong("in"), help: ArgumentHelp(UI.t("Ausnahmedatei (YAML).", "Waiver file (YAML)."), valueName: UI.t("datei", "file")))
    var input: String

    func run() throws {
        let set: WaiverSet
        do {
            set = try WaiverSet.load(path: input)
        } catch let e as ConfigError {
            printError(UI.t("Fehler: ", "error: ") + e.text(UI.language))
            throw Exit.configuration
        } catch {
            printError(UI.t("Fehler: \(input) nicht lesbar", "error: cannot read \(input)"))
            throw Exit.configuration
        }
        let store = try AuditCommand.open(state)
        let now = Int64(Date().timeIntervalSince1970)
        do {
            let plan = WaiverExport.decisions(from: set, current: try store.review.currentDecisionsSync(), at: now)
            try store.review.recordSync(plan.decisions, actor: AuditCommand.actor)
            for p in plan.withoutFingerprint {
                printError(UI.t("Warnung: \(p.file):\(p.line): Ausnahme ohne fingerprint übersprungen [audit.import-match]",
                                "warning: \(p.file):\(p.line): waiver without fingerprint skipped [audit.import-match]"))
            }
            printError(UI.t("Hinweis: \(plan.decisions.count) Entscheidungen übernommen, \(plan.unchanged) unverändert",
                            "note: \(plan.decisions.count) decisions imported, \(plan.unchanged) unchanged"))
        } catch {
            throw AuditCommand.fail(error, path: state)
        }
    }
}
