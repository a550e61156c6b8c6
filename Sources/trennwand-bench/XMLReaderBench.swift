import Foundation
import TrennwandReaders
import TrennwandRecords

/// `trennwand-bench xml [--mb N]`: the XML record reader next to `xmllint --stream --noout`.
///
/// Generates a synthetic namespaced documentation export (German free text, invented names) of
/// about N MB in a temporary folder, times both, prints MB/s and the ratio. Run in release.
enum XMLReaderBench {
    static func run(arguments: [String]) throws {
        var megabytes = 200
        if let i = arguments.firstIndex(of: "--mb"), i + 1 < arguments.count, let n = Int(arguments[i + 1]) {
            megabytes = n
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-xml-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("doku.xml").path
        let (size, records) = try generate(path: path, megabytes: megabytes)
        let mb = Double(size) / 1_000_000
        print("XML bench: \(String(format: "%.1f", mb)) MB, \(records) records")

        // Warm the page cache once, then time each tool.
        _ = try Data(contentsOf: URL(fileURLWithPath: path))
        let lint = try time {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
            p.arguments = ["--stream", "--noout", path]
            try p.run()
            p.waitUntilExit()
        }
        let spec = XMLRecordSpec(
            recordPath: "/d:Dokumentation/d:Teilnehmer/d:Vermerk",
            namespaces: ["d": "urn:trennwand:bench:doku:1"],
            fieldPaths: ["@id", "@typ", "../@nr", "d:Kopf/d:Datum", "d:Kopf/d:Verfasser", "d:Kopf/@stelle", "d:Text", "d:Schlagwort"])
        var seen = 0
        var fieldBytes = 0
        let reader = try XMLRecordReader(path: path, spec: spec)
        let ours = try time {
            try reader.forEachRecord({ view in
                seen += 1
                for i in 0..<8 {
                    for v in view.values(i) { fieldBytes &+= v.count }
                }
            }, rejected: { _ in })
        }
        precondition(seen == records, "read \(seen) of \(records) records")
        // Baseline: the same parse with the record path only (libxml2 plus callback dispatch).
        let bare = try XMLRecordReader(path: path, spec: XMLRecordSpec(
            recordPath: spec.recordPath, namespaces: spec.namespaces, fieldPaths: []))
        var bareSeen = 0
        let baseline = try time { try bare.forEachRecord({ _ in bareSeen += 1 }, rejected: { _ in }) }
        print(String(format: "xmllint --stream --noout  %7.3f s  %7.1f MB/s", lint, mb / lint))
        print(String(format: "XMLRecordReader (8 fields) %7.3f s  %7.1f MB/s  (%d field bytes)", ours, mb / ours, fieldBytes))
        print(String(format: "XMLRecordReader (0 fields) %7.3f s  %7.1f MB/s", baseline, mb / baseline))
        print(String(format: "ratio reader / xmllint: %.2f", lint / ours))
    }

    private static func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Writes the synthetic export; returns its size in bytes and the number of records.
    private static func generate(path: String, megabytes: Int) throws -> (Int, Int) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let out = FileHandle(forWritingAtPath: path)
        else { throw CocoaError(.fileWriteUnknown) }
        defer { try? out.close() }
        let words = ["Beratung", "Gespräch", "Teilnehmerin", "Maßnahme", "Bewerbung", "Förderung", "Qualifizierung",
                     "Termin", "Ziel", "vereinbart", "über", "Arbeitsmarkt", "Praktikum", "Kinderbetreuung",
                     "Rückmeldung", "Unterlagen", "geprüft", "nächste", "Woche", "Straße", "größere", "Übergang"]
        let names = ["Anna Beispiel", "Jürgen Muster", "Özlem Probe", "Klaus Test"]
        var rng = UInt64(0x9E37_79B9_7F4A_7C15)
        func next() -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(truncatingIfNeeded: rng >> 1)
        }
        let target = megabytes * 1_000_000
        var written = 0
        var records = 0
        var buffer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<d:Dokumentation xmlns:d=\"urn:trennwand:bench:doku:1\">\n"
        var participant = 0
        while written + buffer.utf8.count < target {
            participant += 1
            buffer += "  <d:Teilnehmer nr=\"TN-\(participant)\">\n"
            for _ in 0..<(1 + next() % 4) {
                records += 1
                var text = ""
                for _ in 0..<(40 + next() % 80) { text += words[next() % words.count] + " " }
                buffer += """
                        <d:Vermerk id="V\(records)" typ="Beratung">
                          <d:Kopf stelle="Träger"><d:Datum>2024-0\(1 + next() % 9)-1\(next() % 10)</d:Datum><d:Verfasser>\(names[next() % names.count])</d:Verfasser></d:Kopf>
                          <d:Text>\(text)&amp; mehr</d:Text>
                          <d:Text><![CDATA[Notiz <roh>]]> \(words[next() % words.count])</d:Text>
                          <d:Schlagwort>\(words[next() % words.count])</d:Schlagwort>
                        </d:Vermerk>\n
                    """
            }
            buffer += "  </d:Teilnehmer>\n"
            if buffer.utf8.count > 1 << 20 {
                written += buffer.utf8.count
                out.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        buffer += "</d:Dokumentation>\n"
        written += buffer.utf8.count
        out.write(Data(buffer.utf8))
        return (written, records)
    }
}
