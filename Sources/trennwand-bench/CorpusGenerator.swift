import Foundation

/// `trennwand-bench generate --out DIR --mb N --seed S`: a synthetic audit corpus in the layouts of
/// `Samples/` (deterministic by seed), with planted violations of every rule and a ground-truth file.
///
/// Layout (shares of N MB): `Jobcenter-Zugriffe.csv` 70 % (Windows-1252, `;`, the
/// `jobcenter-zugriffe` header incl. `Angebot`), `Traeger-Dokumentation.xml` 25 % (namespaced,
/// German free text), `Traeger-Zugriffe.csv` 5 % (UTF-8, `,`), plus small files:
/// `Jobcenter-Zugriffe-coSach.csv` (logins of a rarely used procedure, for the log-gap rule),
/// `Plattform-Datenfluesse.csv` (declared flows, UTF-8, `;`), `Stammdaten/*.csv` (staff with every
/// account used, participants with every customer number used, secondments, agreements, consents,
/// offers) and `ground-truth.tsv` (`rule<TAB>file<TAB>line`, file relative to DIR; for XML the line
/// of the record's start tag, for aggregates the line the scanner reports: first contributing record
/// (TW401: first own-provider referral, TW402: first read of the burst, TW902: last entry before the
/// gap)).
///
/// The background is clean under all rules. Plants: in the Jobcenter log one per `plantEvery`
/// records (cycling through 14 kinds), in the provider log one per `traegerPlantEvery` records (2
/// kinds), in the notes one per `notePlantEvery` notes (7 kinds); flows and reference-table rows one
/// set per 4 MB, log gaps one per 64 MB (1–20); master data bounded (`maxPlantAccounts`,
/// `maxBurstAccounts`, `maxReferenceSets`: account-needing kinds stop when the budget is used, so
/// the reference tables are the same size for 1 GB and 4 GB). Each plant has a unique fingerprint (fresh account,
/// subject, record id or flow id) so none collapses into another, and next to it a clean look-alike
/// that differs in the deciding detail:
///
/// | rule  | planted                                                        | clean look-alike                                  |
/// |-------|----------------------------------------------------------------|---------------------------------------------------|
/// | TW101 | seconded account works for a provider whose agreement is unsigned | same account for its provider with a signed one |
/// | TW102 | seconded account works for another provider                    | same account for its own provider                 |
/// | TW103 | returned account (secondment ended 2024) in the provider software | seconded account, secondment running            |
/// | TW104 | seconded Jobcenter account in VerBIS etc. on `Träger-Netz`     | same on `JC-Netz`                                  |
/// | TW105 | `Export` of `Leistungsdaten` to a provider (`TR`)              | `Export` of `Teilnahme` (allowed)                  |
/// | TW106 | provider account (`TR`) in VerBIS/ALLEGRO                      | provider account in `eM@w` (allowed)               |
/// | TW107 | access for the provider to a customer who is no participant    | same to a participant                              |
/// | TW108 | `Bescheid` by the participant's own counselor                  | same decision by another account                   |
/// | TW109 | access for the provider in the minute the day's schedule ends  | same account two minutes earlier                   |
/// | TW110 | `Versand` over `USB-Stick` / `Fax` / `WhatsApp`                 | `Versand` over `eGVP` / `Post` / `BA-intern`       |
/// | TW111 | `Beratung` written into VerBIS etc. without consent            | same for a participant with written consent        |
/// | TW208 | provider intern/admin reads counseling notes of another's participant | same account reads the master file       |
/// | TW401 | seconded account: 9 of 10 referrals to own provider's offers   | seconded account 2 of 10; other account 0 of 10    |
/// | TW402 | one account reads 50 distinct customers in one hour            | another reads 30 in one hour (< 40)                |
/// | TW901 | read/search/create/update/delete without `Kunden-Nr.`          | same with it (one per system, action, 30 days)     |
/// | TW902 | coSach logs nothing for 134 h of weekday time                  | a pause of 110 h                                   |
/// | TW906 | unknown account / system `ATLAS` / offer not in `Angebote.csv` | known account / `VerBIS` / known offer             |
/// | TW201 | note with a valid IBAN                                         | note with an IBAN of wrong check digits            |
/// | TW202 | benefit data "laut Jobcenter"                                  | same "nach eigener Angabe"                         |
/// | TW203 | sanction "laut Jobcenter"                                      | same "nach eigener Angabe"                         |
/// | TW204 | sick note of a participant without health consent              | same text, participant with health consent         |
/// | TW205 | report of the Ärztlicher Dienst                                | a `Wertgutachten` (car)                            |
/// | TW206 | cooperation plan "laut Jobcenter"                              | same "nach eigener Angabe"                         |
/// | TW207 | retention until 30.06.2025 (before `--now` 2025-12-31)         | retention until 31.12.2026                         |
/// | TW301 | flow Jobcenter→Träger of `sozial.leistung`                     | same with `teilnahme`                              |
/// | TW302 | flow of `beratung` to the Jobcenter with consent `mündlich`    | same with written consent                          |
/// | TW303 | flow of `vermittlung` under an agreement that permits `stamm` only | same with `stamm`                              |
/// | TW304 | flow to the Jobcenter by e-mail, `Verschlüsselt: nein`         | same, `Ende-zu-Ende`                               |
/// | TW305 | legal basis "siehe Kooperationsvereinbarung"                   | legal basis with `§`                               |
/// | TW903 | secondment row without roles                                   | same with a role                                   |
/// | TW904 | agreement not signed by the Leitung (incl. the one of TW101)   | signed agreement                                   |
/// | TW905 | secondment on "mündliche Absprache"                            | on a `Dienstvereinbarung`                          |
///
/// Background records never meet a rule's condition: Jobcenter accounts on `JC-Netz` and `JC-PC-`
/// workstations without a provider named, about 6 reads per account and hour, provider staff reading
/// only their own participants, every account, system and customer in the reference tables, no
/// identifier-like digit runs or listed terms in free text, retention in the future.
enum CorpusGenerator {
    /// Jobcenter log: one plant per this many records.
    static let plantEvery = 500
    /// Master data stay the size of one office's, whatever the corpus size (a Jobcenter has a
    /// fixed staff, not one per million log lines; reference tables are held in memory by the
    /// scan): at most this many plant accounts (staff rows, with their secondments), TW402 burst
    /// accounts (reused round-robin: every burst is in an hour of its own) and reference-table plant
    /// sets. Plants of kinds needing a new account stop once the budget is used; the others go on.
    static let maxPlantAccounts = 1_500
    static let maxBurstAccounts = 200
    static let maxReferenceSets = 64
    /// Provider log: one plant per this many records.
    static let traegerPlantEvery = 250
    /// Notes: one plant per this many notes.
    static let notePlantEvery = 60

