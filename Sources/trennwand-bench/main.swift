// trennwand-bench: throughput benchmarks printed next to reference tools. Never a timed test.
print("trennwand-bench")
