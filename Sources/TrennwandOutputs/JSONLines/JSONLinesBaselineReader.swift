import Foundation
import TrennwandFindings
import TrennwandRecords

/// The JSON Lines keys that `JSONLinesWriter` writes and `JSONLinesBaselineReader` reads back.
enum JSONLinesField: String, CodingKey {
    case type, fingerprint
    case ruleID = "rule_id"
    case rulePack = "rule_pack"
    case keyID = "key_id"
    case severity, title, file, line, time, evidence, status, baseline
    case findingClass = "class"

    /// Values of `type`.
    static let findingType = "finding"
    static let summaryType = "summary"
}

/// Reads a baseline from JSON Lines that `JSONLinesWriter` wrote: every `"type":"finding"` line's
/// fingerprint and rule id, the rule pack and key id of the `"type":"summary"` line.
enum JSONLinesBaselineReader {
    /// The parts of one line a baseline reads.
    struct Line: Decodable {
        var type: String?
        var fingerprint: String?
        var ruleID: String?
        var rulePack: String?
        var keyID: String?
        /// What the baseline keeps of a finding to show it as `absent` (read leniently).
        var severity: String?
        var findingClass: String?
        var title: String?
        var file: String?
        var line: Int?
        var time: String?
        var evidence: [EvidenceLine]?
        /// `resolved` findings and `absent` baseline entries are not findings of that run.
        var status: String?
        var baseline: String?

        struct EvidenceLine: Decodable {
            var field: String
            var detector: String?
            var value: String
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: JSONLinesField.self)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            fingerprint = try c.decodeIfPresent(String.self, forKey: .fingerprint)
            ruleID = try c.decodeIfPresent(String.self, forKey: .ruleID)
            rulePack = try c.decodeIfPresent(String.self, forKey: .rulePack)
            keyID = try c.decodeIfPresent(String.self, forKey: .keyID)
            severity = try? c.decodeIfPresent(String.self, forKey: .severity)
            findingClass = try? c.decodeIfPresent(String.self, forKey: .findingClass)
            title = try? c.decodeIfPresent(String.self, forKey: .title)
            file = try? c.decodeIfPresent(String.self, forKey: .file)
            line = try? c.decodeIfPresent(Int.self, forKey: .line)
            time = try? c.decodeIfPresent(String.self, forKey: .time)
            evidence = try? c.decodeIfPresent([EvidenceLine].self, forKey: .evidence)
            status = try? c.decodeIfPresent(String.self, forKey: .status)
            baseline = try? c.decodeIfPresent(String.self, forKey: .baseline)
        }
    }

    static func baseline(_ bytes: [UInt8], path: String) throws -> Baseline {
        var rulePack: String?
        var keyID: String?
        var entries: [Baseline.Entry] = []
        var seen: Set<String> = []
        let decoder = JSONDecoder()
        var lineNo = 0
        var lineStart = 0
        while lineStart <= bytes.count {
            lineNo += 1
            var end = lineStart
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var slice = bytes[lineStart..<end]
            if lineNo == 1, slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
            if slice.last == 0x0D { slice = slice.dropLast() }
            defer { lineStart = end + 1 }
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let line: Line
            do { line = try decoder.decode(Line.self, from: Data(slice)) } catch {
                throw InputError(file: path, line: lineNo, code: "baseline.jsonl",
                                 de: "Zeile ist kein JSON-Objekt: \(Baseline.describe(error))",
                                 en: "line is not a JSON object: \(Baseline.describe(error))")
            }
            if line.type == JSONLinesField.summaryType {
                rulePack = rulePack ?? line.rulePack
                keyID = keyID ?? line.keyID
            }
            if let type = line.type, type != JSONLinesField.findingType { continue }
            guard let fp = line.fingerprint, !fp.isEmpty else {
                throw InputError(file: path, line: lineNo, code: "baseline.jsonl-fingerprint",
                                 de: "Feststellung ohne Feld „fingerprint“", en: "finding without field 'fingerprint'")
            }
            if line.status == FindingStatus.resolved.rawValue || line.baseline == BaselineState.absent.rawValue { continue }
            if seen.insert(fp.lowercased()).inserted {
                entries.append(Baseline.Entry(
                    fingerprint: fp.lowercased(), ruleID: line.ruleID ?? "", severity: line.severity.flatMap(Severity.init(rawValue:)),
                    findingClass: line.findingClass.flatMap(FindingClass.init(rawValue:)), title: line.title, file: line.file,
                    line: line.line, time: line.time.flatMap(OutputSupport.parseISO),
                    evidence: (line.evidence ?? []).map { Evidence(field: $0.field, detector: $0.detector, value: $0.value) }))
            }
        }
        return Baseline(path: path, format: .jsonLines, entries: entries, rulePackHash: rulePack, keyID: keyID)
    }
}
