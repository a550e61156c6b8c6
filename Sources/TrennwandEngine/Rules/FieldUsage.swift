import TrennwandRecords

/// A canonical field of a record kind: `access.actor_role`, `participants.counselors`.
public struct FieldKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let kind: RecordKind
    public let name: String

    public init(_ kind: RecordKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    public var description: String { "\(kind.rawValue).\(name)" }

    public static func < (a: FieldKey, b: FieldKey) -> Bool {
        a.kind.ordinal != b.kind.ordinal ? a.kind.ordinal < b.kind.ordinal : a.name < b.name
    }
}

/// Where a rule reads a field.
public enum FieldRole: String, Sendable, Hashable, CaseIterable {
    /// A test in the condition (or aggregate filter).
    case condition
    /// Only tested for presence (`present(x)`, `missing(x)`): the rule decides on the absence itself.
    case presence
    /// A column of a reference table read through a lookup (`participants(…).counselors`).
    case lookup
    /// The ratio numerator of an aggregate.
    case ratio
    /// A group key or the distinct value of an aggregate.
    case group
    /// The record time that places a record in an aggregate's window or gap time line.
    case window
    /// Shown as evidence of a finding.
    case evidence
    /// Part of a finding's fingerprint.
    case fingerprint
}

/// What a rule does with a record when one field is missing (every other field present).
public enum MissingEffect: String, Sendable, Hashable {
    /// The condition can no longer be `true` and is `unknown` at least for some records (three-valued
    /// logic): no finding for that record, and no configuration gap either (gaps are only reported
    /// for a lookup key that is present but not found).
    case undecided
    /// The condition can only be `false` (a lookup without key finds no row, `agreement_permits`
    /// without arguments permits nothing): no finding for that record.
    case neverFires = "never_fires"
    /// The aggregate does not count the record (no group key, distinct value or time).
    case notCounted = "not_counted"
    /// The rule still decides; evidence shows `–`, the fingerprint takes an empty value.
    case stillDecides = "still_decides"
}

/// One field a rule reads, with what the rule needs it for.
public struct FieldRead: Sendable, Hashable {
    public let field: FieldKey
    public let roles: [FieldRole]
    /// Without this field (all others present) the rule can never fire.
    public let required: Bool
    public let whenMissing: MissingEffect
}

/// The fields one compiled rule reads, derived from its checked condition tree (or aggregate
/// filter, ratio numerator, group keys and window) plus evidence and fingerprint, and whether the
/// rule can still fire when some of them are missing. Computed by abstract evaluation of the
/// condition over the engine's three-valued logic (`Tri`), with the same missing-value behaviour
/// as `ConditionCompiler`: nothing here is maintained by hand, so docs/fields.md and
/// `profiles check` follow the rules.
public struct FieldUsage: Sendable {
    public let ruleID: String
    /// The kind the rule is evaluated on.
    public let kind: RecordKind
    public let isAggregate: Bool
    /// Every field read, sorted (kind order, then name).
    public let reads: [FieldRead]

    /// Conditions that must be `true` for the rule to fire (record condition, or aggregate filter
    /// and ratio numerator).
    let mustHold: [CheckedExpr]
    /// Fields without which an aggregate does not count a record.
    let counted: Set<FieldKey>

    /// The usage of every rule of a compiled pack, record rules first, each in pack order.
    public static func of(_ pack: CompiledRulePack) -> [FieldUsage] {
        pack.rules.map(FieldUsage.init(rule:)) + pack.aggregates.map(FieldUsage.init(aggregate:))
    }

    init(rule: CompiledRule) {
        let kind = rule.file.target.kind
        var roles: [FieldKey: Set<FieldRole>] = [:]
        Self.collect(rule.condition.checked, kind: kind, role: .condition, into: &roles)
        for f in rule.evidence { roles[FieldKey(kind, f.name), default: []].insert(.evidence) }
        for slot in rule.fingerprint { roles[FieldKey(kind, kind.schema.fields[slot].name), default: []].insert(.fingerprint) }
        self.init(id: rule.descriptor.id, kind: kind, aggregate: false, roles: roles, mustHold: [rule.condition.checked], counted: [])
    }

