import Foundation
import GRDB
import Synchronization
import TrennwandFindings
import TrennwandRecords

/// The review workspace's list view of every stored finding, held in memory: the grouped list,
/// the rule lists, the filter facets and the overview counts are computed from it.
///
/// Why: these pages filter and group all findings of a store (100,000 and more for a large
/// Träger after a year), and the facets (Träger, system) live in each finding's JSON payload. Asked
/// of SQLite per request that meant a pass over the whole table and its payloads — seconds per
/// page at 100,000 findings, and 32 browsers queue behind it. The list columns are small (about
/// 200 bytes a finding), change only when a scan commits or a decision is recorded, and a pass
/// over them in memory takes about a millisecond. The index is rebuilt when its `Key` changes:
/// the findings part after a scan committed a file or finished (run and input-file ids, the
/// newest `updated_at`), the decisions part alone after a decision. The snapshot is immutable,
/// so concurrent requests share it without locks.
package struct FindingIndex: Sendable {
    /// What the snapshot was built from: it is current while a fresh key equals it.
    package struct Key: Sendable, Hashable {
        var lastRun: Int64?
        var lastRunStatus: String?
        var lastInputFile: Int64?
        var lastUpdate: Int64?
        var lastDecision: Int64?

        /// Five indexed maxima: microseconds, asked once per request.
        static func fetch(_ db: Database) throws -> Key {
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT MAX(id) FROM run) AS run, (SELECT status FROM run ORDER BY id DESC LIMIT 1) AS status,
                       (SELECT MAX(id) FROM input_file) AS file, (SELECT MAX(updated_at) FROM finding) AS updated,
                       (SELECT MAX(id) FROM decision) AS decision
                """)
            return Key(lastRun: row?["run"], lastRunStatus: row?["status"], lastInputFile: row?["file"],
                       lastUpdate: row?["updated"], lastDecision: row?["decision"])
        }

        func sameFindings(_ other: Key) -> Bool {
            lastRun == other.lastRun && lastRunStatus == other.lastRunStatus && lastInputFile == other.lastInputFile
                && lastUpdate == other.lastUpdate
        }
    }

    /// One finding's list columns. Evidence values and norms are ids into `values`/`norms`.
    struct Entry: Sendable {
        var fingerprint: String
        var ruleID: String
        /// Position of `ruleID` in `rules` (grouping without hashing strings).
        var rule: Int32 = 0
        /// `status` is one of `openStatuses` (the default list).
        var isListed = false
        var severity: Severity
        var status: FindingStatus
        var file: String
        var line: Int
        var occurrences: Int
        var firstSeen: Int64
        var recordTime: Int64?
        var traeger: [Int32] = []
        var system: [Int32] = []
        var norms: [Int32] = []

        /// The time the filter's from/to compare: the record's, else the detection's.
        var time: Int64 { recordTime ?? firstSeen }
    }

    let key: Key
    let entries: [Entry]
    /// Rule ids by `Entry.rule`.
    let rules: [String]
    /// Entry positions in report order (severity, rule, file, line, fingerprint).
    let order: [Int]
    /// Latest decision per entry position.
    let decisions: [WaiverDecision?]
    /// Evidence values (`traeger`, `system`) and norm citations by id.
    let values: [String]
    let valueIDs: [String: Int32]
    let norms: [String]
    let normIDs: [String: Int32]
    /// Rule id → title of a stored payload of that rule.
    let titles: [String: Localized]
    /// The newest run (the overview's first lines), read with the findings it left.
    package let lastRun: RunRecord?
    /// The filter form's choices (open findings only), computed once per snapshot.
    package let facets: (traeger: [String], system: [String], norms: [String])

    static let openStatuses: Set<FindingStatus> = [.new, .open, .reopened, .waived]

    // MARK: - Building

    /// Reads the list columns of every stored finding (one pass; the payload only for evidence
    /// fields `traeger` and `system`) and the decisions.
    /// The key is read in the same transaction as the rows, so it always describes them.
    static func build(_ db: Database, reusing previous: FindingIndex?) throws -> FindingIndex {
        let key = try Key.fetch(db)
        if let previous, previous.key.sameFindings(key) {
            return FindingIndex(key: key, entries: previous.entries, rules: previous.rules, order: previous.order,
                                decisions: try latestDecisions(db, entries: previous.entries),
                                values: previous.values, valueIDs: previous.valueIDs, norms: previous.norms,
                                normIDs: previous.normIDs, titles: previous.titles, lastRun: previous.lastRun, facets: previous.facets)
        }
        var entries: [Entry] = []
        var position: [String: Int] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT fingerprint, rule_id, severity, status, COALESCE(locator_file, source_path) AS file,
                   COALESCE(locator_line, 0) AS line, occurrences, first_seen, record_time FROM finding
            """)
        while let row = try rows.next() {
            let fp: String = row["fingerprint"]
            position[fp] = entries.count
            entries.append(Entry(fingerprint: fp, ruleID: row["rule_id"], severity: Severity(rawValue: row["severity"]) ?? .info,
                                 status: FindingStatus(rawValue: row["status"]) ?? .open, file: row["file"] ?? "",
                                 line: row["line"], occurrences: row["occurrences"], firstSeen: row["first_seen"],
                                 recordTime: row["record_time"]))
        }
        var rules: [String] = [], ruleIDs: [String: Int32] = [:]
        for i in entries.indices {
            let r = entries[i].ruleID
            if let id = ruleIDs[r] {
                entries[i].rule = id
            } else {
                entries[i].rule = Int32(rules.count)
                ruleIDs[r] = Int32(rules.count)
                rules.append(r)
            }
            entries[i].isListed = openStatuses.contains(entries[i].status)
        }
        var values: [String] = [], valueIDs: [String: Int32] = [:]
        func valueID(_ v: String) -> Int32 {
            if let id = valueIDs[v] { return id }
            let id = Int32(values.count)
            values.append(v)
            valueIDs[v] = id
            return id
        }
        let evidence = try Row.fetchCursor(db, sql: """
            SELECT f.fingerprint AS fp, json_extract(e.value, '$.field') AS field, json_extract(e.value, '$.value') AS value
            FROM finding f, json_each(f.payload, '$.evidence') e
            WHERE f.payload IS NOT NULL AND json_extract(e.value, '$.field') IN ('traeger', 'system')
            """)
        while let row = try evidence.next() {
            guard let i = position[row["fp"]], let value: String = row["value"] else { continue }
            let id = valueID(value)
            if (row["field"] as String?) == "traeger" {
                if !entries[i].traeger.contains(id) { entries[i].traeger.append(id) }
            } else if !entries[i].system.contains(id) {
                entries[i].system.append(id)
            }
        }
        var norms: [String] = [], normIDs: [String: Int32] = [:]
        let citations = try Row.fetchCursor(db, sql: "SELECT fingerprint, citation FROM finding_norm")
        while let row = try citations.next() {
            guard let i = position[row["fingerprint"]] else { continue }
            let citation: String = row["citation"]
            let id: Int32
            if let known = normIDs[citation] {
                id = known
            } else {
                id = Int32(norms.count)
                norms.append(citation)
                normIDs[citation] = id
            }
            entries[i].norms.append(id)
        }
        var titles: [String: Localized] = [:]
        for rule in rules {
            if let row = try Row.fetchOne(db, sql: """
                SELECT json_extract(payload, '$.title.de') AS de, json_extract(payload, '$.title.en') AS en
                FROM finding WHERE rule_id = ? AND payload IS NOT NULL LIMIT 1
                """, arguments: [rule]), let de: String = row["de"] {
                titles[rule] = Localized(de: de, en: row["en"] ?? de)
            }
        }
        let order = entries.indices.sorted { a, b in Self.reportOrder(entries[a], entries[b]) }
        // Facets: values of open findings, byte order as SQLite sorts text, bounded as the form is.
        var openTraeger = Set<Int32>(), openSystem = Set<Int32>(), openNorms = Set<Int32>()
        for e in entries where e.isListed {
            openTraeger.formUnion(e.traeger)
            openSystem.formUnion(e.system)
            openNorms.formUnion(e.norms)
        }
        func sorted(_ ids: Set<Int32>, _ table: [String], limit: Int) -> [String] {
            Array(ids.map { table[Int($0)] }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.prefix(limit))
        }
        let facets = (sorted(openTraeger, values, limit: 200), sorted(openSystem, values, limit: 200), sorted(openNorms, norms, limit: 300))
        return FindingIndex(key: key, entries: entries, rules: rules, order: order, decisions: try latestDecisions(db, entries: entries),
                            values: values, valueIDs: valueIDs, norms: norms, normIDs: normIDs, titles: titles,
                            lastRun: try StateStore.history(db, limit: 1).first, facets: facets)
    }

    /// The newest decision's kind per entry position.
    static func latestDecisions(_ db: Database, entries: [Entry]) throws -> [WaiverDecision?] {
        var latest: [String: WaiverDecision] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT fingerprint, kind FROM decision ORDER BY id")
        while let row = try rows.next() {
            if let kind = WaiverDecision(rawValue: row["kind"]) { latest[row["fingerprint"]] = kind }
        }
        return entries.map { latest[$0.fingerprint] }
    }

    /// The report's order: severity (critical first), rule, file, line, fingerprint (byte order).
    static func reportOrder(_ a: Entry, _ b: Entry) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.ruleID != b.ruleID { return a.ruleID.utf8.lexicographicallyPrecedes(b.ruleID.utf8) }
        if a.file != b.file { return a.file.utf8.lexicographicallyPrecedes(b.file.utf8) }
        if a.line != b.line { return a.line < b.line }
        return a.fingerprint.utf8.lexicographicallyPrecedes(b.fingerprint.utf8)
    }

    // MARK: - Queries

    /// Whether entry `i` passes `filter` (the semantics of the filter form, docs/serve.md).
    func matches(_ i: Int, _ filter: CompiledFilter) -> Bool {
        if let status = filter.status { if entries[i].status != status { return false } } else if !entries[i].isListed { return false }
        if let s = filter.severity, entries[i].severity != s { return false }
        if let r = filter.rule, entries[i].rule != r { return false }
        if let t = filter.traeger, !entries[i].traeger.contains(t) { return false }
        if let s = filter.system, !entries[i].system.contains(s) { return false }
        if let n = filter.norm, !entries[i].norms.contains(n) { return false }
        if filter.from != nil || filter.to != nil {
            let time = entries[i].time
            if let from = filter.from, time < from { return false }
            if let to = filter.to, time >= to { return false }
        }
        switch filter.decision {
        case nil: break
        case .none?: if decisions[i] != nil { return false }
        case .any?: if decisions[i] == nil { return false }
        case .kind(let k)?: if decisions[i] != k { return false }
        }
        return true
    }

    /// A filter with its values resolved to this snapshot's ids; nil when a value names nothing
    /// stored (then no finding matches).
    struct CompiledFilter {
        var status: FindingStatus?
        var severity: Severity?
        var rule: Int32?
        var traeger: Int32?
        var system: Int32?
        var norm: Int32?
        var from: Int64?
        var to: Int64?
        var decision: FindingFilter.DecisionFilter?
    }

    func compile(_ f: FindingFilter) -> CompiledFilter? {
        var c = CompiledFilter(status: f.status, severity: f.severity, from: f.from, to: f.to, decision: f.decision)
        if let r = f.rule { guard let id = rules.firstIndex(of: r.uppercased()) else { return nil }; c.rule = Int32(id) }
        if let t = f.traeger { guard let id = valueIDs[t] else { return nil }; c.traeger = id }
        if let s = f.system { guard let id = valueIDs[s] else { return nil }; c.system = id }
        if let n = f.norm { guard let id = normIDs[n] else { return nil }; c.norm = id }
        return c
    }

    package func groups(_ filter: FindingFilter) -> [FindingGroup] {
        guard let c = compile(filter) else { return [] }
        var count = [Int](repeating: 0, count: rules.count), decided = count
        var severity = [Severity](repeating: .info, count: rules.count)
        for i in entries.indices where matches(i, c) {
            let r = Int(entries[i].rule)
            count[r] += 1
            if decisions[i] != nil { decided[r] += 1 }
            if entries[i].severity > severity[r] { severity[r] = entries[i].severity }
        }
        return rules.indices.filter { count[$0] > 0 }.map { r in
            FindingGroup(ruleID: rules[r], title: titles[rules[r]] ?? Localized(de: rules[r], en: rules[r]),
                         severity: severity[r], count: count[r], decided: decided[r])
        }.sorted { a, b in
            a.severity != b.severity ? a.severity > b.severity : a.ruleID.utf8.lexicographicallyPrecedes(b.ruleID.utf8)
        }
    }

    package func rows(_ filter: FindingFilter, limit: Int, offset: Int) -> [FindingRow] {
        guard let c = compile(filter), limit > 0 else { return [] }
        var out: [FindingRow] = []
        var skipped = 0
        for i in order where matches(i, c) {
            if skipped < offset { skipped += 1; continue }
            let e = entries[i]
            out.append(FindingRow(fingerprint: e.fingerprint, ruleID: e.ruleID, severity: e.severity, status: e.status, file: e.file,
                                  line: e.line, occurrences: e.occurrences, firstSeen: e.firstSeen, recordTime: e.recordTime,
                                  decision: decisions[i]))
            if out.count == limit { break }
        }
        return out
    }

    /// `ReviewStore.detectionTrend` from the snapshot: the rule's findings of every status by
    /// Berlin month of first detection. Detection times are run starts (few distinct values),
    /// so each distinct time is converted to its month once.
    package func detectionTrend(rule: String, limit: Int) -> DetectionTrend {
        guard let r = rules.firstIndex(of: rule.uppercased()).map(Int32.init) else { return DetectionTrend(months: [], earlier: 0) }
        var byTime: [Int64: Int] = [:]
        for i in entries.indices where entries[i].rule == r { byTime[entries[i].firstSeen, default: 0] += 1 }
        var byMonth: [Int: Int] = [:]
        for (t, n) in byTime { byMonth[ReviewStore.monthIndex(t), default: 0] += n }
        guard let first = byMonth.keys.min(), let last = byMonth.keys.max() else { return DetectionTrend(months: [], earlier: 0) }
        let window = max(first, last - max(limit, 1) + 1)...last
        let months = window.map { DetectionTrend.Month(year: $0 / 12, month: $0 % 12 + 1, count: byMonth[$0] ?? 0) }
        let earlier = byMonth.filter { $0.key < window.lowerBound }.values.reduce(0, +)
        return DetectionTrend(months: months, earlier: earlier)
    }

    /// Counted into flat arrays (severity × status ordinals), then into the page's dictionaries.
    package func overview() -> ReviewOverview {
        let severities = Severity.allCases, statuses = FindingStatus.allCases
        var cells = [Int](repeating: 0, count: severities.count * statuses.count)
        var decided = 0
        for i in entries.indices where entries[i].isListed {
            let s = severities.firstIndex(of: entries[i].severity)!, st = statuses.firstIndex(of: entries[i].status)!
            cells[s * statuses.count + st] += 1
            if decisions[i] != nil { decided += 1 }
        }
        var counts: [Severity: [FindingStatus: Int]] = [:]
        for (s, severity) in severities.enumerated() {
            for (st, status) in statuses.enumerated() where cells[s * statuses.count + st] > 0 {
                counts[severity, default: [:]][status] = cells[s * statuses.count + st]
            }
        }
        return ReviewOverview(counts: counts, decided: decided)
    }
}

