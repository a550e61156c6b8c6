import ArgumentParser
import Foundation
import TrennwandReaders
import TrennwandRecords

/// `trennwand profiles draft FILE…`: a commented draft profile per unknown export.
struct ProfilesDraftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: UI.t("Entwirft ein Quellprofil aus den ersten Datensätzen eines unbekannten Exports.",
                       "Drafts a source profile from the first records of an unknown export."),
        discussion: UI.t(
            """
            Erkennt Kodierung, Trennzeichen, Kopfzeile bzw. Datensatzelement und Namensräume, Zeitformate \
            (auch getrennte Datums- und Uhrzeitspalten), ordnet Spalten über deutsche und englische Synonyme \
            den kanonischen Feldern zu und listet die Werte von Spalten mit wenigen Werten als Wertetabellen. \
            Offene Ziele stehen als "???" im Entwurf; Trennwand lehnt das Profil ab, bis sie ersetzt sind. \
            Jede Zuordnung trägt als Kommentar ihre Sicherheit oder „kann nicht bestimmt werden“. \
            Danach: trennwand profiles check ENTWURF. \
            Mehrere Dateien: --out ist dann ein Verzeichnis (eine <id>.yaml je Datei).
            """,
            """
            Detects encoding, delimiter, header or record element and namespaces, timestamp formats (also \
            separate date and time columns), maps columns to canonical fields by German and English synonyms \
            and lists the values of columns with few values as value maps. Open targets are written as "???"; \
            Trennwand rejects the profile until they are replaced. Every mapping carries its confidence or \
            "cannot tell" as a comment. Then: trennwand profiles check DRAFT. \
            Several files: --out is then a directory (one <id>.yaml per file).
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Ausgabedatei (Standard: Standardausgabe); bei mehreren Dateien ein Verzeichnis.",
                                                 "Output file (default: standard output); a directory for several files."),
                                            valueName: UI.t("datei", "file")))
    var out: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Wie viele Datensätze vom Anfang gelesen werden.", "How many records to read from the start.")))
    var records = 5_000

    @Option(name: .long, help: ArgumentHelp(UI.t("Profil-ID (Standard: aus dem Dateinamen).", "Profile id (default: from the file name).")))
    var id: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Datensatzart vorgeben statt raten: ", "Force the record kind instead of guessing: ")
                                            + RecordKind.allCases.map(\.rawValue).joined(separator: ", ")))
    var kind: String?

    @Argument(help: ArgumentHelp(UI.t("Exportdateien (CSV oder XML).", "Export files (CSV or XML)."), valueName: UI.t("datei", "file")))
    var files: [String]

    func run() throws {
        var forced: RecordKind?
        if let kind {
            guard let k = RecordKind(rawValue: kind) else {
                printError(UI.t("Fehler: unbekannte Datensatzart „\(kind)“ (erlaubt: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))) [draft.kind]",
                                "error: unknown record kind '\(kind)' (allowed: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))) [draft.kind]"))
                throw Exit.configuration
            }
            forced = k
        }
        guard records > 0 else {
            printError(UI.t("Fehler: --records muss größer als 0 sein [draft.records]", "error: --records must be greater than 0 [draft.records]"))
            throw Exit.configuration
        }
        if files.count > 1 && id != nil {
            printError(UI.t("Fehler: --id gilt nur für eine Datei [draft.id]", "error: --id applies to one file only [draft.id]"))
            throw Exit.configuration
        }
        var isDirectory: ObjCBool = false
        let outIsDirectory = out.map { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue } ?? false
        if files.count > 1, out != nil, !outIsDirectory {
            printError(UI.t("Fehler: bei mehreren Dateien muss --out ein vorhandenes Verzeichnis sein [draft.out]",
                            "error: with several files --out must be an existing directory [draft.out]"))
            throw Exit.configuration
        }
        let drafter = ProfileDrafter(records: records, kind: forced, id: id)
        var failed = false
        var texts: [String] = []
        for file in files {
            do {
                let draft = try drafter.draft(file: file)
                let text = draft.yaml(UI.language)
                if let out {
                    let target = outIsDirectory ? (out as NSString).appendingPathComponent(draft.id + ".yaml") : out
                    guard FileManager.default.createFile(atPath: target, contents: Data(text.utf8)) else {
                        printError(UI.t("Fehler: \(target) kann nicht geschrieben werden [draft.write]",
                                        "error: cannot write \(target) [draft.write]"))
                        throw Exit.input
                    }
                    printError(UI.t("Hinweis: Entwurf für \(file) in \(target)\(draft.hasPlaceholders ? " – offene Ziele „???“ ersetzen" : "")",
                                    "note: draft for \(file) in \(target)\(draft.hasPlaceholders ? " – replace the open targets '???'" : "")"))
                } else {
                    texts.append(text)
                }
            } catch let e as InputError {
                printError(UI.t("Eingabefehler: ", "input error: ") + e.text(UI.language) + " [\(e.rejection.reason.code)]", file: file)
                failed = true
            }
        }
        if !texts.isEmpty { print(texts.joined(separator: "\n"), terminator: "") }
        if failed { throw Exit.input }
    }
}
