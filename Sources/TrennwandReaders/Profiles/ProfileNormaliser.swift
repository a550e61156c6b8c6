import Foundation
import TrennwandRecords

/// The result of normalising one export record.
public enum NormaliseOutcome {
    case record(Record)
    case rejected(Rejection)
}

/// A source profile compiled for one file: column or path index per canonical slot resolved up
/// front, one converter closure per slot. Converting a record then works on the reader's bytes;
/// value maps are keyed by case-folded bytes and timestamps are parsed without `String`.
///
/// Not thread-safe (it owns a `ZoneConverter` cache): one normaliser per file and thread.
public final class ProfileNormaliser {
    public let profile: SourceProfile
    public let file: String
    /// CSV header columns the profile does not use, in file order (informational, not an error).
    public internal(set) var unusedColumns: [String] = []
    /// Path formats (XML, JSON Lines): the distinct source paths of the profile, by source index.
    public internal(set) var paths: [String] = []

    let slots: [CompiledSlot]
    private let idSlot: Int?
    let kind: RecordKind

    /// Compiles `profile` for one file. The format resolves the profile's column names or paths:
    /// `resolve` gives the source index the reader delivers a reference's values under (and throws
    /// when the file lacks it, e.g. `profile.missing-column`); `isAbsent` says whether the file
    /// lacks a reference, so that an `optional: true` field is empty (or its default) instead.
    init(profile: SourceProfile, file: String, resolve: (String) throws -> Int, isAbsent: (String) -> Bool) throws {
        self.profile = profile
        self.file = file
        self.kind = profile.kind
        let zone = ZoneConverter(identifier: profile.timezone) ?? ZoneConverter(identifier: "UTC")!
        var compiled: [CompiledSlot] = []
        for mapping in profile.fields {
            if mapping.optional && mapping.source.references.contains(where: isAbsent) {
                // An optional column this file does not have: the field is empty (or its default).
                let constant = FieldMapping(
                    name: mapping.name, slot: mapping.slot, type: mapping.type, required: false,
                    source: .constant(mapping.defaultValue ?? ""), valueMap: mapping.valueMap, unmapped: mapping.unmapped,
                    defaultValue: nil, timestampFormat: mapping.timestampFormat, timeFormat: mapping.timeFormat,
                    split: mapping.split, trueWords: mapping.trueWords, falseWords: mapping.falseWords, position: mapping.position)
                var withPatterns = constant
                withPatterns.patterns = mapping.patterns
                compiled.append(try Self.compile(withPatterns, zone: zone, resolve: resolve))
                continue
            }
            compiled.append(try Self.compile(mapping, zone: zone, resolve: resolve))
        }
        self.slots = compiled
        self.idSlot = RecordKind.recordIDSlot(profile.kind)
    }

    /// Compiles a profile whose sources are paths (XML, JSON Lines): source index `i` is `paths[i]`,
    /// one per distinct path in first-use order; the format's reader delivers values by that index.
    public convenience init(profile: SourceProfile, file: String) throws {
        var paths: [String] = []
        try self.init(profile: profile, file: file, resolve: { path in
            if let i = paths.firstIndex(of: path) { return i }
            paths.append(path)
            return paths.count - 1
        }, isAbsent: { _ in false })
        self.paths = paths
    }

    /// Normalises a record given as one byte buffer per source index (tests, inline rule examples).
    public func normalise(fields: [ByteString], locator: Locator) -> NormaliseOutcome {
        normalise(ArrayRaw(fields: fields), locator: locator)
    }

    // MARK: - Core

    func normalise<R: RawRecord>(_ raw: R, locator: Locator) -> NormaliseOutcome {
        var record = Record(kind: kind, locator: locator)
        for s in slots {
            switch Self.convert(s, raw) {
            case .value(let v):
                record[s.slot] = v
                if s.slot == idSlot, case .string(let id) = v { record.locator.recordID = id.string }
            case .missing:
                if let d = s.defaultValue {
                    record[s.slot] = d
                } else if s.required {
                    return .rejected(Rejection(locator: record.locator, reason: ProfileIssue.missingValue(field: s.name, source: s.label)))
                }
            case .reject(let reason):
                return .rejected(Rejection(locator: record.locator, reason: reason))
            }
        }
        return .record(record)
    }

