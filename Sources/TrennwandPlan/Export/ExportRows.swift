import TrennwandEngine
import TrennwandRecords

/// A value of an exported column.
package enum ExportValue: Sendable, Hashable {
    case null
    case string(ByteString)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case list([ByteString])
}

/// Rows of the export schema as JSON Lines: one object per line, keys the table's columns in
/// schema order, `null` for missing values.
///
/// JSON Lines rather than CSV: lists (roles, free-text pieces, detector names) are arrays, types
/// survive (numbers, booleans, integers), and every engine reads it without a dialect of its own
/// (DuckDB `read_json`, Spark `spark.read.json`, PostgreSQL through a `jsonb` staging column).
/// Strings are written byte for byte except `"`, `\` and the control characters below U+0020,
/// which are escaped (`\"`, `\\`, `\n`, `\u0000` …), so every value — quotes, `'; DROP TABLE`,
/// NUL, non-BMP characters — reads back identical. Records hold UTF-8 (the readers transcode).
/// Numbers that are not finite have no JSON form and are written as `null`.
package enum ExportRows {
    /// One line (with its `\n`) of `table` from values in column order.
    package static func line(_ table: ExportTable, _ values: [ExportValue]) -> [UInt8] {
        precondition(values.count == table.columns.count, "export row must match its table")
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, column) in table.columns.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            string(Array(column.name.utf8), into: &out)
            out.append(UInt8(ascii: ":"))
            value(values[i], into: &out)
        }
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
        return out
    }

    static func value(_ v: ExportValue, into out: inout [UInt8]) {
        switch v {
        case .null: out += Array("null".utf8)
        case .string(let s): string(s.bytes, into: &out)
        case .int(let n): out += Array(String(n).utf8)
        case .double(let d): out += Array((d.isFinite ? "\(d)" : "null").utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (i, s) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(s.bytes, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    static func string(_ bytes: [UInt8], into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Turns records into rows of the export schema: canonical fields, then the derived columns
/// (local times, detector names and categories of free text) computed here, once, in Swift.
/// One per thread (it holds a detector scanner).
package final class RecordRowEncoder {
    private let scanner: DetectorScanner
    private let detectors: [DetectorInfo]
    private let zone: ZoneConverter

    package init?(policy: PolicyData) {
        guard let zone = ZoneConverter(identifier: policy.timeZone) else { return nil }
        self.zone = zone
        self.scanner = policy.detectors.makeScanner()
        self.detectors = policy.detectors.detectors
    }

    /// The row of `record`; lookup tables (reference tables, documentation) take their 1-based
    /// position in file order.
    package func values(_ record: Record, rowNumber: Int = 0) -> [ExportValue] {
        let schema = record.kind.schema
        var out: [ExportValue] = []
        out.reserveCapacity(schema.count + 8)
        for (slot, _) in schema.fields.enumerated() { out.append(Self.value(record[slot])) }
        for (slot, f) in schema.fields.enumerated() {
            switch f.type {
            case .timestamp:
                out.append(record[slot].timeValue.map { .int(zone.local(fromUTC: $0)) } ?? .null)
            case .text:
                let pieces = record[slot].strings
                if pieces.isEmpty, record[slot].isMissing {
                    out += [.null, .null]
                    break
                }
                let result = scanner.scan(pieces)
                let fired = detectors.indices.filter { result.fired($0) }
                out.append(.list(fired.map { ByteString(detectors[$0].name) }.sorted()))
                out.append(.list(Set(fired.map { detectors[$0].category }).sorted().map { ByteString($0) }))
            default: break
            }
        }
        let l = record.locator
        out += [.string(ByteString(l.file)), .int(Int64(l.line)), l.column.map { .int(Int64($0)) } ?? .null,
                .int(l.byteOffset), .int(Int64(l.index)), l.recordID.map { .string(ByteString($0)) } ?? .null]
        if record.kind.isLookupTable { out.append(.int(Int64(rowNumber))) }
        return out
    }

    package func line(_ record: Record, rowNumber: Int = 0) -> [UInt8] {
        ExportRows.line(ExportSchema.table(record.kind), values(record, rowNumber: rowNumber))
    }

    static func value(_ v: Value) -> ExportValue {
        switch v {
        case .missing: return .null
        case .string(let s): return .string(s)
        case .number(let n): return .double(n)
        case .bool(let b): return .bool(b)
        case .time(let t): return .int(t)
        case .list(let l): return .list(l)
        }
    }
}

/// The policy tables: separation matrix (inheritance resolved for every known category, as the
/// engine's `matrix()` precomputes it), taxonomy, named lists and the schedules met.
package enum PolicyRows {
    package static func matrix(_ policy: PolicyData) -> [[ExportValue]] {
        var known = Set(policy.taxonomy.categories.keys)
        for row in policy.matrix.cells.values { known.formUnion(row.keys) }
        var rows: [[ExportValue]] = []
        for direction in SeparationMatrix.directions {
            for c in known.sorted() {
                if let cell = policy.matrix.cell(direction: direction, category: c) {
                    rows.append([.string(ByteString(direction)), .string(ByteString(c)), .string(ByteString(cell.decision.rawValue))])
                }
            }
        }
        return rows
    }

    package static func taxonomy(_ policy: PolicyData) -> [[ExportValue]] {
        policy.taxonomy.categories.values.sorted { $0.id < $1.id }
            .map { [.string(ByteString($0.id)), $0.parent.map { .string(ByteString($0)) } ?? .null] }
    }

    package static func namedLists(_ policy: PolicyData) -> [[ExportValue]] {
        policy.namedLists.keys.sorted().flatMap { name in
            policy.namedLists[name]!.map { [.string(ByteString(name)), .string(ByteString($0))] }
        }
    }

    /// `tw_schedules` and `tw_schedule_intervals` rows of the given schedule texts (each once).
    package static func schedules(_ texts: [String]) -> (schedules: [[ExportValue]], intervals: [[ExportValue]]) {
        var schedules: [[ExportValue]] = [], intervals: [[ExportValue]] = []
        for text in Set(texts).sorted() {
            let parsed = try? DeploymentSchedule(parsing: text)
            schedules.append([.string(ByteString(text)), .bool(parsed != nil)])
            guard let parsed else { continue }
            for (day, ranges) in parsed.ranges.enumerated() {
                for r in ranges {
                    intervals.append([.string(ByteString(text)), .int(Int64(day + 1)), .int(Int64(r.lowerBound)), .int(Int64(r.upperBound))])
                }
            }
        }
        return (schedules, intervals)
    }

    /// The schedule texts a set of plans and reference rows need: literals of `within_schedule`
    /// and every `secondments.schedule` value.
    package static func scheduleTexts(plans: [RulePlan], secondments: [Record]) -> [String] {
        var out: [String] = []
        for p in plans { out += p.literalSchedules }
        if let slot = RecordKind.secondments.schema.slot("schedule") {
            for r in secondments { if let s = r[slot].stringValue { out.append(s.string) } }
        }
        return out
    }
}

extension RulePlan {
    /// Schedule literals of `within_schedule` calls.
    package var literalSchedules: [String] {
        var out: [String] = []
        func visit(_ e: PlanExpr) {
            switch e {
            case .withinSchedule(let l, let s):
                if case .literal(.string(let text)) = s { out.append(text) }
                visit(l); visit(s)
            case .compare(_, let a, let b), .arith(_, let a, let b), .direction(let a, let b), .listHas(let a, let b, _),
                 .covers(let a, let b), .matrixDecision(let a, let b), .stringMatch(_, let a, let b, _, _):
                visit(a); visit(b)
            case .and(let xs), .or(let xs): xs.forEach(visit)
            case .not(let a), .isNull(let a, _), .inValues(let a, _, _), .inNamedList(let a, _, _), .within(let a, _, _),
                 .lower(let a), .calendar(_, let a), .localTime(let a):
                visit(a)
            case .exists(let l), .lookupValue(let l, _):
                l.terms.forEach { visit($0.value) }
                if let v = l.validity { visit(v.at) }
            case .agreementPermits(let a, let b, let c, let d, _): [a, b, c, d].forEach(visit)
            case .literal, .column, .detectorFired: break
            }
        }
        switch body {
        case .filter(let e): visit(e)
        case .aggregate(let a):
            if let f = a.filter { visit(f) }
            if case .ratio(let n, _) = a.measure { visit(n) }
        }
        return out
    }
}