/// The current `FindingIndex` of one store, rebuilt at most once per change however many
/// requests ask at the same time, and the answers to the last filters asked of it (browsers of
/// a team ask the same few pages; an answer is kept until the snapshot changes).
///
/// Freshness: a snapshot confirmed current (its key read again) is trusted for `trustFor`
/// without asking the store — but never after a write of this process (`changed()`: a decision
/// is on the next page at once). A scan in another process shows within `trustFor`.
actor FindingIndexCache {
    private var current: FindingIndex?
    private var building: (key: FindingIndex.Key, task: Task<FindingIndex, Error>)?
    /// When `current` was last confirmed, and the write generation it was confirmed at.
    private var confirmed: (at: ContinuousClock.Instant, generation: Int)?
    /// Counts this process's writes (`ReviewStore.write`): bumped without waiting for the actor.
    nonisolated let writes = Atomic<Int>(0)
    static let trustFor: Duration = .seconds(1)

    nonisolated func changed() { writes.add(1, ordering: .sequentiallyConsistent) }

    /// The snapshot, when it was confirmed less than `trustFor` ago and nothing was written since.
    func trusted() -> FindingIndex? {
        guard let current, let confirmed, confirmed.generation == writes.load(ordering: .sequentiallyConsistent),
              ContinuousClock.now - confirmed.at < Self.trustFor else { return nil }
        return current
    }
    private var groupMemo: [FindingFilter: [FindingGroup]] = [:]
    private var rowMemo: [RowQuery: [FindingRow]] = [:]
    private var trendMemo: [String: DetectionTrend] = [:]
    /// Answers kept per snapshot (each a few kilobytes).
    static let memoLimit = 256

    struct RowQuery: Hashable {
        var filter: FindingFilter
        var limit: Int
        var offset: Int
    }

    /// `generation`: the write count read before `key` was (a write after it leaves the
    /// snapshot unconfirmed).
    func index(for key: FindingIndex.Key, generation: Int,
               build: @escaping @Sendable (FindingIndex?) async throws -> FindingIndex) async throws -> FindingIndex {
        if let current, current.key == key {
            confirmed = (ContinuousClock.now, generation)
            return current
        }
        if let building, building.key == key { return try await building.task.value }
        let previous = current
        let task = Task { try await build(previous) }
        building = (key, task)
        do {
            let index = try await task.value
            if building?.key == key { building = nil }
            if current?.key != index.key {
                current = index
                groupMemo = [:]
                rowMemo = [:]
                trendMemo = [:]
            }
            return index
        } catch {
            if building?.key == key { building = nil }
            throw error
        }
    }

    func groups(_ index: FindingIndex, _ filter: FindingFilter) -> [FindingGroup] {
        guard index.key == current?.key else { return index.groups(filter) }
        if let known = groupMemo[filter] { return known }
        let groups = index.groups(filter)
        if groupMemo.count >= Self.memoLimit { groupMemo = [:] }
        groupMemo[filter] = groups
        return groups
    }

    func detectionTrend(_ index: FindingIndex, rule: String, limit: Int) -> DetectionTrend {
        guard index.key == current?.key else { return index.detectionTrend(rule: rule, limit: limit) }
        let memoKey = "\(rule.uppercased())#\(limit)"
        if let known = trendMemo[memoKey] { return known }
        let trend = index.detectionTrend(rule: rule, limit: limit)
        if trendMemo.count >= Self.memoLimit { trendMemo = [:] }
        trendMemo[memoKey] = trend
        return trend
    }

    func rows(_ index: FindingIndex, _ filter: FindingFilter, limit: Int, offset: Int) -> [FindingRow] {
        guard index.key == current?.key else { return index.rows(filter, limit: limit, offset: offset) }
        let query = RowQuery(filter: filter, limit: limit, offset: offset)
        if let known = rowMemo[query] { return known }
        let rows = index.rows(filter, limit: limit, offset: offset)
        if rowMemo.count >= Self.memoLimit { rowMemo = [:] }
        rowMemo[query] = rows
        return rows
    }
}

extension ReviewStore {
    /// The list view of the store as it is now (rebuilt when a scan or a decision changed it).
    func findingIndex() async throws -> FindingIndex {
        if let trusted = await listCache.trusted() { return trusted }
        let generation = listCache.writes.load(ordering: .sequentiallyConsistent)
        let key = try await read { try FindingIndex.Key.fetch($0) }
        return try await listCache.index(for: key, generation: generation) { previous in
            try await self.read { db in try FindingIndex.build(db, reusing: previous) }
        }
    }
}
