import TrennwandRecords

/// Renders plans as SQL in one dialect: DDL for the export schema's tables and one query per rule
/// returning finding rows. The three-valued logic of each plan node is written out here (`CASE WHEN
/// operand IS NULL THEN NULL …`) wherever an SQL function would answer differently from the rule
/// language (`IN` over an empty set, `EXISTS` over a missing list), so every dialect inherits it.
package struct PlanSQLRenderer<Syntax: SQLSyntax>: Sendable {
    package let syntax: Syntax

    package init(_ syntax: Syntax) { self.syntax = syntax }

    /// The dialect's names of the types the queries cast to (`DOUBLE` is DuckDB's, PostgreSQL says
    /// `DOUBLE PRECISION`).
    private var tDouble: String { syntax.type(.number) }
    private var tBigint: String { syntax.type(.seconds) }
    private var tBool: String { syntax.type(.bool) }

    // MARK: - DDL

    package func createTable(_ table: ExportTable) -> String {
        let columns = table.columns.map { "\(syntax.identifier($0.name)) \(syntax.type($0.type))" }.joined(separator: ", ")
        return syntax.createTable(table, columns: columns) ?? "CREATE TABLE \(syntax.identifier(table.name)) (\(columns))"
    }

    /// The dialect's helper objects (`SQLSyntax.helpers`), then the export schema's tables.
    package func ddl() -> [String] { syntax.helpers + ExportSchema.allTables.map(createTable) }

    // MARK: - Queries

    /// The query returning the finding rows of one rule.
    package func query(_ plan: RulePlan) -> String {
        var state = RenderState()
        switch plan.body {
        case .filter(let condition):
            return recordQuery(plan, condition, &state)
        case .aggregate(let aggregate):
            return aggregateQuery(plan, aggregate, &state)
        }
    }

    private func recordQuery(_ plan: RulePlan, _ condition: PlanExpr, _ state: inout RenderState) -> String {
        let id = syntax.identifier
        var columns = [syntax.literal(plan.ruleID) + " AS " + id("rule_id")]
        columns += locatorColumns.map { "r.\($0)" }
        // Evidence and fingerprint fields in schema order, each once, the time (fingerprint bucket)
        // and every person field (a finding always carries the record's persons, pseudonymised).
        let wanted = Set(plan.projection.evidence + plan.projection.fingerprintFields + ["time"])
        for f in plan.kind.schema.fields where wanted.contains(f.name) || f.disclosure == .person {
            columns.append("r.\(id(f.name))")
            if case .text = f.type { columns.append("r.\(id(ExportSchema.detectorsColumn(f.name)))") }
        }
        let table = id(plan.kind.rawValue)
        // The conjuncts of the condition, rendered (hoisting what they share). Those that read only
        // the record's own columns — no subquery, no hoisted value — filter the table before the
        // hoisted values are computed: a row must satisfy every conjunct, so the result is the
        // same, and the correlated subqueries run on the rows the cheap tests leave (Spark planned
        // TW109's schedule lookup for every access row: 133 s of 180 on a 50 MB corpus).
        let conjuncts: [PlanExpr]
        if case .and(let xs) = condition { conjuncts = xs } else { conjuncts = [condition] }
        let rendered = conjuncts.map { expr($0, &state) }
        func ownColumnsOnly(_ text: String) -> Bool { !text.contains("SELECT ") && !text.contains("tw_h") }
        var early: [String] = [], late: [String] = []
        for (conjunct, text) in zip(conjuncts, rendered) {
            if ownColumnsOnly(text) {
                early.append("(" + text + ")")
                continue
            }
            late.append(text)
            // An `or` whose every branch has such conjuncts implies the `or` of them (TW101:
            // `traeger` present, or missing on the Träger network): a weaker filter, same rows.
            guard case .or(let branches) = conjunct else { continue }
            var implied: [String] = []
            for branch in branches {
                let parts: [PlanExpr]
                if case .and(let xs) = branch { parts = xs } else { parts = [branch] }
                var scratch = RenderState()
                let own = parts.map { expr($0, &scratch) }.filter(ownColumnsOnly)
                if own.isEmpty { implied = []; break }
                implied.append("(" + own.joined(separator: " AND ") + ")")
            }
            if !implied.isEmpty { early.append("(" + implied.joined(separator: " OR ") + ")") }
        }
        // Nothing hoisted: no derived table to filter before, the condition stays whole.
        if state.hoisted.isEmpty { (early, late) = ([], rendered) }
        let whereText = late.isEmpty ? "TRUE" : "(" + late.joined(separator: " AND ") + ")"
        return "SELECT \(columns.joined(separator: ", ")) FROM \(source(table, state, filter: early)) WHERE \(whereText) "
            + "ORDER BY r.\(id("tw_file")), r.\(id("tw_index"))"
    }

    /// The locator columns of a finding row (`findingPrefix` without `rule_id`).
    private var locatorColumns: [String] { ExportSchema.findingPrefix.dropFirst().map { syntax.identifier($0) } }

    /// The order in which the in-process engine feeds an aggregate, for the first record of a
    /// group (`AggregateEvaluator`'s first sample).
    ///
    /// - Whole-run aggregates and gaps: input order — inputs by path, records in file order.
    ///   Decision: record tables have no global input ordinal (exports made in separate runs each
    ///   count from 1, and a split export must give the same rows), so the path stands for the
    ///   input's position: the scan's order when the inputs of one record kind are given in path
    ///   order (globs expand sorted; the Samples are).
    /// - Tumbling windows (`time`): record time, ties in input order — the scan's exact pass, which
    ///   re-evaluates a windowed rule in time order once any record came too late for its window
    ///   (`ScanScheduler`, `RuleEvaluator.replayInTimeOrder`). Without late records the scan keeps
    ///   input order, the same on input in time order; a window read out of time order without any
    ///   late record is the one case where the scan points at its first record read instead.
    private func feedOrder(_ alias: String, time: Bool) -> String {
        (time ? "\(alias).t, " : "")
            + "\(syntax.byteOrder("\(alias).\(syntax.identifier("tw_file"))")), \(alias).\(syntax.identifier("tw_index"))"
    }

    private func aggregateQuery(_ plan: RulePlan, _ a: AggregatePlan, _ state: inout RenderState) -> String {
        let id = syntax.identifier
        let table = id(plan.kind.rawValue)
        let time = "r.\(id(a.time.name))"
        var conditions: [String] = a.groupBy.map { "r.\(id($0.name)) IS NOT NULL" }
        if let f = a.filter { conditions.insert(expr(f, &state), at: 0) }
        var select: [String] = a.groupBy.enumerated().map { "r.\(id($1.name)) AS g\($0)" }
        select += locatorColumns.map { "r.\($0) AS \($0)" }
        let groups = (0..<a.groupBy.count).map { "g\($0)" }
        let groupNames = a.groupBy.enumerated().map { "g\($0) AS \(id($1.name))" }
        let rule = syntax.literal(plan.ruleID) + " AS " + id("rule_id")
        func number(_ d: Double) -> String { PlanPrinter.number(d) }
        func located(_ alias: String) -> String { locatorColumns.map { "\(alias).\($0)" }.joined(separator: ", ") }
        func same(_ x: String, _ y: String, _ keys: [String]) -> String { keys.map { "\(x).\($0) = \(y).\($0)" }.joined(separator: " AND ") }

        if case .gap(let weekdaysOnly, let local) = a.measure {
            conditions.append("\(time) IS NOT NULL")
            let measured = weekdaysOnly ? weekdaySeconds("r.\(id(local.name))") : time
            select += ["\(time) AS t", "\(measured) AS m"]
            let keys = groups.joined(separator: ", ")
            let before = "OVER (PARTITION BY \(keys) ORDER BY t)"
            return "WITH f AS (SELECT \(select.joined(separator: ", ")) FROM \(source(table, state)) WHERE \(conditions.joined(separator: " AND "))), "
                + "c AS (SELECT \(keys), count(*) AS n FROM f GROUP BY \(keys)), "
                // One row per time (`m` follows from it), the first record at that time in input order.
                + "d AS (SELECT \(keys), t, m, \(located("f")), row_number() OVER (PARTITION BY \(keys), t ORDER BY \(feedOrder("f", time: false))) AS rn FROM f), "
                + "s AS (SELECT \(keys), t, m, lag(t) \(before) AS pt, lag(m) \(before) AS pm, "
                + locatorColumns.map { "lag(\($0)) \(before) AS \($0)" }.joined(separator: ", ") + " FROM d WHERE rn = 1) "
                + "SELECT \(rule), \(located("s")), \((groupNames.map { "s." + $0 }).joined(separator: ", ")), s.pt AS tw_window_start, s.t AS tw_window_end, "
                + "s.m - s.pm AS tw_value, c.n AS tw_count, CAST(NULL AS \(tBigint)) AS tw_numerator, CAST(NULL AS \(tDouble)) AS tw_baseline "
                + "FROM s JOIN c ON \(same("s", "c", groups)) "
                + "WHERE s.pt IS NOT NULL AND c.n >= \(a.minCount) AND s.m - s.pm >= \(number(a.threshold)) "
                + "ORDER BY tw_window_start, \(groups.map { "s.\($0)" }.joined(separator: ", "))"
        }

        // Windows: tumbling over UTC epoch seconds (records without time skipped) or the whole input.
        if let w = a.window {
            conditions.append("\(time) IS NOT NULL")
            select.append("\(syntax.floorDiv(time, String(w))) * \(w) AS ws")
        } else {
            select.append("CAST(0 AS \(tBigint)) AS ws")
        }
        select.append("\(time) AS t")
        var value = "count(*)"
        var evidence = ""
        switch a.measure {
        case .count, .gap: break
        case .distinct(let c):
            conditions.append("r.\(id(c.name)) IS NOT NULL")
            select.append("r.\(id(c.name)) AS v")
            value = "count(DISTINCT v)"
        case .ratio(let numerator, _):
            select.append("CASE WHEN \(expr(numerator, &state)) THEN 1 ELSE 0 END AS num")
            evidence = " WHERE num = 1"
        }
        let keyList = groups + ["ws"]
        let keys = keyList.joined(separator: ", ")
        let windowStart = a.window == nil ? "min(t)" : "ws"
        let windowEnd = a.window.map { "ws + \($0)" } ?? "max(t)"
        let f = "WITH f AS (SELECT \(select.joined(separator: ", ")) FROM \(source(table, state)) WHERE \(conditions.joined(separator: " AND ")))"
        // The record each row points at: the first evidence record of its group and window.
        let l = "l AS (SELECT \(keys), \(located("f")), row_number() OVER (PARTITION BY \(keys) ORDER BY \(feedOrder("f", time: a.window != nil))) AS rn FROM f\(evidence))"
        let join = "LEFT JOIN l ON \(same("g", "l", keyList)) AND l.rn = 1"
        if case .ratio(_, let leaveOneOut) = a.measure {
            let base = leaveOneOut ? ("(w.tn - g.n)", "(w.tc - g.c)") : ("w.tn", "w.tc")
            return f + ", g AS (SELECT \(keys), count(*) AS c, sum(num) AS n, \(windowStart) AS s, \(windowEnd) AS e FROM f GROUP BY \(keys)), "
                + "w AS (SELECT ws, sum(c) AS tc, sum(n) AS tn FROM g GROUP BY ws), \(l) "
                + "SELECT \(rule), \(located("l")), \(groupNames.map { "g." + $0 }.joined(separator: ", ")), g.s AS tw_window_start, g.e AS tw_window_end, "
                + "CAST(g.n AS \(tDouble)) / g.c AS tw_value, g.c AS tw_count, g.n AS tw_numerator, "
                + "CAST(\(base.0) AS \(tDouble)) / \(base.1) AS tw_baseline "
                + "FROM g JOIN w ON g.ws = w.ws \(join) WHERE g.c >= \(a.minCount) AND \(base.1) > 0 "
                + "AND CAST(g.n AS \(tDouble)) / g.c - CAST(\(base.0) AS \(tDouble)) / \(base.1) >= \(number(a.threshold)) - 1e-9 "
                + "ORDER BY tw_window_start, \(groups.map { "g.\($0)" }.joined(separator: ", "))"
        }
        return f + ", g AS (SELECT \(keys), \(windowStart) AS s, \(windowEnd) AS e, CAST(\(value) AS \(tDouble)) AS x, count(*) AS c "
            + "FROM f GROUP BY \(keys) HAVING count(*) >= \(a.minCount) AND \(value) >= \(number(a.threshold))), \(l) "
            + "SELECT \(rule), \(located("l")), \(groupNames.map { "g." + $0 }.joined(separator: ", ")), g.s AS tw_window_start, g.e AS tw_window_end, "
            + "g.x AS tw_value, g.c AS tw_count, CAST(NULL AS \(tBigint)) AS tw_numerator, CAST(NULL AS \(tDouble)) AS tw_baseline "
            + "FROM g \(join) ORDER BY tw_window_start, \(groups.map { "g.\($0)" }.joined(separator: ", "))"
    }

    /// Monday–Friday seconds from a Monday origin up to a local wall-clock time (the engine's
    /// `AggregateEvaluator.weekdaySeconds`): differences are weekday time between two instants.
    private func weekdaySeconds(_ local: String) -> String {
        let d = "(\(local) + 259200)"
        let weeks = syntax.floorDiv(d, "604800")
        return "(\(weeks) * 432000 + least(\(d) - \(weeks) * 604800, 432000))"
    }

    /// The record table as `r`; with hoisted values a derived table that adds them as columns,
    /// computed only for the rows that pass `filter` (conjuncts of the rule over the table's own columns).
    private func source(_ table: String, _ state: RenderState, filter: [String] = []) -> String {
        if state.hoisted.isEmpty { return "\(table) AS r" }
        let base = filter.isEmpty ? table : "(SELECT * FROM \(table) AS r WHERE \(filter.joined(separator: " AND ")))"
        if syntax.hoistsLookups {
            // One derived table per hoisted value, innermost first: a value may refer to the
            // columns hoisted before it (a lookup whose term is another lookup).
            var inner = "\(base) AS r"
            for (i, text) in state.hoisted.enumerated() {
                inner = "(SELECT r.*, \(text) AS \(syntax.identifier(RenderState.hoistedName(i))) FROM \(inner)) AS r"
            }
            return inner
        }
        let extra = state.hoisted.enumerated().map { "\($1) AS \(syntax.identifier(RenderState.hoistedName($0)))" }
        return "(SELECT r.*, \(extra.joined(separator: ", ")) FROM \(base) AS r) AS r"
    }

    // MARK: - Expressions

    /// Aliases and hoisted values of one query.
    ///
    /// Hoisting: a correlated subquery that many operands share in substance (the matrix row of a
    /// flow's direction, the permitted flows of a provider's agreements) is computed once per record
    /// as a column of the record's derived table, identical texts sharing one column. Thirty-three
    /// subqueries per taxonomy category (TW301–TW303) otherwise keep DuckDB's optimiser busy for
    /// minutes. Every plan expression is in the record's scope (lookup terms too), so a hoisted
    /// text refers to `r` and its own aliases only.
    struct RenderState {
        var counter = 0
        var hoisted: [String] = []

        mutating func fresh(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)\(counter)"
        }

        static func hoistedName(_ i: Int) -> String { "tw_h\(i + 1)" }

        /// Renders `body` with aliases numbered from scratch (so equal subqueries give equal
        /// text) and hoists the result; returns the column that holds it.
        mutating func hoist(_ body: (inout RenderState) -> String) -> String {
            let saved = counter
            counter = 0
            let text = body(&self)
            counter = saved
            let i = hoisted.firstIndex(of: text) ?? { hoisted.append(text); return hoisted.count - 1 }()
            return Self.hoistedName(i)
        }
    }

    /// `body` where every operand is present, unknown (NULL) where one is missing.
    private func guarded(_ operands: [String], _ body: String) -> String {
        let test = operands.map { "\($0) IS NULL" }.joined(separator: " OR ")
        return "(CASE WHEN \(test) THEN CAST(NULL AS \(tBool)) ELSE \(body) END)"
    }

    private func column(_ c: PlanColumn) -> String { "\(c.alias).\(syntax.identifier(c.name))" }

    private func literal(_ l: PlanLiteral) -> String {
        switch l {
        case .null(let t): return "CAST(NULL AS \(syntax.type(t)))"
        case .string(let s): return syntax.literal(s)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? "CAST(\(Int64(n)) AS \(tDouble))" : "CAST(\(n) AS \(tDouble))"
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .seconds(let s): return "CAST(\(s) AS \(tBigint))"
        case .stringList(let l): return syntax.list(l)
        }
    }

    /// `local` seconds → days since 1970-01-01.
    private func days(_ local: String) -> String { syntax.floorDiv(local, "86400") }

    func expr(_ e: PlanExpr, _ s: inout RenderState) -> String {
        switch e {
        case .literal(let l): return literal(l)
        case .column(let c): return column(c)
        case .compare(let op, let a, let b): return "(\(expr(a, &s)) \(op.rawValue) \(expr(b, &s)))"
        case .and(let xs): return "(" + xs.map { expr($0, &s) }.joined(separator: " AND ") + ")"
        case .or(let xs): return "(" + xs.map { expr($0, &s) }.joined(separator: " OR ") + ")"
        case .not(let x): return "(NOT \(expr(x, &s)))"
        case .isNull(let x, let negated): return "(\(expr(x, &s)) IS \(negated ? "NOT NULL" : "NULL"))"
        case .inValues(let x, let values, let negated):
            let v = expr(x, &s)
            if values.isEmpty { return guarded([v], negated ? "TRUE" : "FALSE") }
            return guarded([v], "\(v) \(negated ? "NOT IN" : "IN") (\(values.map(syntax.literal).joined(separator: ", ")))")
        case .inNamedList(let x, let list, let negated):
            let v = expr(x, &s), a = s.fresh("nl")
            let table = syntax.identifier(ExportSchema.namedLists.name)
            return guarded([v], "\(negated ? "NOT " : "")EXISTS (SELECT 1 FROM \(table) AS \(a) WHERE \(a).\(syntax.identifier("list")) = "
                           + "\(syntax.literal(list)) AND \(a).\(syntax.identifier("value")) = \(v))")
        case .listHas(let list, let element, let negated):
            let l = expr(list, &s), v = expr(element, &s)
            return guarded([l, v], "\(negated ? "NOT " : "")\(syntax.listHas(l, v))")
        case .stringMatch(let op, let x, let pattern, let ci, let overPieces):
            let v = expr(x, &s), p = expr(pattern, &s)
            func test(_ a: String) -> String {
                let (h, n) = ci ? (syntax.asciiLower(a), syntax.asciiLower(p)) : (a, p)
                switch op {
                case .contains: return syntax.contains(h, n)
                case .startsWith: return syntax.startsWith(h, n)
                case .endsWith: return syntax.endsWith(h, n)
                }
            }
            if overPieces {
                let variable = s.fresh("p")
                return guarded([v, p], syntax.anyElement(v, variable: variable, where: test(variable)))
            }
            return guarded([v, p], test(v))
        case .within(let x, let category, let overList):
            let v = expr(x, &s)
            func test(_ a: String) -> String {
                "(\(a) = \(syntax.literal(category)) OR \(syntax.startsWith(a, syntax.literal(category + "."))))"
            }
            if overList {
                let variable = s.fresh("c")
                return guarded([v], syntax.anyElement(v, variable: variable, where: test(variable)))
            }
            return guarded([v], test(v))
        case .covers(let list, let category):
            let l = expr(list, &s), c = expr(category, &s), variable = s.fresh("c")
            return guarded([l, c], syntax.anyElement(l, variable: variable, where: covers(variable, c)))
        case .arith(let plus, let a, let b): return "(\(expr(a, &s)) \(plus ? "+" : "-") \(expr(b, &s)))"
        case .lower(let x): return syntax.lower(expr(x, &s))
        case .calendar(let part, let local):
            let l = expr(local, &s), d = days(l)
            switch part {
            case .hour: return "CAST(\(syntax.floorDiv("\(l) - \(d) * 86400", "3600")) AS \(tDouble))"
            case .weekday: return "CAST(((\(d) + 3) % 7 + 7) % 7 + 1 AS \(tDouble))"
            case .date: return syntax.isoDate(days: d)
            }
        case .localTime:
            // RulePlanner plans this node only for the in-process executor (Target.inProcess).
            preconditionFailure("localTime is planned for the in-process executor only")
        case .direction(let a, let b):
            let x = expr(a, &s), y = expr(b, &s)
            return "(CASE WHEN \(x) = 'jobcenter' AND \(y) = 'traeger' THEN 'jobcenter->traeger' "
                + "WHEN \(x) = 'traeger' AND \(y) = 'jobcenter' THEN 'traeger->jobcenter' END)"
        case .matrixDecision(let direction, let category):
            // The matrix row of the direction as a map category → decision, hoisted (one per record).
            let id = syntax.identifier
            let row = s.hoist { s in
                let d = expr(direction, &s), a = s.fresh("m")
                return "(SELECT \(syntax.mapAggregate(keys: "\(a).\(id("category"))", values: "\(a).\(id("decision"))")) "
                    + "FROM \(id(ExportSchema.separationMatrix.name)) AS \(a) WHERE \(a).\(id("direction")) = \(d))"
            }
            let c = expr(category, &s)
            return "(CASE WHEN \(c) IS NULL THEN CAST(NULL AS \(syntax.type(.string))) ELSE \(syntax.mapGet("r.\(id(row))", c)) END)"
        case .detectorFired(let text, let detectors, let names):
            let variable = s.fresh("d")
            let test = names.isEmpty ? "FALSE"
                : syntax.anyElement(column(detectors), variable: variable,
                                    where: "\(variable) IN (\(names.map(syntax.literal).joined(separator: ", ")))")
            return guarded([column(text)], test)
        case .withinSchedule(let local, let schedule):
            let l = expr(local, &s), sc = expr(schedule, &s), a = s.fresh("sc"), b = s.fresh("si")
            let id = syntax.identifier
            let d = days(l)
            let minute = syntax.floorDiv("\(l) - \(d) * 86400", "60")
            let weekday = "(((\(d) + 3) % 7 + 7) % 7 + 1)"
            return "(CASE WHEN \(l) IS NULL OR \(sc) IS NULL THEN CAST(NULL AS \(tBool)) "
                + "WHEN NOT EXISTS (SELECT 1 FROM \(id(ExportSchema.schedules.name)) AS \(a) WHERE \(a).\(id("schedule")) = \(sc) AND \(a).\(id("valid"))) "
                + "THEN CAST(NULL AS \(tBool)) "
                + "ELSE EXISTS (SELECT 1 FROM \(id(ExportSchema.scheduleIntervals.name)) AS \(b) WHERE \(b).\(id("schedule")) = \(sc) "
                + "AND \(b).\(id("weekday")) = \(weekday) AND \(b).\(id("start_minute")) <= \(minute) AND \(minute) < \(b).\(id("end_minute"))) END)"
        case .exists(let l):
            func render(_ s: inout RenderState) -> String {
                let a = s.fresh("t")
                return "EXISTS (SELECT 1 FROM \(syntax.identifier(l.table.rawValue)) AS \(a)\(lookupWhere(l, alias: a, &s)))"
            }
            return syntax.hoistsLookups ? "r.\(syntax.identifier(s.hoist(render)))" : render(&s)
        case .lookupValue(let l, let c):
            func render(_ s: inout RenderState) -> String {
                let a = s.fresh("t")
                // `tw_row_no` is input ordinal and row (ExportLayout); the file breaks a tie between
                // exports made in separate runs (each counting its inputs from 1), so the answer is
                // deterministic whatever the engine's plan.
                return syntax.firstValue("\(a).\(syntax.identifier(c.name))", from: "\(syntax.identifier(l.table.rawValue)) AS \(a)",
                                         condition: lookupWhere(l, alias: a, &s),
                                         order: ["\(a).\(syntax.identifier("tw_row_no"))", "\(a).\(syntax.identifier("tw_file"))"])
            }
            return syntax.hoistsLookups ? "r.\(syntax.identifier(s.hoist(render)))" : render(&s)
        case .agreementPermits(let traeger, let direction, let category, let at, _):
            // The permitted flows of the provider's approved agreements valid at the time, hoisted
            // (the calls of a rule differ in the category only); never unknown: no agreement, no flow.
            let id = syntax.identifier
            let flows = s.hoist { s in
                let t = expr(traeger, &s), time = expr(at, &s), a = s.fresh("ag")
                let parts = [
                    "\(a).\(id("traeger")) = \(t)", "\(a).\(id("approved_by_leitung")) = TRUE", "NOT \(syntax.isBlank("\(a).\(id("legal_basis"))"))",
                    validity(PlanColumn(alias: a, name: "valid_from", type: .seconds), PlanColumn(alias: a, name: "valid_to", type: .seconds), time),
                ]
                return "(SELECT \(syntax.listConcatAggregate("\(a).\(id("permitted_flows"))")) FROM \(id(RecordKind.agreements.rawValue)) AS \(a) "
                    + "WHERE \(parts.joined(separator: " AND ")))"
            }
            let d = expr(direction, &s), c = expr(category, &s)
            let flow = syntax.concat([d, "':'", c]), variable = s.fresh("f")
            let list = "coalesce(r.\(id(flows)), \(syntax.list([])))"
            return "(\(d) IS NOT NULL AND \(c) IS NOT NULL AND "
                + syntax.anyElement(list, variable: variable, where: "\(variable) = \(flow) OR \(syntax.startsWith(flow, syntax.concat([variable, "'.'"])))")
                + ")"
        }
    }

    /// `category` is `element` or lies below it.
    private func covers(_ element: String, _ category: String) -> String {
        "(\(category) = \(element) OR \(syntax.startsWith(category, syntax.concat([element, "'.'"]))))"
    }

    /// `start ≤ at ≤ end`, a missing bound (or a table without an end column) open.
    private func validity(_ start: PlanColumn, _ end: PlanColumn?, _ at: String) -> String {
        let upper = end.map { " AND (\(column($0)) IS NULL OR \(at) <= \(column($0)))" } ?? ""
        return "(\(column(start)) IS NULL OR \(column(start)) <= \(at))\(upper) AND \(at) IS NOT NULL"
    }

    /// The conditions of a lookup, its table as `alias` (numbered by the renderer, so that equal
    /// subqueries render equally wherever they occur).
    private func lookupWhere(_ l: PlanLookup, alias: String, _ s: inout RenderState) -> String {
        func column(_ c: PlanColumn) -> String { "\(alias).\(syntax.identifier(c.name))" }
        var parts: [String] = []
        for t in l.terms {
            let v = expr(t.value, &s), c = column(t.column)
            switch t.op {
            case .equals: parts.append("\(c) = \(v)")
            case .has: parts.append(syntax.listHas(c, v))
            case .covers:
                let variable = s.fresh("c")
                parts.append(syntax.anyElement(c, variable: variable, where: covers(variable, v)))
            }
        }
        if let v = l.validity {
            parts.append(validity(PlanColumn(alias: alias, name: v.start.name, type: v.start.type),
                                  v.end.map { PlanColumn(alias: alias, name: $0.name, type: $0.type) }, expr(v.at, &s)))
        }
        return parts.isEmpty ? "" : " WHERE " + parts.joined(separator: " AND ")
    }
}
