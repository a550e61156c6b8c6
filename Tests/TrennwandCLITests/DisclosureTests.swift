import Foundation
import XCTest

/// Acceptance test of issue #12 item 1 (masking by value): identifiers of every detector kind,
/// names, terminal escapes (ESC[2J, an OSC 8 link, a C1 CSI), a bidi override and a 1 MB text are
/// planted into every column of every record kind of the Samples (access, documentation, flow
/// and every reference table), including columns that get records rejected (dates, actions).
/// No output file, no `ingest` diagnostic and no row of the state database may contain any of
/// them; `--reveal` on JSON Lines shows them, `--reveal` with SARIF is refused.
final class DisclosureTests: XCTestCase {
    /// Valid values (check digits) for every identifier detector of Rules/detectors.yaml, with
    /// the context words the context-bound ones need.
    static let identifiers = [
        "36574261809",              // steuer_id
        "DE89370400440532013000",   // iban
        "15 070649 C103",           // rv_nummer
        "K220645122",               // kvnr
        "LZ6311T475",               // ausweis (context: Personalausweis)
        "962D000999",               // kundennummer (context: Kd-Nr)
        "12345BG1234567",           // bg_nummer (context: BG-Nr)
    ]
    static let names = ["Max Mustermann", "Erika Musterfrau"]
    /// Planted bytes that must never reach an output: ESC (ANSI CSI, OSC 8), the C1 CSI and the
    /// right-to-left override.
    static let controls = ["\u{1B}", "\u{9B}", "\u{202E}"]

    static let payload = "Kd-Nr 962D000999 Max Mustermann IBAN DE89370400440532013000 SteuerID 36574261809 "
        + "Rentenversicherungsnummer 15 070649 C103 Versichertennummer K220645122 Personalausweis-Nr.: LZ6311T475 "
        + "BG-Nr: 12345BG1234567 Erika Musterfrau Gutachten \u{9B}31m \u{202E}gnaltsknil"
    /// CSV cells also carry ESC sequences (XML 1.0 forbids ESC even as a reference).
    static let csvPayload = payload + " \u{1B}[2J \u{1B}]8;;http://x\u{1B}\\Link\u{1B}]8;;\u{1B}\\"
    static let megabyte = 1 << 20

    static func bigText(_ unit: String) -> String {
        var s = ""
        s.reserveCapacity(megabyte + unit.utf8.count)
        while s.utf8.count < megabyte { s += unit + " " }
        return s
    }

    /// What must not appear: identifiers (also compacted), names, control characters.
    static var forbidden: [String] {
        identifiers + identifiers.map { $0.replacingOccurrences(of: " ", with: "") } + ["070649"]
            + names + ["Mustermann", "Musterfrau"] + controls + ["http://x"]
    }

    // MARK: - Input set

