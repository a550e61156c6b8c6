import Foundation
import TrennwandFindings
import TrennwandRecords

/// SARIF 2.1.0 for CI systems (GitHub code scanning, GitLab, Azure DevOps), streamed.
///
/// The log envelope and `tool` are written at `begin`, each result as it arrives (one per line),
/// `invocations` and run properties at `end`. Results beyond `maxResults` (GitHub's limit of
/// 25,000 per run) are counted, not written: `omittedResults` tells the CLI how many, and the log
/// carries a run-level notification and the property `trennwand/omittedResults`. The writer
/// itself prints nothing.
package struct SARIFWriter: FindingWriter {
    package var showsAbsentBaselineEntries: Bool { true }
    package let sink: any OutputSink
    /// Findings' paths are made relative to this directory and tagged `uriBaseId: SRCROOT`.
    package let sourceRoot: String?
    package let maxResults: Int
    /// At most this many rejected records become notifications; all are counted per reason.
    package let maxRejectionNotifications: Int
    /// Results not written because of `maxResults`; read after `end`.
    package private(set) var omittedResults = 0

    package static let githubResultLimit = 25_000
    /// GitHub code scanning rejects a result with more than 1,000 locations and shows only 100
    /// ("Location per result: 1,000 / only 100 locations will be included", GitHub Docs, "About
    /// code scanning limits on SARIF results",
    /// https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit).
    /// Trennwand writes the first record in `locations` and at most 99 more as `relatedLocations`,
    /// so everything written is shown; the total is `properties.occurrences`.
    package static let githubLocationLimit = 100
    package static let fingerprintKey = "trennwandFingerprint/v1"

    private var run: RunInfo?
    private var ruleIndex: [String: Int] = [:]
    private var written = 0
    private let encoder = JSONTreeEncoder()

    package init(sink: any OutputSink, sourceRoot: String? = nil, maxResults: Int = SARIFWriter.githubResultLimit,
                maxRejectionNotifications: Int = 1_000) {
        self.sink = sink
        self.sourceRoot = sourceRoot
        self.maxResults = maxResults
        self.maxRejectionNotifications = maxRejectionNotifications
    }

    private func json<T: Encodable>(_ value: T) throws -> String {
        try encoder.encode(value)
    }

    package mutating func begin(run: RunInfo) throws {
        let run = run.neutralised
        self.run = run
        let lang = run.language
        var rules: [SARIFRule] = []
        for (i, r) in run.rules.enumerated() {
            ruleIndex[r.id] = i
            rules.append(SARIFRule(
                id: r.id, name: SARIFWriter.pascalName(r.title.en, fallback: r.id),
                shortDescription: SARIFMessage(text: r.title.text(lang)),
                fullDescription: SARIFMessage(text: r.description.text(lang)),
                help: SARIFWriter.help(r, lang),
                defaultConfiguration: SARIFConfiguration(level: SARIFWriter.level(r.severity)),
                properties: SARIFRuleProperties(
                    tags: SARIFWriter.tags(r),
                    norms: r.norms.map { SARIFNorm(citation: $0.citation, title: $0.title, asOf: $0.asOf) },
                    severity: r.severity.rawValue, findingClass: r.findingClass.rawValue,
                    securitySeverity: SARIFWriter.securitySeverity(r.severity), source: r.source)))
        }
        let tool = SARIFTool(driver: SARIFDriver(
            name: "Trennwand", version: run.toolVersion,
            semanticVersion: SARIFWriter.isSemver(run.toolVersion) ? run.toolVersion : nil,
            language: lang == .de ? "de-DE" : "en-US", rules: rules))
        var head = "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\n"
        head += "\"tool\":" + (try json(tool)) + ",\n"
        if let sourceRoot {
            let base = ["SRCROOT": SARIFOriginalURIBase(uri: "file://" + SARIFWriter.percentEncode(sourceRoot.hasSuffix("/") ? sourceRoot : sourceRoot + "/"))]
            head += "\"originalUriBaseIds\":" + (try json(base)) + ",\n"
        }
        head += "\"language\":\"" + (lang == .de ? "de-DE" : "en-US") + "\",\n\"columnKind\":\"unicodeCodePoints\",\n\"results\":["
        try sink.write(head)
    }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        let finding = finding.neutralised, waived = context.waived?.neutralised
        guard written < maxResults else {
            omittedResults += 1
            return
        }
        let lang = run?.language ?? .de
        var text = finding.title.text(lang)
        if let d = finding.detail { text += " – " + d.text(lang) }
        if !finding.evidence.isEmpty {
            text += " (" + finding.evidence.map { "\($0.field)\($0.detector.map { "/" + $0 } ?? ""): \($0.value)" }.joined(separator: "; ") + ")"
        }
        if finding.occurrences > 1 {
            text += lang == .de ? " [\(finding.occurrences) Datensätze]" : " [\(finding.occurrences) records]"
        }
        // A finding no longer there (resolved by this run, or a baseline entry gone) is a result of
        // kind `pass` (SARIF 2.1.0 §3.27.9: "the rule was evaluated, and no problem was found"),
        // whose level must then be `none` (§3.27.10); never a problem in the CI view.
        let gone = OutputSupport.isGone(context)
        let related = finding.others.prefix(SARIFWriter.githubLocationLimit - 1).enumerated().map { i, o in
            var l = location(o.locator)
            l.id = i + 1
            return l
        }
        let life = context.lifecycle
        let result = SARIFResult(
            ruleId: finding.ruleID, ruleIndex: ruleIndex[finding.ruleID], kind: gone ? "pass" : nil,
            level: gone ? "none" : SARIFWriter.level(finding.severity),
            message: SARIFMessage(text: text),
            locations: [location(finding.locator)],
            relatedLocations: related.isEmpty ? nil : related,
            partialFingerprints: [SARIFWriter.fingerprintKey: finding.fingerprint],
            baselineState: context.baseline?.rawValue,
            suppressions: waived.map { w in
                [SARIFSuppression(kind: "external", status: "accepted", justification: w.reason,
                                  properties: SARIFSuppressionProperties(
                                      approver: w.approver, created: CivilTime.iso8601(w.created),
                                      expires: w.expires.map(CivilTime.iso8601)))]
            },
            properties: SARIFResultProperties(
                severity: finding.severity.rawValue, findingClass: finding.findingClass.rawValue,
                evidence: finding.evidence.map { SARIFEvidence(field: $0.field, detector: $0.detector, value: $0.value) },
                persons: finding.persons, norms: finding.norms.map(\.citation),
                recordId: finding.locator.recordID, time: finding.time.map(CivilTime.iso8601),
                remediation: finding.remediation.text(lang),
                status: life?.status.rawValue, firstSeen: OutputSupport.iso(life?.firstSeen), lastSeen: OutputSupport.iso(life?.lastSeen),
                firstRun: life?.firstRun, lastRun: life?.lastRun, resolvedRun: life?.resolvedRun,
                occurrences: finding.occurrences, occurrencesListed: 1 + related.count,
                occurrencesTruncated: finding.occurrences > 1 + related.count ? true : nil))
        try sink.write((written == 0 ? "\n" : ",\n") + (try json(result)))
        written += 1
    }

    package mutating func end(summary: RunSummary) throws {
        let summary = summary.neutralised
        guard let run else { return }
        let lang = run.language
        var notes: [SARIFNotification] = []
        for input in summary.inputs {
            if let e = input.fileError {
                notes.append(SARIFNotification(level: "error", message: SARIFMessage(text: e.reason.message.text(lang)),
                                               locations: [location(e.locator, lineOnly: true)],
                                               descriptor: SARIFDescriptorReference(id: e.reason.code)))
            }
        }
        var omittedNotes = 0
        for input in summary.inputs {
            for r in input.rejections {
                if notes.count >= maxRejectionNotifications {
                    omittedNotes += 1
                    continue
                }
                notes.append(SARIFNotification(level: "warning", message: SARIFMessage(text: r.reason.message.text(lang)),
                                               locations: [location(r.locator, lineOnly: true)],
                                               descriptor: SARIFDescriptorReference(id: r.reason.code)))
            }
            omittedNotes += input.rejected - input.rejections.count
        }
        if omittedNotes > 0 {
            let text = Localized(
                de: "\(omittedNotes) weitere abgewiesene Datensätze nicht einzeln aufgeführt (Zählung je Grund im HTML-Bericht und in JSON Lines).",
                en: "\(omittedNotes) more rejected records not listed one by one (counts per reason in the HTML report and JSON Lines).")
            notes.append(SARIFNotification(level: "note", message: SARIFMessage(text: text.text(lang)), locations: nil,
                                           descriptor: SARIFDescriptorReference(id: "trennwand.rejections-truncated")))
        }
        if omittedResults > 0 {
            let total = written + omittedResults
            let text = Localized(
                de: "\(total) Ergebnisse; nur die ersten \(written) sind enthalten (GitHub-Grenze), \(omittedResults) ausgelassen. Vollständige Liste: JSON Lines oder HTML-Bericht.",
                en: "\(total) results; only the first \(written) are included (GitHub limit), \(omittedResults) omitted. Full list: JSON Lines or HTML report.")
            notes.append(SARIFNotification(level: "warning", message: SARIFMessage(text: text.text(lang)), locations: nil,
                                           descriptor: SARIFDescriptorReference(id: "trennwand.results-truncated")))
        }
        let invocation = SARIFInvocation(
            executionSuccessful: !summary.inputs.contains { $0.fileError != nil },
            startTimeUtc: CivilTime.iso8601(run.started), endTimeUtc: CivilTime.iso8601(summary.finished),
            toolExecutionNotifications: notes)
        let props = SARIFRunProperties(
            rulePack: run.rulePackHash, keyID: run.keyID,
            records: SARIFRecordCounts(read: summary.recordsRead, evaluated: summary.recordsEvaluated, rejected: summary.recordsRejected),
            resultsTotal: written + omittedResults, omittedResults: omittedResults,
            rejectionNotificationsOmitted: omittedNotes,
            skippedFiles: run.state.map { $0.skipped.map { SARIFSkippedFile(path: $0.path, run: $0.scannedInRun, scannedAt: OutputSupport.iso($0.scannedAt)) } },
            stateRun: run.state?.runID,
            baselineStates: summary.baseline == nil ? nil
                : Dictionary(uniqueKeysWithValues: BaselineState.allCases.map { ($0.rawValue, summary.byBaselineState[$0] ?? 0) }))
        var tail = (written == 0 ? "]" : "\n]") + ",\n\"invocations\":[" + (try json(invocation)) + "],\n"
        tail += "\"properties\":" + (try json(props)) + "\n}]}\n"
        try sink.write(tail)
        try sink.flush()
    }

    private func location(_ l: Locator, lineOnly: Bool = false) -> SARIFLocation {
        var artifact: SARIFArtifactLocation
        if let root = sourceRoot.map({ $0.hasSuffix("/") ? $0 : $0 + "/" }), l.file.hasPrefix(root) {
            artifact = SARIFArtifactLocation(uri: SARIFWriter.percentEncode(String(l.file.dropFirst(root.count))), uriBaseId: "SRCROOT")
        } else if l.file.hasPrefix("/") {
            artifact = SARIFArtifactLocation(uri: "file://" + SARIFWriter.percentEncode(l.file), uriBaseId: nil)
        } else {
            artifact = SARIFArtifactLocation(uri: SARIFWriter.percentEncode(l.file), uriBaseId: "SRCROOT")
        }
        let region = l.line >= 1 ? SARIFRegion(startLine: l.line, startColumn: lineOnly ? nil : l.column) : nil
        return SARIFLocation(physicalLocation: SARIFPhysicalLocation(artifactLocation: artifact, region: region))
    }

    /// critical/high → error, medium → warning, low/info → note.
    static func level(_ s: Severity) -> String {
        switch s {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low, .info: return "note"
        }
    }

    /// The rule's tags plus `privacy` and its class, and `security` for every rule with a
    /// `security-severity`: GitHub code scanning reads `properties.security-severity` only on rules
    /// tagged `security` and then shows critical/high/medium/low instead of error/warning/note
    /// (docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#reportingdescriptor-object).
    static func tags(_ r: RuleDescriptor) -> [String] {
        let security = securitySeverity(r.severity) == nil ? [] : ["security"]
        return unique(r.tags + security + ["privacy", r.findingClass.rawValue])
    }

    /// GitHub's `security-severity` (a number as a string); none for info. GitHub maps over 9.0 to
    /// critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low (same page as `tags`; GitHub changelog
    /// 2021-07-19 "CodeQL code scanning: new severity levels for security alerts"), so each of our
    /// severities lands in the band of its own name.
    static func securitySeverity(_ s: Severity) -> String? {
        switch s {
        case .critical: return "9.5"
        case .high: return "8.0"
        case .medium: return "5.5"
        case .low: return "3.0"
        case .info: return nil
        }
    }

    static func help(_ r: RuleDescriptor, _ lang: Language) -> SARIFMessage {
        let l = lang == .de
        let normLines = r.norms.map { "\($0.citation) – \($0.title) (\(l ? "Stand" : "as of") \($0.asOf))" }
        let text = r.description.text(lang) + "\n\n" + (l ? "Begründung: " : "Rationale: ") + r.rationale.text(lang)
            + "\n\n" + (l ? "Maßnahme: " : "Remediation: ") + r.remediation.text(lang)
            + "\n\n" + (l ? "Normen: " : "Norms: ") + normLines.joined(separator: "; ")
        let md = r.description.text(lang) + "\n\n**" + (l ? "Begründung" : "Rationale") + ":** " + r.rationale.text(lang)
            + "\n\n**" + (l ? "Maßnahme" : "Remediation") + ":** " + r.remediation.text(lang)
            + "\n\n**" + (l ? "Normen" : "Norms") + ":**\n" + normLines.map { "- " + $0 }.joined(separator: "\n")
        return SARIFMessage(text: text, markdown: md)
    }

    /// A PascalCase rule name from the English title (ASCII letters and digits of each word,
    /// capitalised; German umlauts folded), e.g. `Export to Träger destination` → `ExportToTraegerDestination`;
    /// the rule id when nothing is left.
    static func pascalName(_ title: String, fallback: String) -> String {
        let folded = title.map { c -> String in
            switch c {
            case "ä": return "ae"
            case "ö": return "oe"
            case "ü": return "ue"
            case "Ä": return "Ae"
            case "Ö": return "Oe"
            case "Ü": return "Ue"
            case "ß": return "ss"
            default: return String(c)
            }
        }.joined()
        let words = folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        let name = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return name.isEmpty ? fallback : name
    }

    /// Order-preserving de-duplication (SARIF `tags` must be unique).
    static func unique(_ tags: [String]) -> [String] {
        var seen = Set<String>()
        return tags.filter { seen.insert($0).inserted }
    }

    static func isSemver(_ v: String) -> Bool {
        let core = v.split(separator: "-", maxSplits: 1).first.map(String.init) ?? v
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    /// Percent-encodes a path for a URI reference: unreserved characters and `/` stay, every other
    /// UTF-8 byte becomes `%XX`.
    static func percentEncode(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let h = String(b, radix: 16, uppercase: true)
                out += "%" + (h.count == 1 ? "0" + h : h)
            }
        }
        return out
    }
}