    static func run(out: String, megabytes: Int, seed: UInt64) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: out + "/Stammdaten", withIntermediateDirectories: true)
        var g = Gen(seed: seed, out: out, megabytes: megabytes)
        let total = megabytes << 20
        try g.jobcenter(bytes: total * 70 / 100)
        try g.traegerLog(bytes: total * 5 / 100)
        try g.documentation(bytes: total * 25 / 100)
        try g.logGaps()
        try g.flows()
        try g.reference()
        try g.writeTruth()
        print("generated \(megabytes) MB in \(out): \(g.accessRecords) access records, \(g.notes) notes, \(g.truth.count) planted violations")
    }
}

/// SplitMix64: small, fast, deterministic (the generator's and the detector benchmark's source).
struct SplitMix: RandomNumberGenerator {
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
    let megabytes: Int
    var truth: [(rule: String, file: String, line: Int)] = []
    var accessRecords = 0
    var notes = 0
    /// Accounts and customers used, for the reference tables.
    let jcActors = 600
    let trActors = 50
    let participants = 4000
    var burstActors = 0
    var plantedSubjects = 0
    /// Accounts, secondments and participants created for plants (reference-table lines, written by
    /// `reference()`), so that every plant has its own account and fingerprint. Each family has its
    /// own prefix (background JC-M-1000…1599, TW402 bursts JC-M-8001…, plant accounts JC-P-/TR-P-,
    /// secondment-table plants JC-S-), so no count of plants makes them collide.
    var plantActors = 0
    var trPlantActors = 0
    var unknownAccounts = 0
    var staffExtra: [[UInt8]] = []
    var secondmentExtra: [[UInt8]] = []
    var participantExtra: [[UInt8]] = []
    /// TW901 fingerprints used (system, action, 30-day bucket): its fingerprint has no person.
    var tw901Used: Set<Int> = []
    var tw901Next = 0
    var tw906Kind = 0

    init(seed: UInt64, out: String, megabytes: Int) {
        rng = SplitMix(state: seed &* 0x2545_F491_4F6C_DD1D &+ 1)
        self.out = out
        self.megabytes = megabytes
    }

    // Wall-clock time (local, Europe/Berlin), seconds since 1970 as if UTC; starts 2025-01-02 07:00.
    // It advances about 0.17 days per MB of corpus (1 s per record, plus the jumps of the TW402 and
    // TW109 plants), the provider log's own clock about 0.31 days per MB: a 4 GB corpus ends in 2026
    // and mid 2028. Secondments and agreements run to 31.12.2030, so corpora up to about 6 GB stay
    // inside them.
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
    static let trActorTable = (0..<50).map { Array("TR-M-\(100 + $0)".utf8) }
    static let participantTable = (0..<4000).map { Array(String(format: "TN-2025-%05d", $0).utf8) }
    static func trActor(_ i: Int) -> [UInt8] { trActorTable[i] }
    static func customer(_ i: Int) -> [UInt8] { customerTable[i] }
    static func participant(_ i: Int) -> String { String(format: "TN-2025-%05d", i) }
    /// Participant `i` belongs to `traeger[i % 2]`; the third provider has only an unsigned agreement
    /// (TW101, TW904) and its own few participants.
    static let traeger = ["Familienwerk Beispielstadt", "Bildungsträger Musterhausen gGmbH"]
    static let traeger3 = "Jugendhilfe Nordstadt e. V."
    static let traeger3Participants = 20
    static func traeger3Customer(_ i: Int) -> [UInt8] { Array(String(format: "962N%06d", i + 1).utf8) }
    /// Participants with a written consent for health data (TW204 look-alikes, TW205 plants).
    static func hasHealthConsent(_ i: Int) -> Bool { i % 10 == 5 }
    /// Participants with a written consent for counseling content to the Jobcenter (TW111).
    static func hasCounselingConsent(_ i: Int) -> Bool { i % 3 == 0 }
    /// A random participant index of provider `k` (0 or 1).
    mutating func participantOf(_ k: Int) -> Int { 2 * rng.int(participants / 2) + k }

