// swift-tools-version:6.0
// Trennwand: layered targets mirror the data flow
//   input readers → canonical records → rule engine → findings → outputs, the CLI composing them.
// Arrows point to what a target may import; never upward.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
// Targets on the per-record path, release builds only: no run-time exclusivity checks
// (swift_beginAccess / AccessSet::insert were ~5 % of an XML scan and ~4 % of a CSV scan) and
// cross-module optimisation (ByteString, Value and Record calls from the engine get inlined).
// Measured on the bench corpus, 1 thread: CSV 3.0 s → 2.67 s → 2.52 s, XML 4.05 s → 3.5 s →
// 3.4 s, identical findings. Debug builds — the test suite, `make sanitize` — keep the checks, so
// an exclusivity violation still fails there.
//
// Access: the targets the engine's per-record calls cross into (Records, YAML, Readers, Findings,
// Engine) keep `public` declarations; the layers above (Outputs, State, Scan, the CLI) use
// `package`. With `package` everywhere, one `make bench` put the CSV scan at 1.2× the time of the
// earlier binary; that comparison timed the two binaries minutes apart on a shared VM, where the
// same binary later varied by 30 %, so it is a suspicion, not a proof (cross-module optimisation of
// `package` declarations). Keeping `public` on the hot targets is the conservative choice; with it
// the alternating comparison (BENCH_BEFORE, docs/performance.md) shows no slowdown. Nothing outside
// this package imports any target: no library product is declared.
let hot: [SwiftSetting] = strict + [.unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "Trennwand",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trennwand", targets: ["trennwand"]),
        .executable(name: "trennwand-bench", targets: ["trennwand-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries: module map over a shim header, nothing else.
        .systemLibrary(
            name: "CTrennwandLibXML2",
            path: "Sources/CTrennwandLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CTrennwandVectorscan",
            path: "Sources/CTrennwandVectorscan",
            pkgConfig: "libhs",
            providers: [.apt(["libvectorscan-dev"])]
        ),
        .systemLibrary(
            name: "CTrennwandZlib",
            path: "Sources/CTrennwandZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Build facts from the Makefile (git commit) for `--version`; "unknown" without make.
        .target(name: "CTrennwandBuildInfo", path: "Sources/CTrennwandBuildInfo"),
        // Canonical records: no dependencies.
        .target(name: "TrennwandRecords", swiftSettings: hot),
        // YAML data files (profiles, rules, policy, configuration) read with file:line:column.
        .target(
            name: "TrennwandYAML",
            dependencies: ["TrennwandRecords", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // Input readers: bytes in (plain, gzip or zip members), canonical records or rejections out.
        .target(
            name: "TrennwandReaders",
            dependencies: ["TrennwandRecords", "TrennwandYAML", "CTrennwandLibXML2", "CTrennwandZlib"],
            swiftSettings: hot
        ),
        // Findings: what a rule reports, independent of any output format.
        .target(
            name: "TrennwandFindings",
            dependencies: ["TrennwandRecords", "TrennwandYAML", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Rule engine: rule files, expression compiler, detectors, reference tables, policy.
        .target(
            name: "TrennwandEngine",
            dependencies: [
                "TrennwandRecords", "TrennwandYAML", "TrennwandFindings", "CTrennwandVectorscan",
            ],
            swiftSettings: hot
        ),
        // Outputs: findings streamed into SARIF, JUnit, JSON Lines, CSV, HTML and the terminal summary.
        .target(
            name: "TrennwandOutputs",
            dependencies: ["TrennwandFindings", "TrennwandRecords", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // Scan state: runs, input files, finding lifecycle, history and trend (SQLite through GRDB).
        .target(
            name: "TrennwandState",
            dependencies: ["TrennwandFindings", "TrennwandRecords", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // The scan as a library: planning (inputs, profiles, reference data), execution (scheduler,
        // units, ordered merge), collection (collector, spill), verdict (waivers, baseline, lifecycle,
        // exit reason) and report delivery. Frontends (the CLI) only parse and compose.
        .target(
            name: "TrennwandScan",
            dependencies: [
                "TrennwandRecords", "TrennwandYAML", "TrennwandReaders", "TrennwandFindings", "TrennwandEngine",
                "TrennwandOutputs", "TrennwandState", "TrennwandExecutor",
            ],
            swiftSettings: hot
        ),
        // Scale-out (issue 19): the logical plan of each rule, its SQL renderers (one folder per
        // dialect) and the export of records, reference and policy tables for SQL engines.
        // Source views (SQL/SourceView/) render CSV source profiles for DuckDB: Plan also reads Readers.
        .target(name: "TrennwandPlan", dependencies: ["TrennwandEngine", "TrennwandRecords", "TrennwandReaders"], swiftSettings: strict),
        // The batch executor (issue 20, docs/executor.md): the logical plan evaluated over column
        // batches. Above Plan; the scan runs its rules on it (`UnitEngine`).
        .target(name: "TrennwandExecutor", dependencies: ["TrennwandPlan", "TrennwandEngine", "TrennwandFindings", "TrennwandRecords"], swiftSettings: hot),
        // `scan --engine postgresql://…` (issue 19): connects through postgres-nio, loads the export
        // with COPY into a schema of its own per run and runs the rule queries. Above Plan; only the
        // CLI imports it.
        .target(
            name: "TrennwandPostgres",
            dependencies: [
                "TrennwandPlan", "TrennwandRecords", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "TrennwandPostgresTests", dependencies: ["TrennwandPostgres"], swiftSettings: strict),
        .testTarget(
            name: "TrennwandPlanTests",
            dependencies: ["TrennwandPlan", "TrennwandExecutor", "TrennwandEngine", "TrennwandRecords", "TrennwandFindings", "TrennwandYAML",
                           "TrennwandReaders"],
            swiftSettings: strict
        ),
        // The review workstation (`trennwand serve`): accounts, sessions, audit trail, views and
        // decisions over the state store, served over HTTP(S). Above State/Outputs; only the CLI
        // imports it.
        .target(
            name: "TrennwandServe",
            dependencies: [
                "TrennwandRecords", "TrennwandFindings", "TrennwandOutputs", "TrennwandState",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "trennwand",
            dependencies: [
                "TrennwandRecords", "TrennwandYAML", "TrennwandReaders", "TrennwandEngine", "TrennwandFindings",
                "TrennwandOutputs", "TrennwandState", "TrennwandScan", "TrennwandPlan", "TrennwandPostgres", "TrennwandServe",
                "CTrennwandBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hot
        ),
        .executableTarget(
            name: "trennwand-bench",
            dependencies: [
                "TrennwandRecords", "TrennwandReaders", "TrennwandEngine", "TrennwandFindings", "TrennwandState", "TrennwandScan", "TrennwandPlan",
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "TrennwandRecordsTests", dependencies: ["TrennwandRecords", "TrennwandYAML", .product(name: "Yams", package: "Yams")],
                    swiftSettings: strict),
        .testTarget(
            name: "TrennwandReadersTests",
            dependencies: ["TrennwandReaders", "TrennwandRecords", "TrennwandYAML"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrennwandEngineTests",
            dependencies: ["TrennwandEngine", "TrennwandReaders", "TrennwandRecords", "TrennwandFindings", "TrennwandYAML", "CTrennwandVectorscan"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrennwandFindingsTests",
            dependencies: ["TrennwandFindings", "TrennwandRecords", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrennwandOutputsTests",
            dependencies: ["TrennwandOutputs", "TrennwandFindings", "TrennwandRecords"],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrennwandStateTests",
            dependencies: ["TrennwandState", "TrennwandFindings", "TrennwandRecords"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrennwandScanTests",
            dependencies: [
                "TrennwandScan", "TrennwandEngine", "TrennwandReaders", "TrennwandFindings", "TrennwandRecords", "TrennwandOutputs",
                "TrennwandState", "TrennwandPlan", "TrennwandExecutor",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TrennwandServeTests",
            dependencies: [
                "TrennwandServe", "TrennwandScan", "TrennwandState", "TrennwandFindings", "TrennwandRecords",
                "TrennwandEngine", "TrennwandReaders",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "TrennwandCLITests", dependencies: ["TrennwandRecords"], swiftSettings: strict),
    ]
)
