import Foundation
import GRDB
import TrennwandFindings
import TrennwandRecords

/// Which findings a page of the review workspace shows (GET query parameters).
package struct FindingFilter: Sendable, Hashable {
    package var severity: Severity?
    /// nil: every finding open after the last run (new, open, reopened, waived), as the report.
    package var status: FindingStatus?
    package var rule: String?
    /// Evidence field `traeger` equal to this value.
    package var traeger: String?
    /// Evidence field `system` equal to this value.
    package var system: String?
    /// A norm citation of the finding (exact).
    package var norm: String?
    /// Time of the record (else of detection), UTC epoch seconds: from (inclusive), to (exclusive).
    package var from: Int64?
    package var to: Int64?
    /// Latest decision on record.
    package var decision: DecisionFilter?

    package enum DecisionFilter: Sendable, Hashable {
        case none
        case any
        case kind(WaiverDecision)
    }

    package init(severity: Severity? = nil, status: FindingStatus? = nil, rule: String? = nil, traeger: String? = nil,
                 system: String? = nil, norm: String? = nil, from: Int64? = nil, to: Int64? = nil, decision: DecisionFilter? = nil) {
        self.severity = severity
        self.status = status
        self.rule = rule
        self.traeger = traeger
        self.system = system
        self.norm = norm
        self.from = from
        self.to = to
        self.decision = decision
    }

    /// The WHERE clause over `finding f` and its arguments.
    func sql() -> (String, StatementArguments) {
        var clauses: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        if let status {
            clauses.append("f.status = ?")
            args.append(status.rawValue)
        } else {
            clauses.append("f.status IN ('new', 'open', 'reopened', 'waived')")
        }
        if let severity {
            clauses.append("f.severity = ?")
            args.append(severity.rawValue)
        }
        if let rule {
            clauses.append("f.rule_id = ?")
            args.append(rule.uppercased())
        }
        for (field, value) in [("traeger", traeger), ("system", system)] {
            guard let value else { continue }
            clauses.append("""
                EXISTS (SELECT 1 FROM json_each(f.payload, '$.evidence') e
                        WHERE json_extract(e.value, '$.field') = '\(field)' AND json_extract(e.value, '$.value') = ?)
                """)
            args.append(value)
        }
        if let norm {
            clauses.append("EXISTS (SELECT 1 FROM finding_norm n WHERE n.fingerprint = f.fingerprint AND n.citation = ?)")
            args.append(norm)
        }
        if let from {
            clauses.append("COALESCE(f.record_time, f.first_seen) >= ?")
            args.append(from)
        }
        if let to {
            clauses.append("COALESCE(f.record_time, f.first_seen) < ?")
            args.append(to)
        }
        switch decision {
        case nil: break
        case .none?: clauses.append("NOT EXISTS (SELECT 1 FROM decision d WHERE d.fingerprint = f.fingerprint)")
        case .any?: clauses.append("EXISTS (SELECT 1 FROM decision d WHERE d.fingerprint = f.fingerprint)")
        case .kind(let k)?:
            clauses.append("(SELECT d.kind FROM decision d WHERE d.fingerprint = f.fingerprint ORDER BY d.id DESC LIMIT 1) = ?")
            args.append(k.rawValue)
        }
        return (clauses.joined(separator: " AND "), StatementArguments(args))
    }
}

/// Counts of the overview: findings open after the last run by severity and status.
package struct ReviewOverview: Sendable, Hashable {
    package var counts: [Severity: [FindingStatus: Int]]
    package var decided: Int
    package var total: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }
}

/// One rule's findings in the grouped list.
package struct FindingGroup: Sendable, Hashable {
    package var ruleID: String
    package var title: Localized
    package var severity: Severity
    package var count: Int
    package var decided: Int
}

/// One finding as a list row.
package struct FindingRow: Sendable, Hashable {
    package var fingerprint: String
    package var ruleID: String
    package var severity: Severity
    package var status: FindingStatus
    package var file: String
    package var line: Int
    package var occurrences: Int
    package var firstSeen: Int64
    package var recordTime: Int64?
    package var decision: WaiverDecision?
}

/// A finding's page: the stored finding, its lifecycle, the runs that changed it, its decisions.
package struct FindingDetail: Sendable {
    package var finding: Finding
    package var lifecycle: FindingLifecycle
    /// (run id, run start, status the run gave it), oldest first.
    package var events: [(run: Int64, started: Int64, status: FindingStatus)]
    /// Newest first.
    package var decisions: [ReviewDecision]
}

extension ReviewStore {
    /// Severity × status counts of the findings open after the last run.
    package func overview() async throws -> ReviewOverview {
        try await read { db in
            var counts: [Severity: [FindingStatus: Int]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT severity, status, COUNT(*) AS n FROM finding
                WHERE status IN ('new', 'open', 'reopened', 'waived') GROUP BY severity, status
                """) {
                guard let s = Severity(rawValue: row["severity"]), let st = FindingStatus(rawValue: row["status"]) else { continue }
                counts[s, default: [:]][st] = row["n"]
            }
            let decided = try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT f.fingerprint) FROM finding f JOIN decision d ON d.fingerprint = f.fingerprint
                WHERE f.status IN ('new', 'open', 'reopened', 'waived')
                """) ?? 0
            return ReviewOverview(counts: counts, decided: decided)
        }
    }

