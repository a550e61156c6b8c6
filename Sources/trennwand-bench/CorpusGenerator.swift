import Foundation

/// `trennwand-bench generate --out DIR --mb N --seed S`: a synthetic audit corpus in the layouts of
/// `Samples/` (deterministic by seed), with planted violations and a ground-truth file.
///
/// Layout (shares of N MB): `Jobcenter-Zugriffe.csv` 70 % (Windows-1252, `;`, the
/// `jobcenter-zugriffe` header incl. `Angebot`), `Traeger-Dokumentation.xml` 25 % (namespaced,
/// German free text), `Traeger-Zugriffe.csv` 5 % (UTF-8, `,`), `Stammdaten/*.csv` (staff with every
/// account used, participants with every customer number used, secondments, agreements, consents,
/// offers), `ground-truth.tsv` (`rule<TAB>file<TAB>line`, file relative to DIR).
///
/// Planted (about one per `plantEvery` access records, one per `plantEvery / 8` notes), each with a
/// unique fingerprint so none collapses into another, and next to each a clean look-alike:
///
/// | rule  | planted                                              | clean look-alike                           |
/// |-------|------------------------------------------------------|--------------------------------------------|
/// | TW104 | Jobcenter account on `Träger-Netz`                    | same on `JC-Netz`                          |
/// | TW106 | Träger account (`TR`) in VerBIS/ALLEGRO              | Träger account in `eM@w` (allowed)         |
/// | TW110 | `Versand` over `USB-Stick` / `Fax` / `WhatsApp`       | `Versand` over `eGVP` / `Post` / `BA-intern` |
/// | TW402 | one account reads 50 distinct customers in one hour  | another reads 30 in one hour (< 40)        |
/// | TW201 | note text with a valid IBAN                          | note text with an IBAN of wrong check digits |
///
/// Background records never meet these conditions (Jobcenter accounts on `JC-Netz` and `JC-PC-`
/// workstations, about 6 reads per account and hour, no identifier-like digit runs in free text,
/// provider coaches reading only their own participants).
enum CorpusGenerator {
    static let plantedRules = ["TW104", "TW106", "TW110", "TW201", "TW402"]
    static let plantEvery = 1500

    static func run(out: String, megabytes: Int, seed: UInt64) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: out + "/Stammdaten", withIntermediateDirectories: true)
        var g = Gen(seed: seed, out: out)
        let total = megabytes << 20
        try g.jobcenter(bytes: total * 70 / 100)
        try g.traegerLog(bytes: total * 5 / 100)
        try g.documentation(bytes: total * 25 / 100)
        try g.reference()
        try g.writeTruth()
        print("generated \(megabytes) MB in \(out): \(g.accessRecords) access records, \(g.notes) notes, \(g.truth.count) planted violations")
    }
}

/// SplitMix64: small, fast, deterministic.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Windows-1252 bytes of a string (the generator's texts are all in that repertoire).
func cp1252(_ s: String) -> [UInt8] { Array(s.data(using: .windowsCP1252)!) }
func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A byte buffer flushed to a file in large writes.
struct Sink {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var written = 0
    var line = 1
    var crlf = false

    init(_ path: String, crlf: Bool = false) throws {
        self.crlf = crlf
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(1 << 20)
    }

    var size: Int { written + buffer.count }

