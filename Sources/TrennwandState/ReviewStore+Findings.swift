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
        try await findingIndex().overview()
    }

    /// The filtered findings grouped by rule: most severe first, then rule id. Titles come from
    /// a stored payload of the rule (else the rule id).
    package func groups(_ filter: FindingFilter) async throws -> [FindingGroup] {
        try await listCache.groups(try await findingIndex(), filter)
    }

    /// The filtered findings in report order, at most `limit` after `offset`.
    package func findingRows(_ filter: FindingFilter, limit: Int = 500, offset: Int = 0) async throws -> [FindingRow] {
        try await listCache.rows(try await findingIndex(), filter, limit: limit, offset: offset)
    }

    /// The newest run (the overview), from the list view's snapshot.
    package func lastRun() async throws -> RunRecord? {
        try await findingIndex().lastRun
    }

    /// Distinct values of an evidence field (`traeger`, `system`) and the norms of open findings, for the filter form.
    package func facets() async throws -> (traeger: [String], system: [String], norms: [String]) {
        try await findingIndex().facets
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
