import TrennwandFindings
import TrennwandRecords

/// CSV for spreadsheets (German Excel first): UTF-8 with BOM, `;` as separator, CRLF line ends,
/// RFC 4180 quoting, and a formula-injection guard on every cell.
///
/// Why `;` and a BOM: Excel with German regional settings splits on `;` (`,` is the decimal
/// separator) and reads BOM-less files as Windows-1252, which garbles umlauts. The header is in the
/// run language. One row per finding.
package struct CSVWriter: FindingWriter {
    package var showsAbsentBaselineEntries: Bool { true }
    package let sink: any OutputSink
    private var language: Language = .de

    package init(sink: any OutputSink) { self.sink = sink }

    static let header: [Localized] = [
        Localized(de: "Regel", en: "Rule"),
        Localized(de: "Titel", en: "Title"),
        Localized(de: "Schweregrad", en: "Severity"),
        Localized(de: "Klasse", en: "Class"),
        Localized(de: "Datei", en: "File"),
        Localized(de: "Zeile", en: "Line"),
        Localized(de: "Spalte", en: "Column"),
        Localized(de: "Datensatz-ID", en: "Record ID"),
        Localized(de: "Zeitpunkt (UTC)", en: "Time (UTC)"),
        Localized(de: "Evidenz", en: "Evidence"),
        Localized(de: "Personen", en: "Persons"),
        Localized(de: "Normen", en: "Norms"),
        Localized(de: "Maßnahme", en: "Remediation"),
        Localized(de: "Fingerabdruck", en: "Fingerprint"),
        Localized(de: "Status", en: "Status"),
        Localized(de: "Begründung der Ausnahme", en: "Waiver reason"),
        Localized(de: "Genehmigt von", en: "Approved by"),
        Localized(de: "Ausnahme gültig bis", en: "Waiver expires"),
        Localized(de: "Verlauf", en: "Lifecycle"),
        Localized(de: "Zuerst gesehen (UTC)", en: "First seen (UTC)"),
        Localized(de: "Zuletzt gesehen (UTC)", en: "Last seen (UTC)"),
        Localized(de: "Erster Lauf", en: "First run"),
        Localized(de: "Letzter Lauf", en: "Last run"),
        Localized(de: "Baseline", en: "Baseline"),
        Localized(de: "Anzahl Datensätze", en: "Occurrence count"),
        Localized(de: "Fundstellen", en: "Occurrences"),
    ]

    package mutating func begin(run: RunInfo) throws {
        let run = run.neutralised
        language = run.language
        try sink.write("\u{FEFF}" + CSVWriter.row(CSVWriter.header.map { $0.text(language) }))
    }

    package mutating func write(_ finding: Finding, context: FindingContext) throws {
        let finding = finding.neutralised, waived = context.waived?.neutralised
        let l = finding.locator
        let evidence = finding.evidence.map { e in
            e.field + (e.detector.map { " (\($0))" } ?? "") + ": " + e.value
        }.joined(separator: " | ")
        let persons = finding.persons.keys.sorted().map { "\($0)=\(finding.persons[$0]!)" }.joined(separator: ", ")
        let norms = finding.norms.map { "\($0.citation) (\($0.asOf))" }.joined(separator: " | ")
        let status: Localized
        if context.baseline == .absent {
            status = Localized(de: "entfallen", en: "gone")
        } else if context.lifecycle?.status == .resolved {
            status = FindingStatus.resolved.label
        } else {
            status = waived == nil ? Localized(de: "offen", en: "open") : Localized(de: "Ausnahme", en: "waived")
        }
        let life = context.lifecycle
        let cells: [String] = [
            finding.ruleID, finding.title.text(language), finding.severity.label.text(language),
            CSVWriter.classLabel(finding.findingClass).text(language),
            l.file, String(l.line), l.column.map(String.init) ?? "", l.recordID ?? "",
            finding.time.map(CivilTime.iso8601) ?? "", evidence, persons, norms,
            finding.remediation.text(language), finding.fingerprint, status.text(language),
            waived?.reason ?? "", waived?.approver ?? "", waived?.expires.map(OutputSupport.isoDate) ?? "",
            life?.status.label.text(language) ?? "", OutputSupport.iso(life?.firstSeen) ?? "", OutputSupport.iso(life?.lastSeen) ?? "",
            life.map { String($0.firstRun) } ?? "", life.map { String($0.lastRun) } ?? "",
            context.baseline.map { CSVWriter.baselineLabel($0).text(language) } ?? "",
            String(finding.occurrences),
            OutputSupport.locators(finding).joined(separator: " | ") + (finding.occurrencesTruncated ? " | …" : ""),
        ]
        try sink.write(CSVWriter.row(cells))
    }

    package mutating func end(summary: RunSummary) throws { try sink.flush() }

    static func classLabel(_ c: FindingClass) -> Localized {
        c == .violation ? Localized(de: "Verstoß", en: "violation") : Localized(de: "Konfigurationslücke", en: "configuration gap")
    }

    static func baselineLabel(_ b: BaselineState) -> Localized {
        switch b {
        case .new: return Localized(de: "neu", en: "new")
        case .unchanged: return Localized(de: "unverändert", en: "unchanged")
        case .absent: return Localized(de: "entfallen", en: "absent")
        }
    }

    static func row(_ cells: [String]) -> String { cells.map(cell).joined(separator: ";") + "\r\n" }

    /// The one CSV escaper: formula guard first, then RFC 4180 quoting.
    ///
    /// Guard: a cell whose first character is `=`, `+`, `-`, `@`, TAB or CR would be evaluated by
    /// Excel/LibreOffice as a formula (CSV injection, e.g. `=HYPERLINK(...)`); it is prefixed with `'`,
    /// which spreadsheets show as text. Quoting: a cell containing `;`, `"`, CR or LF is enclosed in
    /// `"` with inner `"` doubled.
    static func cell(_ raw: String) -> String {
        var s = raw
        if let first = s.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            s = "'" + s
        }
        if s.unicodeScalars.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\r" || $0 == "\n" }) {
            var q = "\""
            for u in s.unicodeScalars {
                if u == "\"" { q += "\"" }
                q.unicodeScalars.append(u)
            }
            return q + "\""
        }
        return s
    }
}