    @inline(__always) mutating func put(_ b: [UInt8]) { buffer.append(contentsOf: b) }
    @inline(__always) mutating func put(_ s: StaticString) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
    @inline(__always) mutating func byte(_ b: UInt8) { buffer.append(b) }
    mutating func newline() {
        if crlf { buffer.append(0x0D) }
        buffer.append(0x0A)
        line += 1
        if buffer.count >= 1 << 20 { flush() }
    }
    /// `n` as decimal with at least `width` digits.
    @inline(__always) mutating func num(_ n: Int, width: Int = 1) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = n, k = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[k] = UInt8(48 + v % 10)
                v /= 10
                k += 1
            } while v > 0 || k < width
            while k > 0 {
                k -= 1
                buffer.append(d[k])
            }
        }
    }
    mutating func flush() {
        handle.write(Data(buffer))
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
    mutating func close() throws {
        flush()
        try handle.close()
    }
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
func civil(_ days: Int) -> (y: Int, m: Int, d: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
}

struct Gen {
    var rng: SplitMix
    let out: String
    var truth: [(rule: String, file: String, line: Int)] = []
    var accessRecords = 0
    var notes = 0
    /// Accounts and customers used, for the reference tables.
    let jcActors = 600
    let trActors = 50
    let participants = 4000
    var burstActors = 0
    var plantedSubjects = 0

    init(seed: UInt64, out: String) {
        rng = SplitMix(state: seed &* 0x2545_F491_4F6C_DD1D &+ 1)
        self.out = out
    }

    // Wall-clock time (local, Europe/Berlin), seconds since 1970 as if UTC; starts 2025-01-02 07:00.
    var clock = 1_735_801_200
    /// Europe/Berlin: 02:00–03:00 on the last Sunday of March does not exist.
    static func inDSTGap(_ t: Int) -> Bool {
        guard t % 86_400 / 3600 == 2 else { return false }
        let day = t / 86_400
        let (_, m, d) = civil(day)
        return m == 3 && d >= 25 && (day + 4) % 7 == 0
    }

    mutating func tick(_ maxStep: Int) {
        clock += rng.int(maxStep + 1)
        if Self.inDSTGap(clock) { clock += 3600 }
    }

    static let jcNet = cp1252("JC-Netz")
    static let actorTable = (0..<600).map { Array("JC-M-\(1000 + $0)".utf8) }
    static let workstationTable = (0..<600).map { Array("JC-PC-\(2000 + $0)".utf8) }
    static let customerTable = (0..<4000).map { Array(String(format: "962D%06d", $0).utf8) }
    static func actor(_ i: Int) -> [UInt8] { actorTable[i] }
    static func trActor(_ i: Int) -> [UInt8] { Array("TR-M-\(100 + i)".utf8) }
    static func customer(_ i: Int) -> [UInt8] { customerTable[i] }
    static func participant(_ i: Int) -> String { String(format: "TN-2025-%05d", i) }
    static let traeger = ["Familienwerk Beispielstadt", "Bildungsträger Musterhausen gGmbH"]

    /// `dd.MM.yyyy HH:mm:ss`
    func stamp(_ s: inout Sink, _ t: Int, seconds: Bool = true, iso: Bool = false) {
        let (y, m, d) = civil(t / 86_400)
        let sec = t % 86_400
        if iso {
            s.num(y, width: 4); s.byte(0x2D); s.num(m, width: 2); s.byte(0x2D); s.num(d, width: 2)
        } else {
            s.num(d, width: 2); s.byte(0x2E); s.num(m, width: 2); s.byte(0x2E); s.num(y, width: 4)
        }
        s.byte(0x20)
        s.num(sec / 3600, width: 2); s.byte(0x3A); s.num(sec % 3600 / 60, width: 2)
        if seconds { s.byte(0x3A); s.num(sec % 60, width: 2) }
    }

    // MARK: Jobcenter access log

    static let roles = ["Integrationsfachkraft", "Leistungssachbearbeitung", "Arbeitsvermittlung", "Teamleitung"].map(cp1252)
    static let systems = ["VerBIS", "ALLEGRO", "eAkte", "zPDV"].map(cp1252)
    static let readActions = ["Lesen", "Anzeigen", "Suchen", "Lesen", "Lesen", "Anzeigen"].map(cp1252)
    static let writeActions = ["Ändern", "Anlegen"].map(cp1252)
    static let categories = ["Vermittlung", "Leistungsdaten", "Stammdaten", "Vermittlung", "Teilnahme"].map(cp1252)
    static let purposes = ["Beratungsgespräch vorbereiten", "Leistungsprüfung", "Eingliederungsvereinbarung",
                           "Vermittlungsvorschlag", "Weiterbewilligung", "Aktenpflege", "Terminvorbereitung"].map(cp1252)
    static let goodChannels = ["eGVP", "Post", "BA-intern"].map(cp1252)
    static let badChannels = ["USB-Stick", "Fax", "WhatsApp"].map(cp1252)

    struct Access {
        var actor: [UInt8]
        var org: StaticString = "JC"
        var role: [UInt8]
        var system: [UInt8]
        var action: [UInt8]
        var subject: [UInt8]
        var category: [UInt8]
        var workstation: [UInt8]
        var network: [UInt8] = Gen.jcNet
        var channel: [UInt8] = []
        var destOrg: StaticString = ""
        var purpose: [UInt8]
    }

    mutating func background() -> Access {
        let a = rng.int(jcActors)
        let write = rng.int(10) == 0
        return Access(actor: Self.actor(a), role: Self.roles[a % 4], system: Self.systems[rng.int(4)],
                      action: write ? Self.writeActions[rng.int(2)] : Self.readActions[rng.int(6)],
                      subject: Self.customer(rng.int(participants)), category: Self.categories[rng.int(5)],
                      workstation: Self.workstationTable[a], purpose: Self.purposes[rng.int(Self.purposes.count)])
    }

    func write(_ s: inout Sink, _ r: Access, at t: Int) {
        stamp(&s, t)
        s.byte(0x3B); s.put(r.actor)
        s.byte(0x3B); s.put(r.org)
        s.byte(0x3B); s.put(r.role)
        s.byte(0x3B); s.put(r.system)
        s.byte(0x3B); s.put(r.action)
        s.byte(0x3B)                                  // Entscheidungsart
        s.byte(0x3B); s.put(r.subject)
        s.byte(0x3B); s.put(r.category)
        s.byte(0x3B); s.put(r.workstation)
        s.byte(0x3B); s.put(r.network)
        s.byte(0x3B); s.put(r.channel)
        s.byte(0x3B)                                  // Empfänger
        s.byte(0x3B); s.put(r.destOrg)
        s.byte(0x3B); s.put(r.purpose)
        s.byte(0x3B)                                  // Träger
        s.byte(0x3B)                                  // Angebot
        s.newline()
    }

    mutating func uniqueSubject() -> [UInt8] {
        plantedSubjects += 1
        return Array(String(format: "962P%06d", plantedSubjects).utf8)
    }

    mutating func jobcenter(bytes: Int) throws {
        let file = "Jobcenter-Zugriffe.csv"
        var s = try Sink(out + "/" + file)
        s.put(cp1252("Zeitpunkt;Benutzerkennung;Organisation;Rolle;Verfahren;Aktion;Entscheidungsart;Kunden-Nr.;Datenkategorie;Arbeitsplatz;Netz;Übertragungsweg;Empfänger;Empfänger-Organisation;Zweck;Träger;Angebot"))
        s.newline()
        var sincePlant = 0
        var kind = 0
        while s.size < bytes {
            tick(2)
            sincePlant += 1
            if sincePlant >= CorpusGenerator.plantEvery {
                sincePlant = 0
                plant(&s, kind: kind % 4, file: file)
                kind += 1
                continue
            }
            write(&s, background(), at: clock)
            accessRecords += 1
        }
        try s.close()
    }

    /// One planted violation and its clean look-alike.
    mutating func plant(_ s: inout Sink, kind: Int, file: String) {
        switch kind {
        case 0: // TW104: Jobcenter account on the provider's network; look-alike on JC-Netz.
            // A seconded account (JC-M-1000 + 7i), so that TW101 can decide the provider of the
            // Träger-Netz: an account without secondment made TW101 undecidable (a TW906 gap).
            var r = background()
            let a = 7 * rng.int(20)
            r.actor = Self.actor(a)
            r.role = Self.roles[a % 4]
            r.workstation = Array("JC-PC-P\(truth.count)".utf8)
            r.network = cp1252("Träger-Netz")
            truth.append(("TW104", file, s.line))
            write(&s, r, at: clock)
            var ok = background()
            ok.workstation = Array("JC-PC-Q\(truth.count)".utf8)
            write(&s, ok, at: clock)
            accessRecords += 2
        case 1: // TW106: provider account in a Jobcenter procedure; look-alike in eM@w.
            var r = background()
            r.actor = Self.trActor(rng.int(trActors))
            r.org = "TR"
            r.subject = uniqueSubject()
            r.system = cp1252(rng.int(2) == 0 ? "VerBIS" : "ALLEGRO")
            truth.append(("TW106", file, s.line))
            write(&s, r, at: clock)
            var ok = r
            ok.system = cp1252("eM@w")
            ok.subject = uniqueSubject()
            write(&s, ok, at: clock)
            accessRecords += 2
        case 2: // TW110: sending over a channel not approved; look-alike over an approved one.
            var r = background()
            r.action = cp1252("Versand")
            r.subject = uniqueSubject()
            r.channel = Self.badChannels[rng.int(3)]
            r.destOrg = "JC"
            truth.append(("TW110", file, s.line))
            write(&s, r, at: clock)
            var ok = r
            ok.subject = uniqueSubject()
            ok.channel = Self.goodChannels[rng.int(3)]
            write(&s, ok, at: clock)
            accessRecords += 2
        default: // TW402: 50 distinct customers read in one hour; look-alike 30 in the next hour.
            // Start at minute 2 of the next full hour (windows are whole UTC hours; Berlin's
            // offset is whole hours, so local hours are UTC hours) and stay inside it.
            var t = (clock / 3600 + 1) * 3600 + 120
            if Self.inDSTGap(t) || Self.inDSTGap(t + 3600) { t += 7200 }
            for (n, planted) in [(50, true), (30, false)] {
                burstActors += 1
                let actor = Array("JC-M-\(8000 + burstActors)".utf8)
                if planted { truth.append(("TW402", file, s.line)) }
                for i in 0..<n {
                    var r = background()
                    r.actor = actor
                    r.action = cp1252("Lesen")
                    r.subject = Self.customer((i * 37 + burstActors * 101) % participants)
                    write(&s, r, at: t + i * 20)
                    accessRecords += 1
                }
                t += 3600
            }
            clock = t
        }
    }

    // MARK: Träger access log (UTF-8, `,`)

    mutating func traegerLog(bytes: Int) throws {
        var s = try Sink(out + "/Traeger-Zugriffe.csv")
        s.put("Datum,Uhrzeit,Benutzer,Organisation,Rolle,Modul,Aktion,Teilnehmer,Arbeitsplatz,Netz,Zweck")
        s.newline()
        var t = 1_735_801_200
        let modules: [StaticString] = ["Teilnehmerakte", "Beratungsdokumentation", "Termine"]
        let actions: [StaticString] = ["anzeigen", "anlegen", "bearbeiten", "anzeigen"]
        while s.size < bytes {
            t += 30 + rng.int(60)
            if Self.inDSTGap(t) { t += 3600 }
            let (y, m, d) = civil(t / 86_400)
            s.num(d, width: 2); s.byte(0x2E); s.num(m, width: 2); s.byte(0x2E); s.num(y, width: 4); s.byte(0x2C)
            s.num(t % 86_400 / 3600, width: 2); s.byte(0x3A); s.num(t % 3600 / 60, width: 2); s.byte(0x2C)
            let a = rng.int(trActors)
            s.put(Self.trActor(a)); s.put(",Träger,Familiencoach,")
            s.put(modules[rng.int(3)]); s.byte(0x2C)
            s.put(actions[rng.int(4)]); s.byte(0x2C)
            // Coaches open only their own participants (participant i is counseled by TR-M-(100 + i % 50)):
            // reading another's counseling notes is TW208.
            s.put(Array(Self.participant(a + trActors * rng.int(participants / trActors)).utf8)); s.byte(0x2C)
            s.put("TR-PC-"); s.num(a % 10 + 1, width: 2); s.put(",Träger-LAN,Beratung")
            s.newline()
            accessRecords += 1
        }
        try s.close()
    }

    // MARK: Documentation (XML)

    static let sentences: [StaticString] = [
        "Gespräch zur beruflichen Orientierung geführt, Interesse an einer Tätigkeit im Einzelhandel.",
        "Bewerbungsunterlagen gemeinsam überarbeitet und Anschreiben für zwei Stellen vorbereitet.",
        "Teilnehmerin berichtet von guter Mitarbeit im Praktikum, nächster Termin in zwei Wochen.",
        "Kinderbetreuung ist über das Brückenangebot gesichert, Teilzeit am Vormittag möglich.",
        "Sprachkurs wird regelmäßig besucht, Fortschritte beim Hörverstehen erkennbar.",
        "Vorstellungsgespräch bei einem Logistikunternehmen vereinbart, Fahrtweg geklärt.",
        "Motivation hoch, Wunsch nach Weiterbildung im Bereich Lager und Logistik.",
        // Background notes must stay clean: an earlier sentence here ("Erkrankung des Kindes") is
        // health data of a third party and made TW204 fire on ~30 % of the notes.
        "Termin wegen eines Behördengangs verschoben, neuer Termin telefonisch abgestimmt.",
        "Gemeinsame Recherche nach Ausbildungsplätzen im Handwerk, drei Betriebe angeschrieben.",
        "Rückmeldung des Praktikumsbetriebs positiv, Übernahme wird geprüft.",
    ]

    mutating func documentation(bytes: Int) throws {
        let file = "Traeger-Dokumentation.xml"
        var s = try Sink(out + "/" + file)
        s.put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"); s.newline()
        s.put("<doku:Dokumentation xmlns:doku=\"urn:beispiel-traeger:dokumentation:2\" erstellt=\"2025-12-31T18:00:00+01:00\" system=\"FallKompass 4.2 (synthetisch)\">")
        s.newline()
        var t = 1_735_801_200
        var person = 0
        var sincePlant = 0
        let every = CorpusGenerator.plantEvery / 8
        while s.size < bytes {
            person += 1
            s.put("  <doku:Teilnehmer nr=\""); s.put(Array(Self.participant(person % participants).utf8)); s.put("\">"); s.newline()
            for _ in 0..<(3 + rng.int(4)) {
                notes += 1
                sincePlant += 1
                t += 60 + rng.int(120)
                if Self.inDSTGap(t) { t += 3600 }
                var iban: (valid: Bool, text: [UInt8])?
                if sincePlant >= every {
                    sincePlant = 0
                    iban = (true, Self.iban(valid: true, &rng))
                } else if sincePlant == every / 2 {
                    iban = (false, Self.iban(valid: false, &rng))
                }
                if let iban, iban.valid { truth.append(("TW201", file, s.line)) }
                s.put("    <doku:Vermerk id=\"V-"); s.num(notes, width: 7); s.put("\" typ=\"Folgegespräch\">"); s.newline()
                s.put("      <doku:Datum>"); stamp(&s, t, seconds: false, iso: true); s.put("</doku:Datum>"); s.newline()
                s.put("      <doku:Verfasser>"); s.put(Self.trActor(rng.int(trActors))); s.put("</doku:Verfasser>"); s.newline()
                s.put("      <doku:Organisation>Träger</doku:Organisation>"); s.newline()
                s.put("      <doku:Sichtbarkeit>Beratungsteam</doku:Sichtbarkeit>"); s.newline()
                s.put("      <doku:AufbewahrenBis>31.12.2027</doku:AufbewahrenBis>"); s.newline()
                for _ in 0..<(1 + rng.int(3)) {
                    s.put("      <doku:Text>")
                    s.put(Self.sentences[rng.int(Self.sentences.count)]); s.byte(0x20)
                    s.put(Self.sentences[rng.int(Self.sentences.count)])
                    s.put("</doku:Text>"); s.newline()
                }
                if let iban {
                    s.put("      <doku:Text>Kontoverbindung für die Erstattung der Fahrtkosten: "); s.put(iban.text)
                    s.put(".</doku:Text>"); s.newline()
                }
                s.put("    </doku:Vermerk>"); s.newline()
            }
            s.put("  </doku:Teilnehmer>"); s.newline()
        }
        s.put("</doku:Dokumentation>"); s.newline()
        try s.close()
    }

    /// A German IBAN (bank code 37040044) with right or wrong check digits.
    static func iban(valid: Bool, _ rng: inout SplitMix) -> [UInt8] {
        var bban = "37040044"
        for _ in 0..<10 { bban += String(rng.int(10)) }
        var rem = 0
        for ch in bban + "131400" { rem = (rem * 10 + Int(String(ch))!) % 97 }
        var check = 98 - rem
        if !valid { check = check == 98 ? 97 : check + 1 }
        return Array(("DE" + String(format: "%02d", check) + bban).utf8)
    }

    // MARK: Reference tables (Windows-1252, `;`), consistent with the records

    mutating func reference() throws {
        let dir = out + "/Stammdaten/"
        var staff = try Sink(dir + "Mitarbeitende.csv", crlf: true)
        staff.put(cp1252("Kennung;Name;Organisation;Organisationseinheit;Rollen")); staff.newline()
        for i in 0..<jcActors {
            staff.put(Self.actor(i)); staff.put(cp1252(";Mitarbeitende \(i) (synthetisch);Jobcenter;Team 420;"))
            staff.put(Self.roles[i % 4]); staff.newline()
        }
        for i in 1...max(1, burstActors) {
            staff.put(Array("JC-M-\(8000 + i)".utf8)); staff.put(cp1252(";Sachbearbeitung \(i) (synthetisch);Jobcenter;Team 610;Leistungssachbearbeitung"))
            staff.newline()
        }
        for i in 0..<trActors {
            staff.put(Self.trActor(i)); staff.put(cp1252(";Coach \(i) (synthetisch);Träger;Familiencoaching;Familiencoach")); staff.newline()
        }
        try staff.close()

        var sec = try Sink(dir + "Abordnungen.csv")
        sec.put(utf8("Benutzerkennung;Träger;Instrument;Aktenzeichen;Beginn;Ende;Rollen;Einsatzplan")); sec.newline()
        for i in 0..<20 {
            sec.put(Self.actor(i * 7)); sec.put(utf8(";\(Self.traeger[i % 2]);Abordnungsbescheid;JC-II-2025-\(100 + i);01.01.2025;31.12.2026;Integrationsfachkraft;Mo-Fr 07:00-19:00"))
            sec.newline()
        }
        try sec.close()

        var agr = try Sink(dir + "Vereinbarungen.csv", crlf: true)
        agr.put(cp1252("Kennung;Träger;Art;Gezeichnet durch Leitung;Gültig von;Gültig bis;Erlaubte Flüsse;Rechtsgrundlage")); agr.newline()
        for (i, t) in Self.traeger.enumerated() {
            agr.put(cp1252("VB-2025-0\(i + 1);\(t);Kooperationsvereinbarung;ja;01.01.2025;31.12.2026;\"traeger->jobcenter:teilnahme, jobcenter->traeger:stamm\";§ 67b Abs. 2 SGB X"))
            agr.newline()
        }
        try agr.close()

        var part = try Sink(dir + "Teilnehmende.csv", crlf: true)
        part.put(cp1252("Teilnehmer-Nr.;Kunden-Nr.;Träger;Beratende;Eintritt;Austritt")); part.newline()
        for i in 0..<participants {
            part.put(Array(Self.participant(i).utf8)); part.byte(0x3B); part.put(Self.customer(i)); part.byte(0x3B)
            part.put(cp1252(Self.traeger[i % 2])); part.byte(0x3B)
            part.put(Self.trActor(i % trActors)); part.put(";02.01.2025;"); part.newline()
        }
        try part.close()

        var con = try Sink(dir + "Einwilligungen.csv")
        con.put(utf8("Teilnehmer-Nr.;Datenkategorien;Richtung;Erteilt am;Widerrufen am;Form")); con.newline()
        for i in stride(from: 0, to: participants, by: 3) {
            con.put(Array(Self.participant(i).utf8)); con.put(";teilnahme, beratung;traeger->jobcenter;02.01.2025;;schriftlich"); con.newline()
        }
        try con.close()

        var off = try Sink(dir + "Angebote.csv")
        off.put(utf8("Angebot;Anbieter")); off.newline()
        off.put(utf8("Familiencoaching Akti(F) Plus;Familienwerk Beispielstadt")); off.newline()
        off.put(utf8("Bewerbungswerkstatt;Bildungsträger Musterhausen gGmbH")); off.newline()
        try off.close()
    }

    func writeTruth() throws {
        var s = try Sink(out + "/ground-truth.tsv")
        s.put("rule\tfile\tline"); s.newline()
        for t in truth.sorted(by: { ($0.file, $0.line, $0.rule) < ($1.file, $1.line, $1.rule) }) {
            s.put(Array("\(t.rule)\t\(t.file)\t\(t.line)".utf8)); s.newline()
        }
        try s.close()
    }
}
