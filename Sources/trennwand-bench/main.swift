// trennwand-bench: throughput benchmarks printed next to reference tools. Never a timed test.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())

/// Value of `--name N` as an integer, or `fallback`.
func intOption(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else {
        return fallback
    }
    return v
}

/// Value of `--name VALUE`, or `fallback`.
func stringOption(_ name: String, _ fallback: String) -> String {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
    return arguments[i + 1]
}

do {
    switch arguments.first {
    case "csv":
        try CSVReaderBench.run(megabytes: intOption("--mb", 200))
    case "xml":
        try XMLReaderBench.run(arguments: Array(arguments.dropFirst()))
    case "rules":
        try RuleEvalBench.run(rulesDirectory: stringOption("--rules", "Rules"), records: intOption("--records", 200_000))
    case "generate":
        try CorpusGenerator.run(out: stringOption("--out", ".build-bench/corpus"), megabytes: intOption("--mb", 1024),
                                seed: UInt64(intOption("--seed", 1)))
    case "idscan":
        if arguments.contains("--patterns") {
            try IdentifierScanBench.printPatterns(rulesDirectory: stringOption("--rules", "Rules"))
        } else {
            guard arguments.count >= 2 else { print("usage: trennwand-bench idscan FILE | --patterns"); exit(2) }
            try IdentifierScanBench.run(file: arguments[1], rulesDirectory: stringOption("--rules", "Rules"))
        }
    case "serve-state":
        try ServeStateGenerator.run(from: stringOption("--from", ".build-bench/serve-seed.sqlite"),
                                    out: stringOption("--out", ".build-bench/serve-state.sqlite"),
                                    findings: intOption("--findings", 100_000), runs: intOption("--runs", 6))
    case "rawsql":
        try RawSQLBench.run(Array(arguments.dropFirst()))
    case "detectors":
        try DetectorBench.run(rulesDirectory: stringOption("--rules", "Rules"), megabytes: intOption("--mb", 100))
    default:
        print("usage: trennwand-bench csv|xml|detectors|rules [--mb N] [--records N] [--rules DIR]")
        print("       trennwand-bench idscan FILE | idscan --patterns")
        print("       trennwand-bench generate --out DIR --mb N --seed S")
        print("       trennwand-bench rawsql --out DIR --now ISO8601 [--rules DIR] [--sequential] PATH…")
        print("       trennwand-bench serve-state --from SEED.sqlite --out FILE --findings N --runs R")
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("trennwand-bench \(arguments.first ?? ""): \(error)\n".utf8))
    exit(1)
}