    init(aggregate: CompiledAggregate) {
        let kind = aggregate.file.target.kind
        let schema = kind.schema
        var roles: [FieldKey: Set<FieldRole>] = [:]
        var must: [CheckedExpr] = []
        var counted: Set<FieldKey> = []
        if let f = aggregate.filter {
            Self.collect(f.checked, kind: kind, role: .condition, into: &roles)
            must.append(f.checked)
        }
        if let n = aggregate.numerator {
            Self.collect(n.checked, kind: kind, role: .ratio, into: &roles)
            must.append(n.checked)
        }
        for slot in aggregate.groupSlots + (aggregate.distinctSlot.map { [$0] } ?? []) {
            let key = FieldKey(kind, schema.fields[slot].name)
            roles[key, default: []].insert(.group)
            counted.insert(key)
        }
        // Windowed and gap aggregates place each record on the time line; a whole-scan count does not.
        var needsTime = aggregate.spec.window != nil
        if case .gap = aggregate.spec.measure { needsTime = true }
        if needsTime, schema.slot("time") != nil {
            let key = FieldKey(kind, "time")
            roles[key, default: []].insert(.window)
            counted.insert(key)
        }
        self.init(id: aggregate.descriptor.id, kind: kind, aggregate: true, roles: roles, mustHold: must, counted: counted)
    }

    private init(id: String, kind: RecordKind, aggregate: Bool, roles: [FieldKey: Set<FieldRole>],
                 mustHold: [CheckedExpr], counted: Set<FieldKey>) {
        self.ruleID = id
        self.kind = kind
        self.isAggregate = aggregate
        self.mustHold = mustHold
        self.counted = counted
        var reads: [FieldRead] = []
        for key in roles.keys.sorted() {
            let r = roles[key]!
            let effect: MissingEffect
            if counted.contains(key) {
                effect = .notCounted
            } else {
                let outcomes = Self.outcomes(mustHold, kind: kind, missing: [key])
                if outcomes.contains(.true) {
                    effect = .stillDecides
                } else {
                    // Any unknown outcome means the field is what leaves the record undecided.
                    effect = outcomes.contains(.unknown) ? .undecided : .neverFires
                }
            }
            reads.append(FieldRead(field: key, roles: FieldRole.allCases.filter(r.contains), required: effect != .stillDecides,
                                   whenMissing: effect))
        }
        self.reads = reads
    }

    /// Whether the rule can still fire when every field in `missing` is absent (all others may
    /// hold any value).
    public func canFire(without missing: Set<FieldKey>) -> Bool {
        if !counted.isDisjoint(with: missing) { return false }
        return Self.outcomes(mustHold, kind: kind, missing: missing).contains(.true)
    }

    /// The fields of `reads` in `missing`.
    public func affected(by missing: Set<FieldKey>) -> [FieldRead] {
        reads.filter { missing.contains($0.field) }
    }

    static func outcomes(_ conditions: [CheckedExpr], kind: RecordKind, missing: Set<FieldKey>) -> TriSet {
        let a = MissingAnalysis(kind: kind, missing: missing)
        return conditions.reduce(TriSet.true) { $0.and(a.truth($1)) }
    }

    // MARK: - Collecting the fields read

