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

switch arguments.first {
case "csv":
    do {
        try CSVReaderBench.run(megabytes: intOption("--mb", 200))
    } catch {
        FileHandle.standardError.write(Data("csv bench failed: \(error)\n".utf8))
        exit(1)
    }
default:
    print("usage: trennwand-bench csv [--mb N]")
}
