import TrennwandRecords

/// A column of an exported table.
package struct ExportColumn: Sendable, Hashable {
    package var name: String
    package var type: PlanType

    package init(name: String, type: PlanType) {
        self.name = name
        self.type = type
    }
}

/// A table of the export schema: what `trennwand export` writes, what the DDL of every dialect
/// creates and what plans refer to. One definition for all three (docs/scale-out.md).
package struct ExportTable: Sendable {
    package var name: String
    package var columns: [ExportColumn]

    package init(name: String, columns: [ExportColumn]) {
        self.name = name
        self.columns = columns
    }
}

/// The fixed schema of the exported tables.
///
/// - Record tables (`access`, `documentation`, `flow`) and reference tables (`staff`, …) are named
///   like the record kind and hold the canonical fields in schema order, then derived columns:
///   - `<timestamp>__local`: the same instant as local wall-clock seconds in the pack's time zone
///     (as if UTC), computed in Swift, so `hour`, `weekday`, `date` and schedules need no time
///     zone database in the engine;
///   - `<text>__detectors`: names of the detectors with a validated hit in the free text (sorted),
///     `<text>__categories`: the taxonomy categories those detectors imply (sorted) — detection
///     (Vectorscan and check digits) runs once at export, SQL only tests membership;
///   - every table: the locator (`tw_file`, `tw_line`, `tw_column`, `tw_offset`, `tw_index`,
///     `tw_record_id`); lookup tables (reference tables and documentation) also `tw_row_no` (file order, 1-based) for first-row lookups.
/// - Policy tables (`tw_*`): the separation matrix with inheritance resolved, the taxonomy, the
///   named lists, and parsed schedules as minute intervals.
package enum ExportSchema {
    package static func type(of field: FieldSpec) -> PlanType {
        switch field.type {
        case .string, .symbol: return .string
        case .text, .list: return .stringList
        case .timestamp: return .seconds
        case .number: return .number
        case .bool: return .bool
        }
    }

    package static func localColumn(_ field: String) -> String { field + "__local" }
    package static func detectorsColumn(_ field: String) -> String { field + "__detectors" }
    package static func categoriesColumn(_ field: String) -> String { field + "__categories" }

    static let locatorColumns: [ExportColumn] = [
        ExportColumn(name: "tw_file", type: .string), ExportColumn(name: "tw_line", type: .seconds),
        ExportColumn(name: "tw_column", type: .seconds), ExportColumn(name: "tw_offset", type: .seconds),
        ExportColumn(name: "tw_index", type: .seconds), ExportColumn(name: "tw_record_id", type: .string),
    ]
    static let rowNumberColumn = ExportColumn(name: "tw_row_no", type: .seconds)

    /// The table of a record kind: canonical fields, derived columns, locator (and row number).
    package static func table(_ kind: RecordKind) -> ExportTable {
        var columns: [ExportColumn] = []
        for f in kind.schema.fields { columns.append(ExportColumn(name: f.name, type: type(of: f))) }
        for f in kind.schema.fields {
            switch f.type {
            case .timestamp: columns.append(ExportColumn(name: localColumn(f.name), type: .seconds))
            case .text:
                columns.append(ExportColumn(name: detectorsColumn(f.name), type: .stringList))
                columns.append(ExportColumn(name: categoriesColumn(f.name), type: .stringList))
            default: break
            }
        }
        // Reference tables are rule targets too (TW903–TW905 check secondments and agreements), so
        // every table has the locator; reference tables add their position for first-row lookups.
        columns += locatorColumns
        if kind.isLookupTable { columns.append(rowNumberColumn) }
        return ExportTable(name: kind.rawValue, columns: columns)
    }

    package static let separationMatrix = ExportTable(name: "tw_separation_matrix", columns: [
        ExportColumn(name: "direction", type: .string), ExportColumn(name: "category", type: .string),
        ExportColumn(name: "decision", type: .string),
    ])
    package static let taxonomy = ExportTable(name: "tw_taxonomy", columns: [
        ExportColumn(name: "category", type: .string), ExportColumn(name: "parent", type: .string),
    ])
    package static let namedLists = ExportTable(name: "tw_named_lists", columns: [
        ExportColumn(name: "list", type: .string), ExportColumn(name: "value", type: .string),
    ])
    /// Every schedule text met (rule literals, `secondments.schedule`) and whether it parses.
    package static let schedules = ExportTable(name: "tw_schedules", columns: [
        ExportColumn(name: "schedule", type: .string), ExportColumn(name: "valid", type: .bool),
    ])
    /// Parsed schedules: per ISO weekday (1 = Monday) the minutes `[start_minute, end_minute)`.
    package static let scheduleIntervals = ExportTable(name: "tw_schedule_intervals", columns: [
        ExportColumn(name: "schedule", type: .string), ExportColumn(name: "weekday", type: .seconds),
        ExportColumn(name: "start_minute", type: .seconds), ExportColumn(name: "end_minute", type: .seconds),
    ])

    /// The columns every finding row starts with: the rule and the locator of the record the
    /// finding points at (aggregate rules: the record the in-process engine names, see
    /// `PlanSQLRenderer`). Record rules then have the rule's fields, aggregate rules the group keys
    /// and `aggregateFindingSuffix`.
    package static let findingPrefix = ["rule_id", "tw_file", "tw_line", "tw_column", "tw_offset", "tw_index", "tw_record_id"]
    /// The columns of every finding row of an aggregate rule after `findingPrefix` and the group keys.
    package static let aggregateFindingSuffix = ["tw_window_start", "tw_window_end", "tw_value", "tw_count", "tw_numerator", "tw_baseline"]

    package static let policyTables = [separationMatrix, taxonomy, namedLists, schedules, scheduleIntervals]

    /// Every table, records first.
    package static var allTables: [ExportTable] { RecordKind.allCases.map(table) + policyTables }
}