    /// Adds the fields an expression reads, of the record (`kind`) and of the reference tables.
    static func collect(_ e: CheckedExpr, kind: RecordKind, role: FieldRole, into roles: inout [FieldKey: Set<FieldRole>]) {
        func add(_ k: RecordKind, _ name: String, _ r: FieldRole) { roles[FieldKey(k, name), default: []].insert(r) }
        func lookup(_ l: ExprLookup) {
            for t in l.terms {
                add(l.table, t.name, .lookup)
                collect(t.value, kind: kind, role: role, into: &roles)
            }
            if let at = l.at {
                collect(at, kind: kind, role: role, into: &roles)
                if let v = ReferenceTables.validity(of: l.table) {
                    add(l.table, v.names.0, .lookup)
                    if let end = v.names.1 { add(l.table, end, .lookup) }
                }
            }
        }
        switch e {
        case .field(_, let name, _):
            add(kind, name, role)
        case .builtin(let call) where call.function == .present || call.function == .missing:
            if case .field(_, let name, _) = call.args[0] { add(kind, name, role == .condition ? .presence : role) } else {
                collect(call.args[0], kind: kind, role: role, into: &roles)
            }
        case .builtin(let call):
            if call.function == .agreementPermits {
                for name in AgreementBuiltinColumns.names { add(.agreements, name, .lookup) }
            }
            for a in call.args { collect(a, kind: kind, role: role, into: &roles) }
        case .exists(let l):
            lookup(l)
        case .lookupValue(let l, _, let name, _):
            add(l.table, name, .lookup)
            lookup(l)
        case .constant, .namedList: break
        case .compare(_, let a, let b), .member(let a, let b, _), .stringMatch(_, let a, let b, _), .covers(let a, let b),
             .listContains(let a, let b), .arith(_, let a, let b, _):
            collect(a, kind: kind, role: role, into: &roles)
            collect(b, kind: kind, role: role, into: &roles)
        case .and(let xs), .or(let xs): for x in xs { collect(x, kind: kind, role: role, into: &roles) }
        case .not(let a), .within(let a, _): collect(a, kind: kind, role: role, into: &roles)
        }
    }
}

/// The `agreements` columns `agreement_permits` reads (see `AgreementBuiltin.bool`).
enum AgreementBuiltinColumns {
    static let names = ["traeger", "approved_by_leitung", "legal_basis", "permitted_flows", "valid_from", "valid_to"]
}

/// A set of possible truth values.
struct TriSet: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    static let `false` = TriSet(rawValue: 1)
    static let unknown = TriSet(rawValue: 2)
    static let `true` = TriSet(rawValue: 4)
    static let any: TriSet = [.false, .unknown, .true]

    init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ t: Tri) {
        switch t {
        case .false: self = .false
        case .unknown: self = .unknown
        case .true: self = .true
        }
    }

    var members: [Tri] { [Tri.false, .unknown, .true].filter { contains(TriSet($0)) } }

    private func combine(_ other: TriSet, _ op: (Tri, Tri) -> Tri) -> TriSet {
        var out: TriSet = []
        for a in members { for b in other.members { out.insert(TriSet(op(a, b))) } }
        return out
    }

    func and(_ other: TriSet) -> TriSet { combine(other) { $0 && $1 } }
    func or(_ other: TriSet) -> TriSet { combine(other) { $0 || $1 } }
    var negated: TriSet { TriSet(members: members.map { !$0 }) }

    init(members: [Tri]) {
        self = []
        for m in members { insert(TriSet(m)) }
    }
}

/// Abstract evaluation of a checked condition when the fields in `missing` have no value and every
/// other field may hold anything: the set of truth values the compiled closure can return. Mirrors
/// `ConditionCompiler` and the builtin families: comparisons, membership, string and list tests of
/// a missing value are `unknown`; `present`/`missing` are definite; `exists` without its key is
/// `false`; a value lookup without key or row is missing; `agreement_permits` without an argument
/// or agreements row is `false`; other functions of a missing argument are `unknown` or missing.
struct MissingAnalysis {
    /// The kind of the record the condition is evaluated on (its `.field` nodes).
    let kind: RecordKind
    let missing: Set<FieldKey>

