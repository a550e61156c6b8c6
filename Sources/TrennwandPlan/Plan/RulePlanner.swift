import TrennwandEngine
import TrennwandRecords

/// Plans rules: the checked condition (the same tree the closure compiler compiles) is translated
/// node by node into a `PlanExpr`; aggregates and the finding projection come from the rule file.
///
/// Plans do not depend on reference data (lookups are joins, not indexes), only on the policy
/// (detector names, named lists, taxonomy) and on the scan's reference time, which `now()` folds to.
package struct RulePlanner: Sendable {
    /// The executor a plan is for. Both get the same plan for every rule the SQL engines can run;
    /// the in-process executor also gets the nodes only it evaluates (`PlanExpr.localTime`), so
    /// that every rule the checker accepts runs on it and the record engine is not needed.
    package enum Target: Sendable {
        /// DuckDB, PostgreSQL, Spark (`trennwand sql`, `export`, `--engine`): what SQL can express.
        case sql
        /// The batch executor.
        case inProcess
    }

    package let policy: PolicyData
    package let now: Int64
    package let target: Target

    package init(policy: PolicyData, now: Int64, target: Target = .sql) {
        self.policy = policy
        self.now = now
        self.target = target
    }

    /// Plans every rule of `set` (or those in `only`); a rule that cannot plan is an error naming
    /// the construct (`plan.unsupported`), the others still plan.
    package func plan(_ set: RuleSet, only: Set<String>? = nil) -> (plans: [RulePlan], errors: [ConfigError]) {
        var plans: [RulePlan] = []
        var errors: [ConfigError] = []
        for rule in set.rules where only?.contains(rule.id) ?? true {
            do { plans.append(try plan(rule)) } catch let e as ConfigError { errors.append(e) } catch {
                errors.append(ConfigError(rule.position, code: "plan.unsupported", de: "\(rule.id): \(error)", en: "\(rule.id): \(error)"))
            }
        }
        return (plans, errors)
    }

    /// A rule's conditions already type-checked, as a compiled rule pack holds them (the checked
    /// form does not depend on the reference tables): planned from these, the rule's condition
    /// texts are not lexed, parsed and checked a second time (the batch executor's start, issue 20).
    package struct Checked {
        package var condition: CheckedExpr?
        package var filter: CheckedExpr?
        package var numerator: CheckedExpr?

        package init(condition: CheckedExpr? = nil, filter: CheckedExpr? = nil, numerator: CheckedExpr? = nil) {
            self.condition = condition
            self.filter = filter
            self.numerator = numerator
        }
    }

    /// Plans `rule`; conditions in `checked` are taken as they are, the others compiled here.
    package func plan(_ rule: RuleFile, checked: Checked = Checked()) throws -> RulePlan {
        let kind = rule.target.kind
        let env = policy.environment(kind: kind, reference: .empty, now: now)
        var t = PlanTranslator(rule: rule, detectors: policy.detectors.detectors.map(\.name), target: target)
        let projection = FindingProjection(evidence: rule.evidence, fingerprintFields: rule.fingerprintFields,
                                           fingerprintBucket: rule.fingerprintBucket)
        switch rule.body {
        case .record(_, let node):
            let condition = try checked.condition ?? CompiledCondition.compile(node, environment: env).checked
            return RulePlan(ruleID: rule.id, kind: kind, body: .filter(try t.expr(condition)), projection: projection)
        case .aggregate(_, let spec):
            let schema = kind.schema
            func column(_ name: String) throws -> PlanColumn {
                guard let f = schema.field(name) else { throw t.unsupported("field \(name)") }
                return PlanColumn(alias: "r", name: name, type: ExportSchema.type(of: f))
            }
            let filter = try spec.filter.map { try t.expr(checked.filter ?? CompiledCondition.compile($0, environment: env).checked) }
            let measure: AggregatePlan.Measure
            var threshold = spec.threshold
            switch spec.measure {
            case .count: measure = .count
            case .distinct(let field): measure = .distinct(try column(field))
            case .ratio(let node):
                // The engine compares with all other groups (RuleEvaluator: `.otherGroups`), in points.
                measure = .ratio(numerator: try t.expr(checked.numerator ?? CompiledCondition.compile(node, environment: env).checked),
                                 leaveOneOut: true)
                threshold = spec.threshold / 100
            case .gap(let weekdaysOnly):
                measure = .gap(weekdaysOnly: weekdaysOnly,
                               local: PlanColumn(alias: "r", name: ExportSchema.localColumn("time"), type: .seconds))
            }
            let aggregate = AggregatePlan(filter: filter, groupBy: try spec.groupBy.map(column), window: spec.window,
                                          time: try column("time"), measure: measure, threshold: threshold,
                                          minCount: max(spec.minCount, 1))
            return RulePlan(ruleID: rule.id, kind: kind, body: .aggregate(aggregate), projection: projection)
        }
    }
}