    /// The value of one slot of `raw`: the one reading of the profile's extraction rules, shared by
    /// the record and the batch normaliser.
    @inline(__always)
    static func convert<R: RawRecord>(_ s: CompiledSlot, _ raw: R) -> Converted {
        switch s.extraction {
        case .constant(let v):
            return .value(v)
        case .single(let source):
            var found: Converted = .missing
            raw.forEach(source) { bytes in
                guard case .missing = found else { return }
                let t = trimmed(bytes)
                if t.count > 0 { found = s.convert(t) }
            }
            return found
        case .pair(let d, let t):
            var date: Converted = .missing
            raw.forEach(d) { dateBytes in
                guard case .missing = date else { return }
                let db = trimmed(dateBytes)
                guard db.count > 0 else { return }
                var got = false
                raw.forEach(t) { timeBytes in
                    guard !got else { return }
                    got = true
                    date = s.convertPair(db, trimmed(timeBytes))
                }
                if !got { date = s.convertPair(db, UnsafeRawBufferPointer(start: nil, count: 0)) }
            }
            return date
        case .pieces(let sources):
            var items: [ByteString] = []
            var failure: RejectReason?
            for source in sources where failure == nil {
                raw.forEach(source) { bytes in
                    guard failure == nil else { return }
                    s.collect(trimmed(bytes), &items, &failure)
                }
            }
            if let failure { return .reject(failure) }
            return items.isEmpty ? .missing : .value(.list(items))
        }
    }

    /// Header names compare case-insensitively, trimmed, without a BOM.
    static func headerKey(_ s: String) -> String {
        var t = s
        if t.hasPrefix("\u{FEFF}") { t.removeFirst() }
        return t.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Case folding for value maps: ASCII and the Latin-1 capitals (Ä Ö Ü …) in UTF-8.
    static func foldCase(_ s: ByteString) -> ByteString {
        s.withUnsafeBytes { foldCase($0) }
    }

    static func foldCase(_ v: UnsafeRawBufferPointer) -> ByteString { ByteString.foldCase(v) }

    /// Runs every constant (`value:`) and default through its converter, so that a bad one is a
    /// `ConfigError` when the profile is loaded.
    static func checkConstants(_ profile: SourceProfile) throws {
        let zone = ZoneConverter(identifier: profile.timezone) ?? ZoneConverter(identifier: "UTC")!
        for m in profile.fields {
            _ = try compile(m, zone: zone, resolve: { _ in 0 })
        }
    }
}

// MARK: - Compiled slots

enum Converted {
    case value(Value)
    case missing
    case reject(RejectReason)
}

enum Extraction {
    case single(Int)
    case pair(Int, Int)
    case pieces([Int])
    case constant(Value)
}

/// A class, not a struct: the per-record loop then retains one reference per field instead of
/// copying seven (three closures, strings, the default value) — measured ~3 % of a scan.
final class CompiledSlot {
    let slot: Int
    let name: String
    let required: Bool
    /// Column name or path, for messages.
    let label: String
    let extraction: Extraction
    let convert: (UnsafeRawBufferPointer) -> Converted
    let convertPair: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Converted
    /// Appends the pieces of one occurrence (text piece, or list elements after split and map).
    let collect: (UnsafeRawBufferPointer, inout [ByteString], inout RejectReason?) -> Void
    let defaultValue: Value?
    /// How the batch normaliser writes this slot without going through `Value` (set by `compile`).
    var fast: BatchFastPath = .none

