// trennwand-bench: throughput benchmarks printed next to reference tools. Never a timed test.
import Foundation

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "detectors":
    // trennwand-bench detectors [RULES_DIR] [MEGABYTES]
    let rules = arguments.dropFirst().first ?? "Rules"
    let megabytes = arguments.dropFirst(2).first.flatMap(Int.init) ?? 100
    do {
        try DetectorBench.run(rulesDirectory: rules, megabytes: megabytes)
    } catch {
        FileHandle.standardError.write(Data("trennwand-bench: \(error)\n".utf8))
        exit(2)
    }
default:
    print("trennwand-bench")
    print("usage: trennwand-bench detectors [RULES_DIR] [MEGABYTES]")
}
