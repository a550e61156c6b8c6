import ArgumentParser
import TrennwandFindings
import TrennwandOutputs
import TrennwandRecords
import TrennwandScan

/// Refuses outputs that name standard output when it was closed at start (`>&-`): the run
/// stops with exit 3 before anything is read or written, instead of sending a report to
/// /dev/null (which stands in for the closed descriptor, see `StandardDescriptors`).
func refuseClosedStdout(_ targets: [OutputTarget]) throws {
    guard StandardDescriptors.stdoutWasClosed,
          let target = targets.first(where: { StandardDescriptors.namesStdout($0.destination.description) }) else { return }
    let name = target.format.rawValue
    printError(UI.t(
        "Ausgabe \(name)=\(target.destination): die Standardausgabe ist geschlossen – eine Datei als Ziel angeben "
            + "(--format \(name)=PFAD) oder die Standardausgabe offen lassen [output.stdout-closed]",
        "output \(name)=\(target.destination): standard output is closed – name a file "
            + "(--format \(name)=PATH) or leave standard output open [output.stdout-closed]"))
    throw Exit.input
}

/// Our message for an error while opening or writing an output; never a raw system text.
func outputErrorText(_ error: Error, path: String?) -> String {
    ScanDiagnostic.outputFailure(error, path: path).text(UI.language)
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
