import TrennwandRecords

/// The logical plan of one rule: what its executors (the in-process engine's closures are one,
/// the SQL renderers others) must compute, with nothing left to interpret.
///
/// scan(kind) → filter(condition) → [aggregate] → project(finding row)
package struct RulePlan: Sendable {
    package var ruleID: String
    /// The record table scanned (alias `r`).
    package var kind: RecordKind
    package var body: Body
    package var projection: FindingProjection

    package enum Body: Sendable {
        /// A record rule: a finding per record whose condition is true.
        case filter(PlanExpr)
        /// An aggregate rule: records passing `filter` grouped and measured.
        case aggregate(AggregatePlan)
    }

    /// The reference and policy tables the plan reads (for review and load order).
    package var tablesRead: [String] {
        var names: Set<String> = []
        func visit(_ e: PlanExpr) {
            switch e {
            case .literal, .column: break
            case .compare(_, let a, let b), .arith(_, let a, let b), .direction(let a, let b):
                visit(a); visit(b)
            case .and(let xs), .or(let xs): xs.forEach(visit)
            case .not(let a), .isNull(let a, _), .inValues(let a, _, _), .within(let a, _, _), .lower(let a), .calendar(_, let a),
                 .localTime(let a):
                visit(a)
            case .inNamedList(let a, _, _):
                names.insert(ExportSchema.namedLists.name); visit(a)
            case .listHas(let a, let b, _), .covers(let a, let b): visit(a); visit(b)
            case .stringMatch(_, let a, let b, _, _): visit(a); visit(b)
            case .matrixDecision(let a, let b):
                names.insert(ExportSchema.separationMatrix.name); visit(a); visit(b)
            case .detectorFired: break
            case .withinSchedule(let a, let b):
                names.insert(ExportSchema.scheduleIntervals.name); visit(a); visit(b)
            case .exists(let l), .lookupValue(let l, _):
                names.insert(l.table.rawValue)
                l.terms.forEach { visit($0.value) }
                if let v = l.validity { visit(v.at) }
            case .agreementPermits(let a, let b, let c, let d, _):
                names.insert(RecordKind.agreements.rawValue); [a, b, c, d].forEach(visit)
            }
        }
        switch body {
        case .filter(let e): visit(e)
        case .aggregate(let a):
            if let f = a.filter { visit(f) }
            if case .ratio(let n, _) = a.measure { visit(n) }
        }
        return names.sorted()
    }
}

/// An aggregate over the records of a kind that passed the filter (true only).
package struct AggregatePlan: Sendable {
    package var filter: PlanExpr?
    /// Records with a missing group key are not counted.
    package var groupBy: [PlanColumn]
    /// Tumbling windows `[k·w, (k+1)·w)` of UTC epoch seconds over `time`; nil: the whole input.
    package var window: Int64?
    package var time: PlanColumn
    package var measure: Measure
    /// count/distinct: fires at value ≥ threshold; ratio: share − baseline ≥ threshold (a fraction);
    /// gap: seconds.
    package var threshold: Double
    /// A group needs at least this many counted records (at least 1).
    package var minCount: Int

    package enum Measure: Sendable {
        case count
        /// Distinct values of the column; records without a value are not counted at all.
        case distinct(PlanColumn)
        /// Share of records whose numerator is true, against the share of all other groups in the
        /// same window (leave-one-out baseline, TW401); no other records: no baseline, no finding.
        case ratio(numerator: PlanExpr, leaveOneOut: Bool)
        /// Silent intervals between consecutive record times of a group: each of at least the
        /// threshold is a finding. `weekdaysOnly`: only Monday–Friday local time counts (measured
        /// on the `__local` column).
        case gap(weekdaysOnly: Bool, local: PlanColumn)
    }
}

/// What a finding row carries back to `collect`: which rule, where, what to show, what makes its
/// fingerprint. Record rules: the locator columns and the evidence and fingerprint fields of the
/// record; aggregate rules: the group key, window, measured value and counts.
package struct FindingProjection: Sendable {
    package var evidence: [String]
    package var fingerprintFields: [String]
    /// Fingerprint time bucket in seconds (nil: none).
    package var fingerprintBucket: Int64?
}