/// Translates one rule's checked expressions; numbers the lookup aliases.
struct PlanTranslator {
    let rule: RuleFile
    let detectors: [String]
    let target: RulePlanner.Target
    private var aliases = 0

    init(rule: RuleFile, detectors: [String], target: RulePlanner.Target) {
        self.rule = rule
        self.detectors = detectors
        self.target = target
    }

    func unsupported(_ construct: String) -> ConfigError {
        ConfigError(rule.position, code: "plan.unsupported",
                    de: "Regel \(rule.id) lässt sich nicht planen: \(construct) hat keine Form im Plan",
                    en: "rule \(rule.id) cannot be planned: \(construct) has no plan form")
    }

    static func type(_ t: ExprType) -> PlanType {
        switch t {
        case .string, .category, .symbol, .schedule: return .string
        case .text, .list, .categoryList: return .stringList
        case .number: return .number
        case .bool: return .bool
        case .timestamp, .duration: return .seconds
        }
    }

    private func recordColumn(_ name: String, _ type: ExprType) -> PlanColumn {
        PlanColumn(alias: "r", name: name, type: Self.type(type))
    }

    mutating func expr(_ c: CheckedExpr) throws -> PlanExpr {
        switch c {
        case .constant(let k, let type):
            switch k {
            case .missing: return .literal(.null(Self.type(type)))
            case .string(let s): return .literal(.string(s.string))
            case .number(let n): return .literal(.number(n))
            case .bool(let t): return .literal(t == .unknown ? .null(.bool) : .bool(t == .true))
            case .time(let t): return .literal(.seconds(t))
            case .list(let l): return .literal(.stringList(l.map(\.string)))
            }
        case .field(_, let name, let type):
            return .column(recordColumn(name, type))
        case .namedList(_, let entries):
            // A named list used as a value (`covers(@list, c)`, `present(@list)` …) is its entries,
            // as the closure evaluator has it; membership (`in @list`) keeps the name below.
            return .literal(.stringList(entries.map(\.string)))
        case .compare(let op, let a, let b):
            return .compare(PlanCompareOp(op), try expr(a), try expr(b))
        case .member(let a, let b, let negated):
            switch b {
            case .constant(.list(let l), _): return .inValues(try expr(a), l.map(\.string), negated: negated)
            case .namedList(let name, _): return .inNamedList(try expr(a), list: name, negated: negated)
            default: return .listHas(list: try expr(b), element: try expr(a), negated: negated)
            }
        case .and(let xs): return .and(try xs.map { try expr($0) })
        case .or(let xs): return .or(try xs.map { try expr($0) })
        case .not(let x): return .not(try expr(x))
        case .stringMatch(let op, let a, let b, let ci):
            let pop: PlanStringOp = op == .contains ? .contains : op == .startswith ? .startsWith : .endsWith
            return .stringMatch(pop, try expr(a), pattern: try expr(b), caseInsensitive: ci, overPieces: a.type == .text)
        case .within(let a, let category):
            return .within(try expr(a), category: category, overList: a.type.isListLike)
        case .covers(let a, let b):
            return .covers(list: try expr(a), category: try expr(b))
        case .listContains(let a, let b):
            if case .namedList(let name, _) = a { return .inNamedList(try expr(b), list: name, negated: false) }
            return .listHas(list: try expr(a), element: try expr(b), negated: false)
        case .arith(let plus, let a, let b, _):
            return .arith(plus: plus, try expr(a), try expr(b))
        case .builtin(let call):
            return try builtin(call)
        case .exists(let l):
            return .exists(try lookup(l))
        case .lookupValue(let l, _, let name, let type):
            let join = try lookup(l)
            return .lookupValue(join, column: PlanColumn(alias: join.alias, name: name, type: Self.type(type)))
        }
    }

