// Baselines: the findings of an earlier run, by content fingerprint (anchors.md lessons 4 and 5).
// Compared with a new run, only findings whose fingerprint the baseline lacks are new, and only
// new findings count for the CI gate. Fingerprints never include the file position, so moved or
// re-exported files do not resurface old findings.
import Foundation
import TrennwandFindings
import TrennwandRecords

/// The findings of an earlier run, read from its SARIF or JSON Lines output.
///
/// The format is detected by content: a JSON document with `runs` is SARIF (fingerprints from
/// `runs[].results[].partialFingerprints["trennwandFingerprint/v1"]`, `SARIFBaselineReader`);
/// otherwise one JSON object per line is JSON Lines (field `fingerprint`; the `"type":"summary"`
/// line is skipped; `JSONLinesBaselineReader`). Each reader sits beside the writer of its format
/// and reads the keys the writer writes. An unreadable or invalid baseline is an `InputError`
/// (CLI exit code 3).
package struct Baseline: Sendable {
    /// Which output the baseline was read from.
    package enum Format: String, Sendable, Hashable {
        case sarif
        case jsonLines = "jsonl"
    }

    /// One finding of the baseline: its fingerprint and rule id, and what the baseline file holds
    /// of it (severity, class, title, first place, time, masked evidence) to show it as `absent`.
    package struct Entry: Sendable, Codable, Hashable {
        package var fingerprint: String
        package var ruleID: String
        package var severity: Severity?
        package var findingClass: FindingClass?
        package var title: String?
        package var file: String?
        package var line: Int?
        package var time: Int64?
        package var evidence: [Evidence]

        package init(fingerprint: String, ruleID: String, severity: Severity? = nil, findingClass: FindingClass? = nil,
                     title: String? = nil, file: String? = nil, line: Int? = nil, time: Int64? = nil, evidence: [Evidence] = []) {
            self.fingerprint = fingerprint
            self.ruleID = ruleID
            self.severity = severity
            self.findingClass = findingClass
            self.title = title
            self.file = file
            self.line = line
            self.time = time
            self.evidence = evidence
        }

        /// The same baseline finding when fingerprint and rule agree; the rest is what the
        /// baseline shows of it.
        package static func == (a: Entry, b: Entry) -> Bool { a.fingerprint == b.fingerprint && a.ruleID == b.ruleID }
        package func hash(into h: inout Hasher) {
            h.combine(fingerprint)
            h.combine(ruleID)
        }

        /// The entry as a finding for the outputs (state `absent`): texts and norms from the rule
        /// of this run when it still exists, else what the baseline holds.
        package func finding(rule: RuleDescriptor?) -> Finding {
            let title = rule?.title ?? Localized(de: self.title ?? ruleID, en: self.title ?? ruleID)
            return Finding(ruleID: ruleID, title: title, severity: severity ?? rule?.severity ?? .info,
                           findingClass: findingClass ?? rule?.findingClass ?? .violation, norms: rule?.norms ?? [],
                           locator: Locator(file: file ?? "", line: line ?? 0, byteOffset: 0, index: 0), time: time,
                           evidence: evidence, persons: [:], remediation: rule?.remediation ?? Localized(de: "", en: ""),
                           fingerprint: fingerprint)
        }
    }

    /// SARIF `partialFingerprints` key that carries Trennwand's fingerprint (the writer's).
    package static var sarifFingerprintKey: String { SARIFWriter.fingerprintKey }

    package var path: String
    package var format: Format
    /// Entries in file order, each fingerprint once.
    package var entries: [Entry]
    /// Results the SARIF baseline left out (`trennwand/omittedResults`, GitHub's limit): those
    /// findings cannot be recognised and would count as new. JSON Lines never omits any.
    package var omittedResults: Int
    /// Rule-pack hash of the run that wrote the baseline (`trennwand/rulePack`, `rule_pack`).
    package var rulePackHash: String?
    /// Pseudonym key id of that run (`trennwand/keyID`, `key_id`); nil in older outputs.
    package var keyID: String?

    package init(path: String, format: Format, entries: [Entry], omittedResults: Int = 0,
                rulePackHash: String? = nil, keyID: String? = nil) {
        self.path = path
        self.format = format
        self.entries = entries
        self.omittedResults = omittedResults
        self.rulePackHash = rulePackHash
        self.keyID = keyID
    }

    /// Warnings when the baseline came from another rule pack or another pseudonym key: with
    /// another key every fingerprint differs (all findings new, all baseline findings gone); with
    /// another rule pack changed rules report their findings as new.
    package func provenanceWarnings(rulePackHash: String, keyID: String) -> [InputError] {
        var out: [InputError] = []
        if let k = self.keyID, k != keyID {
            out.append(InputError(file: path, code: "baseline.foreign-key",
                                   de: "Baseline wurde mit einem anderen Pseudonym-Schlüssel erstellt (\(k), jetzt \(keyID)): alle Fingerabdrücke unterscheiden sich, jeder Befund gilt als neu. Denselben Schlüssel verwenden (TRENNWAND_KEY_FILE / --key-file) oder die Baseline neu erzeugen",
                                   en: "baseline was made with another pseudonym key (\(k), now \(keyID)): every fingerprint differs, every finding counts as new. Use the same key (TRENNWAND_KEY_FILE / --key-file) or make the baseline again"))
        }
        if let p = self.rulePackHash, !p.isEmpty, p != rulePackHash {
            out.append(InputError(file: path, code: "baseline.foreign-pack",
                                   de: "Baseline stammt von einem anderen Regelpaket (\(p.prefix(12)), jetzt \(rulePackHash.prefix(12))): geänderte Regeln melden ihre Befunde als neu. Baseline mit dem aktuellen Regelpaket neu erzeugen, wenn das gewollt ist",
                                   en: "baseline comes from another rule pack (\(p.prefix(12)), now \(rulePackHash.prefix(12))): changed rules report their findings as new. Make the baseline again with the current rule pack if that is intended"))
        }
        return out
    }

    /// The error of a missing baseline file (code `baseline.missing`, exit 3): `--baseline-optional`
    /// turns exactly this one into a note.
    package static let missingCode = "baseline.missing"

    /// Reads a baseline file. Throws `InputError` when it is missing, unreadable, empty or neither format.
    package static func load(path: String) throws -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            // FileManager leaves errno stale (it showed "Inappropriate ioctl for device" for a
            // directory): the reason comes from stat instead.
            var st = stat()
            if stat(path, &st) != 0 {
                throw InputError(file: path, code: missingCode,
                                 de: "Baseline-Datei gibt es nicht; Pfad prüfen (--baseline, baseline: in audit.yaml), mit --write-baseline DATEI eine erzeugen oder beim ersten Lauf --baseline-optional angeben (dann gilt jeder Befund als neu)",
                                 en: "baseline file does not exist; check the path (--baseline, baseline: in audit.yaml), make one with --write-baseline FILE, or give --baseline-optional on a first run (then every finding counts as new)")
            }
            let reason: (de: String, en: String)
            if (st.st_mode & S_IFMT) == S_IFDIR {
                reason = ("Pfad ist ein Verzeichnis – die SARIF- oder JSON-Lines-Datei eines früheren Laufs angeben",
                          "path is a directory – name the SARIF or JSON Lines file of an earlier run")
            } else {
                reason = ("keine Leseberechtigung oder Lesefehler – Berechtigungen prüfen",
                          "no read permission or read error – check permissions")
            }
            throw InputError(file: path, code: "baseline.unreadable",
                             de: "Baseline kann nicht gelesen werden: \(reason.de)",
                             en: "baseline cannot be read: \(reason.en)")
        }
        return try parse(data, path: path)
    }

    /// Parses baseline bytes; `path` is used in errors.
    package static func parse(_ data: Data, path: String) throws -> Baseline {
        let bytes = [UInt8](data)
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        guard start < bytes.count else {
            throw InputError(file: path, code: "baseline.empty", de: "Baseline ist leer", en: "baseline is empty")
        }
        guard bytes[start] == UInt8(ascii: "{") else {
            throw InputError(file: path, line: 1, code: "baseline.format",
                             de: "Baseline ist weder SARIF noch JSON Lines (erwartet: „{“ am Anfang)",
                             en: "baseline is neither SARIF nor JSON Lines ('{' expected at the start)")
        }
        let body = Data(bytes[start...])
        let decoder = JSONDecoder()
        let sarifError: Error
        do {
            let log = try decoder.decode(SARIFBaselineReader.Log.self, from: body)
            return try SARIFBaselineReader.baseline(log, path: path)
        } catch let e as InputError {
            throw e
        } catch {
            sarifError = error
        }
        // Not a whole SARIF document: JSON Lines if the first line is a JSON object of its own.
        let firstLine = bytes[start...].prefix { $0 != 0x0A }
        if (try? decoder.decode(JSONLinesBaselineReader.Line.self, from: Data(firstLine))) != nil {
            return try JSONLinesBaselineReader.baseline(bytes, path: path)
        }
        throw InputError(file: path, line: 1, code: "baseline.format",
                         de: "Baseline ist weder gültiges SARIF noch JSON Lines: \(describe(sarifError))",
                         en: "baseline is neither valid SARIF nor JSON Lines: \(describe(sarifError))")
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let k, let c): return "\(k.stringValue) missing at \(path(c.codingPath))"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "\(c.debugDescription) at \(path(c.codingPath))"
        default: return "\(error)"
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
    }

    /// Splits this run's findings into new and unchanged, and lists the baseline's findings that are gone.
    ///
    /// Findings are compared by fingerprint alone (it already binds the rule id). The fingerprint is
    /// keyed: baseline and run must use the same pseudonym key, else every finding looks new.
    package func compare<C: Collection>(findings: C) -> BaselineComparison where C.Element == Finding {
        let known = Set(entries.map(\.fingerprint))
        var new: [Finding] = []
        var unchanged: [Finding] = []
        var present: Set<String> = []
        for f in findings {
            let fp = f.fingerprint.lowercased()
            present.insert(fp)
            if known.contains(fp) { unchanged.append(f) } else { new.append(f) }
        }
        let gone = entries.filter { !present.contains($0.fingerprint) }
        return BaselineComparison(new: new, unchanged: unchanged, gone: gone)
    }

    /// An empty baseline (`--baseline-optional` without the file): every finding is new.
    package static func empty(path: String) -> Baseline { Baseline(path: path, format: .jsonLines, entries: []) }
}

