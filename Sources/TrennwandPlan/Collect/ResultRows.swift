import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandRecords

/// The result rows an SQL engine wrote (`results/<dialect>/<rule>.jsonl`, docs/scale-out.md) turned
/// into findings for `trennwand collect`. The engine decided which records and groups violate a
/// rule; each row is rebuilt into the record (record rules: the projected fields, persons, time and
/// locator) or the aggregate hit (group key, window, measure, the record it points at) and the
/// finding is made by `RuleEvaluator`, the code a scan uses — masking, pseudonyms, fingerprints
/// and rule texts are the scan's by construction, never re-implemented here.
package struct ResultRows {
    /// A finding and the position the scan would have given it (input order, for the collector's
    /// merge and report order).
    package struct Collected {
        package var finding: Finding
        package var fileOrder: Int
    }

    /// A problem with a result file: which file, which line, why (our own words).
    package struct RowError: Error, Sendable {
        package var file: String
        package var line: Int
        package var reason: Localized
    }

    let evaluator: RuleEvaluator
    /// Input path → the scan's file order (reference tables first, then the inputs, each in
    /// the configuration's order: `ordinal` of the manifests).
    let fileOrder: [String: Int]
    let endOrder: Int

    package init(evaluator: RuleEvaluator, manifests: [ExportManifest]) {
        self.evaluator = evaluator
        let inputs = manifests.compactMap(\.input).sorted { $0.ordinal < $1.ordinal }
        func isReference(_ i: ExportManifest.Input) -> Bool { i.kind.flatMap(RecordKind.init(rawValue:)).map { !$0.isEvaluated } ?? false }
        let ordered = inputs.filter(isReference) + inputs.filter { !isReference($0) }
        var order: [String: Int] = [:]
        for (n, i) in ordered.enumerated() where order[i.path] == nil { order[i.path] = n }
        self.fileOrder = order
        self.endOrder = ordered.count
    }

    /// The findings of every `*.jsonl` in `directory` (one file per rule, named by it), in file
    /// name order. A rule the pack does not know, a line that is no JSON object or a row without
    /// its locator is an error naming the file and line; so is a missing directory or a missing
    /// file of a rule in `expected` (an engine run that stopped early must not read as "no findings").
    package func read(directory: String, expected: [String]) throws -> [Collected] {
        guard let all = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw RowError(file: directory, line: 0, reason: Localized(
                de: "Ergebnisverzeichnis fehlt (run-all.sql im Exportverzeichnis ausführen)",
                en: "result directory missing (run run-all.sql in the export directory)"))
        }
        let names = all.filter { $0.hasSuffix(".jsonl") }.sorted()
        for rule in expected.sorted() where !names.contains("\(rule).jsonl") {
            throw RowError(file: (directory as NSString).appendingPathComponent("\(rule).jsonl"), line: 0, reason: Localized(
                de: "Ergebnisdatei der Regel \(rule) fehlt (run-all.sql nicht vollständig gelaufen, oder sql mit anderem --rule)",
                en: "result file of rule \(rule) missing (run-all.sql did not complete, or sql ran with another --rule)"))
        }
        var out: [Collected] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RowError(file: path, line: 0, reason: Localized(de: "nicht lesbar", en: "cannot be read"))
            }
            var lineNo = 0
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNo += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed]) as? [String: Any] else {
                    throw RowError(file: path, line: lineNo, reason: Localized(de: "kein JSON-Objekt", en: "not a JSON object"))
                }
                out.append(try collected(object, file: path, line: lineNo))
            }
        }
        return out
    }

    func collected(_ row: [String: Any], file: String, line: Int) throws -> Collected {
        func fail(_ de: String, _ en: String) -> RowError { RowError(file: file, line: line, reason: Localized(de: de, en: en)) }
        guard let ruleID = row["rule_id"] as? String else { throw fail("rule_id fehlt", "rule_id missing") }
        let locator = Self.locator(row)
        if let kind = evaluator.recordRuleKind(ruleID) {
            guard let locator else { throw fail("Fundstelle (tw_file, tw_line, tw_offset, tw_index) fehlt", "locator (tw_file, tw_line, tw_offset, tw_index) missing") }
            var record = Record(kind: kind, locator: locator)
            for (slot, field) in kind.schema.fields.enumerated() {
                guard let v = row[field.name] else { continue }
                record[slot] = Self.value(v, type: field.type)
            }
            guard let f = evaluator.finding(recordRule: ruleID, record: record) else { throw fail("unbekannte Regel \(ruleID)", "unknown rule \(ruleID)") }
            return Collected(finding: f, fileOrder: fileOrder[locator.file] ?? endOrder)
        }
        guard let group = evaluator.aggregateGroup(ruleID) else { throw fail("unbekannte Regel \(ruleID)", "unknown rule \(ruleID)") }
        let schema = group.kind.schema
        let keys: [ByteString] = group.fields.map { name in
            let type = schema.field(name)?.type ?? .string
            return RuleEvaluator.groupKey(row[name].map { Self.value($0, type: type) } ?? .missing) ?? ByteString("")
        }
        let hit = AggregateHit(groupKey: keys, windowStart: Self.int(row["tw_window_start"]), windowEnd: Self.int(row["tw_window_end"]),
                               value: Self.double(row["tw_value"]) ?? 0, count: Self.int(row["tw_count"]).map { Int($0) } ?? 0,
                               numerator: Self.int(row["tw_numerator"]).map { Int($0) }, baseline: Self.double(row["tw_baseline"]),
                               samples: locator.map { [$0] } ?? [])
        guard let f = evaluator.finding(aggregateRule: ruleID, hit: hit) else { throw fail("unbekannte Regel \(ruleID)", "unknown rule \(ruleID)") }
        // Report order as in the scan: a whole-run aggregate's findings come when the run ends
        // (after every input); a window's with the input of the record it points at — the scan
        // files it under the input being read when the window closed, usually that one (a window
        // closed only by a later input's record is listed earlier here; same findings, other order).
        let order = group.windowed ? locator.flatMap { fileOrder[$0.file] } ?? endOrder : endOrder
        return Collected(finding: f, fileOrder: order)
    }

    static func locator(_ row: [String: Any]) -> Locator? {
        guard let file = row["tw_file"] as? String, let line = int(row["tw_line"]), let offset = int(row["tw_offset"]),
              let index = int(row["tw_index"]) else { return nil }
        return Locator(file: file, line: Int(line), column: int(row["tw_column"]).map { Int($0) }, byteOffset: offset, index: Int(index),
                       recordID: row["tw_record_id"] as? String)
    }

    /// A column value as the record held it: JSON types map back to the export's (`ExportRows`).
    static func value(_ v: Any, type: FieldType) -> Value {
        switch v {
        case let s as String: return .string(ByteString(s))
        case let b as Bool where type == .bool: return .bool(b)
        case let a as [Any]: return .list(a.compactMap { $0 as? String }.map { ByteString($0) })
        case let n as NSNumber:
            // The field's type decides (JSON booleans and numbers are both NSNumber here).
            if case .bool = type { return .bool(n.boolValue) }
            if case .timestamp = type { return .time(n.int64Value) }
            return .number(n.doubleValue)
        default: return .missing
        }
    }

    static func int(_ v: Any?) -> Int64? {
        guard let n = v as? NSNumber else { return nil }
        return n.int64Value
    }

    static func double(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }
}