    func truth(_ e: CheckedExpr) -> TriSet {
        switch e {
        case .constant(let c, _):
            if case .bool(let t) = c { return TriSet(t) }
            return .unknown
        case .field, .lookupValue:
            return isMissing(e) ? .unknown : .any
        case .compare(_, let a, let b), .member(let a, let b, _), .stringMatch(_, let a, let b, _), .covers(let a, let b),
             .listContains(let a, let b):
            return isMissing(a) || isMissing(b) ? .unknown : .any
        case .within(let a, _):
            return isMissing(a) ? .unknown : .any
        case .and(let xs):
            return xs.reduce(TriSet.true) { $0.and(truth($1)) }
        case .or(let xs):
            return xs.reduce(TriSet.false) { $0.or(truth($1)) }
        case .not(let a):
            return truth(a).negated
        case .exists(let l):
            return keyMissing(l) ? .false : [.false, .true]
        case .builtin(let call):
            switch call.function {
            case .present: return isMissing(call.args[0]) ? .false : [.false, .true]
            case .missing: return isMissing(call.args[0]) ? .true : [.false, .true]
            case .agreementPermits:
                let tableMissing = AgreementBuiltinColumns.names.prefix(4).contains { missing.contains(FieldKey(.agreements, $0)) }
                return tableMissing || call.args.contains(where: isMissing) ? .false : [.false, .true]
            default:
                return call.args.contains(where: isMissing) ? .unknown : .any
            }
        case .namedList, .arith:
            return .unknown
        }
    }

    /// Whether the expression's value is certainly missing.
    func isMissing(_ e: CheckedExpr) -> Bool {
        switch e {
        case .constant(let c, _):
            if case .missing = c { return true }
            if case .bool(.unknown) = c { return true }
            return false
        case .field(_, let name, _):
            return missing.contains(FieldKey(kind, name))
        case .namedList: return false
        case .arith(_, let a, let b, _): return isMissing(a) || isMissing(b)
        case .lookupValue(let l, _, let name, _):
            return keyMissing(l) || missing.contains(FieldKey(l.table, name))
        case .builtin(let call) where call.type != .bool:
            return call.function != .now && call.args.contains(where: isMissing)
        default:
            return truth(e) == .unknown
        }
    }

    /// A lookup that cannot find a row: a key value is missing, or the table lacks a key column.
    func keyMissing(_ l: ExprLookup) -> Bool {
        l.terms.contains { isMissing($0.value) || missing.contains(FieldKey(l.table, $0.name)) }
            || (l.at.map(isMissing) ?? false)
    }
}

/// How well a set of available fields feeds one rule (`trennwand profiles check`).
public struct FieldFeed: Sendable {
    public enum Grade: String, Sendable {
        /// Every field the rule reads is available.
        case full
        /// Some fields are missing, but the rule can still fire.
        case partial
        /// The rule can never fire: a needed field (or a combination) is missing.
        case none
    }

    public let grade: Grade
    /// The fields the rule reads that are not available.
    public let missing: [FieldRead]
    /// For `none`: the missing fields that stop the rule (each needed on its own, or all missing
    /// ones when only their combination stops it).
    public let blocking: [FieldRead]

    public init(grade: Grade, missing: [FieldRead], blocking: [FieldRead]) {
        self.grade = grade
        self.missing = missing
        self.blocking = blocking
    }
}

extension FieldUsage {
    /// Grades the rule for the fields in `available` (of every kind it reads).
    public func feed(available: Set<FieldKey>) -> FieldFeed {
        let missing = reads.filter { !available.contains($0.field) }
        if missing.isEmpty { return FieldFeed(grade: .full, missing: [], blocking: []) }
        if canFire(without: Set(missing.map(\.field))) { return FieldFeed(grade: .partial, missing: missing, blocking: []) }
        let needed = missing.filter(\.required)
        return FieldFeed(grade: .none, missing: missing, blocking: needed.isEmpty ? missing : needed)
    }

    /// The reference kinds the rule reads through lookups.
    public var referenceKinds: Set<RecordKind> {
        Set(reads.map(\.field.kind).filter { $0 != kind })
    }
}