/// A run compared with a baseline. Only `new` findings count for the exit code.
package struct BaselineComparison: Sendable {
    /// Findings whose fingerprint the baseline lacks.
    package var new: [Finding]
    /// Findings also in the baseline.
    package var unchanged: [Finding]
    /// Baseline findings no longer found (fingerprint and rule id).
    package var gone: [Baseline.Entry]
    /// Fingerprints of `new`, for a per-finding test while streaming.
    package let newFingerprints: Set<String>

    package init(new: [Finding], unchanged: [Finding], gone: [Baseline.Entry]) {
        self.new = new
        self.unchanged = unchanged
        self.gone = gone
        self.newFingerprints = Set(new.map { $0.fingerprint.lowercased() })
    }

    /// Whether the finding is new relative to the baseline.
    package func isNew(_ finding: Finding) -> Bool { newFingerprints.contains(finding.fingerprint.lowercased()) }

    /// The finding's state for the outputs: `new` or `unchanged` (absent ones are `gone`).
    package func state(of finding: Finding) -> BaselineState { isNew(finding) ? .new : .unchanged }

    /// Counts as (new, unchanged, gone), for `BaselineCounts`.
    package var counts: (new: Int, unchanged: Int, gone: Int) { (new.count, unchanged.count, gone.count) }
}
