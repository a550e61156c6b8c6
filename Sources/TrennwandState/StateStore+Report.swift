import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// Which stored findings a report covers (issue #14: the state is the source of truth for reports).
package struct ReportSelection: Sendable, Hashable {
    /// The run the report belongs to: findings resolved by it are listed (nil: none by run).
    package var runID: Int64?
    /// `report --since` (UTC epoch seconds): only findings seen at or after this time (`last_seen`)
    /// and those resolved at or after it (instead of those resolved by `runID`).
    package var since: Int64?

    package init(runID: Int64?, since: Int64? = nil) {
        self.runID = runID
        self.since = since
    }
}

extension StateStore {
    /// Every finding open after the run (`new`, `open`, `reopened`, `waived`) and those resolved
    /// by it (with `since`: only those seen, or resolved, at or after that time), each with its lifecycle, in the
    /// report order: severity (critical first), rule, first locator's file and line, fingerprint.
    ///
    /// `body` gets the findings as a sequence that reads them from one database cursor inside one
    /// read transaction: a consistent snapshot (WAL: a scan writing meanwhile is not blocked and
    /// not seen), memory bounded by one finding at a time. `body` must not use the store itself.
    /// Findings stored without a payload (a store of schema v1, or a `--reveal` run) are rebuilt
    /// from their columns: rule texts from `rules` where the rule is known (else the rule id),
    /// the file as locator (line 0), the stored evidence summary as detail.
    /// `live` gives the run's own finding for a fingerprint where the report must show it rather
    /// than the stored one: a `--reveal` scan, whose unmasked findings the store does not keep.
    package func reportFindings<T>(_ selection: ReportSelection, rules: [String: RuleDescriptor] = [:],
                                   live: @escaping (String) -> Finding? = { _ in nil },
                                   _ body: (ReportFindings) throws -> T) throws -> T {
        do {
            return try db.read { db in
                let cursor = try Row.fetchCursor(db, sql: """
                    SELECT f.*, (SELECT GROUP_CONCAT(citation, char(10)) FROM
                                   (SELECT citation FROM finding_norm n WHERE n.fingerprint = f.fingerprint ORDER BY citation)) AS norm_list
                    FROM finding f
                    WHERE (f.status IN ('new', 'open', 'reopened', 'waived') AND (?1 IS NULL OR f.last_seen >= ?1))
                       OR (f.status = 'resolved' AND CASE WHEN ?1 IS NULL THEN f.resolved_run = ?2 ELSE f.updated_at >= ?1 END)
                    ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
                                             WHEN 'low' THEN 3 ELSE 4 END,
                             f.rule_id, COALESCE(f.locator_file, f.source_path), COALESCE(f.locator_line, 0), f.fingerprint
                    """, arguments: [selection.since, selection.runID])
                let findings = ReportFindings(cursor: cursor, rules: rules, live: live)
                let value = try body(findings)
                if let e = findings.error { throw e }
                return value
            }
        } catch {
            throw StateError.mapped(error, path: path)
        }
    }

    /// `reportFindings` collected into an array (tests and small stores).
    package func reportFindingList(_ selection: ReportSelection, rules: [String: RuleDescriptor] = [:]) throws
        -> [(finding: Finding, lifecycle: FindingLifecycle)] {
        try reportFindings(selection, rules: rules) { Array($0) }
    }

    /// The last run that finished (for `trennwand report`), and whether a run is running now.
    package func lastFinishedRun() throws -> (run: RunRecord?, running: Int64?) {
        let runs = try history(limit: 20)
        return (runs.first { $0.status == .finished }, runs.first { $0.status == .running }?.id)
    }

    /// Marks the open findings of files a run skipped as unchanged as still present
    /// (`updated_at = at`), so the retention purge does not drop a finding whose export is still
    /// presented to every run; status, `last_seen` and `last_run` stay (nothing was read).
    /// `paths` are the skipped paths and the paths their content was scanned under.
    @discardableResult
    package func keepSkippedFindings(paths: [String], at: Int64) throws -> Int {
        guard !paths.isEmpty else { return 0 }
        return try db.write { db in
            var n = 0
            for p in Set(paths.map(Masking.neutralised)).sorted() {
                try db.execute(sql: """
                    UPDATE finding SET updated_at = MAX(updated_at, ?)
                    WHERE status != 'resolved' AND fingerprint IN (SELECT fingerprint FROM finding_file WHERE path = ?)
                    """, arguments: [at, p])
                n += db.changesCount
            }
            return n
        }
    }