    /// The filtered findings grouped by rule: most severe first, then rule id. Titles come from
    /// the newest stored payload of the rule (else the rule id).
    package func groups(_ filter: FindingFilter) async throws -> [FindingGroup] {
        let (whereSQL, args) = filter.sql()
        return try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.rule_id AS rule_id,
                  MIN(CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END) AS rank,
                  COUNT(*) AS n,
                  SUM(EXISTS (SELECT 1 FROM decision d WHERE d.fingerprint = f.fingerprint)) AS decided,
                  (SELECT json_extract(g.payload, '$.title.de') FROM finding g WHERE g.rule_id = f.rule_id AND g.payload IS NOT NULL LIMIT 1) AS title_de,
                  (SELECT json_extract(g.payload, '$.title.en') FROM finding g WHERE g.rule_id = f.rule_id AND g.payload IS NOT NULL LIMIT 1) AS title_en
                FROM finding f WHERE \(whereSQL)
                GROUP BY f.rule_id ORDER BY rank, f.rule_id
                """, arguments: args).map { row in
                let rule: String = row["rule_id"]
                let rank: Int = row["rank"]
                let order: [Severity] = [.critical, .high, .medium, .low, .info]
                return FindingGroup(ruleID: rule, title: Localized(de: row["title_de"] ?? rule, en: row["title_en"] ?? rule),
                                    severity: order[min(max(rank, 0), 4)], count: row["n"], decided: row["decided"])
            }
        }
    }

    /// The filtered findings in report order, at most `limit` after `offset`.
    package func findingRows(_ filter: FindingFilter, limit: Int = 500, offset: Int = 0) async throws -> [FindingRow] {
        let (whereSQL, args) = filter.sql()
        return try await read { db in
            var arguments = args
            arguments += [limit, offset]
            return try Row.fetchAll(db, sql: """
                SELECT f.fingerprint, f.rule_id, f.severity, f.status, COALESCE(f.locator_file, f.source_path) AS file,
                  COALESCE(f.locator_line, 0) AS line, f.occurrences, f.first_seen, f.record_time,
                  (SELECT d.kind FROM decision d WHERE d.fingerprint = f.fingerprint ORDER BY d.id DESC LIMIT 1) AS decision
                FROM finding f WHERE \(whereSQL)
                ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,
                  f.rule_id, file, line, f.fingerprint
                LIMIT ? OFFSET ?
                """, arguments: arguments).map { row in
                FindingRow(fingerprint: row["fingerprint"], ruleID: row["rule_id"], severity: Severity(rawValue: row["severity"]) ?? .info,
                           status: FindingStatus(rawValue: row["status"]) ?? .open, file: row["file"], line: row["line"],
                           occurrences: row["occurrences"], firstSeen: row["first_seen"], recordTime: row["record_time"],
                           decision: (row["decision"] as String?).flatMap(WaiverDecision.init(rawValue:)))
            }
        }
    }

    /// Distinct values of an evidence field (`traeger`, `system`) and the norms of open findings, for the filter form.
    package func facets() async throws -> (traeger: [String], system: [String], norms: [String]) {
        try await read { db in
            func values(_ field: String) throws -> [String] {
                try String.fetchAll(db, sql: """
                    SELECT DISTINCT json_extract(e.value, '$.value') AS v FROM finding f, json_each(f.payload, '$.evidence') e
                    WHERE f.status IN ('new', 'open', 'reopened', 'waived') AND json_extract(e.value, '$.field') = ?
                      AND v IS NOT NULL ORDER BY v LIMIT 200
                    """, arguments: [field])
            }
            let norms = try String.fetchAll(db, sql: """
                SELECT DISTINCT n.citation FROM finding_norm n JOIN finding f ON f.fingerprint = n.fingerprint
                WHERE f.status IN ('new', 'open', 'reopened', 'waived') ORDER BY n.citation LIMIT 300
                """)
            return (try values("traeger"), try values("system"), norms)
        }
    }

    /// One finding with its history and decisions; nil when the store does not hold it.
    package func findingDetail(fingerprint: String, rules: [String: RuleDescriptor] = [:]) async throws -> FindingDetail? {
        let fp = fingerprint.lowercased()
        return try await read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT f.*, (SELECT GROUP_CONCAT(citation, char(10)) FROM
                               (SELECT citation FROM finding_norm n WHERE n.fingerprint = f.fingerprint ORDER BY citation)) AS norm_list
                FROM finding f WHERE f.fingerprint = ?
                """, arguments: [fp]) else { return nil }
            let entry = ReportFindings.entry(row, rules: rules)
            let events = try Row.fetchAll(db, sql: """
                SELECT e.run_id, r.started, e.status FROM run_finding e LEFT JOIN run r ON r.id = e.run_id
                WHERE e.fingerprint = ? ORDER BY e.run_id
                """, arguments: [fp]).map { r -> (run: Int64, started: Int64, status: FindingStatus) in
                (r["run_id"], (r["started"] as Int64?) ?? 0, FindingStatus(rawValue: r["status"]) ?? .open)
            }
            let decisions = try Self.decisions(db, fingerprint: fp)
            return FindingDetail(finding: entry.finding, lifecycle: entry.lifecycle, events: events, decisions: decisions)
        }
    }
}
