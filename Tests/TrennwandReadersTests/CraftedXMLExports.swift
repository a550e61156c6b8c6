import Foundation

/// Synthetic Träger documentation exports (profile `traeger-dokumentation`) made to mislead a
/// split at record elements: the record's name at line starts inside comments, CDATA sections and
/// processing instructions and on an element off the record path, fake ancestors in comments,
/// namespaces declared on the ancestors (another prefix, the default namespace), ancestor
/// attributes over several lines with escapes, start tags over several lines, deep indentation,
/// two records on one line, records the profile rejects, IBANs for findings. Optionally a fatal
/// well-formedness error, an undeclared prefix (an error libxml2 does not stop at) or many
/// distinct element names. Symlinked into TrennwandScanTests.
enum CraftedXMLExports {
    struct Options {
        var participants = 60
        var crlf = false
        /// Participant whose second note closes `Text` with the wrong name.
        var fatalAt: Int?
        /// Participant whose second note has an element with an undeclared prefix.
        var undeclaredPrefixAt: Int?
        /// Every note gets a child element with its own name of about this many bytes (0: none).
        var distinctNameBytes = 0
    }

    static let namespace = "urn:beispiel-traeger:dokumentation:2"

    static func document(_ o: Options) -> String {
        let ns = namespace
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Synthetische Testdaten (kein Personenbezug) -->\n"
        out += "<doku:Dokumentation xmlns:doku=\"\(ns)\"\n    erstellt=\"2025-12-31T18:00:00+01:00\" system=\"Test\">\n"
        for p in 0..<o.participants {
            let pre: String
            switch p % 6 {
            case 1:
                pre = "t:"
                out += "  <t:Teilnehmer xmlns:t=\"\(ns)\" nr=\"TN-\(p)\">\n"
            case 2:
                pre = ""
                out += "  <Teilnehmer xmlns=\"\(ns)\"\n      nr=\"TN-\(p)\" hinweis=\"a &amp; b&#10;c \"\n      >\n"
            case 3:
                pre = "doku:"
                out += "  <!--\n  <doku:Teilnehmer nr=\"FALSCH-\(p)\">\n    <doku:Vermerk id=\"im-Kommentar-\(p)\">\n  -->\n"
                out += "  <doku:Teilnehmer nr='TN-\(p)'>\n"
            case 4:
                pre = "doku:"
                out += "  <doku:Teilnehmer nr=\"TN-\(p)\" notiz=\"&lt;doku:Vermerk id=&quot;x&quot;>\">\n"
                out += "    <doku:Andere>\n    <doku:Vermerk id=\"neben-dem-Pfad-\(p)\"><doku:Text>DE89370400440532013000</doku:Text></doku:Vermerk>\n"
                out += "    </doku:Andere>\n"
            case 5:
                pre = "doku:"
                out += "  <?notiz\n    <doku:Vermerk id=\"im-PI-\(p)\">\n  <doku:Teilnehmer nr=\"PI\">\n  ?>\n"
                out += "  <doku:Teilnehmer nr=\"TN-\(p)\">\n"
            default:
                pre = "doku:"
                out += "  <doku:Teilnehmer nr=\"TN-\(p)\">\n"
            }
            let notes = 2 + p % 3
            for k in 0..<notes {
                let id = "V-\(p)-\(k)"
                if p % 10 == 9 && k == 0 {
                    // Indented beyond any candidate, start tag over two lines.
                    out += String(repeating: " ", count: 100) + "<\(pre)Vermerk\n        id=\"\(id)\" typ=\"Notiz\">\n"
                } else if (p + k) % 4 == 0 {
                    out += "    <\(pre)Vermerk\n        id=\"\(id)\"\n        typ=\"Folgegespräch\">\n"
                } else {
                    out += "    <\(pre)Vermerk id=\"\(id)\" typ=\"Notiz\">\n"
                }
                let date = (p * 7 + k) % 13 == 5 ? "kein Datum" : "2025-0\(1 + p % 9)-1\(k % 10) 1\(k % 10):\(10 + p % 50)"
                out += "      <\(pre)Datum>\(date)</\(pre)Datum>\n"
                out += "      <\(pre)Verfasser>TR-M-\(100 + p % 7)</\(pre)Verfasser><\(pre)Organisation>Träger</\(pre)Organisation>\n"
                out += "      <\(pre)Sichtbarkeit>Beratungsteam</\(pre)Sichtbarkeit>\n"
                out += "      <\(pre)AufbewahrenBis>31.12.2027</\(pre)AufbewahrenBis>\n"
                if (p + k) % 5 == 0 {
                    out += "      <\(pre)Text>Kontoverbindung für die Fahrtkosten: DE89370400440532013000.</\(pre)Text>\n"
                }
                if p % 6 == 3 && k == 0 {
                    out += "      <\(pre)Text>Vorlage: <![CDATA[\n    <doku:Vermerk id=\"in-CDATA\">\n  <doku:Teilnehmer nr=\"CDATA\">\n]]> Ende</\(pre)Text>\n"
                }
                if o.fatalAt == p && k == 1 {
                    out += "      <\(pre)Text>kaputt</\(pre)Txt>\n"
                }
                if o.undeclaredPrefixAt == p && k == 1 {
                    out += "      <x:Anhang>ohne Namensraum</x:Anhang>\n"
                }
                if o.distinctNameBytes > 0 {
                    let name = "Extra_\(p)_\(k)_"
                    out += "      <\(pre)\(name + String(repeating: "n", count: max(0, o.distinctNameBytes - name.count)))/>\n"
                }
                out += "      <\(pre)Text>Gespräch geführt, nächster Termin in zwei Wochen.</\(pre)Text>\n"
                if p % 10 == 7 && k == 0 && notes > 1 {
                    // This record and the next on one line.
                    out += "    </\(pre)Vermerk><\(pre)Vermerk id=\"\(id)-gleiche-Zeile\"><\(pre)Text>kurz</\(pre)Text>"
                }
                out += "    </\(pre)Vermerk>\n"
            }
            out += "  </\(pre)Teilnehmer>\n"
        }
        out += "</doku:Dokumentation>\n"
        return o.crlf ? out.replacingOccurrences(of: "\n", with: "\r\n") : out
    }

    /// Writes `text` to a fresh temporary file.
    static func write(_ text: String, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-crafted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}
