import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

extension StateStore {
    /// Records one scanned file and the lifecycle of its findings in **one transaction**.
    ///
    /// - Parameters:
    ///   - runID: the live run (`beginRun`).
    ///   - file: path, size and content hash as planned.
    ///   - account: the file's accounting (records read/evaluated/rejected, profile, file error).
    ///   - findings: the findings whose source is this file (masked and pseudonymised already;
    ///     only rule, severity, class, norms and a masked evidence summary are stored).
    ///   - accessRecords: how many of the evaluated records are access-log records (the
    ///     denominator of "findings per 1,000 accesses"); 0 for documentation and flows.
    ///   - waived: fingerprints a waiver covers; they get status `waived`.
    ///   - storePayload: keep each finding's whole masked `Finding` (JSON, at most
    ///     `storedOccurrences` occurrences) for reports rendered from the store; false for
    ///     `--reveal` runs, whose findings are not masked: then neither the payload nor the
    ///     evidence summary is written (the store never holds a revealed value); a finding stored
    ///     before keeps the masked ones it has, a new one gets an empty summary.
    ///
    /// Lifecycle: a fingerprint never seen is `new`; seen by an earlier run it becomes `open`
    /// (`reopened` when it was `resolved`); seen again within the run that first saw it, it stays
    /// `new`. When the file was read completely (no file error), fingerprints that the previous
    /// scan of this path reported and that are missing now are removed from this path; a finding
    /// left in no file becomes `resolved`.
    @discardableResult
    package func commitFile(runID: Int64, file: PlannedFile, account: InputAccount, findings: [Finding],
                           accessRecords: Int = 0, waived: Set<String> = [], storePayload: Bool = true) throws -> FileCommit {
        guard liveRun == runID else { throw StateError.runNotActive(runID: runID) }
        // File names may carry control characters (a planted name): stored neutralised.
        var file = file
        file.path = Masking.neutralised(file.path)
        // Collapse by fingerprint (the pipeline does already; a caller may not).
        var byFingerprint: [String: (finding: Finding, occurrences: Int)] = [:]
        for f in findings {
            if let existing = byFingerprint[f.fingerprint] {
                byFingerprint[f.fingerprint] = (existing.finding, existing.occurrences + max(1, f.occurrences))
            } else {
                byFingerprint[f.fingerprint] = (f, max(1, f.occurrences))
            }
        }
        let complete = account.fileError == nil
        // Only the reason code: messages may quote values from the export.
        let fileError = account.fileError.map(\.reason.code)
        return try db.write { db -> FileCommit in
            guard let run = try Row.fetchOne(db, sql: "SELECT started, status, rule_pack_hash, reference_hash FROM run WHERE id = ?",
                                             arguments: [runID]),
                  (run["status"] as String) == RunStatus.running.rawValue
            else { throw StateError.runNotActive(runID: runID) }
            let now: Int64 = run["started"]
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM input_file WHERE run_id = ? AND path = ?", arguments: [runID, file.path]) != nil {
                throw StateError.duplicateFile(runID: runID, path: file.path)
            }
            let contentSeen = try Bool.fetchOne(db, sql: """
                SELECT 1 FROM input_file WHERE content_hash = ? AND file_error IS NULL LIMIT 1
                """, arguments: [file.hash]) != nil
            let firstOfContent = complete && !contentSeen
            try db.execute(sql: """
                INSERT INTO input_file (run_id, path, size, content_hash, profile, rule_pack_hash, reference_hash,
                  records_read, records_evaluated, records_rejected, access_records, file_error, findings,
                  first_of_content, scanned_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runID, file.path, file.size, file.hash, account.profile, run["rule_pack_hash"] as String,
                                 run["reference_hash"] as String, account.read, account.normalised, account.rejected,
                                 accessRecords, fileError, byFingerprint.count, firstOfContent, now])
            let fileID = db.lastInsertedRowID
            let previous = Set(try String.fetchAll(db, sql: "SELECT fingerprint FROM finding_file WHERE path = ?",
                                                   arguments: [file.path]))
            var statuses: [String: FindingStatus] = [:]
            for fp in byFingerprint.keys.sorted() {
                let (f, occurrences) = byFingerprint[fp]!
                let isWaived = waived.contains(fp)
                let payload = storePayload ? Self.payload(f, occurrences: occurrences) : nil
                let summary = storePayload ? Self.evidenceSummary(f) : ""
                let existing = try Row.fetchOne(db, sql: "SELECT status, last_run FROM finding WHERE fingerprint = ?",
                                                arguments: [fp])
                let status: FindingStatus
                if let existing {
                    let old = FindingStatus(rawValue: existing["status"]) ?? .open
                    let lastRun: Int64 = existing["last_run"]
                    if isWaived { status = .waived }
                    else if old == .resolved { status = .reopened }
                    else if lastRun == runID { status = old == .waived ? .open : old }
                    else { status = .open }
                    try db.execute(sql: """
                        UPDATE finding SET rule_id = ?, severity = ?, class = ?, source_path = ?, status = ?, last_run = ?,
                          last_seen = ?, updated_at = ?, resolved_run = CASE WHEN ? = 'reopened' THEN NULL ELSE resolved_run END,
                          seen_count = seen_count + 1, evidence = CASE WHEN ? THEN ? ELSE evidence END,
                          record_time = COALESCE(?, record_time), payload = CASE WHEN ? THEN ? ELSE payload END,
                          locator_file = ?, locator_line = ?
                        WHERE fingerprint = ?
                        """, arguments: [f.ruleID, f.severity.rawValue, f.findingClass.rawValue, file.path, status.rawValue,
                                         runID, now, now, status.rawValue, storePayload, summary, f.time,
                                         storePayload, payload, Masking.neutralised(f.locator.file), f.locator.line, fp])
                } else {
                    status = isWaived ? .waived : .new
                    try db.execute(sql: """
                        INSERT INTO finding (fingerprint, rule_id, severity, class, source_path, status, first_run, last_run,
                          first_seen, last_seen, updated_at, occurrences, seen_count, evidence, record_time,
                          payload, locator_file, locator_line)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?)
                        """, arguments: [fp, f.ruleID, f.severity.rawValue, f.findingClass.rawValue, file.path, status.rawValue,
                                         runID, runID, now, now, now, summary, f.time,
                                         payload, Masking.neutralised(f.locator.file), f.locator.line])
                }
                for citation in Set(f.norms.map(\.citation)) {
                    try db.execute(sql: "INSERT OR IGNORE INTO finding_norm (fingerprint, citation) VALUES (?, ?)",
                                   arguments: [fp, citation])
                }
                try db.execute(sql: """
                    INSERT INTO finding_file (fingerprint, path, occurrences) VALUES (?, ?, ?)
                    ON CONFLICT (fingerprint, path) DO UPDATE SET occurrences = excluded.occurrences
                    """, arguments: [fp, file.path, occurrences])
                try db.execute(sql: """
                    UPDATE finding SET occurrences = (SELECT COALESCE(SUM(occurrences), 0) FROM finding_file WHERE fingerprint = ?)
                    WHERE fingerprint = ?
                    """, arguments: [fp, fp])
                try Self.recordEvent(db, runID: runID, fingerprint: fp, status: status, fileID: fileID)
                statuses[fp] = status
            }
            var resolved: [String] = []
            if complete {
                for fp in previous.subtracting(byFingerprint.keys).sorted() {
                    try db.execute(sql: "DELETE FROM finding_file WHERE fingerprint = ? AND path = ?", arguments: [fp, file.path])
                    let remaining = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM finding_file WHERE fingerprint = ?",
                                                     arguments: [fp]) ?? 0
                    if remaining > 0 {
                        try db.execute(sql: """
                            UPDATE finding SET occurrences = (SELECT SUM(occurrences) FROM finding_file WHERE fingerprint = ?)
                            WHERE fingerprint = ?
                            """, arguments: [fp, fp])
                        continue
                    }
                    try db.execute(sql: """
                        UPDATE finding SET status = 'resolved', resolved_run = ?, updated_at = ?
                        WHERE fingerprint = ? AND status != 'resolved'
                        """, arguments: [runID, now, fp])
                    if db.changesCount > 0 {
                        try Self.recordEvent(db, runID: runID, fingerprint: fp, status: .resolved, fileID: fileID)
                        resolved.append(fp)
                    }
                }
            }
            try db.execute(sql: """
                UPDATE run SET files_scanned = files_scanned + 1, files_failed = files_failed + ?,
                  records_read = records_read + ?, records_evaluated = records_evaluated + ?,
                  records_rejected = records_rejected + ?, access_records = access_records + ?
                WHERE id = ?
                """, arguments: [complete ? 0 : 1, account.read, account.normalised, account.rejected, accessRecords, runID])
            return FileCommit(fileID: fileID, statuses: statuses, resolved: resolved)
        }
    }

    private static func recordEvent(_ db: Database, runID: Int64, fingerprint: String, status: FindingStatus, fileID: Int64) throws {
        try db.execute(sql: """
            INSERT INTO run_finding (run_id, fingerprint, status, file_id) VALUES (?, ?, ?, ?)
            ON CONFLICT (run_id, fingerprint) DO UPDATE SET status = excluded.status, file_id = excluded.file_id
            """, arguments: [runID, fingerprint, status.rawValue, fileID])
    }

    /// Occurrences stored per finding (the first included); beyond it only the count is kept
    /// (`Finding.occurrences`, `occurrencesTruncated`). 1,000 records are ~300 KB of JSON: a
    /// report from the store lists them, the scan's own outputs list up to 100,000.
    package static let storedOccurrences = 1_000

    /// The stored form of a finding: its JSON with at most `storedOccurrences` occurrences and
    /// the full count. The finding is masked already (`--reveal` runs store none).
    static func payload(_ f: Finding, occurrences: Int) -> String? {
        var f = f
        if f.others.count >= Self.storedOccurrences { f.others = Array(f.others.prefix(Self.storedOccurrences - 1)) }
        f.occurrences = max(occurrences, 1 + f.others.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(f) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// A short summary of the (already masked) evidence: `field[detector]=value; …`, at most 500
    /// characters, control characters neutralised. Person fields appear in it as their keyed
    /// pseudonyms (as in every output); free detail texts are not stored.
    static func evidenceSummary(_ f: Finding) -> String {
        let parts = f.evidence.map { e in
            "\(e.field)\(e.detector.map { "[\($0)]" } ?? "")=\(e.value)"
        }
        let text = Masking.neutralised(parts.joined(separator: "; "))
        return text.count > 500 ? String(text.prefix(499)) + "…" : text
    }
}
