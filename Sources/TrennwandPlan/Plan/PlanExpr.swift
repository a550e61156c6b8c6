import TrennwandRecords

/// A column of a table in a plan: the table's alias in the query and the column's name (a
/// canonical field, or a derived column of the export schema such as `text__detectors`).
package struct PlanColumn: Sendable, Hashable {
    /// `r` for the rule's record table, `t1`, `t2` … for lookups (the names `rules plan` prints;
    /// SQL renderers number lookup aliases themselves so that equal subqueries render equally).
    package var alias: String
    package var name: String
    package var type: PlanType
}

/// The types a plan value has in every engine (the export schema's column types).
package enum PlanType: String, Sendable, Hashable {
    /// UTF-8 text (strings, symbols, categories).
    case string
    /// A list of strings (lists, free-text pieces, detector names).
    case stringList
    case number
    case bool
    /// UTC epoch seconds (timestamps) or seconds (durations): 64-bit integers, never a zoned type,
    /// so no engine applies a time zone database of its own.
    case seconds
}

/// A constant of a plan: rule text, policy or the scan's reference time — never an input value.
package enum PlanLiteral: Sendable, Hashable {
    case null(PlanType)
    case string(String)
    case number(Double)
    case bool(Bool)
    case seconds(Int64)
    case stringList([String])
}

package enum PlanCompareOp: String, Sendable, Hashable {
    case eq = "=", ne = "<>", lt = "<", le = "<=", gt = ">", ge = ">="
}

package enum PlanStringOp: String, Sendable, Hashable {
    case contains, startsWith = "starts_with", endsWith = "ends_with"
}

/// Parts of a local wall-clock time (`hour`, `weekday`, `date`).
package enum CalendarPart: String, Sendable, Hashable {
    case hour, weekday, date
}

/// One key condition of a lookup join: `table.column op value` (value in the record's scope).
package struct PlanLookupTerm: Sendable, Hashable {
    package enum Op: String, Sendable, Hashable {
        /// `column = value`
        case equals
        /// The list column has `value` as an element.
        case has
        /// The list-of-categories column holds `value`'s category or one of its ancestors.
        case covers
    }
    package var column: PlanColumn
    package var op: Op
    package var value: PlanExpr
}

/// A lookup join into a reference table (or the documentation records): the rows whose terms hold
/// and, with `at`, whose validity interval (`start ≤ at ≤ end`, a missing bound open; documentation
/// entries have a start only) contains the time. Rows keep file order
/// (`tw_row_no`): a value lookup takes the first.
package struct PlanLookup: Sendable, Hashable {
    package var table: RecordKind
    package var alias: String
    package var terms: [PlanLookupTerm]
    /// Validity columns and the time they are checked at.
    package var validity: (start: PlanColumn, end: PlanColumn?, at: PlanExpr)?

    // Written out because of the `validity` tuple: equal plans are equal joins (the batch
    // executor shares one lookup per distinct join).
    package static func == (a: PlanLookup, b: PlanLookup) -> Bool {
        a.table == b.table && a.alias == b.alias && a.terms == b.terms
            && a.validity?.start == b.validity?.start && a.validity?.end == b.validity?.end && a.validity?.at == b.validity?.at
    }

    package func hash(into h: inout Hasher) {
        h.combine(table)
        h.combine(alias)
        h.combine(terms)
        h.combine(validity?.start)
        h.combine(validity?.end)
        h.combine(validity?.at)
    }
}

/// The condition of a rule as a plan: every name resolved to a table column, a policy table or a
/// derived column, and the three-valued logic of the rule language spelt out per node (see
/// `nullRule`): renderers translate node by node and never decide semantics themselves.
package indirect enum PlanExpr: Sendable, Hashable {
    case literal(PlanLiteral)
    case column(PlanColumn)
    case compare(PlanCompareOp, PlanExpr, PlanExpr)
    case and([PlanExpr])
    case or([PlanExpr])
    case not(PlanExpr)
    /// `x is null`: `missing(x)` (negated: false) / `present(x)` (negated: true).
    case isNull(PlanExpr, negated: Bool)
    /// `x in [literals]` / `x not in […]`.
    case inValues(PlanExpr, [String], negated: Bool)
    /// `x in @list`: membership in the policy table `tw_named_lists`.
    case inNamedList(PlanExpr, list: String, negated: Bool)
    /// `x in listValue` / `list contains x` on a list value.
    case listHas(list: PlanExpr, element: PlanExpr, negated: Bool)
    /// Substring tests; on free text (`overPieces`) any piece. `caseInsensitive`: ASCII folding.
    case stringMatch(PlanStringOp, PlanExpr, pattern: PlanExpr, caseInsensitive: Bool, overPieces: Bool)
    /// `x within "c"`: x is c or lies below it; on a list any element.
    case within(PlanExpr, category: String, overList: Bool)
    /// `list covers c`: an element is c or an ancestor of c.
    case covers(list: PlanExpr, category: PlanExpr)
    case arith(plus: Bool, PlanExpr, PlanExpr)
    case lower(PlanExpr)
    /// A part of the local wall-clock time in `local` (a `__local` column: seconds as if UTC).
    case calendar(CalendarPart, local: PlanExpr)
    /// The local wall-clock time (seconds as if UTC) of a computed UTC time such as `time + 1h`, in
    /// the pack's zone. Planned only for the in-process executor (`RulePlanner.Target`): the SQL
    /// engines read the export's `__local` columns and have no zone rules of ours for other times.
    case localTime(PlanExpr)
    /// `direction(a, b)`.
    case direction(PlanExpr, PlanExpr)
    /// `matrix(dir, cat)`: the decision from the policy table `tw_separation_matrix` (inheritance
    /// resolved when the table is written).
    case matrixDecision(direction: PlanExpr, category: PlanExpr)
    /// One of `detectors` fired in the free-text column (its `__detectors` column); the text column
    /// decides whether the record has text at all.
    case detectorFired(text: PlanColumn, detectors: PlanColumn, names: [String])
    /// `within_schedule(t, s)`: `local` is a `__local` column, the schedule a string looked up in the
    /// policy tables `tw_schedules` / `tw_schedule_intervals`.
    case withinSchedule(local: PlanExpr, schedule: PlanExpr)
    case exists(PlanLookup)
    /// The column of the first matching row (file order), missing without one.
    case lookupValue(PlanLookup, column: PlanColumn)
    /// `agreement_permits(traeger, dir, cat) at t` on the reference table `agreements`.
    case agreementPermits(traeger: PlanExpr, direction: PlanExpr, category: PlanExpr, at: PlanExpr, alias: String)

    /// How the node treats a missing operand (the rule language's three-valued logic, made explicit
    /// for renderers and the printed plan).
    package var nullRule: String {
        switch self {
        case .literal, .column: return "value"
        case .and, .or, .not: return "kleene"
        case .isNull, .exists, .agreementPermits: return "never unknown"
        case .lookupValue: return "missing without a row"
        case .detectorFired: return "unknown without text"
        default: return "unknown if an operand is missing"
        }
    }
}
