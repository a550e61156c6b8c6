import Foundation
import TrennwandRecords

/// Reads a baseline from a SARIF log that `SARIFWriter` wrote: the fingerprint of every result
/// (`partialFingerprints[SARIFWriter.fingerprintKey]`) and the run properties the writer sets
/// (`SARIFRunProperties.CodingKeys`: rule pack, key id, omitted results). Keys are the writer's.
enum SARIFBaselineReader {
    /// The parts of a SARIF log a baseline reads.
    struct Log: Decodable {
        var runs: [Run]
    }

    struct Run: Decodable {
        var results: [Result]?
        var properties: Properties?
    }

    struct Result: Decodable {
        var ruleId: String?
        /// `reportingDescriptorReference` of other tools' logs; Trennwand writes `ruleId`.
        var rule: RuleReference?
        var partialFingerprints: [String: String]?

        struct RuleReference: Decodable { var id: String? }

        private enum OtherKeys: String, CodingKey { case rule }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: SARIFResult.CodingKeys.self)
            ruleId = try c.decodeIfPresent(String.self, forKey: .ruleId)
            partialFingerprints = try c.decodeIfPresent([String: String].self, forKey: .partialFingerprints)
            rule = try decoder.container(keyedBy: OtherKeys.self).decodeIfPresent(RuleReference.self, forKey: .rule)
        }
    }

    /// Run-level properties, by the writer's own keys (`trennwand/rulePack` …).
    struct Properties: Decodable {
        var omittedResults: Int?
        var rulePack: String?
        var keyID: String?

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: SARIFRunProperties.CodingKeys.self)
            omittedResults = try c.decodeIfPresent(Int.self, forKey: .omittedResults)
            rulePack = try c.decodeIfPresent(String.self, forKey: .rulePack)
            keyID = try c.decodeIfPresent(String.self, forKey: .keyID)
        }
    }

    static func baseline(_ log: Log, path: String) throws -> Baseline {
        let key = SARIFWriter.fingerprintKey
        var rulePack: String?
        var keyID: String?
        var entries: [Baseline.Entry] = []
        var seen: Set<String> = []
        var omitted = 0
        for (r, run) in log.runs.enumerated() {
            omitted += run.properties?.omittedResults ?? 0
            rulePack = rulePack ?? run.properties?.rulePack
            keyID = keyID ?? run.properties?.keyID
            for (i, result) in (run.results ?? []).enumerated() {
                guard let fp = result.partialFingerprints?[key], !fp.isEmpty else {
                    throw InputError(file: path, code: "baseline.sarif-fingerprint",
                                     de: "SARIF-Ergebnis runs[\(r)].results[\(i)] hat keinen Fingerabdruck „\(key)“ (keine Trennwand-Ausgabe?)",
                                     en: "SARIF result runs[\(r)].results[\(i)] has no '\(key)' fingerprint (not a Trennwand output?)")
                }
                let rule = result.ruleId ?? result.rule?.id ?? ""
                if seen.insert(fp.lowercased()).inserted { entries.append(Baseline.Entry(fingerprint: fp.lowercased(), ruleID: rule)) }
            }
        }
        return Baseline(path: path, format: .sarif, entries: entries, omittedResults: omitted, rulePackHash: rulePack, keyID: keyID)
    }
}
