import TrennwandRecords

/// How the batch normaliser writes a slot straight into its column, skipping the `Value` box.
///
/// Only the shapes that make up nearly every field of a log export have a fast path; every other
/// mapping (value patterns, several sources, date plus time columns, numbers, booleans, lists)
/// goes through the record normaliser's own conversion (`ProfileNormaliser.convert`) and its
/// `Value` is written into the column. The fast paths repeat what `makeMapStage` and
/// `makeTypedStage` do for their shape; `BatchNormaliserTests` holds the two normalisers equal.
enum BatchFastPath {
    case none
    /// One source column, a string or symbol without value map or patterns: the trimmed bytes.
    case plain
    /// One source column, a string or symbol with a value map and no patterns: the case-folded
    /// bytes looked up (a nil target is a missing value), else the unmapped policy.
    case mapped(MappedField)
    /// One source column, a timestamp without value map or patterns.
    case timestamp(TimestampFormat, endOfDay: Bool, ZoneConverter)
}

/// A value map compiled for the batch normaliser: case-folded source value → target index, and
/// the targets' symbol ids in the worker's table (resolved once per table, not per record).
final class MappedField {
    private let table: ByteKeyTable
    let targets: [ByteString]
    let policy: UnmappedPolicy
    private var idsOf: ObjectIdentifier?
    private var targetIDs: [UInt32] = []

    /// `map`: folded key → target (nil: the value means "missing").
    init(_ map: [(ByteString, ByteString?)], policy: UnmappedPolicy) {
        var targets: [ByteString] = []
        var table = ByteKeyTable()
        for (key, target) in map {
            guard let target else { table.set(-1, for: key); continue }
            let index = targets.firstIndex(of: target) ?? { targets.append(target); return targets.count - 1 }()
            table.set(Int32(index), for: key)
        }
        self.table = table
        self.targets = targets
        self.policy = policy
    }

    /// The target index of a folded value, -1 for a value mapped to nothing, nil when unmapped.
    @inline(__always)
    func lookup(_ folded: ByteString) -> Int32? { table.value(for: folded) }

    @inline(__always)
    func symbolID(_ index: Int32, in symbols: SymbolTable) -> UInt32 {
        if idsOf != ObjectIdentifier(symbols) {
            targetIDs = targets.map { symbols.intern($0) }
            idsOf = ObjectIdentifier(symbols)
        }
        return targetIDs[Int(index)]
    }
}

extension ProfileNormaliser {
    static func batchFastPath(_ m: FieldMapping, extraction: Extraction, zone: ZoneConverter) -> BatchFastPath {
        guard case .single = extraction, m.patterns.isEmpty else { return .none }
        switch m.type {
        case .string, .symbol:
            // The same table as `makeMapStage`: the allowed symbols (folded), then the value map.
            var entries: [(ByteString, ByteString?)] = []
            if case .symbol(let allowed) = m.type {
                for s in allowed { entries.append((foldCase(ByteString(s)), ByteString(s))) }
            }
            for (k, v) in m.valueMap { entries.append((ByteString(k), v.map { ByteString($0) })) }
            return entries.isEmpty ? .plain : .mapped(MappedField(entries, policy: m.unmapped))
        case .timestamp:
            guard m.valueMap.isEmpty else { return .none }
            return .timestamp(m.timestampFormat ?? .iso8601, endOfDay: SourceProfile.endOfDayFields.contains(m.name), zone)
        default:
            return .none
        }
    }

