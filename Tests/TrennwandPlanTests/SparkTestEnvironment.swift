import Foundation
import XCTest

/// Spark in local mode for the tests: pyspark (pinned by `make pydeps`) and a Java runtime.
///
/// `make test` sets TW_REQUIRE_SPARK=1: then a missing pyspark or Java fails the tests. Without it
/// (a plain `swift test` on a machine without them) the Spark tests are skipped with the reason.
/// Settings for a small machine: two local cores, two shuffle partitions, no UI, 1 GB driver.
enum SparkTestEnvironment {
    static let required = ProcessInfo.processInfo.environment["TW_REQUIRE_SPARK"] == "1"

    /// The spark-submit options of the tests (and of docs/scale-out.md's local example).
    static let submitOptions = ["--master", "local[2]", "--driver-memory", "1g", "--conf", "spark.sql.shuffle.partitions=2",
                                "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false"]

    /// Fails (under `make test`) or skips the calling test if pyspark or Java is missing.
    static func check() throws {
        var problems: [String] = []
        if run(["python3", "-c", "import pyspark"]) != 0 { problems.append("pyspark not importable (make pydeps)") }
        if run(["java", "-version"]) != 0 { problems.append("no java on PATH") }
        if run(["spark-submit", "--version"]) != 0 { problems.append("no spark-submit on PATH") }
        guard !problems.isEmpty else { return }
        let reason = problems.joined(separator: "; ")
        if required { XCTFail("Spark is required (TW_REQUIRE_SPARK=1): \(reason)") }
        throw XCTSkip("Spark not available: \(reason)")
    }

    private static func run(_ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