    /// `dd.MM.yyyy HH:mm:ss`
    mutating func stamp(_ s: inout Sink, _ t: Int, seconds: Bool = true, iso: Bool = false) {
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

    // MARK: Plant accounts (reference rows)

    static let allWeek = "Mo-So 00:00-24:00"

    /// A fresh Jobcenter account in the staff table.
    mutating func jcPlantActor(role: String = "Integrationsfachkraft") -> [UInt8] {
        plantActors += 1
        let id = String(format: "JC-P-%05d", plantActors)
        staffExtra.append(cp1252("\(id);Fachkraft P\(plantActors) (synthetisch);Jobcenter;Team 430;\(role)"))
        return Array(id.utf8)
    }

    /// A fresh provider account in the staff table.
    mutating func trPlantActor(role: String) -> [UInt8] {
        trPlantActors += 1
        let id = String(format: "TR-P-%05d", trPlantActors)
        staffExtra.append(cp1252("\(id);\(role) P\(trPlantActors) (synthetisch);Träger;Verwaltung;\(role)"))
        return Array(id.utf8)
    }

    /// A background-like record of a plant account (its own role and workstation).
    mutating func record(of actor: [UInt8]) -> Access {
        var r = background()
        r.actor = actor
        r.role = Self.roles[0]
        r.workstation = cp1252("JC-PC-P") + actor.dropFirst(5)
        return r
    }

    /// A secondment row (valid, legal instrument and roles present, so no reference-table rule fires).
    mutating func second(_ actor: [UInt8], to traeger: String, start: String = "01.01.2025", end: String = "31.12.2030",
                         schedule: String = Gen.allWeek) {
        let plan = schedule.contains(";") ? "\"\(schedule)\"" : schedule
        secondmentExtra.append(utf8("\(String(decoding: actor, as: UTF8.self));\(traeger);Abordnungsbescheid;JC-II-P-\(secondmentExtra.count + 1);\(start);\(end);Integrationsfachkraft;\(plan)"))
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
    /// TW901: actions by their canonical value (Lesen and Anzeigen are both `read`).
    static let tw901Actions = ["Lesen", "Suchen", "Anlegen", "Ändern", "Löschen"].map(cp1252)
    static let ownOffers = ["Familiencoaching Akti(F) Plus", "Bewerbungswerkstatt", "Aktivierungsmaßnahme Neustart"]
    /// Offers of providers without seconded staff.
    static let foreignOffers = ["Sprachkurs Deutsch B1", "Schuldnerberatung", "Kinderbetreuung Brückenangebot"]

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
        /// Columns only plants fill (one nil for background records, which keeps the hot loop fast).
        var extra: Extra?
        struct Extra {
            var decision: [UInt8] = []
            var destination: [UInt8] = []
            var traeger: [UInt8] = []
            var offer: [UInt8] = []
        }
        var decision: [UInt8] {
            get { extra?.decision ?? [] }
            set { extra = extra ?? Extra(); extra!.decision = newValue }
        }
        var destination: [UInt8] {
            get { extra?.destination ?? [] }
            set { extra = extra ?? Extra(); extra!.destination = newValue }
        }
        var traeger: [UInt8] {
            get { extra?.traeger ?? [] }
            set { extra = extra ?? Extra(); extra!.traeger = newValue }
        }
        var offer: [UInt8] {
            get { extra?.offer ?? [] }
            set { extra = extra ?? Extra(); extra!.offer = newValue }
        }
    }

    mutating func background() -> Access {
        let a = rng.int(jcActors)
        let write = rng.int(10) == 0
        return Access(actor: Self.actor(a), role: Self.roles[a % 4], system: Self.systems[rng.int(4)],
                      action: write ? Self.writeActions[rng.int(2)] : Self.readActions[rng.int(6)],
                      subject: Self.customer(rng.int(participants)), category: Self.categories[rng.int(5)],
                      workstation: Self.workstationTable[a], purpose: Self.purposes[rng.int(Self.purposes.count)])
    }

    mutating func write(_ s: inout Sink, _ r: Access, at t: Int) {
        stamp(&s, t)
        s.byte(0x3B); s.put(r.actor)
        s.byte(0x3B); s.put(r.org)
        s.byte(0x3B); s.put(r.role)
        s.byte(0x3B); s.put(r.system)
        s.byte(0x3B); s.put(r.action)
        s.byte(0x3B); if let e = r.extra { s.put(e.decision) }
        s.byte(0x3B); s.put(r.subject)
        s.byte(0x3B); s.put(r.category)
        s.byte(0x3B); s.put(r.workstation)
        s.byte(0x3B); s.put(r.network)
        s.byte(0x3B); s.put(r.channel)
        s.byte(0x3B); if let e = r.extra { s.put(e.destination) }
        s.byte(0x3B); s.put(r.destOrg)
        s.byte(0x3B); s.put(r.purpose)
        s.byte(0x3B); if let e = r.extra { s.put(e.traeger) }
        s.byte(0x3B); if let e = r.extra { s.put(e.offer) }
        s.newline()
    }

    mutating func uniqueSubject() -> [UInt8] {
        plantedSubjects += 1
        return Array(String(format: "962P%06d", plantedSubjects).utf8)
    }

    static let jobcenterHeader = "Zeitpunkt;Benutzerkennung;Organisation;Rolle;Verfahren;Aktion;Entscheidungsart;Kunden-Nr.;Datenkategorie;Arbeitsplatz;Netz;Übertragungsweg;Empfänger;Empfänger-Organisation;Zweck;Träger;Angebot"

    mutating func jobcenter(bytes: Int) throws {
        let file = "Jobcenter-Zugriffe.csv"
        var s = try Sink(out + "/" + file)
        s.put(cp1252(Self.jobcenterHeader))
        s.newline()
        var sincePlant = 0
        var kind = 0
        while s.size < bytes {
            tick(2)
            sincePlant += 1
            if sincePlant >= CorpusGenerator.plantEvery {
                sincePlant = 0
                // Kinds that need new accounts are skipped once the account budget is used.
                var k = kind % 14
                while !accountsFree(Self.accountsPerKind[k]) { kind += 1; k = kind % 14 }
                plant(&s, kind: k, file: file)
                kind += 1
                continue
            }
            write(&s, background(), at: clock)
            accessRecords += 1
        }
        try s.close()
    }

    /// New plant accounts each Jobcenter plant kind creates (0: TW106, TW110, TW402, TW901).
    static let accountsPerKind = [1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 3, 0, 1]

    /// Whether `n` more plant accounts fit: the Jobcenter log (written first) leaves
    /// `providerLogAccounts` of the budget to the provider log's plants.
    func accountsFree(_ n: Int, providerLog: Bool = false) -> Bool {
        let limit = CorpusGenerator.maxPlantAccounts - (providerLog ? 0 : Self.providerLogAccounts)
        return n == 0 || plantActors + trPlantActors + n <= limit
    }
    static let providerLogAccounts = 300

    /// Writes `r` at the clock, recording it as a plant of `rule` when given, and moves the clock on.
    mutating func emit(_ s: inout Sink, _ r: Access, _ rule: String? = nil, file: String) {
        if let rule { truth.append((rule, file, s.line)) }
        write(&s, r, at: clock)
        accessRecords += 1
        tick(2)
    }

    /// One planted violation and its clean look-alike.
    mutating func plant(_ s: inout Sink, kind: Int, file: String) {
        let t1 = cp1252(Self.traeger[0]), t2 = cp1252(Self.traeger[1])
        switch kind {
        case 0: // TW104: seconded Jobcenter account on the provider's network; look-alike on JC-Netz.
            // Seconded, so that TW101 can decide the provider of the Träger-Netz (an account without
            // secondment made TW101 undecidable: a TW906 configuration gap).
            let a = jcPlantActor()
            second(a, to: Self.traeger[0])
            var r = record(of: a)
            r.workstation = Array("JC-NB-\(plantActors)".utf8)
            r.network = cp1252("Träger-Netz")
            emit(&s, r, "TW104", file: file)
            r.network = Self.jcNet
            emit(&s, r, file: file)
        case 1: // TW106: provider account in a Jobcenter procedure; look-alike in eM@w.
            var r = background()
            r.actor = Self.trActor(rng.int(trActors))
            r.org = "TR"
            r.role = cp1252("Familiencoach")
            r.subject = uniqueSubject()
            r.system = cp1252(rng.int(2) == 0 ? "VerBIS" : "ALLEGRO")
            emit(&s, r, "TW106", file: file)
            r.system = cp1252("eM@w")
            r.subject = uniqueSubject()
            emit(&s, r, file: file)
        case 2: // TW110: sending over a channel not approved; look-alike over an approved one.
            var r = background()
            r.action = cp1252("Versand")
            r.subject = uniqueSubject()
            r.channel = Self.badChannels[rng.int(3)]
            r.destOrg = "JC"
            emit(&s, r, "TW110", file: file)
            r.subject = uniqueSubject()
            r.channel = Self.goodChannels[rng.int(3)]
            emit(&s, r, file: file)
        case 3: // TW402: 50 distinct customers read in one hour; look-alike 30 in the next hour.
            // Start at minute 2 of the next full hour (windows are whole UTC hours; Berlin's
            // offset is whole hours, so local hours are UTC hours) and stay inside it.
            var t = (clock / 3600 + 1) * 3600 + 120
            if Self.inDSTGap(t) || Self.inDSTGap(t + 3600) { t += 7200 }
            for (n, planted) in [(50, true), (30, false)] {
                burstActors += 1
                let actor = Array("JC-M-\(8000 + (burstActors - 1) % CorpusGenerator.maxBurstAccounts + 1)".utf8)
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
        case 4: // TW101: work for a provider whose only agreement is unsigned; look-alike for the
            // account's other provider (signed agreement). Seconded to both, participants of both.
            let a = jcPlantActor()
            second(a, to: Self.traeger[0])
            second(a, to: Self.traeger3)
            var r = record(of: a)
            r.traeger = cp1252(Self.traeger3)
            r.subject = Self.traeger3Customer(rng.int(Self.traeger3Participants))
            emit(&s, r, "TW101", file: file)
            r.traeger = t1
            r.subject = Self.customer(participantOf(0))
            emit(&s, r, file: file)
        case 5: // TW102: seconded to provider 1, works for provider 2 (its participant); look-alike
            // for provider 1.
            let a = jcPlantActor()
            second(a, to: Self.traeger[0])
            var r = record(of: a)
            r.traeger = t2
            r.subject = Self.customer(participantOf(1))
            emit(&s, r, "TW102", file: file)
            r.traeger = t1
            r.subject = Self.customer(participantOf(0))
            emit(&s, r, file: file)
        case 6: // TW105: benefit data exported to a provider; look-alike: participation data (allowed).
            var r = record(of: jcPlantActor())
            r.action = cp1252("Export")
            r.category = cp1252("Leistungsdaten")
            r.channel = cp1252("eGVP")
            r.destination = t1
            r.destOrg = "TR"
            emit(&s, r, "TW105", file: file)
            r.category = cp1252("Teilnahme")
            emit(&s, r, file: file)
        case 7: // TW107: for the provider, a customer who is no participant; look-alike a participant.
            let a = jcPlantActor()
            second(a, to: Self.traeger[0])
            var r = record(of: a)
            r.traeger = t1
            r.subject = uniqueSubject()
            emit(&s, r, "TW107", file: file)
            r.subject = Self.customer(participantOf(0))
            emit(&s, r, file: file)
        case 8: // TW108: decision by the participant's own counselor; look-alike by another account.
            let a = jcPlantActor(role: "Integrationsfachkraft|Leistungssachbearbeitung")
            let n = participantExtra.count + 1
            let customer = String(format: "962Q%06d", n)
            participantExtra.append(cp1252(String(format: "TN-2025-Q%05d", n) + ";\(customer);\(Self.traeger[0]);TR-M-\(100 + n % trActors), \(String(decoding: a, as: UTF8.self));02.01.2025;"))
            var r = record(of: a)
            r.action = cp1252("Bescheid")
            let sanction = rng.int(2) == 0
            r.decision = cp1252(sanction ? "Sanktion" : "Bewilligung")
            r.category = cp1252(sanction ? "Sanktion" : "Leistungsdaten")
            r.subject = Array(customer.utf8)
            emit(&s, r, "TW108", file: file)
            let other = 4 * rng.int(jcActors / 4) + 1   // Leistungssachbearbeitung, counsels nobody
            r.actor = Self.actor(other)
            r.role = Self.roles[1]
            r.workstation = Self.workstationTable[other]
            emit(&s, r, file: file)
        case 9: // TW109: schedule ends at the plant's minute on its weekday; look-alike 2 min before.
            clock += 120
            var m = clock % 86_400 / 60
            if m < 10 || m > 1430 || m / 60 == 2 || m / 60 == 3 { clock += 4 * 3600; m = clock % 86_400 / 60 }
            let day = clock / 86_400
            let w = (day + 3) % 7
            let names = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
            let others = names.indices.filter { $0 != w }.map { names[$0] }.joined(separator: ",")
            let end = String(format: "%02d:%02d", m / 60, m % 60)
            let a = jcPlantActor()
            second(a, to: Self.traeger[0], schedule: "\(others) 00:00-24:00; \(names[w]) 00:00-\(end)")
            var r = record(of: a)
            r.traeger = t1
            r.subject = Self.customer(participantOf(0))
            write(&s, r, at: clock - 120)
            accessRecords += 1
            truth.append(("TW109", file, s.line))
            write(&s, r, at: clock)
            accessRecords += 1
            tick(2)
        case 10: // TW111: counseling content written into a Jobcenter procedure without consent;
            // look-alike for a participant with written consent.
            var r = record(of: jcPlantActor())
            r.action = cp1252("Anlegen")
            r.category = cp1252("Beratung")
            r.subject = Self.customer(3 * rng.int(participants / 3) + 1)
            emit(&s, r, "TW111", file: file)
            r.subject = Self.customer(3 * rng.int(participants / 3))
            emit(&s, r, file: file)
        case 11: // TW401: a seconded account refers 9 of 10 to its provider's offers; look-alikes: a
            // seconded account 2 of 10, a not seconded one 0 of 10 (keeps the baseline low).
            let p = jcPlantActor(), l = jcPlantActor(), n = jcPlantActor()
            second(p, to: Self.traeger[0])
            second(l, to: Self.traeger[0])
            for (actor, own) in [(p, 9), (l, 2), (n, 0)] {
                for i in 0..<10 {
                    var r = record(of: actor)
                    r.action = cp1252("Anlegen")
                    r.category = cp1252("Vermittlung")
                    r.purpose = cp1252("Zuweisung")
                    r.offer = cp1252(i < own ? Self.ownOffers[i % 3] : Self.foreignOffers[i % 3])
                    emit(&s, r, actor == p && i == 0 ? "TW401" : nil, file: file)
                }
            }
        case 12: // TW901: no customer number; look-alike with one. Its fingerprint is system, action and
            // a 30-day bucket: plant each combination once per bucket, away from bucket edges (the
            // bucket is on UTC time, the clock local, 1–2 h ahead).
            let bucket = clock / 2_592_000
            guard clock % 2_592_000 >= 7200 else { return }
            let combos = Self.systems.count * Self.tw901Actions.count
            guard let c = (0..<combos).map({ (tw901Next + $0) % combos }).first(where: { !tw901Used.contains(bucket * 64 + $0) })
            else { return }
            tw901Used.insert(bucket * 64 + c)
            tw901Next = c + 1
            var r = background()
            r.system = Self.systems[c / Self.tw901Actions.count]
            r.action = Self.tw901Actions[c % Self.tw901Actions.count]
            let subject = r.subject
            r.subject = []
            emit(&s, r, "TW901", file: file)
            r.subject = subject
            emit(&s, r, file: file)
        default: // TW906: unknown account, system or offer; look-alike known.
            var r = record(of: jcPlantActor())
            switch tw906Kind % 3 {
            case 0:
                unknownAccounts += 1
                let known = r.actor
                r.actor = Array("JC-ALT-\(unknownAccounts)".utf8)
                emit(&s, r, "TW906", file: file)
                r.actor = known
                emit(&s, r, file: file)
            case 1:
                r.system = cp1252("ATLAS")
                emit(&s, r, "TW906", file: file)
                r.system = Self.systems[0]
                emit(&s, r, file: file)
            default:
                r.action = cp1252("Anlegen")
                r.category = cp1252("Vermittlung")
                r.purpose = cp1252("Zuweisung")
                r.offer = cp1252("Coaching Neustart 50plus")
                emit(&s, r, "TW906", file: file)
                r.offer = cp1252(Self.foreignOffers[0])
                emit(&s, r, file: file)
            }
            tw906Kind += 1
        }
    }

    // MARK: Träger access log (UTF-8, `,`)

    mutating func traegerLog(bytes: Int) throws {
        let file = "Traeger-Zugriffe.csv"
        var s = try Sink(out + "/" + file)
        s.put("Datum,Uhrzeit,Benutzer,Organisation,Rolle,Modul,Aktion,Teilnehmer,Arbeitsplatz,Netz,Zweck")
        s.newline()
        var t = 1_735_801_200
        let modules: [StaticString] = ["Teilnehmerakte", "Beratungsdokumentation", "Termine"]
        let actions: [StaticString] = ["anzeigen", "anlegen", "bearbeiten", "anzeigen"]
        var sincePlant = 0
        var kind = 0
        while s.size < bytes {
            t += 30 + rng.int(60)
            if Self.inDSTGap(t) { t += 3600 }
            sincePlant += 1
            if sincePlant >= CorpusGenerator.traegerPlantEvery {
                sincePlant = 0
                // TW208 needs one new account, TW103 two; none once the budget is used.
                if accountsFree(kind % 2 == 0 ? 1 : 2, providerLog: true) {
                    traegerPlant(&s, kind: kind % 2, at: t, file: file)
                    kind += 1
                    continue
                }
            }
            let (y, m, d) = civil(t / 86_400)
            s.num(d, width: 2); s.byte(0x2E); s.num(m, width: 2); s.byte(0x2E); s.num(y, width: 4); s.byte(0x2C)
            s.num(t % 86_400 / 3600, width: 2); s.byte(0x3A); s.num(t % 3600 / 60, width: 2); s.byte(0x2C)
            let a = rng.int(trActors)
            s.put(Self.trActor(a)); s.put(",Träger,Familiencoach,")
            s.put(modules[rng.int(3)]); s.byte(0x2C)
            s.put(actions[rng.int(4)]); s.byte(0x2C)
            // Coaches open only their own participants (participant i is counseled by TR-M-(100 + i % 50)):
            // reading another's counseling notes is TW208.
            s.put(Self.participantTable[a + trActors * rng.int(participants / trActors)]); s.byte(0x2C)
            s.put("TR-PC-"); s.num(a % 10 + 1, width: 2); s.put(",Träger-LAN,Beratung")
            s.newline()
            accessRecords += 1
        }
        try s.close()
    }

    /// One line of the provider log (plants only).
    mutating func traegerLine(_ s: inout Sink, at t: Int, actor: [UInt8], org: String, role: String, module: String,
                              action: String, participant: String, rule: String? = nil, file: String) {
        if let rule { truth.append((rule, file, s.line)) }
        let (y, m, d) = civil(t / 86_400)
        s.put(utf8(String(format: "%02d.%02d.%04d,%02d:%02d,", d, m, y, t % 86_400 / 3600, t % 3600 / 60)))
        s.put(actor)
        s.put(utf8(",\(org),\(role),\(module),\(action),\(participant),TR-PC-0\(1 + rng.int(9)),Träger-LAN,Beratung"))
        s.newline()
        accessRecords += 1
    }

    mutating func traegerPlant(_ s: inout Sink, kind: Int, at t: Int, file: String) {
        switch kind {
        case 0: // TW208: intern or administration reads counseling notes of a participant they do not
            // counsel; look-alike: the same account opens the participant's master file.
            let role = rng.int(2) == 0 ? "Praktikum" : "Verwaltung"
            let a = trPlantActor(role: role)
            let p = Self.participant(rng.int(participants))
            traegerLine(&s, at: t, actor: a, org: "Träger", role: role, module: "Beratungsdokumentation",
                        action: "anzeigen", participant: p, rule: "TW208", file: file)
            traegerLine(&s, at: t, actor: a, org: "Träger", role: role, module: "Teilnehmerakte",
                        action: "anzeigen", participant: p, file: file)
        default: // TW103: returned Jobcenter account (secondment ended 31.12.2024) still in the
            // provider software; look-alike: an account whose secondment runs.
            let back = jcPlantActor()
            second(back, to: Self.traeger[0], start: "01.01.2024", end: "31.12.2024")
            let current = jcPlantActor()
            second(current, to: Self.traeger[0])
            let p = Self.participant(participantOf(0))
            let module = rng.int(2) == 0 ? "Beratungsdokumentation" : "Teilnehmerakte"
            traegerLine(&s, at: t, actor: back, org: "Jobcenter", role: "Integrationsfachkraft", module: module,
                        action: "anzeigen", participant: p, rule: "TW103", file: file)
            traegerLine(&s, at: t, actor: current, org: "Jobcenter", role: "Integrationsfachkraft", module: module,
                        action: "anzeigen", participant: p, file: file)
        }
    }

    // MARK: Log gaps (TW902): logins of a rarely used procedure

    /// `Jobcenter-Zugriffe-coSach.csv`: coSach logins on two weekdays (08:00–18:00, every 2 h), then
    /// a planted pause of 134 h weekday time (threshold 120 h), two more weekdays, a clean pause of
    /// 110 h; one such set per 64 MB (1–20), then a final stretch. Logins are on no person, so no
    /// other rule looks at them.
    mutating func logGaps() throws {
        let file = "Jobcenter-Zugriffe-coSach.csv"
        var s = try Sink(out + "/" + file)
        s.put(cp1252(Self.jobcenterHeader))
        s.newline()
        func weekday(_ d: Int) -> Int { (d + 3) % 7 }   // 0 = Monday
        func later(_ d: Int, weekdays n: Int) -> Int {
            var d = d, k = 0
            while k < n {
                d += 1
                if weekday(d) < 5 { k += 1 }
            }
            return d
        }
        /// Two weekdays of logins from `day`; returns the last day and the line of its last entry.
        func stretch(_ s: inout Sink, _ day: Int) -> (day: Int, line: Int) {
            var line = 0
            var d = day
            for k in 0..<2 {
                if k == 1 { d = later(d, weekdays: 1) }
                for h in stride(from: 8, through: 18, by: 2) {
                    let a = rng.int(jcActors)
                    line = s.line
                    var r = Access(actor: Self.actor(a), role: Self.roles[a % 4], system: cp1252("coSach"),
                                   action: cp1252("Anmeldung"), subject: [], category: [],
                                   workstation: Self.workstationTable[a], purpose: cp1252("Anmeldung"))
                    r.network = Self.jcNet
                    write(&s, r, at: d * 86_400 + h * 3600 + rng.int(600))
                    accessRecords += 1
                }
            }
            return (d, line)
        }
        var day = 20_094   // Monday 2025-01-06
        for _ in 0..<min(20, 1 + megabytes / 64) {
            let (last, line) = stretch(&s, day)
            truth.append(("TW902", file, line))
            day = later(last, weekdays: 6)           // 6 h + 5 × 24 h + 8 h = 134 h
            let (last2, _) = stretch(&s, day)
            day = later(last2, weekdays: 5)          // 6 h + 4 × 24 h + 8 h = 110 h
        }
        _ = stretch(&s, day)
        try s.close()
    }

    // MARK: Declared flows (TW301–TW305), layout of Samples/Plattform-Datenfluesse.csv

    mutating func flows() throws {
        let file = "Plattform-Datenfluesse.csv"
        var s = try Sink(out + "/" + file)
        s.put(utf8("Fluss-ID;Von Organisation;Von System;An Organisation;An System;Datenkategorien;Rechtsgrundlage;Vereinbarung;Einwilligungsverfahren;Übertragungsweg;Verschlüsselt;Zweck"))
        s.newline()
        var n = 0
        func row(_ s: inout Sink, _ rule: String?, _ text: String) {
            n += 1
            if let rule { truth.append((rule, file, s.line)) }
            s.put(utf8(String(format: "FL-P-%05d;", n) + text))
            s.newline()
        }
        let toTR = "Jobcenter;VerBIS;Träger;FallKompass"
        let toJC = "Träger;FallKompass;Jobcenter;VerBIS"
        let api = "Plattform-API (TLS);ja"
        let basis69 = "§ 69 Abs. 1 Nr. 1 SGB X i. V. m. § 50 Abs. 1 SGB II"
        for _ in 0..<max(1, megabytes / 4) {
            row(&s, "TW301", "\(toTR);sozial.leistung;\(basis69);VB-2025-01;;\(api);Leistungsstatus anzeigen")
            row(&s, nil, "\(toTR);teilnahme;\(basis69);VB-2025-01;;\(api);Leistungsstatus anzeigen")
            row(&s, "TW302", "\(toJC);beratung;§ 67b Abs. 2 SGB X;VB-2025-01;mündlich;\(api);Beratungsverlauf")
            row(&s, nil, "\(toJC);beratung;§ 67b Abs. 2 SGB X;VB-2025-01;schriftliche Einwilligung;\(api);Beratungsverlauf")
            row(&s, "TW303", "\(toTR);vermittlung;\(basis69);VB-2025-01;;\(api);Vermittlungsvorschläge teilen")
            row(&s, nil, "\(toTR);stamm;\(basis69);VB-2025-01;;\(api);Vermittlungsvorschläge teilen")
            row(&s, "TW304", "\(toJC);teilnahme;\(basis69);VB-2025-01;;E-Mail;nein;Anwesenheitslisten")
            row(&s, nil, "\(toJC);teilnahme;\(basis69);VB-2025-01;;E-Mail;Ende-zu-Ende;Anwesenheitslisten")
            row(&s, "TW305", "\(toJC);teilnahme;siehe Kooperationsvereinbarung;VB-2025-01;;\(api);Eintritte melden")
            row(&s, nil, "\(toJC);teilnahme;\(basis69);VB-2025-01;;\(api);Eintritte melden")
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

    /// A planted note (or its look-alike) waiting for a participant of the right kind: `consent`
    /// true = with health consent, false = without, nil = any.
    struct NotePlant {
        var rule: String?
        var texts: [String]
        var retention = "31.12.2027"
        var consent: Bool?
    }

    /// The notes of one plant kind: the violation first, then its look-alike.
    mutating func notePlants(kind: Int) -> [NotePlant] {
        let filler = String(describing: Self.sentences[rng.int(Self.sentences.count)])
        switch kind {
        case 0: // TW201: a valid IBAN; look-alike with wrong check digits.
            let iban = Self.iban(valid: true, &rng), bad = Self.iban(valid: false, &rng)
            return [NotePlant(rule: "TW201", texts: [filler, "Kontoverbindung für die Erstattung der Fahrtkosten: \(iban)."]),
                    NotePlant(texts: [filler, "Kontoverbindung für die Erstattung der Fahrtkosten: \(bad)."])]
        case 1: // TW202: benefit data from the Jobcenter; look-alike marked as the person's own statement.
            return [NotePlant(rule: "TW202", texts: [filler, "Laut Jobcenter erhält die Familie einen Mehrbedarf für Alleinerziehende."]),
                    NotePlant(texts: [filler, "Nach eigener Angabe erhält die Familie einen Mehrbedarf für Alleinerziehende."])]
        case 2: // TW203: sanction data.
            return [NotePlant(rule: "TW203", texts: [filler, "Laut Jobcenter wurde wegen eines Meldeversäumnisses eine Leistungsminderung festgestellt."]),
                    NotePlant(texts: [filler, "Nach eigener Angabe wurde wegen eines Meldeversäumnisses eine Leistungsminderung festgestellt."])]
        case 3: // TW204: health data without consent; look-alike: same text, participant with consent.
            let text = "Teilnehmerin ist derzeit krankgeschrieben, die nächsten Termine finden telefonisch statt."
            return [NotePlant(rule: "TW204", texts: [filler, text], consent: false),
                    NotePlant(texts: [filler, text], consent: true)]
        case 4: // TW205: medical-service report (fires even with health consent, so placed with one
            // to keep TW204 quiet); look-alike: a valuation report.
            return [NotePlant(rule: "TW205", texts: [filler, "Laut Gutachten des Ärztlichen Dienstes ist eine Tätigkeit bis sechs Stunden täglich möglich."], consent: true),
                    NotePlant(texts: [filler, "Laut Wertgutachten ist das Auto der Familie nur noch wenig wert."], consent: true)]
        case 5: // TW206: internal Jobcenter document.
            return [NotePlant(rule: "TW206", texts: [filler, "Laut Jobcenter sieht der Kooperationsplan drei Bewerbungen pro Monat im Einzelhandel vor."]),
                    NotePlant(texts: [filler, "Nach eigener Angabe sieht der Kooperationsplan drei Bewerbungen pro Monat im Einzelhandel vor."])]
        default: // TW207: retention period over at --now (2025-12-31); look-alike still running.
            return [NotePlant(rule: "TW207", texts: [filler], retention: "30.06.2025"),
                    NotePlant(texts: [filler], retention: "31.12.2026")]
        }
    }

    mutating func documentation(bytes: Int) throws {
        let file = "Traeger-Dokumentation.xml"
        var s = try Sink(out + "/" + file)
        s.put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"); s.newline()
        s.put("<doku:Dokumentation xmlns:doku=\"urn:beispiel-traeger:dokumentation:2\" erstellt=\"2025-12-31T18:00:00+01:00\" system=\"FallKompass 4.2 (synthetisch)\">")
        s.newline()
        var t = 1_735_801_200
        var person = 0
        var sincePlant = 0
        var kind = 0
        var pending: [NotePlant] = []
        while s.size < bytes {
            person += 1
            let p = person % participants
            let consent = Self.hasHealthConsent(p)
            s.put("  <doku:Teilnehmer nr=\""); s.put(Self.participantTable[p]); s.put("\">"); s.newline()
            for _ in 0..<(3 + rng.int(4)) {
                notes += 1
                sincePlant += 1
                t += 60 + rng.int(120)
                if Self.inDSTGap(t) { t += 3600 }
                if sincePlant >= CorpusGenerator.notePlantEvery {
                    sincePlant = 0
                    pending += notePlants(kind: kind % 7)
                    kind += 1
                }
                s.put("    <doku:Vermerk id=\"V-"); s.num(notes, width: 7); s.put("\" typ=\"Folgegespräch\">"); s.newline()
                // The XML line of a record is that of its start tag (the line before).
                if !pending.isEmpty, let i = pending.firstIndex(where: { $0.consent == nil || $0.consent == consent }) {
                    let n = pending.remove(at: i)
                    if let rule = n.rule { truth.append((rule, file, s.line - 1)) }
                    noteHead(&s, t, retention: utf8(n.retention))
                    for text in n.texts {
                        s.put("      <doku:Text>"); s.put(utf8(text)); s.put("</doku:Text>"); s.newline()
                    }
                } else {
                    noteHead(&s, t, retention: Self.defaultRetention)
                    for _ in 0..<(1 + rng.int(3)) {
                        s.put("      <doku:Text>")
                        s.put(Self.sentences[rng.int(Self.sentences.count)]); s.byte(0x20)
                        s.put(Self.sentences[rng.int(Self.sentences.count)])
                        s.put("</doku:Text>"); s.newline()
                    }
                }
                s.put("    </doku:Vermerk>"); s.newline()
            }
            s.put("  </doku:Teilnehmer>"); s.newline()
        }
        s.put("</doku:Dokumentation>"); s.newline()
        try s.close()
    }

    static let defaultRetention = Array("31.12.2027".utf8)

    mutating func noteHead(_ s: inout Sink, _ t: Int, retention: [UInt8]) {
        s.put("      <doku:Datum>"); stamp(&s, t, seconds: false, iso: true); s.put("</doku:Datum>"); s.newline()
        s.put("      <doku:Verfasser>"); s.put(Self.trActor(rng.int(trActors))); s.put("</doku:Verfasser>"); s.newline()
        s.put("      <doku:Organisation>Träger</doku:Organisation>"); s.newline()
        s.put("      <doku:Sichtbarkeit>Beratungsteam</doku:Sichtbarkeit>"); s.newline()
        s.put("      <doku:AufbewahrenBis>"); s.put(retention); s.put("</doku:AufbewahrenBis>"); s.newline()
    }

    /// A German IBAN (bank code 37040044) with right or wrong check digits.
    static func iban(valid: Bool, _ rng: inout SplitMix) -> String {
        var bban = "37040044"
        for _ in 0..<10 { bban += String(rng.int(10)) }
        var rem = 0
        for ch in bban + "131400" { rem = (rem * 10 + Int(String(ch))!) % 97 }
        var check = 98 - rem
        if !valid { check = check == 98 ? 97 : check + 1 }
        return "DE" + String(format: "%02d", check) + bban
    }

    // MARK: Reference tables (Windows-1252 or UTF-8 as their profiles say, `;`), consistent with the records

    mutating func reference() throws {
        let dir = out + "/Stammdaten/"
        let sets = min(max(1, megabytes / 4), CorpusGenerator.maxReferenceSets)
        var staff = try Sink(dir + "Mitarbeitende.csv", crlf: true)
        staff.put(cp1252("Kennung;Name;Organisation;Organisationseinheit;Rollen")); staff.newline()
        for i in 0..<jcActors {
            staff.put(Self.actor(i)); staff.put(cp1252(";Mitarbeitende \(i) (synthetisch);Jobcenter;Team 420;"))
            staff.put(Self.roles[i % 4]); staff.newline()
        }
        for i in 1...max(1, min(burstActors, CorpusGenerator.maxBurstAccounts)) {
            staff.put(Array("JC-M-\(8000 + i)".utf8)); staff.put(cp1252(";Sachbearbeitung \(i) (synthetisch);Jobcenter;Team 610;Leistungssachbearbeitung"))
            staff.newline()
        }
        for i in 0..<trActors {
            staff.put(Self.trActor(i)); staff.put(cp1252(";Coach \(i) (synthetisch);Träger;Familiencoaching;Familiencoach")); staff.newline()
        }
        for line in staffExtra { staff.put(line); staff.newline() }
        for i in 1...(2 * sets) {
            staff.put(Array(String(format: "JC-S-%05d", i).utf8)); staff.put(cp1252(";Fachkraft S\(i) (synthetisch);Jobcenter;Team 430;Integrationsfachkraft"))
            staff.newline()
        }
        try staff.close()

        let secFile = "Stammdaten/Abordnungen.csv"
        var sec = try Sink(out + "/" + secFile)
        sec.put(utf8("Benutzerkennung;Träger;Instrument;Aktenzeichen;Beginn;Ende;Rollen;Einsatzplan")); sec.newline()
        for i in 0..<20 {
            sec.put(Self.actor(i * 7)); sec.put(utf8(";\(Self.traeger[i % 2]);Abordnungsbescheid;JC-II-2025-\(100 + i);01.01.2025;31.12.2030;Integrationsfachkraft;Mo-Fr 07:00-19:00"))
            sec.newline()
        }
        for line in secondmentExtra { sec.put(line); sec.newline() }
        // TW903 (no roles) and TW905 (no legal instrument), each next to a complete row; accounts not
        // used in the logs.
        for i in 1...sets {
            let a = String(format: "JC-S-%05d", 2 * i - 1), b = String(format: "JC-S-%05d", 2 * i)
            truth.append(("TW903", secFile, sec.line))
            sec.put(utf8("\(a);\(Self.traeger[0]);Abordnungsbescheid;JC-II-S-\(i);01.03.2025;31.12.2030;;Mo-Fr 08:00-16:00")); sec.newline()
            sec.put(utf8("\(a);\(Self.traeger[1]);Abordnungsbescheid;JC-II-S-\(i);01.03.2025;31.12.2030;Integrationsfachkraft;Mo-Fr 08:00-16:00")); sec.newline()
            truth.append(("TW905", secFile, sec.line))
            sec.put(utf8("\(b);\(Self.traeger[0]);mündliche Absprache;JC-II-T-\(i);01.04.2025;31.12.2030;Integrationsfachkraft;Mo-Fr 08:00-16:00")); sec.newline()
            sec.put(utf8("\(b);\(Self.traeger[1]);Dienstvereinbarung;JC-II-T-\(i);01.04.2025;31.12.2030;Integrationsfachkraft;Mo-Fr 08:00-16:00")); sec.newline()
        }
        try sec.close()

        let agrFile = "Stammdaten/Vereinbarungen.csv"
        var agr = try Sink(out + "/" + agrFile, crlf: true)
        agr.put(cp1252("Kennung;Träger;Art;Gezeichnet durch Leitung;Gültig von;Gültig bis;Erlaubte Flüsse;Rechtsgrundlage")); agr.newline()
        for (i, t) in Self.traeger.enumerated() {
            agr.put(cp1252("VB-2025-0\(i + 1);\(t);Kooperationsvereinbarung;ja;01.01.2025;31.12.2030;\"traeger->jobcenter:teilnahme, jobcenter->traeger:stamm\";§ 67b Abs. 2 SGB X"))
            agr.newline()
        }
        // The third provider's only agreement is unsigned: TW904 here, TW101 for work there.
        truth.append(("TW904", agrFile, agr.line))
        agr.put(cp1252("VB-2025-03;\(Self.traeger3);Kooperationsvereinbarung;nein;01.01.2025;31.12.2030;traeger->jobcenter:teilnahme;§ 67b Abs. 2 SGB X"))
        agr.newline()
        // TW904 next to a signed look-alike, for providers without staff or records.
        for i in 1...sets {
            truth.append(("TW904", agrFile, agr.line))
            agr.put(cp1252(String(format: "VB-P-%04d", 2 * i - 1) + ";Beispielträger \(2 * i - 1) gGmbH;Zusatzvereinbarung Datenaustausch;nein;01.01.2025;31.12.2030;traeger->jobcenter:teilnahme;§ 67b Abs. 2 SGB X"))
            agr.newline()
            agr.put(cp1252(String(format: "VB-P-%04d", 2 * i) + ";Beispielträger \(2 * i) gGmbH;Zusatzvereinbarung Datenaustausch;ja;01.01.2025;31.12.2030;traeger->jobcenter:teilnahme;§ 67b Abs. 2 SGB X"))
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
        for i in 0..<Self.traeger3Participants {
            part.put(cp1252(String(format: "TN-2025-N%04d;", i + 1))); part.put(Self.traeger3Customer(i))
            part.put(cp1252(";\(Self.traeger3);TR-M-100;02.01.2025;")); part.newline()
        }
        for line in participantExtra { part.put(line); part.newline() }
        try part.close()

        var con = try Sink(dir + "Einwilligungen.csv")
        con.put(utf8("Teilnehmer-Nr.;Datenkategorien;Richtung;Erteilt am;Widerrufen am;Form")); con.newline()
        for i in 0..<participants {
            if Self.hasCounselingConsent(i) {
                con.put(Array(Self.participant(i).utf8)); con.put(";teilnahme, beratung;traeger->jobcenter;02.01.2025;;schriftlich"); con.newline()
            }
            if Self.hasHealthConsent(i) {
                con.put(Array(Self.participant(i).utf8)); con.put(";gesundheit;traeger->jobcenter;02.01.2025;;schriftlich"); con.newline()
            }
        }
        try con.close()

        var off = try Sink(dir + "Angebote.csv")
        off.put(utf8("Angebot;Anbieter")); off.newline()
        for o in Self.ownOffers { off.put(utf8("\(o);\(Self.traeger[0])")); off.newline() }
        off.put(utf8("Aktivierungsmaßnahme Perspektive;\(Self.traeger[1])")); off.newline()
        for (o, provider) in zip(Self.foreignOffers, ["Volkshochschule Beispielstadt", "Beratungsstelle Musterstadt", "Kita-Verbund Beispielstadt"]) {
            off.put(utf8("\(o);\(provider)")); off.newline()
        }
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