    /// Normalises one record into the next row of `batch`; a rejected record leaves the batch as
    /// it was and returns its rejection. Same values, same rejections as `normalise(_:locator:)`.
    func normalise<R: RawRecord>(_ raw: R, into batch: inout RecordBatch, symbols: SymbolTable,
                                 line: Int, byteOffset: Int64, index: Int, column: Int? = nil) -> Rejection? {
        batch.beginRow(line: line, byteOffset: byteOffset, index: index, column: column)
        for s in slots {
            let result: Converted
            switch s.fast {
            case .none:
                result = Self.convert(s, raw)
            case .plain:
                guard case .single(let source) = s.extraction else { preconditionFailure("fast path without a single source") }
                var written = false
                raw.forEach(source) { bytes in
                    guard !written else { return }
                    let t = trimmed(bytes)
                    guard t.count > 0 else { return }
                    written = true
                    batch.withColumn(s.slot) { Self.writeBytes(t, into: &$0, symbols: symbols) }
                }
                if written { continue }
                result = .missing
            case .mapped(let map):
                guard case .single(let source) = s.extraction else { preconditionFailure("fast path without a single source") }
                var outcome: Converted? = nil   // nil: written
                var seen = false
                raw.forEach(source) { bytes in
                    guard !seen else { return }
                    let t = trimmed(bytes)
                    guard t.count > 0 else { return }
                    seen = true
                    if let index = map.lookup(ByteString.foldCase(t)) {
                        guard index >= 0 else { outcome = .missing; return }
                        batch.withColumn(s.slot) { column in
                            if column.storage == .symbol {
                                column.appendInt(Int64(map.symbolID(index, in: symbols)))
                            } else {
                                map.targets[Int(index)].withUnsafeBytes { Self.writeBytes($0, into: &column, symbols: symbols) }
                            }
                        }
                        return
                    }
                    switch map.policy {
                    case .keep: batch.withColumn(s.slot) { Self.writeBytes(t, into: &$0, symbols: symbols) }
                    case .missing: outcome = .missing
                    case .reject: outcome = .reject(ProfileIssue.unmappedValue(field: s.name, source: s.label, raw: t))
                    }
                }
                if !seen { result = .missing } else if let outcome { result = outcome } else { continue }
            case .timestamp(let format, let endOfDay, let zone):
                guard case .single(let source) = s.extraction else { preconditionFailure("fast path without a single source") }
                var outcome: Converted? = .missing
                raw.forEach(source) { bytes in
                    guard case .missing? = outcome else { return }
                    let t = trimmed(bytes)
                    guard t.count > 0 else { return }
                    guard let p = format.parse(t) else {
                        outcome = .reject(ProfileIssue.invalidTimestamp(field: s.name, source: s.label, raw: t, format: format.description))
                        return
                    }
                    let utc = Self.toUTC(p, endOfDay: endOfDay, zone: zone)
                    batch.withColumn(s.slot) { $0.appendInt(utc) }
                    outcome = nil
                }
                guard let outcome else { continue }
                result = outcome
            }
            switch result {
            case .value(let v):
                batch.withColumn(s.slot) { Self.write(v, into: &$0, symbols: symbols) }
            case .missing:
                if let d = s.defaultValue {
                    batch.withColumn(s.slot) { Self.write(d, into: &$0, symbols: symbols) }
                } else if s.required {
                    let locator = batch.locator(batch.count - 1)
                    batch.dropLastRow()
                    return Rejection(locator: locator, reason: ProfileIssue.missingValue(field: s.name, source: s.label))
                } else {
                    batch.withColumn(s.slot) { $0.appendMissing() }
                }
            case .reject(let reason):
                let locator = batch.locator(batch.count - 1)
                batch.dropLastRow()
                return Rejection(locator: locator, reason: reason)
            }
        }
        // Fields of the kind that the profile does not fill are missing, as in a fresh `Record`.
        batch.fillMissing()
        return nil
    }

    @inline(__always)
    static func writeBytes(_ bytes: UnsafeRawBufferPointer, into column: inout BatchColumn, symbols: SymbolTable) {
        switch column.storage {
        case .symbol: column.appendInt(Int64(symbols.intern(bytes)))
        case .string: column.appendBytes(bytes)
        case .runs:
            column.appendRun(bytes)
            column.closeRow()
        default: preconditionFailure("bytes written into a \(column.storage) column")
        }
    }

    /// Writes a converted value; its case follows from the slot's type (the record normaliser's
    /// typed stage), so a mismatch is a defect of ours, not of the input.
    static func write(_ v: Value, into column: inout BatchColumn, symbols: SymbolTable) {
        switch (v, column.storage) {
        case (.missing, _): column.appendMissing()
        case (.string(let s), _): s.withUnsafeBytes { writeBytes($0, into: &column, symbols: symbols) }
        case (.time(let t), .timestamp): column.appendInt(t)
        case (.bool(let b), .bool): column.appendInt(b ? 1 : 0)
        case (.number(let d), .number): column.appendNumber(d)
        case (.list(let items), .runs):
            for item in items { item.withUnsafeBytes { column.appendRun($0) } }
            column.closeRow()
        default: preconditionFailure("value \(v) written into a \(column.storage) column")
        }
    }
}
