import ArgumentParser
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords

/// Refuses outputs that name standard output when it was closed at start (`>&-`): the run
/// stops with exit 3 before anything is read or written, instead of sending a report to
/// /dev/null (which stands in for the closed descriptor, see `StandardDescriptors`).
func refuseClosedStdout(_ targets: [(OutputFormat, String)]) throws {
    guard StandardDescriptors.stdoutWasClosed,
          let target = targets.first(where: { StandardDescriptors.namesStdout($0.1) }) else { return }
    printError(UI.t(
        "Ausgabe \(target.0.rawValue)=\(target.1): die Standardausgabe ist geschlossen – eine Datei als Ziel angeben "
            + "(--format \(target.0.rawValue)=PFAD) oder die Standardausgabe offen lassen [output.stdout-closed]",
        "output \(target.0.rawValue)=\(target.1): standard output is closed – name a file "
            + "(--format \(target.0.rawValue)=PATH) or leave standard output open [output.stdout-closed]"))
    throw Exit.input
}

/// Our message for an error while opening or writing an output; never a raw system text.
func outputErrorText(_ error: Error, path: String?) -> String {
    if let e = error as? OutputError { return e.text(UI.language) }
    let target = path ?? "-"
    return UI.t("Ausgabe \(target): Schreiben fehlgeschlagen – Pfad, Berechtigungen und freien Platz prüfen [output.write]",
                "output \(target): write failed – check the path, permissions and free space [output.write]")
}

/// Our message for an error without a message of its own: an `InputError` or `ConfigError` shows its
/// text; anything else a fixed text with code `scan.unexpected`, its details only in the debug log
/// (`TRENNWAND_LOG_LEVEL=debug`), never as a raw Swift or system text.
func unexpectedErrorText(_ error: Error, language: Language) -> String {
    if let e = error as? InputError { return e.text(language) + " [\(e.rejection.reason.code)]" }
    if let e = error as? ConfigError { return e.text(language) + " [\(e.code)]" }
    if let e = error as? OutputError { return e.text(language) }
    Log.shared.debug("unexpected error: \(String(reflecting: error))")
    return language == .de
        ? "unerwarteter Fehler – Einzelheiten mit TRENNWAND_LOG_LEVEL=debug; bitte mit dieser Ausgabe melden [scan.unexpected]"
        : "unexpected error – details with TRENNWAND_LOG_LEVEL=debug; please report it with that output [scan.unexpected]"
}

/// The pseudonym key (`--key-file`, `TRENNWAND_KEY`, `TRENNWAND_KEY_FILE` or the installation key).
/// A newly created installation key is announced with its path: a different `HOME` or
/// `XDG_DATA_HOME` means a different key, and every pseudonym and fingerprint changes. A key that
/// cannot be used is a configuration error (exit 2) with our message and code.
func resolvePseudonymKey(file: String?) throws -> PseudonymKey {
    do {
        let key = try PseudonymKey.resolve(file: file)
        if key.created {
            printError(UI.t(
                "Hinweis: neuer Schlüssel für Pseudonyme angelegt: \(key.origin) – sichern; mit einem anderen Schlüssel "
                    + "ändern sich alle Pseudonyme und Fingerabdrücke [key.created]",
                "note: new pseudonym key created: \(key.origin) – back it up; with another key every pseudonym "
                    + "and fingerprint changes [key.created]"))
        }
        return key
    } catch let e as PseudonymKey.Problem {
        printError(UI.t("Schlüssel für Pseudonyme nicht nutzbar: ", "pseudonym key not usable: ") + e.text(UI.language))
        throw Exit.configuration
    }
}
