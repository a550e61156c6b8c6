import TrennwandEngine
import TrennwandPlan
import TrennwandRecords

/// A rule's filter compiled for column batches: every operand resolved to a column slot of the
/// record table or a constant, so evaluation is loops over columns (`BatchFilter`).
///
/// Built from the logical plan (`PlanExpr`) node by node, with the same three-valued logic the
/// plan spells out per node; a node the batch executor cannot evaluate yet is refused at compile
/// time (`BatchCompileError`), never approximated.
package indirect enum BatchCondition: Sendable {
    case constant(Bool?)
    case and([BatchCondition])
    case or([BatchCondition])
    case not(BatchCondition)
    /// Unknown when an operand is missing.
    case compare(PlanCompareOp, BatchOperand, BatchOperand)
    /// `x is null` — `missing(x)` (negated: false) / `present(x)` (negated: true): never unknown.
    case isNull(BatchOperand, negated: Bool)
    /// `x in [literals]` / `x not in […]`: unknown when `x` is missing.
    case inValues(BatchOperand, [ByteString], negated: Bool)
    /// A reference row matches: never unknown.
    case exists(BatchLookup)
    /// `x within "c"` (a list: any element); unknown when `x` is missing.
    case within(BatchOperand, category: ByteString)
    /// `list covers c`: an element is `c` or an ancestor of it; unknown when an operand is missing.
    case covers(list: BatchOperand, category: BatchOperand)
    /// `list has x`; unknown when an operand is missing.
    case listHas(list: BatchOperand, element: BatchOperand, negated: Bool)
    /// `agreement_permits(traeger, dir, cat) at t` (`AgreementBuiltin.permits`): never unknown.
    case agreementPermits(ReferenceIndex?, traeger: BatchOperand, direction: BatchOperand, category: BatchOperand, at: BatchOperand)
    /// `within_schedule(local, schedule)`: unknown when an operand is missing or the schedule
    /// text does not parse (the closure evaluator reports that as a gap; the batch executor does
    /// not yet).
    case withinSchedule(local: BatchOperand, schedule: BatchOperand)
    /// One of the detectors (by index in the detector set) has a validated hit in the text
    /// column; unknown when the record has no text.
    case detectorFired(slot: Int, detectors: [Int])
    /// contains / starts with / ends with (`ci`: ASCII case-insensitive); on free text any piece.
    case stringMatch(ExprStringOp, BatchOperand, pattern: BatchOperand, caseInsensitive: Bool)
}

extension BatchCondition {
    /// What a node costs per row, on the record engine's scale (`CheckedExpr.cost`: field tests 1,
    /// lookups 20, agreements 30, detectors 100, substring tests on free text 150): `and` and `or`
    /// evaluate their operands cheapest first, so the costly ones see only the rows the cheap ones
    /// leave undecided. Kleene `and`/`or` are commutative, so the order changes no verdict
    /// (configuration gaps are reported by the rule evaluator, in its own order).
    var cost: Int {
        switch self {
        case .constant: return 0
        case .and(let xs), .or(let xs): return xs.reduce(0) { $0 + $1.cost }
        case .not(let x): return 1 + x.cost
        case .compare(_, let a, let b): return 1 + a.cost + b.cost
        case .isNull(let x, _): return 1 + x.cost
        case .inValues(let x, _, _): return 1 + x.cost
        case .exists(let l): return 20 + l.key.cost
        case .within(let x, _): return 1 + x.cost
        case .covers(let a, let b), .listHas(let a, let b, _): return 1 + a.cost + b.cost
        case .agreementPermits(_, let t, let d, let c, let at): return 30 + t.cost + d.cost + c.cost + at.cost
        case .withinSchedule(let a, let b): return 5 + a.cost + b.cost
        case .detectorFired: return 100
        case .stringMatch(_, .column(_, .runs), let p, _): return 150 + p.cost
        case .stringMatch(_, let x, let p, _): return 1 + x.cost + p.cost
        }
    }

    /// The condition with the operands of every `and` and `or` sorted by `cost` (stable).
    package func ordered() -> BatchCondition {
        switch self {
        case .and(let xs): return .and(Self.sorted(xs))
        case .or(let xs): return .or(Self.sorted(xs))
        case .not(let x): return .not(x.ordered())
        default: return self
        }
    }

