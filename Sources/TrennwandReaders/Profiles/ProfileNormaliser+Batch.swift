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
    case timestamp(TimestampField)
    /// Free text (any number of sources and occurrences): every trimmed, non-empty occurrence
    /// appended as a run, as `collect` makes the record normaliser's list — without a
    /// `ByteString` per text and a `Value` per record (a tenth of the XML reader).
    case text
    /// A constant (`value:` in the profile): written as the column stores it, a symbol by its id
    /// resolved once per symbol table — not a `Value` converted and interned per record (4 % of
    /// the CSV reader for the access log's `system_owner`).
    case constant(ConstantField)
}

/// A profile constant for the batch normaliser: the value, and its symbol id in the worker's
/// table (resolved once per table). One normaliser per file and thread owns it, so no lock.
final class ConstantField {
    let value: Value
    private var symbolID: Int64 = 0
    private var idOf: ObjectIdentifier?

    init(_ value: Value) { self.value = value }

    /// Writes the constant into row `row` of `column`.
    @inline(__always)
    func write(into column: BatchColumn, row: Int, symbols: SymbolTable) {
        guard column.storage == .symbol, case .string(let s) = value else {
            column.set(row, value: value, symbols: symbols)
            return
        }
        if idOf != ObjectIdentifier(symbols) {
            symbolID = Int64(symbols.intern(s))
            idOf = ObjectIdentifier(symbols)
        }
        column.set(row, int: symbolID)
    }
}

/// A timestamp field's parsing for the batch normaliser (a class: the step table refers to it
/// without copying the format's token array per record).
final class TimestampField {
    let format: TimestampFormat
    let endOfDay: Bool
    let zone: ZoneConverter
    /// The pattern at fixed offsets for full-width values (`TimestampLayout`); nil for ISO 8601.
    private let layout: TimestampLayout?

    init(format: TimestampFormat, endOfDay: Bool, zone: ZoneConverter) {
        self.format = format
        self.endOfDay = endOfDay
        self.zone = zone
        layout = TimestampLayout(format)
    }

    /// `format.parse`, full-width values at fixed offsets first.
    @inline(__always)
    func parse(_ t: UnsafeRawBufferPointer) -> TimestampFormat.Parsed? {
        if let layout, t.count == layout.width, let p = layout.parse(t) { return p }
        return format.parse(t)
    }
}

/// One slot of the batch normaliser's loop, resolved against one batch: the compiled slot, the
/// column it writes and its fast path, as unmanaged references.
///
/// Why unmanaged: the loop touches four objects per field and record; strong references
/// cost a retain and a release each (over a quarter of the batch reader, docs/executor.md). The
/// normaliser owns the slots, maps and timestamp fields, the batch owns its columns, and the steps
/// are only used while both are alive (`BatchFill`).
struct BatchStep {
    enum Mode: UInt8 { case convert, plain, mapped, timestamp, text, constant }
    let mode: Mode
    let slot: Int
    /// The source index of a single-source slot (fast paths), else -1.
    let source: Int
    let compiledRef: Unmanaged<CompiledSlot>
    let columnRef: Unmanaged<BatchColumn>
    let mapRef: Unmanaged<MappedField>?
    let timestampRef: Unmanaged<TimestampField>?
    let constantRef: Unmanaged<ConstantField>?
    /// What a missing value does, read from the slot once: most missing fields (empty optional
    /// columns) then cost no access to the slot object at all.
    let onMissing: OnMissing

    enum OnMissing: UInt8 { case skip, writeDefault, reject }

    init(mode: Mode, slot: Int, source: Int, compiled: CompiledSlot, column: BatchColumn, map: MappedField? = nil,
         timestamp: TimestampField? = nil, constant: ConstantField? = nil) {
        self.mode = mode
        self.slot = slot
        self.source = source
        onMissing = compiled.defaultValue != nil ? .writeDefault : compiled.required ? .reject : .skip
        compiledRef = .passUnretained(compiled)
        columnRef = .passUnretained(column)
        mapRef = map.map { .passUnretained($0) }
        timestampRef = timestamp.map { .passUnretained($0) }
        constantRef = constant.map { .passUnretained($0) }
    }
}

/// A value map compiled for the batch normaliser: case-folded source value → target index, and
/// the targets' symbol ids in the worker's table (resolved once per table, not per record).
final class MappedField {
    private let table: ByteKeyTable
    let targets: [ByteString]
    let policy: UnmappedPolicy
    private var idsOf: ObjectIdentifier?
    private var targetIDs: [UInt32] = []