    init(slot: Int, name: String, required: Bool, label: String, extraction: Extraction,
         convert: @escaping (UnsafeRawBufferPointer) -> Converted,
         convertPair: @escaping (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Converted,
         collect: @escaping (UnsafeRawBufferPointer, inout [ByteString], inout RejectReason?) -> Void,
         defaultValue: Value?) {
        self.slot = slot
        self.name = name
        self.required = required
        self.label = label
        self.extraction = extraction
        self.convert = convert
        self.convertPair = convertPair
        self.collect = collect
        self.defaultValue = defaultValue
    }
}

var emptyBuffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

@inline(__always)
func trimmed(_ v: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var a = 0, b = v.count
    @inline(__always) func ws(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    while a < b && ws(v[a]) { a += 1 }
    while b > a && ws(v[b - 1]) { b -= 1 }
    if a == 0 && b == v.count { return v }
    return UnsafeRawBufferPointer(rebasing: v[a..<b])
}

extension ProfileNormaliser {
    static func compile(_ m: FieldMapping, zone: ZoneConverter, resolve: (String) throws -> Int) throws -> CompiledSlot {
        let label: String
        let extraction: Extraction
        switch m.source {
        case .single(let ref):
            label = ref
            extraction = (m.type == .text || m.type == .list) ? .pieces([try resolve(ref)]) : .single(try resolve(ref))
        case .several(let refs):
            label = refs.joined(separator: ", ")
            extraction = .pieces(try refs.map(resolve))
        case .dateTime(let d, let t):
            label = "\(d) + \(t)"
            extraction = .pair(try resolve(d), try resolve(t))
        case .constant:
            label = "value"
            extraction = .constant(.missing)
        }

        let mapStage = makeMapStage(m, label: label)
        let typed = makeTypedStage(m, label: label, zone: zone)
        let convert: (UnsafeRawBufferPointer) -> Converted = { raw in
            switch mapStage(raw) {
            case .keep: return typed(raw)
            case .mapped(let target): return target.withUnsafeBytes { typed($0) }
            case .missing: return .missing
            case .reject(let r): return .reject(r)
            }
        }

        var convertPair: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Converted = { _, _ in .missing }
        if case .dateTime = m.source, let df = m.timestampFormat, let tf = m.timeFormat {
            let endOfDay = SourceProfile.endOfDayFields.contains(m.name)
            let name = m.name
            convertPair = { date, time in
                guard let d = df.parse(date) else {
                    return .reject(ProfileIssue.invalidTimestamp(field: name, source: label, raw: date, format: df.description))
                }
                if time.count == 0 {
                    return .value(.time(Self.toUTC(d, endOfDay: endOfDay, zone: zone)))
                }
                guard let t = tf.parse(time) else {
                    return .reject(ProfileIssue.invalidTimestamp(field: name, source: label, raw: time, format: tf.description))
                }
                if d.hasTime {
                    return .value(.time(Self.toUTC(d, endOfDay: false, zone: zone)))
                }
                let local = TimestampFormat.Parsed(local: d.local + t.local, hasTime: true, offset: nil)
                return .value(.time(Self.toUTC(local, endOfDay: false, zone: zone)))
            }
        }

        let splitBytes = m.split.map { Array($0.utf8) }
        let isText = m.type == .text
        let collect: (UnsafeRawBufferPointer, inout [ByteString], inout RejectReason?) -> Void = { raw, items, failure in
            guard raw.count > 0 else { return }
            if isText {
                items.append(ByteString(raw))
                return
            }
            func add(_ part: UnsafeRawBufferPointer) {
                let p = trimmed(part)
                guard p.count > 0, failure == nil else { return }
                switch mapStage(p) {
                case .keep: items.append(ByteString(p))
                case .mapped(let t): items.append(t)
                case .missing: break
                case .reject(let r): failure = r
                }
            }
            guard let sep = splitBytes, !sep.isEmpty else { return add(raw) }
            var start = 0, i = 0
            while i + sep.count <= raw.count {
                var match = true
                for k in 0..<sep.count where raw[i + k] != sep[k] { match = false; break }
                if match {
                    add(UnsafeRawBufferPointer(rebasing: raw[start..<i]))
                    i += sep.count
                    start = i
                } else {
                    i += 1
                }
            }
            add(UnsafeRawBufferPointer(rebasing: raw[start..<raw.count]))
        }

        func constantValue(_ text: String) throws -> Value? {
            let bytes = ByteString(text)
            let result: Converted
            if m.type == .text || m.type == .list {
                var items: [ByteString] = []
                var failure: RejectReason?
                bytes.withUnsafeBytes { collect(trimmed($0), &items, &failure) }
                if let failure { result = .reject(failure) } else { result = items.isEmpty ? .missing : .value(.list(items)) }
            } else {
                result = bytes.withUnsafeBytes { convert(trimmed($0)) }
            }
            switch result {
            case .value(let v): return v
            case .missing: return nil
            case .reject(let r): throw ProfileIssue.invalidConstant(m.position, field: m.name, reason: r)
            }
        }

        var finalExtraction = extraction
        if case .constant(let text) = m.source {
            // An empty constant (e.g. an absent optional column without default) is a missing value.
            finalExtraction = .constant(text.isEmpty ? .missing : try constantValue(text) ?? .missing)
        }
        let defaultValue = try m.defaultValue.flatMap { try constantValue($0) }
        let compiled = CompiledSlot(slot: m.slot, name: m.name, required: m.required, label: label, extraction: finalExtraction,
                                    convert: convert, convertPair: convertPair, collect: collect, defaultValue: defaultValue)
        compiled.fast = batchFastPath(m, extraction: finalExtraction, zone: zone)
        return compiled
    }

    static func toUTC(_ p: TimestampFormat.Parsed, endOfDay: Bool, zone: ZoneConverter) -> Int64 {
        if let offset = p.offset { return p.local - offset }
        let local = (!p.hasTime && endOfDay) ? p.local + 86_399 : p.local
        return zone.utc(fromLocal: local)
    }

    enum MapResult {
        case keep
        case mapped(ByteString)
        case missing
        case reject(RejectReason)
    }

    static func makeMapStage(_ m: FieldMapping, label: String) -> (UnsafeRawBufferPointer) -> MapResult {
        var table = SmallByteStringMap<ByteString?>()
        if case .symbol(let allowed) = m.type {
            for s in allowed { table[foldCase(ByteString(s))] = ByteString(s) }
        }
        for (k, v) in m.valueMap { table[ByteString(k)] = .some(v.map { ByteString($0) }) }
        let patterns = m.patterns
        if table.isEmpty && patterns.isEmpty { return { _ in .keep } }
        let targets = patterns.map { $0.target.map { ByteString($0) } }
        // Patterns run once per distinct value of this normaliser (file and worker thread).
        let cache = PatternCache()
        let policy = m.unmapped
        let name = m.name
        return { raw in
            let key = foldCase(raw)
            if let hit = table[key] {
                guard let target = hit else { return .missing }
                return .mapped(target)
            }
            if !patterns.isEmpty {
                let index = cache.lookup(key) {
                    key.withUnsafeBytes { folded in patterns.firstIndex { $0.matches(folded) } ?? -1 }
                }
                if index >= 0 {
                    guard let target = targets[index] else { return .missing }
                    return .mapped(target)
                }
            }
            switch policy {
            case .keep: return .keep
            case .missing: return .missing
            case .reject: return .reject(ProfileIssue.unmappedValue(field: name, source: label, raw: raw))
            }
        }
    }

    static func makeTypedStage(_ m: FieldMapping, label: String, zone: ZoneConverter) -> (UnsafeRawBufferPointer) -> Converted {
        let name = m.name
        switch m.type {
        case .string, .symbol, .text, .list:
            return { .value(.string(ByteString($0))) }
        case .number:
            return { raw in
                guard let d = parseNumber(raw) else {
                    return .reject(ProfileIssue.invalidNumber(field: name, source: label, raw: raw))
                }
                return .value(.number(d))
            }
        case .bool:
            let yes = Set(m.trueWords.map { foldCase(ByteString($0)) })
            let no = Set(m.falseWords.map { foldCase(ByteString($0)) })
            let words = (m.trueWords + m.falseWords).joined(separator: "/")
            return { raw in
                let k = foldCase(raw)
                if yes.contains(k) { return .value(.bool(true)) }
                if no.contains(k) { return .value(.bool(false)) }
                return .reject(ProfileIssue.invalidBool(field: name, source: label, raw: raw, words: words))
            }
        case .timestamp:
            let format = m.timestampFormat ?? .iso8601
            let endOfDay = SourceProfile.endOfDayFields.contains(m.name)
            return { raw in
                guard let p = format.parse(raw) else {
                    return .reject(ProfileIssue.invalidTimestamp(field: name, source: label, raw: raw, format: format.description))
                }
                return .value(.time(toUTC(p, endOfDay: endOfDay, zone: zone)))
            }
        }
    }

    /// `1234`, `-3,5`, `1.234,50` (German), `1,234.50` (English): the last of `.`/`,` is the decimal mark.
    static func parseNumber(_ raw: UnsafeRawBufferPointer) -> Double? {
        let lastComma = raw.lastIndex(of: UInt8(ascii: ","))
        let lastDot = raw.lastIndex(of: UInt8(ascii: "."))
        let decimal: UInt8? = switch (lastComma, lastDot) {
        case (nil, nil): nil
        case (.some, nil): UInt8(ascii: ",")
        case (nil, .some): UInt8(ascii: ".")
        case (.some(let c), .some(let d)): c > d ? UInt8(ascii: ",") : UInt8(ascii: ".")
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        for b in raw {
            if b == decimal { out.append(UInt8(ascii: ".")) } else if b == UInt8(ascii: ",") || b == UInt8(ascii: ".") || b == 0x20 { continue } else { out.append(b) }
        }
        guard !out.isEmpty, out.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }) else { return nil }
        return Double(String(decoding: out, as: UTF8.self))
    }
}

// MARK: - Raw record access

protocol RawRecord {
    /// Calls `body` for every occurrence of source `i` (CSV: exactly once, empty when the row is short).
    func forEach(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void)
}

/// A raw record whose fields stay in one buffer while it is normalised, so the batch normaliser
/// may hold a field's bytes outside a closure.
///
/// Why a protocol of its own, not a default of `RawRecord`: a default built on `forEach` would
/// hand out a pointer valid only inside `forEach`'s closure (for JSON values, an inline string
/// on the stack). The CSV reader (fields point into its read buffer) and the XML reader (fields
/// in raw buffers the parser does not touch while it delivers a record) conform.
protocol BufferedRawRecord: RawRecord {
    /// The first occurrence of source `i` that is not empty after trimming, trimmed (what a
    /// single-source field reads); nil when there is none. Valid while the record is.
    func firstNonEmpty(_ i: Int) -> UnsafeRawBufferPointer?
}

struct ArrayRaw: RawRecord {
    let fields: [ByteString]
    func forEach(_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        if i < fields.count { fields[i].withUnsafeBytes(body) } else { body(emptyBuffer) }
    }
}
