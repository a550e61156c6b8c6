import TrennwandRecords

/// The plan as indented text, one node per line (`trennwand rules plan`, for review and docs).
/// Each operator names its treatment of missing values in brackets.
package enum PlanPrinter {
    package static func text(_ plan: RulePlan) -> String {
        var out = "\(plan.ruleID)\n"
        out += "  scan \(plan.kind.rawValue) r\n"
        switch plan.body {
        case .filter(let e):
            out += "  filter (true only)\n"
            out += expr(e, depth: 2)
        case .aggregate(let a):
            if let f = a.filter {
                out += "  filter (true only)\n"
                out += expr(f, depth: 2)
            }
            out += "  aggregate group by \(a.groupBy.map(name).joined(separator: ", ")) (records with a missing key skipped)\n"
            out += "    window " + (a.window.map { "tumbling \($0) s over \(name(a.time))" } ?? "whole input") + "\n"
            switch a.measure {
            case .count: out += "    measure count ≥ \(number(a.threshold))\n"
            case .distinct(let c): out += "    measure count(distinct \(name(c))) ≥ \(number(a.threshold)) (records without it skipped)\n"
            case .ratio(let n, let leaveOneOut):
                out += "    measure share of numerator − baseline(\(leaveOneOut ? "all other groups, leave-one-out" : "all groups")) ≥ \(number(a.threshold))\n"
                out += "    numerator (true only)\n"
                out += expr(n, depth: 3)
            case .gap(let weekdaysOnly, let local):
                out += "    measure gap between consecutive \(name(a.time)) ≥ \(number(a.threshold)) s"
                    + (weekdaysOnly ? " (Monday–Friday time of \(name(local)))" : "") + "\n"
            }
            out += "    having count ≥ \(a.minCount)\n"
        }
        let p = plan.projection
        out += "  project rule, locator"
        if !p.evidence.isEmpty { out += ", evidence [\(p.evidence.joined(separator: ", "))]" }
        out += ", fingerprint [\(p.fingerprintFields.joined(separator: ", "))]"
        out += " bucket " + (p.fingerprintBucket.map { "\($0) s" } ?? "none") + "\n"
        let tables = plan.tablesRead
        if !tables.isEmpty { out += "  reads \(tables.joined(separator: ", "))\n" }
        return out
    }

    static func name(_ c: PlanColumn) -> String { "\(c.alias).\(c.name)" }

    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }

    static func literal(_ l: PlanLiteral) -> String {
        switch l {
        case .null(let t): return "null:\(t.rawValue)"
        case .string(let s): return "\"\(s)\""
        case .number(let n): return number(n)
        case .bool(let b): return b ? "true" : "false"
        case .seconds(let s): return "\(s) s"
        case .stringList(let l): return "[" + l.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        }
    }

    static func lookup(_ l: PlanLookup, _ depth: Int) -> String {
        let pad = String(repeating: "  ", count: depth)
        var out = "\(pad)join \(l.table.rawValue) \(l.alias) (file order)\n"
        for t in l.terms {
            out += "\(pad)  \(name(t.column)) \(t.op.rawValue)\n" + expr(t.value, depth: depth + 2)
        }
        if let v = l.validity {
            let range = v.end.map { "\(name(v.start)) ≤ t ≤ \(name($0))" } ?? "\(name(v.start)) ≤ t"
            out += "\(pad)  valid at (\(range), missing bound open)\n" + expr(v.at, depth: depth + 2)
        }
        return out
    }

    static func expr(_ e: PlanExpr, depth: Int) -> String {
        let pad = String(repeating: "  ", count: depth)
        func node(_ label: String, _ children: [PlanExpr]) -> String {
            "\(pad)\(label) [\(e.nullRule)]\n" + children.map { expr($0, depth: depth + 1) }.joined()
        }
        switch e {
        case .literal(let l): return "\(pad)\(literal(l))\n"
        case .column(let c): return "\(pad)\(name(c))\n"
        case .compare(let op, let a, let b): return node(op.rawValue, [a, b])
        case .and(let xs): return node("and", xs)
        case .or(let xs): return node("or", xs)
        case .not(let x): return node("not", [x])
        case .isNull(let x, let negated): return node(negated ? "is not null" : "is null", [x])
        case .inValues(let x, let values, let negated):
            return node((negated ? "not in " : "in ") + literal(.stringList(values)), [x])
        case .inNamedList(let x, let list, let negated): return node((negated ? "not in" : "in") + " tw_named_lists[\(list)]", [x])
        case .listHas(let list, let element, let negated): return node(negated ? "list lacks" : "list has", [list, element])
        case .stringMatch(let op, let x, let p, let ci, let pieces):
            return node("\(ci ? "ascii-ci " : "")\(op.rawValue)\(pieces ? " (any piece)" : "")", [x, p])
        case .within(let x, let c, let overList): return node("within \"\(c)\"\(overList ? " (any element)" : "")", [x])
        case .covers(let list, let c): return node("covers", [list, c])
        case .arith(let plus, let a, let b): return node(plus ? "+" : "-", [a, b])
        case .lower(let x): return node("lower", [x])
        case .calendar(let part, let local): return node(part.rawValue, [local])
        case .localTime(let x): return node("local time", [x])
        case .direction(let a, let b): return node("direction", [a, b])
        case .matrixDecision(let d, let c): return node("tw_separation_matrix.decision", [d, c])
        case .detectorFired(let text, let detectors, let names):
            return "\(pad)any of [\(names.joined(separator: ", "))] in \(name(detectors)) [\(e.nullRule): \(name(text))]\n"
        case .withinSchedule(let local, let schedule): return node("within tw_schedule_intervals", [local, schedule])
        case .exists(let l): return "\(pad)exists [\(e.nullRule)]\n" + lookup(l, depth + 1)
        case .lookupValue(let l, let c): return "\(pad)value \(name(c)) of first row [\(e.nullRule)]\n" + lookup(l, depth + 1)
        case .agreementPermits(let t, let d, let c, let at, let alias):
            return node("agreement permits (agreements \(alias): approved, legal basis not blank, valid at, flow dir:cat or ancestor)",
                        [t, d, c, at])
        }
    }
}