    /// Copies the rules (profiles switched to UTF-8, so every planted character survives) and
    /// writes the planted inputs. Returns (rules, inputs).
    static func makeInputs(in dir: URL, megabyteVariants: Bool = true) throws -> (rules: URL, inputs: URL) {
        let fm = FileManager.default
        let rules = dir.appendingPathComponent("Rules")
        try fm.copyItem(at: TestPaths.projectRoot.appendingPathComponent("Rules"), to: rules)
        let profiles = rules.appendingPathComponent("profiles")
        for name in try fm.contentsOfDirectory(atPath: profiles.path) {
            let url = profiles.appendingPathComponent(name)
            let text = try String(contentsOf: url, encoding: .utf8)
            try text.replacingOccurrences(of: "encoding: windows-1252", with: "encoding: utf-8")
                .write(to: url, atomically: true, encoding: .utf8)
        }
        let inputs = dir.appendingPathComponent("in")
        try fm.createDirectory(at: inputs.appendingPathComponent("Stammdaten"), withIntermediateDirectories: true)
        let csvs = ["Jobcenter-Zugriffe-Sammelabrufe.csv", "Jobcenter-Zugriffe.csv", "Jobcenter-Zuweisungen.csv",
                    "Plattform-Datenfluesse.csv", "Traeger-Zugriffe.csv"]
            + ["Abordnungen", "Angebote", "Einwilligungen", "Mitarbeitende", "Teilnehmende", "Vereinbarungen"].map { "Stammdaten/\($0).csv" }
        let big = bigText(csvPayload)
        for name in csvs {
            let data = try Data(contentsOf: TestPaths.samples.appendingPathComponent(name))
            let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1252)!
            let separator: Unicode.Scalar = text.prefix(while: { $0 != "\n" }).contains(";") ? ";" : ","
            let rows = parseCSV(text, separator: separator)
            var out = [rows[0]]
            for (i, row) in rows.dropFirst().enumerated() {
                out.append(row)
                // One variant per column: the column replaced by the payload (rules on the other
                // columns still fire, so the planted column appears in their evidence).
                for c in row.indices {
                    var v = row
                    v[c] = csvPayload
                    out.append(v)
                    if i == 0 && megabyteVariants {
                        var b = row
                        b[c] = big
                        out.append(b)
                    }
                }
            }
            try Data(out.map { $0.map(quote).joined(separator: String(separator)) }.joined(separator: "\r\n").utf8)
                .write(to: inputs.appendingPathComponent(name))
        }
        try plantXML(TestPaths.samples.appendingPathComponent("Traeger-Dokumentation.xml"),
                     to: inputs.appendingPathComponent("Traeger-Dokumentation.xml"), big: megabyteVariants)
        return (rules, inputs)
    }

    /// Every note (`doku:Vermerk`) followed by variants with one child element's text or one
    /// attribute replaced by the payload (the first note also by the 1 MB text), plus a note
    /// with identifiers in its free text.
    static func plantXML(_ source: URL, to target: URL, big: Bool) throws {
        let text = try String(contentsOf: source, encoding: .utf8)
        let escaped = xmlEscape(payload), bigEscaped = big ? xmlEscape(bigText(payload)) : ""
        var out = ""
        var rest = Substring(text)
        var first = true
        while let start = rest.range(of: "<doku:Vermerk "), let end = rest.range(of: "</doku:Vermerk>", range: start.upperBound..<rest.endIndex) {
            out += rest[..<end.upperBound]
            let note = String(rest[start.lowerBound..<end.upperBound])
            for variant in variants(of: note, with: escaped) { out += "\n    " + variant }
            if first && big {
                for variant in variants(of: note, with: bigEscaped) { out += "\n    " + variant }
                first = false
            }
            rest = rest[end.upperBound...]
        }
        out += rest
        try Data(out.utf8).write(to: target)
    }

    static func variants(of note: String, with value: String) -> [String] {
        var out: [String] = []
        // Attributes id="…" and typ="…".
        for attr in ["id", "typ"] {
            if let r = note.range(of: "\(attr)=\"[^\"]*\"", options: .regularExpression) {
                out.append(note.replacingCharacters(in: r, with: "\(attr)=\"\(value)\""))
            }
        }
        // Every child element's text.
        var search = note.startIndex..<note.endIndex
        while let open = note.range(of: "<doku:[A-Za-z]+>", options: .regularExpression, range: search) {
            let tag = note[open].dropFirst(6).dropLast()
            guard let close = note.range(of: "</doku:\(tag)>", range: open.upperBound..<note.endIndex) else { break }
            out.append(note.replacingCharacters(in: open.upperBound..<close.lowerBound, with: value))
            search = close.upperBound..<note.endIndex
        }
        // Elements the sample notes lack (attachments, transmitted_to).
        if let r = note.range(of: "</doku:Vermerk>") {
            for tag in ["Anhang", "UebermitteltAn"] {
                out.append(note.replacingCharacters(in: r, with: "<doku:\(tag)>\(value)</doku:\(tag)></doku:Vermerk>"))
            }
        }
        return out
    }

    static func xmlEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func quote(_ cell: String) -> String { "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// CSV with quotes (the Samples' dialects: `;` or `,`).
    static func parseCSV(_ text: String, separator: Unicode.Scalar) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false
        var it = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar?
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let n = it.next()
                    if n == "\"" { cell.unicodeScalars.append("\"") } else { quoted = false; pending = n; if n == nil { break } }
                } else { cell.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == separator { row.append(cell); cell = "" }
            else if c == "\r" { continue }
            else if c == "\n" { row.append(cell); rows.append(row); row = []; cell = "" }
            else { cell.unicodeScalars.append(c) }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }

    // MARK: - Checks

    static func assertClean(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for f in forbidden where text.contains(f) {
            let shown = f.unicodeScalars.map { $0.value < 0x20 || $0.value > 0x7E ? String(format: "\\u{%X}", $0.value) : String($0) }.joined()
            XCTFail("\(shown) leaked into \(what)", file: file, line: line)
        }
    }

    func testNoPlantedValueLeavesThroughAnyOutputIngestOrTheState() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (rules, inputs) = try Self.makeInputs(in: dir)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let state = dir.appendingPathComponent("state.db")
        let formats = ["text", "sarif", "junit", "jsonl", "csv", "html"]
        var args = ["scan", inputs.path, "--rules", rules.path, "--now", "2025-12-31T12:00:00+01:00",
                    "--state", state.path, "--threads", "2"]
        for f in formats { args += ["--format", "\(f)=\(out.appendingPathComponent("report.\(f)").path)"] }
        let r = try CLI.run(args)
        let summary = (try? String(contentsOf: out.appendingPathComponent("report.text"), encoding: .utf8)) ?? ""
        XCTAssertTrue([0, 1].contains(r.status), "exit \(r.status): " + r.stderr + summary)
        Self.assertClean(r.stdout, "scan stdout")
        Self.assertClean(r.stderr, "scan stderr")
        for f in formats {
            let text = try String(decoding: Data(contentsOf: out.appendingPathComponent("report.\(f)")), as: UTF8.self)
            Self.assertClean(text, "report.\(f)")
        }
        // The test can fail: the planted rows produced findings with evidence from planted
        // fields, and rejections (dates, actions) that reach SARIF's notifications.
        let jsonl = try String(decoding: Data(contentsOf: out.appendingPathComponent("report.jsonl")), as: UTF8.self)
        XCTAssertTrue(jsonl.contains("[Text, \(Self.megabyte)") || jsonl.contains("[Text, 10"), "no 1 MB value in the evidence")
        XCTAssertTrue(jsonl.contains("\"field\":\"purpose\",\"detector\":null,\"value\":\"[Text"), "planted purpose not in evidence")
        XCTAssertTrue(jsonl.contains("iban DE******"), "masked IBAN hit missing")
        XCTAssertTrue(jsonl.contains("\"rule_id\":\"TW105\""), "TW105 did not fire")
        XCTAssertTrue(jsonl.contains("\"rule_id\":\"TW301\"") || jsonl.contains("\"rule_id\":\"TW302\""), "no flow finding")
        let sarif = try String(decoding: Data(contentsOf: out.appendingPathComponent("report.sarif")), as: UTF8.self)
        XCTAssertTrue(sarif.contains("profile.invalid-timestamp"), "no rejection notification in SARIF")

        // Every table of the state database, dumped as text.
        let dump = try Self.sqliteDump(state)
        XCTAssertTrue(dump.contains("INSERT INTO finding"), "state holds no findings")
        Self.assertClean(dump, "the state database")

        // ingest: diagnostics on stderr name field, column, length and class, never the value.
        for file in try FileManager.default.subpathsOfDirectory(atPath: inputs.path).filter({ $0.hasSuffix(".csv") || $0.hasSuffix(".xml") }) {
            let ingest = try CLI.run(["ingest", "--rules", rules.path, inputs.appendingPathComponent(file).path])
            Self.assertClean(ingest.stderr, "ingest stderr (\(file))")
            // stdout is the user's own normalised data (for profile checks): JSON escapes the C0
            // controls, so no raw ESC reaches a terminal.
            XCTAssertFalse(ingest.stdout.contains("\u{1B}"), "raw ESC in ingest stdout (\(file))")
            if file.hasSuffix("Jobcenter-Zugriffe.csv") {
                XCTAssertTrue(ingest.stderr.contains("profile.invalid-timestamp"), ingest.stderr)
                XCTAssertTrue(ingest.stderr.contains("profile.unmapped-value"), ingest.stderr)
            }
        }
    }

    func testRevealShowsPlantedValuesInJSONLinesAndIsRefusedForSARIF() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (rules, inputs) = try Self.makeInputs(in: dir, megabyteVariants: false)
        let base = ["scan", inputs.appendingPathComponent("Traeger-Zugriffe.csv").path,
                    inputs.appendingPathComponent("Stammdaten").path, "--rules", rules.path,
                    "--now", "2025-12-31T12:00:00+01:00", "--reveal", "--format", "text=/dev/null"]
        let jsonl = dir.appendingPathComponent("reveal.jsonl")
        let r = try CLI.run(base + ["--format", "jsonl=\(jsonl.path)"])
        XCTAssertTrue([0, 1].contains(r.status), "exit \(r.status): " + r.stderr)
        let text = try String(decoding: Data(contentsOf: jsonl), as: UTF8.self)
        XCTAssertTrue(text.contains("Max Mustermann"), "reveal does not show the planted name")
        XCTAssertTrue(text.contains("DE89370400440532013000"), "reveal does not show the planted IBAN")
        // The leak check of the other test would catch it.
        XCTAssertTrue(Self.forbidden.contains { text.contains($0) })
        // Even revealed, control characters are neutralised.
        XCTAssertFalse(text.contains("\u{1B}"))
        XCTAssertFalse(text.contains("\u{202E}"))
        let sarif = try CLI.run(base + ["--format", "sarif=\(dir.appendingPathComponent("r.sarif").path)"])
        XCTAssertNotEqual(sarif.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.sarif").path))
    }

    /// `sqlite3 DB .dump` (every row of every table as SQL text).
    static func sqliteDump(_ db: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", db.path, ".dump"]
        let outURL = db.deletingLastPathComponent().appendingPathComponent("dump.sql")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close()
        XCTAssertEqual(p.terminationStatus, 0, "sqlite3 .dump failed (is the sqlite3 CLI installed?)")
        return String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
    }
}