    /// Paths of the files holding findings of the report set whose latest scan is older than
    /// `runID` — for `trennwand report`: the files the report's findings were last checked in.
    package func filesNotScanned(in runID: Int64) throws -> [SkippedFile] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.path AS path, i.run_id AS run_id, i.scanned_at AS scanned_at FROM input_file i
                WHERE i.id = (SELECT MAX(j.id) FROM input_file j WHERE j.path = i.path)
                  AND (i.run_id IS NULL OR i.run_id < ?)
                  AND i.path IN (SELECT path FROM finding_file)
                ORDER BY i.path
                """, arguments: [runID]).map { SkippedFile(path: $0["path"], scannedInRun: $0["run_id"], scannedAt: $0["scanned_at"]) }
        }
    }
}

/// The stored findings of a report, read one at a time from a database cursor (`reportFindings`).
/// A read error ends the sequence; `reportFindings` then throws it.
package final class ReportFindings: Sequence, IteratorProtocol {
    private let cursor: RowCursor
    private let rules: [String: RuleDescriptor]
    private let live: (String) -> Finding?
    private(set) var error: Error?

    init(cursor: RowCursor, rules: [String: RuleDescriptor], live: @escaping (String) -> Finding? = { _ in nil }) {
        self.cursor = cursor
        self.rules = rules
        self.live = live
    }

    package func next() -> (finding: Finding, lifecycle: FindingLifecycle)? {
        guard error == nil else { return nil }
        do {
            guard let row = try cursor.next() else { return nil }
            return Self.entry(row, rules: rules, live: live)
        } catch {
            self.error = error
            return nil
        }
    }

    static func entry(_ row: Row, rules: [String: RuleDescriptor],
                      live: (String) -> Finding? = { _ in nil }) -> (finding: Finding, lifecycle: FindingLifecycle) {
        let status = FindingStatus(rawValue: row["status"]) ?? .open
        let lifecycle = FindingLifecycle(status: status, firstSeen: row["first_seen"], firstRun: row["first_run"],
                                         lastSeen: row["last_seen"], lastRun: row["last_run"], resolvedRun: row["resolved_run"])
        let fingerprint: String = row["fingerprint"]
        let occurrences: Int = row["occurrences"]
        if var f = live(fingerprint) {
            f.occurrences = Swift.max(f.occurrences, occurrences)
            return (f, lifecycle)
        }
        if let payload: String = row["payload"],
           var f = try? JSONDecoder().decode(Finding.self, from: Data(payload.utf8)), f.fingerprint == fingerprint {
            f.occurrences = Swift.max(f.occurrences, 1 + f.others.count)
            return (f, lifecycle)
        }
        return (rebuilt(row, rules: rules, occurrences: occurrences), lifecycle)
    }

    /// A finding stored without a payload, rebuilt from its columns.
    static func rebuilt(_ row: Row, rules: [String: RuleDescriptor], occurrences: Int) -> Finding {
        let ruleID: String = row["rule_id"]
        let rule = rules[ruleID]
        let citations = ((row["norm_list"] as String?) ?? "").split(separator: "\n").map(String.init)
        let norms = citations.map { c in
            rule?.norms.first { $0.citation == c } ?? Norm(citation: c, title: "", asOf: "")
        }
        let path: String = (row["locator_file"] as String?) ?? row["source_path"]
        let summary: String = row["evidence"]
        var f = Finding(ruleID: ruleID, title: rule?.title ?? Localized(de: ruleID, en: ruleID),
                        severity: Severity(rawValue: row["severity"]) ?? .info,
                        findingClass: FindingClass(rawValue: row["class"]) ?? .violation, norms: norms,
                        locator: Locator(file: path, line: (row["locator_line"] as Int?) ?? 0, byteOffset: 0, index: 0),
                        time: row["record_time"], evidence: [], persons: [:],
                        remediation: rule?.remediation ?? Localized(de: "", en: ""), fingerprint: row["fingerprint"],
                        detail: summary.isEmpty ? nil : Localized(de: "Nachweis (gespeichert): \(summary)",
                                                                  en: "evidence (stored): \(summary)"))
        f.occurrences = Swift.max(1, occurrences)
        return f
    }
}
