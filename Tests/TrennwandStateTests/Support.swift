import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandState

/// Test data: findings, accounts and a temporary store path.
enum Fixture {
    static func tempStorePath(_ name: String = "state") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-state-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(name).sqlite").path
    }

    static func finding(_ fp: String, rule: String = "TW105", severity: Severity = .high, file: String = "a.csv",
                        findingClass: FindingClass = .violation, norms: [String] = ["§ 35 Abs. 1 SGB I"], time: Int64? = nil) -> Finding {
        Finding(ruleID: rule, title: Localized(de: "Titel", en: "title"), severity: severity, findingClass: findingClass,
                norms: norms.map { Norm(citation: $0, title: "t", asOf: "2025-01-01") },
                locator: Locator(file: file, line: 2, byteOffset: 10, index: 1), time: time,
                evidence: [Evidence(field: "subject", detector: "kundennummer", value: "123D••••••")],
                persons: ["actor": "P-abc"], remediation: Localized(de: "tun", en: "do"), fingerprint: fp)
    }

    static func account(_ path: String, records: Int = 10, rejected: Int = 0, error: Bool = false) -> InputAccount {
        var a = InputAccount(file: path, profile: "verbis-zugriff")
        for _ in 0..<(records - rejected) { a.countNormalised() }
        for _ in 0..<rejected {
            a.reject(Rejection(locator: Locator(file: path, line: 1, byteOffset: 0, index: 1),
                               reason: RejectReason(code: "bad-date", de: "Datum", en: "date")))
        }
        if error {
            a.fileError = Rejection(locator: Locator(file: path, line: 0, byteOffset: 0, index: 0),
                                    reason: RejectReason(code: "unreadable", de: "unlesbar", en: "unreadable"))
        }
        return a
    }

    static func start(_ t: Int64 = 1_740_000_000, rules: String = "rp1", reference: String = "ref1", full: Bool = false) -> RunStart {
        RunStart(started: t, toolVersion: "test", configHash: "cfg", rulePackHash: rules, referenceHash: reference,
                 inputs: ["/data"], full: full)
    }
}

/// The data set of the kill test: `count` files; version 1 has findings k in 0..<perFile,
/// version 2 drops the first two and adds two (so v2 resolves, keeps open and adds new ones).
enum KillDataset {
    static let count = 120
    static let perFile = 30

    static func file(_ i: Int, version: Int) -> PlannedFile {
        PlannedFile(path: "/data/export-\(i).csv", size: Int64(1000 + i), hash: "hash-v\(version)-\(i)")
    }

    static func findingKeys(version: Int) -> Range<Int> { version == 1 ? 0..<perFile : 2..<(perFile + 2) }

    static func findings(_ i: Int, version: Int) -> [Finding] {
        findingKeys(version: version).map { k in
            Fixture.finding("fp-\(i)-\(k)", rule: "TW10\(k % 10)", severity: Severity.allCases[k % 5],
                            file: file(i, version: version).path, norms: ["§ 35 SGB I", "Art. \(k % 3 + 5) DSGVO"])
        }
    }

    /// One scan over all files of a version, as the CLI does it: plan, commit what must be scanned.
    static func scan(store: StateStore, version: Int, started: Int64, afterBegin: () -> Void = {}) throws {
        let run = try store.beginRun(Fixture.start(started))
        afterBegin()
        let files = (0..<count).map { file($0, version: version) }
        let decisions = try store.plan(files: files, rulePackHash: "rp1", referenceHash: "ref1")
        var skipped = 0
        for (i, d) in decisions.enumerated() {
            guard d.shouldScan else { skipped += 1; continue }
            try store.commitFile(runID: run.id, file: d.file, account: Fixture.account(d.file.path, records: 50),
                                 findings: findings(i, version: version), accessRecords: 50)
        }
        try store.finishRun(runID: run.id, exitCode: 1, filesSkipped: skipped, finished: started + 60)
    }
}
