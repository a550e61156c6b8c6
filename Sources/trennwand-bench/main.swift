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

do {
    switch arguments.first {
    case "csv":
        try CSVReaderBench.run(megabytes: intOption("--mb", 200))
    case "xml":
        try XMLReaderBench.run(arguments: Array(arguments.dropFirst()))
    default:
        print("usage: trennwand-bench csv|xml [--mb N]")
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("trennwand-bench \(arguments.first ?? ""): \(error)\n".utf8))
    exit(1)
}
