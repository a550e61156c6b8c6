import ArgumentParser
import Dispatch
import Foundation
import Logging
import TrennwandFindings
import TrennwandRecords
import TrennwandScan
import TrennwandServe
import TrennwandState

/// `trennwand serve`: the review workspace over a state store (docs/serve.md). Only parses and
/// composes; everything else lives in `TrennwandServe`.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: UI.t("Startet den Prüfarbeitsplatz (Web-Oberfläche) über einem Zustandsspeicher.",
                       "Starts the review workspace (web interface) over a state store."),
        discussion: UI.t(
            """
            Lauscht standardmäßig auf 127.0.0.1:8080. Jede andere als eine Loopback-Adresse nur mit TLS \
            (--tls-cert und --tls-key, PEM). --init-admin legt das Konto „admin“ an (oder erneuert dessen \
            Einrichtungslink), gibt einen einmal gültigen Einrichtungslink aus (24 Stunden) und beendet sich.
            Exit-Code 0: beendet; 2: Konfigurations- oder Zustandsspeicherfehler, Adresse nicht nutzbar.
            """,
            """
            Listens on 127.0.0.1:8080 by default. Any address other than loopback only with TLS \
            (--tls-cert and --tls-key, PEM). --init-admin creates the account 'admin' (or renews its setup \
            link), prints a one-time setup link (24 hours) and exits.
            Exit code 0: stopped; 2: configuration or state store error, address not usable.
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("Zustandsspeicher (SQLite), von scan --state angelegt.",
                                                 "State store (SQLite), made by scan --state."), valueName: UI.t("datei", "file")))
    var state: String

    @Option(name: .long, help: ArgumentHelp(UI.t("Adresse:Port (Standard 127.0.0.1:8080).", "Address:port (default 127.0.0.1:8080).")))
    var listen: String = "127.0.0.1:8080"

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp(UI.t("TLS-Zertifikatskette (PEM).", "TLS certificate chain (PEM)."),
                                                              valueName: UI.t("datei", "file")))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp(UI.t("Privater TLS-Schlüssel (PEM).", "TLS private key (PEM)."),
                                                             valueName: UI.t("datei", "file")))
    var tlsKey: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Adresse, unter der Nutzer den Arbeitsplatz öffnen (Reverse-Proxy), für die Einrichtungslinks.",
                                                 "Address users open (reverse proxy), for the setup links."), valueName: "https://name"))
    var url: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Prüfauftrag (audit.yaml) des Scans: dessen Referenztabellen (reference:) beantworten freigegebene Aufdeckungen.",
                                                 "Audit file (audit.yaml) of the scan: its reference tables (reference:) answer approved re-identifications."),
                                            valueName: "audit.yaml"))
    var config: String?

    @Option(name: .customLong("key-file"), help: ArgumentHelp(UI.t("Schlüsseldatei für Pseudonyme wie beim Scan (sonst TRENNWAND_KEY oder Installationsschlüssel).",
                                                                   "Pseudonym key file as for the scan (else TRENNWAND_KEY or the installation key)."),
                                                              valueName: UI.t("datei", "file")))
    var keyFile: String?

    @Flag(name: .customLong("init-admin"), help: ArgumentHelp(UI.t("Einrichtungslink für das Konto admin ausgeben und beenden.",
                                                                    "Print a setup link for the account admin and exit.")))
    var initAdmin = false

    func run() throws {
        guard let address = ListenAddress(parsing: listen) else { fail(ServeError.badListen(listen).message) }
        var config = ServeConfiguration(listen: address, tlsCertificate: tlsCert, tlsKey: tlsKey)
        config.clock = { Int64(Date().timeIntervalSince1970) }
        do {
            try config.validate()
            config.publicURL = try url.map(ServeConfiguration.publicURL(parsing:))
        } catch let e as ServeError { fail(e.message) }
        let store: StateStore
        do {
            store = try StateStore(path: state, mustExist: true)
        } catch {
            fail(Localized(de: StateError.from(error, path: state).text(.de), en: StateError.from(error, path: state).text(.en)))
        }
        let review = store.review
        if initAdmin {
            let token = Tokens.make()
            let now = config.clock()
            do {
                _ = try review.initAdmin(name: "admin", tokenHash: Tokens.stored(token), expires: now + config.setupLinkValidity, at: now)
            } catch {
                fail(Localized(de: "Konto „admin“ gibt es schon mit einer anderen Rolle, oder der Zustandsspeicher ist nicht schreibbar",
                               en: "the account 'admin' exists with another role, or the state store is not writable"))
            }
            print(UI.t("Einrichtungslink für „admin“ (einmal gültig, 24 Stunden):", "Setup link for 'admin' (works once, 24 hours):"))
            print(config.baseURL + "/setup/" + token)
            return
        }
        if let auditFile = self.config { config.persons = try referencePersons(auditFile) }
        // Requests read through a pool of connections (concurrent WAL readers), not the single
        // connection the --init-admin path above uses.
        let pooled: ReviewStore
        do {
            pooled = try store.concurrentReview()
        } catch {
            fail(Localized(de: StateError.from(error, path: state).text(.de), en: StateError.from(error, path: state).text(.en)))
        }
        let app = ServeApp(store: pooled, config: config)
        let logger = Logger(label: "trennwand.serve")
        printError(UI.t("Hinweis: Prüfarbeitsplatz auf ", "note: review workspace on ") + config.baseURL)
        let outcome = BlockingTask.run { try await app.application(logger: logger).runService() }
        if case .failure(let error) = outcome {
            if let e = error as? ServeError { fail(e.message) }
            fail(Localized(de: "Server beendet mit Fehler (Adresse \(address) belegt oder nicht erlaubt?)",
                           en: "server stopped with an error (address \(address) in use or not allowed?)"))
        }
    }

    /// The persons of the audit file's reference tables by pseudonym, recomputed with the scan's
    /// key (resolved as `scan` does). The key stays in this process; only the directory is kept.
    private func referencePersons(_ auditFile: String) throws -> PersonDirectory {
        let cfg = try AuditConfig.loadForCommand(auditFile)
        var g = global
        if g.rules == nil, let r = cfg.rules { g.rules = r }
        let catalog = try loadCatalog(global: g, extra: cfg.profileDirectories)
        let key = try resolvePseudonymKey(file: keyFile)
        let (directory, accounts) = ReferencePersons.directory(cfg.inputs, catalog: catalog, pseudonymizer: Pseudonymizer(key: key))
        for a in accounts {
            if let e = a.fileError { fail(Localized(de: "Referenztabelle \(a.file): \(e.reason.message.de)", en: "reference table \(a.file): \(e.reason.message.en)")) }
        }
        if accounts.isEmpty {
            fail(Localized(de: "\(auditFile) nennt keine lesbare Referenztabelle (reference:)", en: "\(auditFile) names no readable reference table (reference:)"))
        }
        printError(UI.t("Hinweis: \(directory.count) Pseudonyme aus \(accounts.count) Referenztabellen für Aufdeckungen geladen",
                        "note: \(directory.count) pseudonyms from \(accounts.count) reference tables loaded for re-identification"))
        return directory
    }

    private func fail(_ message: Localized) -> Never {
        printError(UI.t("Fehler: ", "error: ") + message.text(UI.language))
        Serve.exit(code: Exit.configuration)
    }
}

/// Exits with an ArgumentParser exit code from a non-throwing context.
enum Serve {
    static func exit(code: ExitCode) -> Never {
        ServeCommand.exit(withError: code)
    }
}

/// Runs an async body to completion from a synchronous command (the CLI's root command is
/// synchronous). The calling thread waits; the body runs on the cooperative pool.
enum BlockingTask {
    private final class Box: @unchecked Sendable {
        var result: Result<Void, Error> = .success(())
    }

    static func run(_ body: @escaping @Sendable () async throws -> Void) -> Result<Void, Error> {
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await body() } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return box.result
    }
}