    private static func sorted(_ xs: [BatchCondition]) -> [BatchCondition] {
        xs.map { $0.ordered() }.enumerated().sorted { ($0.element.cost, $0.offset) < ($1.element.cost, $1.offset) }.map(\.element)
    }
}

extension BatchOperand {
    var cost: Int {
        switch self {
        case .column, .string, .number, .seconds, .bool, .null, .list: return 0
        case .lookupValue(let l, _): return 20 + l.key.cost
        case .lower(let x), .localTime(let x): return 1 + x.cost
        case .direction(let a, let b): return 1 + a.cost + b.cost
        case .matrix(let d, let c, _): return 5 + d.cost + c.cost
        case .calendar(_, let x): return 3 + x.cost
        case .arith(_, let a, let b): return 1 + a.cost + b.cost
        }
    }
}

/// A value a batch condition reads: a column of the record table or a constant of the rule.
///
/// Only the cases that hold operands are `indirect`: an `indirect enum` boxes every case, and
/// reading a column or a lookup operand per row retained and released its box.
package enum BatchOperand: Sendable {
    case column(slot: Int, storage: BatchColumn.Storage)
    case string(ByteString)
    case number(Double)
    /// Timestamps and durations: UTC epoch seconds.
    case seconds(Int64)
    case bool(Bool)
    /// A typed null literal: every comparison with it is unknown.
    case null
    case list([ByteString])
    /// A column of the first matching reference row (missing without one).
    case lookupValue(BatchLookup, column: Int)
    /// Lower case (ASCII and Latin-1 capitals, `ByteString.caseFolded`).
    indirect case lower(BatchOperand)
    /// A timestamp as local wall-clock seconds in the policy's time zone (the plan's `__local` columns).
    indirect case localTime(BatchOperand)
    /// `direction(from, to)`.
    indirect case direction(BatchOperand, BatchOperand)
    /// `matrix(dir, cat)`: the decision (`MatrixBuiltin.decisions`), missing without a cell.
    indirect case matrix(direction: BatchOperand, category: BatchOperand, decisions: [ByteString: [ByteString: ByteString]])
    /// `hour`/`weekday` (numbers) and `date` (text) of local wall-clock seconds (`CalendarBuiltins`).
    indirect case calendar(CalendarPart, local: BatchOperand)
    /// `a + b` / `a - b`: times and durations in seconds (missing on overflow, as `ExprFold.timeArith`)
    /// or numbers; missing when an operand is.
    indirect case arith(plus: Bool, BatchOperand, BatchOperand)
}

/// Why a rule's plan cannot run on the batch executor yet: the rule and the plan node.
package struct BatchCompileError: Error, Sendable, CustomStringConvertible {
    package let rule: String
    package let node: String
    package var description: String { "\(rule): \(node) is not supported by the batch executor yet" }
}

