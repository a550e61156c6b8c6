import Foundation
import TrennwandRecords
@testable import TrennwandReaders
import XCTest

/// Helpers for the hostile-input matrix: synthetic files built from the sample formats, ingested
/// through `Ingest.run` exactly as the CLI does.
enum Hostile {
    /// Header and three good rows in the `traeger-zugriffe` format (UTF-8, comma).
    static let csvHeader = "Datum,Uhrzeit,Benutzer,Organisation,Rolle,Modul,Aktion,Teilnehmer,Arbeitsplatz,Netz,Zweck\n"
    static let csvRows = [
        "03.02.2025,08:55,TR-M-0101,Träger,Familiencoach,Teilnehmerakte,anlegen,TN-2025-0001,TR-PC-03,Träger-LAN,Aufnahme\n",
        "03.02.2025,09:30,TR-M-0101,Träger,Familiencoach,Beratungsdokumentation,anlegen,TN-2025-0001,TR-PC-03,Träger-LAN,Erstgespräch\n",
        "05.02.2025,10:05,JC-M-0042,Jobcenter,Lotsin,Anmeldung,anmelden,,TR-PC-07,Träger-LAN,Anmeldung\n",
    ]
    static var goodCSV: [UInt8] { Array((csvHeader + csvRows.joined()).utf8) }

    static func vermerk(_ id: String, text: String = "Synthetischer Vermerk.") -> String {
        """
            <doku:Vermerk id="\(id)" typ="Vermerk">
              <doku:Datum>2025-02-03 09:30</doku:Datum>
              <doku:Verfasser>TR-M-0101</doku:Verfasser>
              <doku:Organisation>Träger</doku:Organisation>
              <doku:Text>\(text)</doku:Text>
            </doku:Vermerk>

        """
    }
    static let xmlHead = """
        <?xml version="1.0" encoding="UTF-8"?>
        <doku:Dokumentation xmlns:doku="urn:beispiel-traeger:dokumentation:2">
          <doku:Teilnehmer nr="TN-2025-0001">

        """
    static let xmlTail = "  </doku:Teilnehmer>\n</doku:Dokumentation>\n"
    static var goodXML: String { xmlHead + vermerk("V-1") + vermerk("V-2") + xmlTail }

    static var catalog: ProfileCatalog { ProfileFixtures.catalog }
    static func profile(_ id: String) -> SourceProfile {
        guard let p = catalog.profile(id: id) else { fatalError("profile \(id) missing") }
        return p
    }

    /// A fresh directory per call, so tests never see each other's files.
    static func directory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-hostile-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ bytes: [UInt8], name: String) -> String {
        let url = directory().appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url.path
    }

    static func write(_ text: String, name: String) -> String { write(Array(text.utf8), name: name) }

    struct Outcome {
        var result: IngestResult
        var records: [Record]
        var account: InputAccount { result.account }
        var codes: [String] { account.rejections.map(\.reason.code) }
        var fileCode: String? { account.fileError?.reason.code }
    }

    /// Ingests one file (profile id given, or nil: detect) and checks the accounting invariant.
    static func ingest(_ path: String, profile: String? = nil, file: StaticString = #filePath, line: UInt = #line) -> Outcome {
        var records: [Record] = []
        let result = Ingest.run(file: path, profile: profile.map(Self.profile), catalog: catalog) { records.append($0) }
        let a = result.account
        XCTAssertTrue(a.isBalanced, "read \(a.read) != normalised \(a.normalised) + rejected \(a.rejected)", file: file, line: line)
        XCTAssertEqual(a.normalised, records.count, "every normalised record is delivered", file: file, line: line)
        XCTAssertEqual(a.rejections.count, min(a.rejected, InputAccount.detailLimit), "rejections listed up to the limit", file: file, line: line)
        XCTAssertEqual(a.rejectedByReason.values.reduce(0, +), a.rejected, file: file, line: line)
        return Outcome(result: result, records: records)
    }

    static func ids(_ records: [Record], _ field: String) -> [String] {
        records.compactMap { $0[field].stringValue?.string }
    }

    /// Peak resident set size of this process in bytes.
    static func maxRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