    /// Spellings met in the data (e.g. `Lesen`, `JC`) → the result of their folded key (-2:
    /// unmapped), learnt as they come, at most `exactLimit` of them: a log spells a value the same
    /// way nearly every time, and an exact hit saves folding. One normaliser per file and thread
    /// owns this object, so learning needs no lock.
    private let exact = ByteKeyTable()
    private static let exactLimit = 1024

    /// `map`: folded key → target (nil: the value means "missing").
    init(_ map: [(ByteString, ByteString?)], policy: UnmappedPolicy) {
        var targets: [ByteString] = []
        let table = ByteKeyTable()
        for (key, target) in map {
            guard let target else { table.set(-1, for: key); continue }
            let index = targets.firstIndex(of: target) ?? { targets.append(target); return targets.count - 1 }()
            table.set(Int32(index), for: key)
        }
        self.table = table
        self.targets = targets
        self.policy = policy
    }

    /// The target index of a value, -1 for a value mapped to nothing, nil when unmapped: the
    /// case-folded value decides (`makeMapStage`); a value spelt as in the profile is found
    /// without folding.
    @inline(__always)
    func lookup(_ raw: UnsafeRawBufferPointer) -> Int32? {
        guard raw.count <= ByteString.inlineCapacity else { return table.value(for: ByteString.foldCase(raw)) }
        let spelling = ByteString(raw)
        if let hit = exact.value(for: spelling) { return hit == -2 ? nil : hit }
        let result = table.value(for: ByteString.foldCase(raw))
        if exact.count < Self.exactLimit { exact.set(result ?? -2, for: spelling) }
        return result
    }

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
        if case .constant(let v) = extraction {
            // An empty constant is a missing value: the general path decides what that means.
            if case .missing = v { return .none }
            return .constant(ConstantField(v))
        }
        if m.type == .text, case .pieces = extraction, m.patterns.isEmpty { return .text }
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
            return .timestamp(TimestampField(format: m.timestampFormat ?? .iso8601,
                                             endOfDay: SourceProfile.endOfDayFields.contains(m.name), zone: zone))
        default:
            return .none
        }
    }

    /// The loop's steps for `batch` (valid while this normaliser and the batch live).
    func batchSteps(for batch: RecordBatch) -> [BatchStep] {
        slots.map { s in
            var source = -1
            if case .single(let i) = s.extraction { source = i }
            let column = batch.columns[s.slot]
            switch s.fast {
            case .none:
                return BatchStep(mode: .convert, slot: s.slot, source: source, compiled: s, column: column, map: nil, timestamp: nil)
            case .plain:
                return BatchStep(mode: .plain, slot: s.slot, source: source, compiled: s, column: column, map: nil, timestamp: nil)
            case .mapped(let m):
                return BatchStep(mode: .mapped, slot: s.slot, source: source, compiled: s, column: column, map: m, timestamp: nil)
            case .timestamp(let t):
                return BatchStep(mode: .timestamp, slot: s.slot, source: source, compiled: s, column: column, map: nil, timestamp: t)
            case .text:
                return BatchStep(mode: .text, slot: s.slot, source: source, compiled: s, column: column, map: nil, timestamp: nil)
            case .constant(let c):
                return BatchStep(mode: .constant, slot: s.slot, source: source, compiled: s, column: column, constant: c)
            }
        }
    }

    /// Normalises one record into the next row of `batch` (which must not be full; `steps` from
    /// `batchSteps(for: batch)`); a rejected record leaves the batch as it was and returns its
    /// rejection. Same values, same rejections as `normalise(_:locator:)`.
    func normalise<R: BufferedRawRecord>(_ raw: R, into batch: RecordBatch, steps: [BatchStep], symbols: SymbolTable,
                                 line: Int, byteOffset: Int64, index: Int, column: Int? = nil) -> Rejection? {
        let row = batch.beginRow(line: line, byteOffset: byteOffset, index: index, column: column)
        return steps.withUnsafeBufferPointer { steps in
            for step in steps {
                let outcome: Converted? = step.columnRef._withUnsafeGuaranteedRef { target in
                    switch step.mode {
                    case .convert:
                        return step.compiledRef._withUnsafeGuaranteedRef { Self.convert($0, raw) }
                    case .plain:
                        guard let t = raw.firstNonEmpty(step.source) else { return .missing }
                        Self.writeBytes(t, into: target, row: row, symbols: symbols)
                        return nil
                    case .mapped:
                        guard let t = raw.firstNonEmpty(step.source) else { return .missing }
                        return step.mapRef.unsafelyUnwrapped._withUnsafeGuaranteedRef { map -> Converted? in
                            if let index = map.lookup(t) {
                                guard index >= 0 else { return .missing }
                                if target.storage == .symbol {
                                    target.set(row, int: Int64(map.symbolID(index, in: symbols)))
                                } else {
                                    map.targets[Int(index)].withUnsafeBytes { Self.writeBytes($0, into: target, row: row, symbols: symbols) }
                                }
                                return nil
                            }
                            switch map.policy {
                            case .keep:
                                Self.writeBytes(t, into: target, row: row, symbols: symbols)
                                return nil
                            case .missing:
                                return .missing
                            case .reject:
                                return step.compiledRef._withUnsafeGuaranteedRef {
                                    .reject(ProfileIssue.unmappedValue(field: $0.name, source: $0.label, raw: t))
                                }
                            }
                        }
                    case .timestamp:
                        guard let t = raw.firstNonEmpty(step.source) else { return .missing }
                        return step.timestampRef.unsafelyUnwrapped._withUnsafeGuaranteedRef { ts -> Converted? in
                            guard let p = ts.parse(t) else {
                                return step.compiledRef._withUnsafeGuaranteedRef {
                                    .reject(ProfileIssue.invalidTimestamp(field: $0.name, source: $0.label, raw: t, format: ts.format.description))
                                }
                            }
                            target.set(row, int: Self.toUTC(p, endOfDay: ts.endOfDay, zone: ts.zone))
                            return nil
                        }
                    case .constant:
                        step.constantRef.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.write(into: target, row: row, symbols: symbols) }
                        return nil
                    case .text:
                        return step.compiledRef._withUnsafeGuaranteedRef { s -> Converted? in
                            guard case .pieces(let sources) = s.extraction else { return Self.convert(s, raw) }
                            var any = false
                            for source in sources {
                                raw.forEach(source) { bytes in
                                    let t = trimmed(bytes)
                                    guard t.count > 0 else { return }
                                    if !any {
                                        target.beginRuns(row)
                                        any = true
                                    }
                                    target.appendRun(row, t)
                                }
                            }
                            return any ? nil : .missing
                        }
                    }
                }
                guard let result = outcome else { continue }
                // Strong references to the slot and column only on the rare paths: taking them
                // for every converted or missing field cost ~14 % of the batch reader (retain and
                // release, docs/executor.md).
                switch result {
                case .value(let v):
                    step.columnRef._withUnsafeGuaranteedRef { Self.write(v, into: $0, row: row, symbols: symbols) }
                case .missing:
                    switch step.onMissing {
                    case .skip:
                        continue
                    case .writeDefault:
                        // Borrowed, not taken: a field with a default is missing from most records
                        // of some exports, and taking both references retained and released them
                        // for every record (1 % of an XML scan).
                        step.compiledRef._withUnsafeGuaranteedRef { s in
                            step.columnRef._withUnsafeGuaranteedRef { Self.write(s.defaultValue!, into: $0, row: row, symbols: symbols) }
                        }
                    case .reject:
                        let s = step.compiledRef.takeUnretainedValue()
                        let locator = batch.recordLocator(row, symbols: symbols)
                        batch.discardRow()
                        return Rejection(locator: locator, reason: ProfileIssue.missingValue(field: s.name, source: s.label))
                    }
                case .reject(let reason):
                    // With the record id when its field came before (as the record normaliser's
                    // locator has it once the id slot is converted).
                    let locator = batch.recordLocator(row, symbols: symbols)
                    batch.discardRow()
                    return Rejection(locator: locator, reason: reason)
                }
            }
            batch.commitRow()
            return nil
        }
    }

    @inline(__always)
    static func writeBytes(_ bytes: UnsafeRawBufferPointer, into column: BatchColumn, row: Int, symbols: SymbolTable) {
        column.set(row, text: bytes, symbols: symbols)
    }

    static func write(_ v: Value, into column: BatchColumn, row: Int, symbols: SymbolTable) {
        column.set(row, value: v, symbols: symbols)
    }
}
