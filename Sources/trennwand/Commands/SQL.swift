import ArgumentParser
import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandPlan
import TrennwandRecords
import TrennwandScan

/// `trennwand sql --dialect duckdb|postgres|spark --out DIR`: DDL, load statements for the export in DIR
/// and one query per rule, plus `run-all.sql` writing each rule's finding rows to
/// `results/<dialect>/<rule>.jsonl` (docs/scale-out.md).
struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: UI.t("Schreibt DDL, Ladebefehle und eine Abfrage je Regel für einen Export (DuckDB, PostgreSQL, Spark).",
                       "Writes DDL, load statements and one query per rule for an export (DuckDB, PostgreSQL, Spark)."),
        discussion: UI.t(
            """
            DIR ist ein Verzeichnis von trennwand export. Geschrieben wird DIR/sql/<dialekt>/: schema.sql, load.sql, \
            rules/<regel>.sql und run-all.sql, das alles enthält und die Zeilen jeder Regel nach \
            DIR/results/<dialekt>/<regel>.jsonl schreibt. Ausführen im Exportverzeichnis, z. B. \
            cd DIR && duckdb < sql/duckdb/run-all.sql oder cd DIR && psql -X -f sql/postgres/run-all.sql. \
            Spark: zusätzlich sql/spark/run-all.py, der Treiber, der run-all.sql ausführt: \
            cd DIR && spark-submit --master local[2] sql/spark/run-all.py (im Cluster dessen Master). \
            Regelpaket, Zeitzone und Schema-Version müssen zum Export passen.
            Exit-Codes: 0 geschrieben; 2 Aufruf-, Regel- oder Konfigurationsfehler (auch ein Export mit anderem \
            Regelpaket); 3 Export nicht lesbar oder Schreibfehler.
            """,
            """
            DIR is a directory written by trennwand export. Written: DIR/sql/<dialect>/: schema.sql, load.sql, \
            rules/<rule>.sql and run-all.sql, which holds everything and writes each rule's rows to \
            DIR/results/<dialect>/<rule>.jsonl. Run it in the export directory, e.g. \
            cd DIR && duckdb < sql/duckdb/run-all.sql or cd DIR && psql -X -f sql/postgres/run-all.sql. \
            Spark: also sql/spark/run-all.py, the driver that runs run-all.sql: \
            cd DIR && spark-submit --master local[2] sql/spark/run-all.py (on a cluster, its master). \
            Rule pack, time zone and schema version must match the export.
            Exit codes: 0 written; 2 usage, rule or configuration error (also an export of another rule pack); \
            3 export unreadable or write error.
            """))

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp(UI.t("SQL-Dialekt: duckdb, postgres oder spark.",
                                                 "SQL dialect: duckdb, postgres or spark."),
                                            valueName: "dialect"))
    var dialect: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Exportverzeichnis (von trennwand export); die Skripte kommen nach DIR/sql/<dialekt>.",
                                                 "Export directory (from trennwand export); the scripts go to DIR/sql/<dialect>."),
                                            valueName: UI.t("verzeichnis", "dir")))
    var out: String?

    @Option(name: .long, help: ArgumentHelp(UI.t("Prüfauftrag (audit.yaml): Regeln, only/exclude, now wie bei scan.",
                                                 "Audit configuration (audit.yaml): rules, only/exclude, now as for scan."),
                                            valueName: UI.t("datei", "file")))
    var config: String?

    @Option(name: .customLong("rule"), help: ArgumentHelp(UI.t("Nur diese Regel (mehrfach möglich).", "Only this rule (repeatable)."),
                                                          valueName: "id"))
    var onlyRules: [String] = []

    @Option(name: .long, help: ArgumentHelp(UI.t("Bezugszeitpunkt für now() (ISO 8601); sonst now: des Prüfauftrags oder jetzt.",
                                                 "Reference time of now() (ISO 8601); else now: of the configuration or the current time.")))
    var now: String?

    /// The dialects `--dialect` names (`postgresql` is accepted for `postgres`).
    static let dialects = ["duckdb", "postgres", "spark"]

    func run() throws {
        guard let dialect else {
            printError(UI.t("Fehler: --dialect angeben (\(Self.dialects.joined(separator: ", "))) [sql.usage]",
                            "error: give --dialect (\(Self.dialects.joined(separator: ", "))) [sql.usage]"))
            throw Exit.configuration
        }
        guard let out, !out.isEmpty else {
            printError(UI.t("Fehler: --out VERZEICHNIS (ein Export von trennwand export) angeben [sql.usage]",
                            "error: give --out DIR (an export of trennwand export) [sql.usage]"))
            throw Exit.configuration
        }
        switch dialect.lowercased() {
        case "duckdb": try write(DuckDBSyntax(), out: out)
        case "postgres", "postgresql": try write(PostgreSQLSyntax(), out: out)
        case "spark": try write(SparkSyntax(), out: out)
        default:
            printError(UI.t("Fehler: unbekannter Dialekt „\(ExportCommand.shown(dialect))“ (\(Self.dialects.joined(separator: ", "))) [sql.dialect]",
                            "error: unknown dialect '\(ExportCommand.shown(dialect))' (\(Self.dialects.joined(separator: ", "))) [sql.dialect]"))
            throw Exit.configuration
        }
    }

    private func write<S: SQLSyntax>(_ syntax: S, out: String) throws {
        let setup = try ScanSetup.load(config: config, global: global, profileDirectories: [])
        let ruleSet = setup.ruleSet, policy = setup.policy
        let only = setup.selectedRules(onlyRules)
        let unknown = (only ?? []).filter { id in !ruleSet.rules.contains { $0.id == id } }.sorted()
        if !unknown.isEmpty {
            printError(UI.t("Unbekannte Regel: ", "unknown rule: ") + unknown.map { ExportCommand.shown($0) }.joined(separator: ", "))
            throw Exit.configuration
        }
        let nowTime: Int64
        if let now {
            guard let t = parseTime(now) else {
                printError(UI.t("--now: Zeitpunkt nach ISO 8601 erwartet", "--now: ISO 8601 timestamp expected"))
                throw Exit.configuration
            }
            nowTime = t
        } else {
            nowTime = setup.config.now ?? Int64(Date().timeIntervalSince1970)
        }

        do {
            let manifests = try ExportManifest.all(in: out)
            for m in manifests {
                let name = m.input.map { ExportLayout.name(ofInput: $0.path) } ?? ExportLayout.policyManifest
                let path = (out as NSString).appendingPathComponent(ExportLayout.manifestFile(name: name))
                if m.schemaVersion != ExportLayout.schemaVersion {
                    throw ExportError(.mismatch(UI.t("Schema-Version \(m.schemaVersion) (erwartet \(ExportLayout.schemaVersion))",
                                                     "schema version \(m.schemaVersion) (expected \(ExportLayout.schemaVersion))")), path: path)
                }
                if m.rulePack != ruleSet.hash {
                    throw ExportError(.mismatch(UI.t("Regelpaket \(m.rulePack.prefix(12))… (dieses: \(ruleSet.hash.prefix(12))…)",
                                                     "rule pack \(m.rulePack.prefix(12))… (this one: \(ruleSet.hash.prefix(12))…)")), path: path)
                }
                if m.timeZone != policy.timeZone {
                    throw ExportError(.mismatch(UI.t("Zeitzone \(m.timeZone)", "time zone \(m.timeZone)")), path: path)
                }
                if let input = m.input, let code = input.fileError {
                    Log.emit(.warning, UI.t("\(ExportCommand.shown(input.path)): beim Export mit Eingabefehler abgebrochen (\(code)); nur die Datensätze davor werden geladen [sql.partial-input]",
                                            "\(ExportCommand.shown(input.path)): export stopped at an input error (\(code)); only the records before it are loaded [sql.partial-input]"),
                             code: "sql.partial-input")
                }
            }
            if !manifests.contains(where: { $0.input == nil }) {
                throw ExportError(.noExport, path: out)
            }

            let (plans, errors) = RulePlanner(policy: policy, now: nowTime).plan(ruleSet, only: only)
            for e in errors { printError(e.text(UI.language) + " [\(e.code)]") }
            if !errors.isEmpty { throw Exit.configuration }

            let files = try SQLScripts(PlanSQLRenderer(syntax)).files(plans: plans, manifests: manifests)
            // Scripts of an earlier run (other rules) must not linger next to these.
            let sqlDirectory = (out as NSString).appendingPathComponent(ExportLayout.sqlDirectory(dialect: syntax.name))
            try? FileManager.default.removeItem(atPath: sqlDirectory)
            for (path, text) in files { try ExportWriter.writeFile(Array(text.utf8), directory: out, path: path) }
            let results = (out as NSString).appendingPathComponent((ExportLayout.resultFile(dialect: syntax.name, rule: "x") as NSString).deletingLastPathComponent)
            try? FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
            let loaded = manifests.reduce(0) { $0 + $1.files.count }
            // What to run: the dialect's driver if it has one (Spark: spark-submit … sql/spark/run-all.py).
            let runAll = ExportLayout.sqlDirectory(dialect: syntax.name) + "/" + (syntax.clientFiles.first?.name ?? "run-all.sql")
            print(UI.t("\(plans.count) Regeln, \(loaded) Dateien: \(ExportCommand.shown(out))/\(runAll) (im Exportverzeichnis ausführen)",
                       "\(plans.count) rules, \(loaded) files: \(ExportCommand.shown(out))/\(runAll) (run it in the export directory)"))
        } catch let e as ExportError {
            printError(UI.t("Fehler: ", "error: ") + e.text(UI.language, path: ExportCommand.shown(e.path)))
            throw e.isUsage ? Exit.configuration : Exit.input
        }
    }
}
