// trennwand-bench: throughput benchmarks printed next to reference tools. Never a timed test.
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "xml":
    do {
        try XMLReaderBench.run(arguments: Array(arguments.dropFirst()))
    } catch {
        print("trennwand-bench xml: \(error)")
    }
default:
    print("trennwand-bench: usage: trennwand-bench xml [--mb N]")
}