/// Compiles the filter of a `RulePlan` over its record table (`r`).
package struct BatchConditionCompiler {
    let rule: String
    let kind: RecordKind
    /// The policy's named lists (`@name` → entries), compiled into the condition like literal lists.
    let namedLists: [String: [String]]
    /// The run's reference tables: lookups get their hash indexes from here at compile time.
    let reference: ReferenceTables
    /// The separation matrix's decisions, computed once per compiler.
    let decisions: [ByteString: [ByteString: ByteString]]
    /// Detector names in the detector set's order.
    let detectorNames: [String]
    /// Lookups shared with the other rules of a runner (nil: every lookup its own).
    let lookups: BatchLookupCache?

    package init(rule: String, kind: RecordKind, policy: PolicyData, reference: ReferenceTables, lookups: BatchLookupCache? = nil) {
        self.lookups = lookups
        self.rule = rule
        self.kind = kind
        self.namedLists = policy.namedLists
        self.reference = reference
        self.decisions = policy.matrixDecisions
        self.detectorNames = policy.detectors.detectors.map(\.name)
    }

    package static func filter(of plan: RulePlan, policy: PolicyData, reference: ReferenceTables,
                               lookups: BatchLookupCache? = nil) throws -> BatchCondition {
        guard case .filter(let expr) = plan.body else {
            throw BatchCompileError(rule: plan.ruleID, node: "aggregate")
        }
        return try BatchConditionCompiler(rule: plan.ruleID, kind: plan.kind, policy: policy, reference: reference, lookups: lookups)
            .condition(expr).ordered()
    }

    func lookup(_ l: PlanLookup) throws -> BatchLookup {
        guard let lookups else { return try makeLookup(l) }
        return try lookups.lookup(l, kind: kind) { try makeLookup(l) }
    }

    private func makeLookup(_ l: PlanLookup) throws -> BatchLookup {
        func slot(_ c: PlanColumn) throws -> Int {
            guard c.alias == l.alias, let s = l.table.schema.slot(c.name) else {
                throw BatchCompileError(rule: rule, node: "lookup column \(c.alias).\(c.name)")
            }
            return s
        }
        func op(_ o: PlanLookupTerm.Op) -> LookupTermOp {
            switch o {
            case .equals: return .equals
            case .has: return .contains
            case .covers: return .covers
            }
        }
        guard !l.terms.isEmpty else { throw BatchCompileError(rule: rule, node: "lookup without terms") }
        if let v = l.validity {
            // The validity the plan names must be the table's, which the index checks.
            guard let own = ReferenceTables.validity(of: l.table), try slot(v.start) == own.start,
                  try v.end.map(slot) == own.end else {
                throw BatchCompileError(rule: rule, node: "validity of \(l.table.rawValue)")
            }
        }
        let keyIndex = l.terms.firstIndex { $0.op == .equals } ?? l.terms.firstIndex { $0.op == .has } ?? 0
        let keyTerm = l.terms[keyIndex]
        let others = try l.terms.enumerated().filter { $0.offset != keyIndex }.map {
            (column: try slot($0.element.column), op: op($0.element.op), value: try operand($0.element.value))
        }
        return BatchLookup(table: l.table, index: reference.index(l.table, column: try slot(keyTerm.column)),
                           key: try operand(keyTerm.value), byAncestors: keyTerm.op == .covers, others: others,
                           at: try l.validity.map { try operand($0.at) })
    }

    package func condition(_ e: PlanExpr) throws -> BatchCondition {
        switch e {
        case .literal(.bool(let b)): return .constant(b)
        case .literal(.null(.bool)): return .constant(nil)
        case .and(let xs): return .and(try xs.map(condition))
        case .or(let xs): return .or(try xs.map(condition))
        case .not(let x): return .not(try condition(x))
        case .compare(let op, let a, let b): return .compare(op, try operand(a), try operand(b))
        case .isNull(let x, let negated): return .isNull(try operand(x), negated: negated)
        case .inValues(let x, let values, let negated): return .inValues(try operand(x), values.map { ByteString($0) }, negated: negated)
        case .inNamedList(let x, let list, let negated):
            // Exact bytes, as the closure evaluator's membership test; the checker refused unknown lists.
            guard let entries = namedLists[list] else { throw BatchCompileError(rule: rule, node: "in @\(list) (unknown list)") }
            return .inValues(try operand(x), entries.map { ByteString($0) }, negated: negated)
        case .exists(let l): return .exists(try lookup(l))
        case .detectorFired(let text, _, let names):
            guard text.alias == "r", let slot = kind.schema.slot(text.name), case .text = kind.schema.fields[slot].type else {
                throw BatchCompileError(rule: rule, node: "detector on \(text.alias).\(text.name)")
            }
            let indices = try names.map { name in
                guard let i = detectorNames.firstIndex(of: name) else { throw BatchCompileError(rule: rule, node: "detector \(name) (unknown)") }
                return i
            }
            return .detectorFired(slot: slot, detectors: indices)
        case .withinSchedule(let local, let schedule): return .withinSchedule(local: try operand(local), schedule: try operand(schedule))
        case .agreementPermits(let t, let d, let c, let at, _):
            return .agreementPermits(AgreementBuiltin.agreementIndex(reference), traeger: try operand(t), direction: try operand(d),
                                     category: try operand(c), at: try operand(at))
        case .within(let x, let category, _): return .within(try operand(x), category: ByteString(category))
        case .covers(let list, let category): return .covers(list: try operand(list), category: try operand(category))
        case .listHas(let list, let element, let negated):
            return .listHas(list: try operand(list), element: try operand(element), negated: negated)
        case .stringMatch(let op, let x, let pattern, let ci, _):
            let o: ExprStringOp = switch op {
            case .contains: .contains
            case .startsWith: .startswith
            case .endsWith: .endswith
            }
            return .stringMatch(o, try operand(x), pattern: try operand(pattern), caseInsensitive: ci)
        case .column(let c) where c.type == .bool:
            // A boolean column used as a condition: true when true, false when false, unknown when missing.
            return .compare(.eq, try operand(.column(c)), .bool(true))
        default:
            throw BatchCompileError(rule: rule, node: Self.name(e))
        }
    }

    func operand(_ e: PlanExpr) throws -> BatchOperand {
        switch e {
        case .column(let c) where c.alias == "r" && c.name.hasSuffix("__local"):
            // The local wall-clock time of a timestamp field (`time__local`).
            let base = String(c.name.dropLast("__local".count))
            guard let slot = kind.schema.slot(base), case .timestamp = kind.schema.fields[slot].type else {
                throw BatchCompileError(rule: rule, node: "column \(c.alias).\(c.name)")
            }
            return .localTime(.column(slot: slot, storage: .timestamp))
        case .column(let c):
            guard c.alias == "r", let slot = kind.schema.slot(c.name) else {
                throw BatchCompileError(rule: rule, node: "column \(c.alias).\(c.name)")
            }
            return .column(slot: slot, storage: BatchColumn.Storage(kind.schema.fields[slot].type))
        case .literal(.string(let s)): return .string(ByteString(s))
        case .literal(.number(let d)): return .number(d)
        case .literal(.seconds(let s)): return .seconds(s)
        case .literal(.bool(let b)): return .bool(b)
        case .literal(.null): return .null
        case .literal(.stringList(let items)): return .list(items.map { ByteString($0) })
        case .lower(let x): return .lower(try operand(x))
        case .direction(let a, let b): return .direction(try operand(a), try operand(b))
        case .matrixDecision(let d, let c): return .matrix(direction: try operand(d), category: try operand(c), decisions: decisions)
        case .calendar(let part, let local): return .calendar(part, local: try operand(local))
        case .localTime(let utc): return .localTime(try operand(utc))
        case .arith(let plus, let a, let b): return .arith(plus: plus, try operand(a), try operand(b))
        case .lookupValue(let l, let column):
            let compiled = try lookup(l)
            guard column.alias == l.alias, let slot = l.table.schema.slot(column.name) else {
                throw BatchCompileError(rule: rule, node: "lookup column \(column.alias).\(column.name)")
            }
            return .lookupValue(compiled, column: slot)
        default:
            throw BatchCompileError(rule: rule, node: Self.name(e))
        }
    }

    /// The node's name as `rules plan` shows it, for the refusal.
    static func name(_ e: PlanExpr) -> String {
        switch e {
        case .literal: return "literal"
        case .column(let c): return "column \(c.alias).\(c.name)"
        case .compare(let op, _, _): return "compare \(op.rawValue)"
        case .and: return "and"
        case .or: return "or"
        case .not: return "not"
        case .isNull: return "is null"
        case .inValues: return "in [values]"
        case .inNamedList(_, let list, _): return "in @\(list)"
        case .listHas: return "list has"
        case .stringMatch(let op, _, _, _, _): return op.rawValue
        case .within: return "within"
        case .covers: return "covers"
        case .arith: return "arithmetic"
        case .lower: return "lower"
        case .calendar(let part, _): return part.rawValue
        case .localTime: return "local time"
        case .direction: return "direction"
        case .matrixDecision: return "matrix"
        case .detectorFired: return "detector"
        case .withinSchedule: return "within_schedule"
        case .exists: return "exists (lookup)"
        case .lookupValue: return "lookup value"
        case .agreementPermits: return "agreement_permits"
        }
    }
}
