import ArgumentParser
import Foundation
import TrennwandFindings
import TrennwandOutputs
import TrennwandReaders
import TrennwandRecords

/// `trennwand ingest`: normalised records as JSON Lines, for checking a profile against an export.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: UI.t("Normalisiert Exporte über Quellprofile und gibt die Datensätze als JSON Lines aus.",
                       "Normalises exports through source profiles and prints the records as JSON Lines."),
        discussion: UI.t(
            """
            Jede Eingabedatei wird mit dem angegebenen oder dem erkannten Profil gelesen. Die Datensätze gehen \
            als JSON Lines auf die Standardausgabe, die Bilanz (gelesen = normalisiert + zurückgewiesen) und \
            jede Zurückweisung mit Fundstelle auf die Standardfehlerausgabe.
            Exit-Code 0: alles gelesen; 2: Profil- oder Konfigurationsfehler; 3: Eingabefehler \
            (mit --strict auch bei zurückgewiesenen Datensätzen).
            """,
            """
            Each input file is read with the given or the detected profile. Records go to standard output as \
            JSON Lines; the accounting (read = normalised + rejected) and every rejection with its locator go \
            to standard error.
            Exit code 0: everything read; 2: profile or configuration error; 3: input error (with --strict also \
            for rejected records).
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Profil-ID (Standard: aus Kopfzeile, Wurzelelement bzw. JSON-Schlüsseln erkennen).",
                                                 "Profile id (default: detect from header, root element or JSON keys)."),
                                            valueName: "id"))
    var profile: String?

    @Option(name: .customLong("profiles"), help: ArgumentHelp(
        UI.t("Zusätzliches Profilverzeichnis (mehrfach möglich).", "Additional profile directory (repeatable)."),
        valueName: UI.t("verzeichnis", "dir")))
    var profileDirectories: [String] = []

    @Flag(name: .long, help: ArgumentHelp(UI.t("Zurückgewiesene Datensätze führen zu Exit-Code 3.",
                                               "Rejected records lead to exit code 3.")))
    var strict = false

    @Flag(name: .long, help: ArgumentHelp(UI.t("Keine Datensätze ausgeben, nur die Bilanz.",
                                               "Print no records, only the accounting.")))
    var countOnly = false

    @Argument(help: ArgumentHelp(UI.t("Eingabedateien (CSV, XML oder JSON Lines).", "Input files (CSV, XML or JSON Lines)."),
                                 valueName: UI.t("datei", "file")))
    var files: [String]

    func run() throws {
        if !countOnly && StandardDescriptors.stdoutWasClosed {
            printError(UI.t("Die Standardausgabe ist geschlossen – Datensätze in eine Datei umleiten oder --count-only angeben [output.stdout-closed]",
                            "standard output is closed – redirect the records to a file or give --count-only [output.stdout-closed]"))
            throw Exit.input
        }
        let catalog = try loadCatalog(global: global, extra: profileDirectories)
        var chosen: SourceProfile?
        if let profile {
            guard let p = catalog.profile(id: profile) else {
                printError(UI.t("Fehler: unbekanntes Profil „\(profile)“ (bekannt: \(catalog.profiles.map(\.id).joined(separator: ", ")))",
                                "error: unknown profile '\(profile)' (known: \(catalog.profiles.map(\.id).joined(separator: ", ")))"))
                throw Exit.configuration
            }
            chosen = p
        }
        let out = BufferedOutput(fd: STDOUT_FILENO)
        var anyFileError = false
        var anyRejected = false
        for file in files {
            // --count-only reads into column batches, as the batch executor will (docs/executor.md):
            // the bench's "reader alone" row. Printing records goes through the record normaliser.
            let result = countOnly
                ? Ingest.runBatches(file: file, profile: chosen, catalog: catalog,
                                    symbols: SymbolTable(seed: SymbolTable.schemaSeed())) { _ in }
                : Ingest.run(file: file, profile: chosen, catalog: catalog) { record in
                    RecordJSON.encode(record, into: &out.buffer)
                    out.buffer.append(0x0A)
                    out.flushIfFull()
                }
            out.flush()
            AccountingPrinter.print(result.account, unusedColumns: result.unusedColumns)
            anyFileError = anyFileError || result.account.fileError != nil
            anyRejected = anyRejected || result.account.rejected > 0
        }
        out.flush()
        if anyFileError || (strict && anyRejected) { throw Exit.input }
    }
}

/// Loads the built-in profiles (`<rules>/profiles`) plus any extra directories; exit 2 on errors.
func loadCatalog(global: GlobalOptions, extra: [String]) throws -> ProfileCatalog {
    let rules = try global.rulesDirectory()
    do {
        return try ProfileCatalog(directories: [rules + "/profiles"] + extra)
    } catch let e as ConfigError {
        printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + e.text(UI.language) + " [\(e.code)]")
        throw Exit.configuration
    }
}

/// Prints one input's accounting to standard error.
enum AccountingPrinter {
    static func print(_ a: InputAccount, unusedColumns: [String] = []) {
        // File names, rejection texts and column names may come from data: never raw control characters.
        let a = a.neutralised, unusedColumns = unusedColumns.map { Masking.neutralised($0) }
        let profile = a.profile ?? "–"
        printError(UI.t(
            "\(a.file): Profil \(profile): \(a.read) gelesen, \(a.normalised) normalisiert, \(a.rejected) zurückgewiesen",
            "\(a.file): profile \(profile): \(a.read) read, \(a.normalised) normalised, \(a.rejected) rejected"))
        for r in a.rejections {
            printError("  \(r.locator.description): \(UI.text(r.reason.message)) [\(r.reason.code)]")
        }
        if a.rejected > a.rejections.count {
            printError(UI.t("  … \(a.rejected - a.rejections.count) weitere Zurückweisungen (nur gezählt)",
                            "  … \(a.rejected - a.rejections.count) more rejections (counted only)"))
        }
        if let e = a.fileError {
            printError("  \(e.locator.description): \(UI.text(e.reason.message)) [\(e.reason.code)]")
        }
        if !unusedColumns.isEmpty {
            printError(UI.t("  nicht zugeordnete Spalten: ", "  unmapped columns: ") + unusedColumns.joined(separator: ", "))
        }
    }
}

/// A byte buffer written to a file descriptor in large blocks (stdout of `ingest` can be big).
final class BufferedOutput {
    let fd: Int32
    var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 20)
    }

    func flushIfFull() {
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    // SIGPIPE is ignored (StandardDescriptors): a reader that went away (`| head`)
                    // or a full disk ends the run here instead of reading on into nothing.
                    let code = errno
                    printError(outputErrorText(OutputError(.write, path: "-", errno: n == 0 ? EIO : code), path: "-"))
                    exit(Exit.input.rawValue)
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
