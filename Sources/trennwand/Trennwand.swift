import ArgumentParser
import Foundation
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#endif

/// `trennwand`: the command-line front end composing readers, engine, findings and outputs.
@main
struct Trennwand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trennwand",
        abstract: UI.t("Datenschutz-Prüfung der Trennung zwischen Jobcenter und Träger.",
                       "Data-protection audit of the separation between Jobcenter and Träger."),
        discussion: UI.t("Ausgaben auf Deutsch; --lang en (oder TRENNWAND_LANG=en) für Englisch.",
                         "Messages in German by default; --lang en (or TRENNWAND_LANG=en) for English."),
        // What ArgumentParser would print; `main()` answers `--version` itself with `versionText()`,
        // which hashes the rule files (only then: as the configuration's value every command paid
        // for it at its start, ~1 ms, measured 2026-12-07).
        version: "trennwand \(trennwandVersion)",
        subcommands: [ScanCommand.self, GateCommand.self, IngestCommand.self, ProfilesCommand.self, RulesCommand.self, WaiveCommand.self,
                      HistoryCommand.self, TrendCommand.self, ReportCommand.self, ConfigCommand.self, ServeCommand.self, ExportCommand.self, SQLCommand.self, CollectCommand.self,
                      AuditCommand.self]
    )

    static func main() {
        StandardDescriptors.secure()
        limitMallocArenas()
        // Arguments from their bytes: a file name that is not UTF-8 stays openable (SystemPath).
        let arguments = (1..<Int(CommandLine.argc)).map { i -> String in
            guard let arg = CommandLine.unsafeArgv[i] else { return "" }
            return SystemPath.string(Array(UnsafeBufferPointer(start: UnsafeRawPointer(arg).assumingMemoryBound(to: UInt8.self),
                                                               count: strlen(arg))))
        }
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }
        switch CommandLineConventions.normalize(arguments, subcommands: names) {
        case .parse(let normalized):
            // `--version` anywhere before `--`, as ArgumentParser takes the flag (for subcommands too).
            if normalized.prefix(while: { $0 != "--" }).contains("--version") {
                print(versionText())
                Glibc.exit(0)
            }
            main(normalized)
        case .unknownSubcommand(let suggestion):
            printError(CommandLineConventions.unknownText(suggestion: suggestion))
            Glibc.exit(ExitCode.validationFailure.rawValue)
        }
    }
}

/// One glibc malloc arena unless the operator sets `MALLOC_ARENA_MAX`. With the default (8 per
/// core), chunk buffers allocated by scan workers and freed by the merging thread fragment several
/// arenas: on the 4 GB bench corpus with 2 threads the peak grew to 101 MB (75 MB at 1 GB); with one
/// arena it stays at 83 MB and the scan is as fast or faster (49 s vs 53 s), since the hot path
/// hardly allocates any more. Must run before any thread starts.
func limitMallocArenas() {
    #if canImport(Glibc)
    // <malloc.h> is not part of Swift's Glibc module: look `mallopt` up at run time.
    // M_ARENA_MAX is -8 in glibc's malloc.h.
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    if ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil,
       let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
        _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, 1)
    }
    #endif
}

/// The tool version shown by `--version` and written into every report.
let trennwandVersion = "0.1.0"