    /// A timestamp field as its local wall-clock column (calendar functions and schedules); a
    /// computed time as `localTime` for the in-process executor.
    private mutating func local(_ c: CheckedExpr, _ function: Builtin) throws -> PlanExpr {
        if case .field(_, let name, .timestamp) = c {
            return .column(PlanColumn(alias: "r", name: ExportSchema.localColumn(name), type: .seconds))
        }
        guard target == .inProcess else { throw unsupported("\(function.rawValue)() of a computed time") }
        return .localTime(try expr(c))
    }

    private mutating func builtin(_ call: BuiltinCall) throws -> PlanExpr {
        let a = call.args
        switch call.function {
        case .present, .missing: return .isNull(try expr(a[0]), negated: call.function == .present)
        case .lower: return .lower(try expr(a[0]))
        case .now: throw unsupported("now() not folded")
        case .hour: return .calendar(.hour, local: try local(a[0], call.function))
        case .weekday: return .calendar(.weekday, local: try local(a[0], call.function))
        case .date: return .calendar(.date, local: try local(a[0], call.function))
        case .withinSchedule: return .withinSchedule(local: try local(a[0], call.function), schedule: try expr(a[1]))
        case .direction: return .direction(try expr(a[0]), try expr(a[1]))
        case .matrix: return .matrixDecision(direction: try expr(a[0]), category: try expr(a[1]))
        case .detects, .detectsCategory:
            guard let ref = call.detectorReference else { throw unsupported("\(call.function.rawValue) without detectors") }
            return .detectorFired(text: PlanColumn(alias: "r", name: ref.field, type: .stringList),
                                  detectors: PlanColumn(alias: "r", name: ExportSchema.detectorsColumn(ref.field), type: .stringList),
                                  names: ref.detectors.map { detectors[$0] })
        case .agreementPermits:
            aliases += 1
            return .agreementPermits(traeger: try expr(a[0]), direction: try expr(a[1]), category: try expr(a[2]),
                                     at: try expr(a[3]), alias: "ag\(aliases)")
        }
    }

    private mutating func lookup(_ l: ExprLookup) throws -> PlanLookup {
        aliases += 1
        let alias = "t\(aliases)"
        let schema = l.table.schema
        func column(_ name: String) -> PlanColumn {
            PlanColumn(alias: alias, name: name, type: schema.field(name).map(ExportSchema.type(of:)) ?? .string)
        }
        var terms: [PlanLookupTerm] = []
        for t in l.terms {
            let op: PlanLookupTerm.Op = t.op == .equals ? .equals : t.op == .contains ? .has : .covers
            terms.append(PlanLookupTerm(column: column(t.name), op: op, value: try expr(t.value)))
        }
        var validity: (start: PlanColumn, end: PlanColumn?, at: PlanExpr)?
        if let at = l.at {
            guard let v = ReferenceTables.validity(of: l.table) else { throw unsupported("'at' on \(l.table.rawValue)") }
            validity = (column(v.names.0), v.names.1.map(column), try expr(at))
        }
        return PlanLookup(table: l.table, alias: alias, terms: terms, validity: validity)
    }
}

extension PlanCompareOp {
    init(_ op: ExprCompareOp) {
        switch op {
        case .eq: self = .eq
        case .ne: self = .ne
        case .lt: self = .lt
        case .le: self = .le
        case .gt: self = .gt
        case .ge: self = .ge
        }
    }
}
