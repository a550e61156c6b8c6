import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandState

/// `trennwand-bench serve-state --from SEED --out FILE --findings N [--runs R]`: a state store of N
/// findings for the load test of `trennwand serve` (scripts/bench-serve.sh). Never a timed test.
///
/// The findings are the masked findings of a real scan (SEED, a store written by `trennwand scan
/// --state`, normally of the Samples), cloned until there are N distinct ones: each clone gets a
/// fingerprint of its own, a line of its own and a record time in its run's month, and keeps the
/// template's rule, severity, norms, evidence, persons and merged occurrences. So the pages render
/// what a scan stores, at a size no Samples scan reaches. They arrive through the store's own
/// lifecycle (`beginRun`/`commitFile`/`finishRun`) in R runs a month apart, N/R new findings each;
/// each run re-reads the previous run's files with a tenth of their findings gone (→ `open` and
/// `resolved` statuses, a per-month trend), as a monthly scheduled scan would.
enum ServeStateGenerator {
    /// Findings per generated input file (the store commits one transaction per file).
    static let perFile = 5_000

    static func run(from seedPath: String, out: String, findings total: Int, runs: Int) throws {
        let seed = try StateStore(path: seedPath, readOnly: true, mustExist: true)
        guard let last = try seed.lastFinishedRun().run else { throw GeneratorError("\(seedPath): no finished run") }
        let templates = try seed.reportFindingList(ReportSelection(runID: last.id)).map(\.finding)
            .filter { $0.locator.line > 0 }
        guard !templates.isEmpty else { throw GeneratorError("\(seedPath): no findings to clone") }
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: out + suffix) }
        let store = try StateStore(path: out)
        let runs = max(1, runs)
        let start: Int64 = 1_735_689_600  // 2025-01-01T00:00:00Z
        let month: Int64 = 30 * 86_400
        var made = 0
        var previous: [(file: PlannedFile, findings: [Finding])] = []
        for r in 0..<runs {
            let started = start + Int64(r) * month
            let handle = try store.beginRun(RunStart(started: started, toolVersion: "bench", rulePackHash: "bench",
                                                     referenceHash: "bench", inputs: ["bench"], full: false))
            // The previous run's files again, a tenth of each file's findings gone.
            for (file, findings) in previous {
                let kept = findings.enumerated().filter { $0.offset % 10 != 9 }.map(\.element)
                try commit(store, run: handle.id, file: file, findings: kept)
            }
            var current: [(file: PlannedFile, findings: [Finding])] = []
            let share = (total - made) / (runs - r)
            var left = share
            var fileNo = 0
            while left > 0 {
                let count = min(perFile, left)
                let path = String(format: "bench/run%02d/Zugriffe-%03d.csv", r + 1, fileNo)
                var findings: [Finding] = []
                findings.reserveCapacity(count)
                for i in 0..<count {
                    findings.append(clone(templates[(made + i) % templates.count], number: made + i, file: path,
                                          line: i + 2, monthStart: started))
                }
                let file = PlannedFile(path: path, size: Int64(count) * 200, hash: hex(sha: "\(path)#\(r)"))
                try commit(store, run: handle.id, file: file, findings: findings)
                current.append((file, findings))
                made += count
                left -= count
                fileNo += 1
            }
            try store.finishRun(runID: handle.id, exitCode: 1, filesSkipped: 0, finished: started + 600)
            previous = current
            print("run \(r + 1): \(made) findings made")
        }
        print("wrote \(out): \(made) findings in \(runs) runs (templates: \(templates.count) findings of \(seedPath))")
    }

    static func commit(_ store: StateStore, run: Int64, file: PlannedFile, findings: [Finding]) throws {
        var account = InputAccount(file: file.path, profile: "traeger-zugriffe")
        account.read = findings.count * 20
        account.normalised = findings.count * 20
        try store.commitFile(runID: run, file: file, account: account, findings: findings, accessRecords: findings.count * 20)
    }

    /// A copy of `template` as the `number`-th finding: its own fingerprint, place and time.
    static func clone(_ template: Finding, number: Int, file: String, line: Int, monthStart: Int64) -> Finding {
        var f = template
        f.fingerprint = String(hex(sha: "\(template.fingerprint)#\(number)").prefix(template.fingerprint.count))
        f.locator.file = file
        f.locator.line = line
        f.locator.index = line - 1
        f.locator.byteOffset = Int64(line) * 200
        let time = monthStart + Int64(number % 2_500_000)
        f.time = template.time == nil ? nil : time
        f.others = f.others.enumerated().map { i, o in
            var o = o
            o.locator.file = file
            o.locator.line = line
            o.time = o.time == nil ? nil : time + Int64(i + 1) * 60
            return o
        }
        return f
    }

    static func hex(sha text: String) -> String {
        var h = ContentHash()
        h.update(Data(text.utf8))
        return h.hex()
    }

    struct GeneratorError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
