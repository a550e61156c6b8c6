import Dispatch
import Synchronization
import TrennwandFindings
import TrennwandRecords

/// JSON Lines for SIEMs: one finding per line, then one `"type":"summary"` line.
///
/// Field names are stable snake_case and documented in docs/outputs.md; keys appear in a fixed
/// order so lines compare byte for byte. Texts (title, remediation) are in the run language.
package struct JSONLinesWriter: FindingWriter {
    package var showsAbsentBaselineEntries: Bool { true }
    package let sink: any OutputSink
    /// Whether `end` writes the summary line.
    package var summaryLine: Bool
    private var run: RunInfo?
    /// Threads that encode finding lines (the scan's `--threads`). With more than one, findings
    /// are taken in blocks of `blockSize`, each block's lines encoded in that many slices side by
    /// side and written in order: the report is written after the scan, by one thread, and for a
    /// large report its encoding was most of that serial tail (docs/performance.md).
    package var encodingThreads: Int
    private var pending: [(Finding, FindingContext)] = []
    package static let blockSize = 512

    package init(sink: any OutputSink, summaryLine: Bool = true, encodingThreads: Int = 1) {
        self.sink = sink
        self.summaryLine = summaryLine
        self.encodingThreads = max(1, encodingThreads)
    }

    package mutating func begin(run: RunInfo) throws { self.run = run.neutralised }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        let lang = run?.language ?? .de
        if encodingThreads == 1 {
            var line: [UInt8] = []
            Self.appendLine(finding, context: context, language: lang, to: &line)
            try sink.write(bytes: line)
            return
        }
        pending.append((finding, context))
        if pending.count >= Self.blockSize { try writePending() }
    }

    /// Encodes the pending findings in `encodingThreads` slices side by side, then writes them in order.
    private mutating func writePending() throws {
        if pending.isEmpty { return }
        let lang = run?.language ?? .de
        let block = pending
        pending.removeAll(keepingCapacity: true)
        let parts = min(encodingThreads, block.count)
        let encoded = Mutex([[UInt8]](repeating: [], count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            var bytes: [UInt8] = []
            let range = block.count * k / parts ..< block.count * (k + 1) / parts
            bytes.reserveCapacity(range.count * 2_048)
            for i in range { Self.appendLine(block[i].0, context: block[i].1, language: lang, to: &bytes) }
            encoded.withLock { $0[k] = bytes }
        }
        for bytes in encoded.withLock({ $0 }) { try sink.write(bytes: bytes) }
    }

    /// Appends the JSON Lines line (with its line feed) of one finding to `out`.
    static func appendLine(_ finding: Finding, context: FindingContext, language lang: Language, to out: inout [UInt8]) {
        let finding = finding.neutralised, waived = context.waived?.neutralised
        JSONObject.write(into: &out) { o in
            o.string(JSONLinesField.type.rawValue, JSONLinesField.findingType)
            o.string(JSONLinesField.ruleID.rawValue, finding.ruleID)
            o.string("severity", finding.severity.rawValue)
            o.string("class", finding.findingClass.rawValue)
            o.string("title", finding.title.text(lang))
            JSONLinesWriter.locator(finding.locator, into: &o)
            o.string("time", finding.time.map(CivilTime.iso8601))
            JSONLinesWriter.evidence(finding.evidence, into: &o)
            o.object("persons") { x in
                for role in finding.persons.keys.sorted() { x.string(role, finding.persons[role]) }
            }
            o.array("norms", finding.norms) { n, x in
                x.string("citation", n.citation)
                x.string("title", n.title)
                x.string("as_of", n.asOf)
            }
            o.string("remediation", finding.remediation.text(lang))
            o.string("detail", finding.detail?.text(lang))
            o.string(JSONLinesField.fingerprint.rawValue, finding.fingerprint)
            o.bool("waived", waived != nil)
            if let w = waived {
                o.object("waiver") { x in
                    x.string("reason", w.reason)
                    x.string("approver", w.approver)
                    x.string("created", CivilTime.iso8601(w.created))
                    x.string("expires", w.expires.map(CivilTime.iso8601))
                }
            } else {
                o.null("waiver")
            }
            let life = context.lifecycle
            o.string("status", life?.status.rawValue)
            o.string("first_seen", OutputSupport.iso(life?.firstSeen))
            o.string("last_seen", OutputSupport.iso(life?.lastSeen))
            o.int("first_run", life.map { Int($0.firstRun) })
            o.int("last_run", life.map { Int($0.lastRun) })
            o.int("resolved_run", life?.resolvedRun.map { Int($0) })
            o.string("baseline", context.baseline?.rawValue)
            o.int("occurrence_count", finding.occurrences)
            o.array("occurrences", finding.occurrenceList) { r, x in
                JSONLinesWriter.locator(r.locator, into: &x)
                x.string("time", OutputSupport.iso(r.time))
                JSONLinesWriter.evidence(r.evidence, into: &x)
            }
            o.bool("occurrences_truncated", finding.occurrencesTruncated)
        }
        out.append(0x0A)
    }

    /// The position members of a finding or an occurrence: file, line, column, index, byte offset, record id.
    static func locator(_ l: Locator, into o: inout JSONObject) {
        o.string("file", l.file)
        o.int("line", l.line)
        o.int("column", l.column)
        o.int("index", l.index)
        o.int("byte_offset", Int(l.byteOffset))
        o.string("record_id", l.recordID)
    }

    /// The `evidence` member: field, detector and (masked) value of each piece.
    static func evidence(_ list: [Evidence], into o: inout JSONObject) {
        o.array("evidence", list) { e, x in
            x.string("field", e.field)
            x.string("detector", e.detector)
            x.string("value", e.value)
        }
    }

    package mutating func end(summary: RunSummary) throws {
        try writePending()
        let summary = summary.neutralised
        defer { try? sink.flush() }
        guard summaryLine, let run else { return }
        var o = JSONObject()
        o.string(JSONLinesField.type.rawValue, JSONLinesField.summaryType)
        o.string("tool_version", run.toolVersion)
        o.string(JSONLinesField.rulePack.rawValue, run.rulePackHash)
        if let keyID = run.keyID { o.string(JSONLinesField.keyID.rawValue, keyID) }
        o.string("started", CivilTime.iso8601(run.started))
        o.string("finished", CivilTime.iso8601(summary.finished))
        o.int("findings", summary.total)
        o.int("open", summary.open)
        o.int("waived", summary.waived)
        o.string("fail_on", run.failOn?.rawValue)
        o.int("open_at_or_above_fail_on", summary.openAtOrAbove(run.failOn))
        func tallies(_ pairs: [(String, Tally)]) -> String {
            var x = JSONObject()
            for (k, t) in pairs {
                var y = JSONObject()
                y.int("open", t.open)
                y.int("waived", t.waived)
                x.raw(k, y.text)
            }
            return x.text
        }
        o.raw("by_severity", tallies(OutputSupport.severitiesDescending.compactMap { s in summary.bySeverity[s].map { (s.rawValue, $0) } }))
        o.raw("by_rule", tallies(summary.byRule.keys.sorted().map { ($0, summary.byRule[$0]!) }))
        let byNorm = summary.byNorm
        o.raw("by_norm", tallies(byNorm.keys.sorted().map { ($0, byNorm[$0]!) }))
        if let b = summary.baseline {
            var x = JSONObject()
            x.int("new", b.new)
            x.int("unchanged", b.unchanged)
            x.int("gone", b.gone)
            o.raw("baseline", x.text)
        }
        o.raw("by_status", JSONLinesWriter.counts(FindingStatus.allCases.compactMap { s in summary.byStatus[s].map { (s.rawValue, $0) } }))
        o.raw("skipped_files", JSON.array((run.state?.skipped ?? []).map { f in
            var x = JSONObject()
            x.string("path", f.path)
            x.int("run", f.scannedInRun.map { Int($0) })
            x.string("scanned_at", OutputSupport.iso(f.scannedAt))
            return x.text
        }))
        o.int("state_run", run.state.map { Int($0.runID) })
        o.raw("baseline_states", summary.baseline == nil ? "null"
            : JSONLinesWriter.counts(BaselineState.allCases.map { ($0.rawValue, summary.byBaselineState[$0] ?? 0) }))
        o.int("records_read", summary.recordsRead)
        o.int("records_evaluated", summary.recordsEvaluated)
        o.int("records_rejected", summary.recordsRejected)
        o.raw("inputs", JSON.array(summary.inputs.map { i in
            var x = JSONObject()
            x.string("file", i.file)
            x.string("profile", i.profile)
            x.int("read", i.read)
            x.int("evaluated", i.normalised)
            x.int("rejected", i.rejected)
            var reasons = JSONObject()
            for code in i.rejectedByReason.keys.sorted() { reasons.int(code, i.rejectedByReason[code]) }
            x.raw("rejected_by_reason", reasons.text)
            x.string("file_error", i.fileError?.reason.code)
            return x.text
        }))
        try sink.write(o.text + "\n")
    }

    static func counts(_ pairs: [(String, Int)]) -> String {
        var x = JSONObject()
        for (k, n) in pairs { x.int(k, n) }
        return x.text
    }
}
