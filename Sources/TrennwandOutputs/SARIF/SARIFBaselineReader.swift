import Foundation
import TrennwandFindings
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
        /// `absent` results (a baseline's findings gone) and `pass` results (resolved) are not findings of that run.
        var baselineState: String?
        var kind: String?
        var message: SARIFMessage?
        var locations: [Location]?
        var properties: Properties?

        struct RuleReference: Decodable { var id: String? }
        struct Location: Decodable {
            var physicalLocation: Physical?
            struct Physical: Decodable {
                var artifactLocation: Artifact?
                var region: Region?
            }
            struct Artifact: Decodable { var uri: String? }
            struct Region: Decodable { var startLine: Int? }
        }
        /// The writer's result properties (lenient: other tools' logs may lack or differ in them).
        struct Properties: Decodable {
            var severity: String?
            var findingClass: String?
            var time: String?
            var evidence: [SARIFEvidence]?

            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: SARIFResultProperties.CodingKeys.self)
                severity = try? c.decodeIfPresent(String.self, forKey: .severity)
                findingClass = try? c.decodeIfPresent(String.self, forKey: .findingClass)
                time = try? c.decodeIfPresent(String.self, forKey: .time)
                evidence = try? c.decodeIfPresent([SARIFEvidence].self, forKey: .evidence)
            }
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: SARIFResult.CodingKeys.self)
            ruleId = try c.decodeIfPresent(String.self, forKey: .ruleId)
            partialFingerprints = try c.decodeIfPresent([String: String].self, forKey: .partialFingerprints)
            baselineState = try? c.decodeIfPresent(String.self, forKey: .baselineState)
            kind = try? c.decodeIfPresent(String.self, forKey: .kind)
            message = try? c.decodeIfPresent(SARIFMessage.self, forKey: .message)
            locations = try? c.decodeIfPresent([Location].self, forKey: .locations)
            properties = try? c.decodeIfPresent(Properties.self, forKey: .properties)
            rule = try decoder.container(keyedBy: OtherKeys.self).decodeIfPresent(RuleReference.self, forKey: .rule)
        }

        private enum OtherKeys: String, CodingKey { case rule }
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

    /// The path a result's URI names, as the writer made it: relative to SRCROOT as is, `file://`
    /// URIs (absolute paths outside the source root) back to the absolute path; percent-decoded.
    static func path(fromURI uri: String) -> String {
        let decoded = uri.removingPercentEncoding ?? uri
        return decoded.hasPrefix("file://") ? String(decoded.dropFirst("file://".count)) : decoded
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
                // A result that is no finding of that run (gone from its baseline, resolved) is no baseline entry.
                if result.baselineState == BaselineState.absent.rawValue || result.kind == "pass" { continue }
                let rule = result.ruleId ?? result.rule?.id ?? ""
                if seen.insert(fp.lowercased()).inserted {
                    let place = result.locations?.first?.physicalLocation
                    let p = result.properties
                    entries.append(Baseline.Entry(
                        fingerprint: fp.lowercased(), ruleID: rule, severity: p?.severity.flatMap(Severity.init(rawValue:)),
                        findingClass: p?.findingClass.flatMap(FindingClass.init(rawValue:)), title: result.message?.text,
                        file: place?.artifactLocation?.uri.map(path(fromURI:)), line: place?.region?.startLine,
                        time: p?.time.flatMap(OutputSupport.parseISO),
                        evidence: (p?.evidence ?? []).map { Evidence(field: $0.field, detector: $0.detector, value: $0.value) }))
                }
            }
        }
        return Baseline(path: path, format: .sarif, entries: entries, omittedResults: omitted, rulePackHash: rulePack, keyID: keyID)
    }
}
