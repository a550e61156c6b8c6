/// The kinds of canonical records: the three evaluated kinds and the reference tables (Stammdaten).
public enum RecordKind: String, Sendable, CaseIterable, Codable {
    case access, documentation, flow
    case staff, secondments, agreements, consents, participants, offers

    /// Kinds that rules are evaluated on; the others are reference tables.
    public var isEvaluated: Bool { self == .access || self == .documentation || self == .flow }

    /// Kinds a condition may look up by key (`staff(person == actor)`): the reference tables, and
    /// documentation records, which the scan also indexes (id, participant, author, type, visibility,
    /// team) before evaluating, so that an access record naming an entry resolves to it.
    public var isLookupTable: Bool { !isEvaluated || self == .documentation }

    public var schema: RecordSchema { RecordSchema.of(self) }

    /// Number of fields of the kind's schema, without touching the schema (whose arrays and
    /// dictionary would be retained and released on every access: Record(kind:locator:) runs per
    /// record).
    @inline(__always)
    public var fieldCount: Int { RecordKind.fieldCounts[ordinal] }

    private static let fieldCounts: [Int] = RecordKind.allCases.map { $0.schema.count }

    /// Position in `allCases`: lets hot paths index arrays instead of hashing the kind.
    @inline(__always)
    public var ordinal: Int {
        switch self {
        case .access: return 0
        case .documentation: return 1
        case .flow: return 2
        case .staff: return 3
        case .secondments: return 4
        case .agreements: return 5
        case .consents: return 6
        case .participants: return 7
        case .offers: return 8
        }
    }
}

/// One value per record kind, indexed by `RecordKind.ordinal` (no hashing on hot paths).
extension RecordKind {
    /// The slot whose value is a record's own id, carried in its locator (`Locator.recordID`).
    public static func recordIDSlot(_ kind: RecordKind) -> Int? {
        switch kind {
        case .documentation: return kind.schema.slot("record_id")
        case .flow: return kind.schema.slot("flow_id")
        case .agreements: return kind.schema.slot("id")
        default: return nil
        }
    }
}

public struct KindTable<Element> {
    public private(set) var storage: [Element]

    public init(repeating value: Element) {
        storage = Array(repeating: value, count: RecordKind.allCases.count)
    }

    @inline(__always)
    public subscript(kind: RecordKind) -> Element {
        get { storage[kind.ordinal] }
        set { storage[kind.ordinal] = newValue }
    }
}

extension KindTable: Sendable where Element: Sendable {}

/// The type of a canonical field, used by profiles to convert and by the rule compiler to type-check.
public enum FieldType: Sendable, Hashable {
    /// Identifier-like text (actor, subject, system).
    case string
    /// Free text that detectors scan; may hold several pieces (several text fields).
    case text
    /// One of a closed set of values (after the profile's value map).
    case symbol([String])
    case timestamp
    case number
    case bool
    /// A list of strings (categories, roles).
    case list

    public var name: String {
        switch self {
        case .string: return "string"
        case .text: return "text"
        case .symbol: return "symbol"
        case .timestamp: return "timestamp"
        case .number: return "number"
        case .bool: return "bool"
        case .list: return "list"
        }
    }
}

/// How a field's value may appear in a finding (evidence, detail, configuration-gap key).
///
/// Disclosure follows the field's schema, not its name in a rule: every value that comes from
/// data passes through the engine's `EvidenceGuard` by its class (docs/outputs.md).
public enum FieldDisclosure: String, Sendable, Hashable, CaseIterable {
    /// Closed or derived values (symbols, timestamps, numbers, booleans): shown as they are.
    case shown
    /// A person's account or id: shown only as a keyed pseudonym.
    case person
    /// An identifier or file name of the data: shown only as a fixed-length mask.
    case identifier
    /// Nominally a code or label, but taken from the data: shown verbatim only when the rule pack
    /// knows the word or it is a short code-like token; otherwise like free text.
    case label
    /// Free text: only its length and its detector hits (identifiers masked).
    case text

    /// The class a field of `type` has unless its spec says otherwise.
    public static func `default`(for type: FieldType) -> FieldDisclosure {
        switch type {
        case .symbol, .timestamp, .number, .bool: return .shown
        case .text: return .text
        case .string, .list: return .label
        }
    }
}

/// One canonical field of a record kind.
public struct FieldSpec: Sendable, Hashable {
    public let name: String
    public let type: FieldType
    /// A profile for this kind must map the field; a record without a value is rejected.
    public let required: Bool
    public let doc: Localized
    /// How the field's values may appear in findings.
    public let disclosure: FieldDisclosure
    /// The short name people read in a report (evidence labels): `Zustimmung der Leitung`.
    public let label: Localized

    public init(_ name: String, _ type: FieldType, required: Bool = false, disclosure: FieldDisclosure? = nil,
                de: String, en: String) {
        self.name = name
        self.type = type
        self.required = required
        self.disclosure = disclosure ?? .default(for: type)
        self.doc = Localized(de: de, en: en)
        self.label = FieldLabels.field[name] ?? Localized(de: name, en: name)
    }
}

/// The canonical fields of one record kind, in slot order. Slots are resolved once (by the
/// profile normaliser and the rule compiler); records are then plain arrays indexed by slot.
public struct RecordSchema: Sendable {
    public let kind: RecordKind
    public let fields: [FieldSpec]
    private let slotByName: [String: Int]

    init(_ kind: RecordKind, _ fields: [FieldSpec]) {
        self.kind = kind
        self.fields = fields
        var map: [String: Int] = [:]
        for (i, f) in fields.enumerated() { map[f.name] = i }
        self.slotByName = map
    }

    public func slot(_ name: String) -> Int? { slotByName[name] }
    public func field(_ name: String) -> FieldSpec? { slotByName[name].map { fields[$0] } }
    public var count: Int { fields.count }

    public static func of(_ kind: RecordKind) -> RecordSchema {
        switch kind {
        case .access: return access
        case .documentation: return documentation
        case .flow: return flow
        case .staff: return staff
        case .secondments: return secondments
        case .agreements: return agreements
        case .consents: return consents
        case .participants: return participants
        case .offers: return offers
        }
    }

    public static let orgs = ["jobcenter", "traeger", "other"]
    /// `refer`: a referral (Zuweisung) of a participant to an offer or provider; TW401 counts these.
    public static let actions = [
        "read", "search", "create", "update", "delete", "export", "print", "download", "send", "login", "decide", "refer",
    ]

    /// Who may see a documentation entry in the provider software.
    public static let visibilities = ["team", "all", "restricted"]

    public static let access = RecordSchema(.access, [
        FieldSpec("time", .timestamp, required: true, de: "Zeitpunkt des Zugriffs", en: "time of the access"),
        FieldSpec("actor", .string, required: true, disclosure: .person, de: "Benutzerkennung", en: "user account"),
        FieldSpec("actor_org", .symbol(orgs), de: "Organisation des Benutzers", en: "organisation of the user"),
        FieldSpec("actor_role", .string, de: "Rolle des Benutzers", en: "role of the user"),
        FieldSpec("system", .string, required: true, de: "IT-System (VerBIS, ALLEGRO, eAkte …)", en: "IT system"),
        FieldSpec("system_owner", .symbol(["jobcenter", "traeger"]), de: "Betreiber des Systems", en: "owner of the system"),
        FieldSpec("action", .symbol(actions), required: true, de: "Aktion", en: "action"),
        FieldSpec("decision_type", .string, de: "Art der Entscheidung (bei decide)", en: "decision type (for decide)"),
        FieldSpec("subject", .string, disclosure: .person, de: "Kunden- oder Teilnehmerkennung", en: "customer or participant id"),
        FieldSpec("category", .string, de: "Datenkategorie", en: "data category"),
        FieldSpec("workstation", .string, de: "Arbeitsplatz", en: "workstation"),
        FieldSpec("network", .symbol(["jobcenter", "traeger", "extern"]), de: "Netz", en: "network"),
        FieldSpec("channel", .string, de: "Übertragungsweg", en: "channel"),
        FieldSpec("destination", .string, de: "Empfänger", en: "destination"),
        FieldSpec("destination_org", .symbol(orgs), de: "Organisation des Empfängers", en: "organisation of the destination"),
        FieldSpec("purpose", .string, de: "Zweck", en: "purpose"),
        FieldSpec("traeger", .string, de: "Träger, bei dem oder für den zugegriffen wurde", en: "project provider at or for which the access happened"),
        FieldSpec("offer", .string, de: "Angebot (bei Zuweisungen)", en: "offer (for referrals)"),
        FieldSpec("entry", .string, disclosure: .identifier, de: "Kennung des gelesenen Dokumentationseintrags (record_id)",
                  en: "id of the documentation entry accessed (record_id)"),
    ])

    public static let documentation = RecordSchema(.documentation, [
        FieldSpec("record_id", .string, required: true, de: "Kennung des Eintrags", en: "record id"),
        FieldSpec("time", .timestamp, required: true, de: "Zeitpunkt", en: "time"),
        FieldSpec("author", .string, disclosure: .person, de: "Verfasser", en: "author"),
        FieldSpec("author_org", .symbol(orgs), de: "Organisation des Verfassers", en: "organisation of the author"),
        FieldSpec("subject", .string, disclosure: .person, de: "Teilnehmerkennung", en: "participant id"),
        FieldSpec("doc_type", .string, de: "Art des Eintrags", en: "document type"),
        FieldSpec("text", .text, de: "Freitext (beliebig viele Textfelder)", en: "free text (any number of text fields)"),
        FieldSpec("visibility", .symbol(visibilities), de: "Sichtbarkeit: team (nur das Team), all (alle), restricted (eingeschränkt)",
                  en: "visibility: team (the team only), all (everyone), restricted"),
        FieldSpec("team", .string, de: "Team, dem der Eintrag gehört", en: "team the entry belongs to"),
        FieldSpec("transmitted_to", .string, de: "Übermittelt an", en: "transmitted to"),
        FieldSpec("consent_ref", .string, de: "Verweis auf Einwilligung", en: "consent reference"),
        FieldSpec("retention_until", .timestamp, de: "Aufbewahren bis", en: "retain until"),
        FieldSpec("deleted", .bool, de: "Gelöscht", en: "deleted"),
        FieldSpec("attachments", .list, disclosure: .identifier, de: "Anhänge", en: "attachments"),
    ])

    public static let flow = RecordSchema(.flow, [
        FieldSpec("flow_id", .string, required: true, de: "Kennung des Datenflusses", en: "flow id"),
        FieldSpec("from_org", .symbol(orgs), required: true, de: "Absendende Organisation", en: "sending organisation"),
        FieldSpec("from_system", .string, de: "Absendendes System", en: "sending system"),
        FieldSpec("to_org", .symbol(orgs), required: true, de: "Empfangende Organisation", en: "receiving organisation"),
        FieldSpec("to_system", .string, de: "Empfangendes System", en: "receiving system"),
        FieldSpec("categories", .list, required: true, de: "Datenkategorien", en: "data categories"),
        FieldSpec("legal_basis", .string, de: "Rechtsgrundlage", en: "legal basis"),
        FieldSpec("agreement_ref", .string, de: "Verweis auf Vereinbarung", en: "agreement reference"),
        FieldSpec("consent_mechanism", .string, de: "Einwilligungsverfahren", en: "consent mechanism"),
        FieldSpec("channel", .string, de: "Übertragungsweg", en: "channel"),
        FieldSpec("encrypted", .bool, de: "Verschlüsselt", en: "encrypted"),
        FieldSpec("purpose", .string, de: "Zweck", en: "purpose"),
    ])

    public static let staff = RecordSchema(.staff, [
        FieldSpec("person", .string, required: true, disclosure: .person, de: "Benutzerkennung", en: "account"),
        FieldSpec("org", .symbol(orgs), required: true, de: "Organisation", en: "organisation"),
        FieldSpec("unit", .string, de: "Organisationseinheit", en: "unit"),
        FieldSpec("roles", .list, de: "Rollen", en: "roles"),
        FieldSpec("teams", .list, de: "Teams, denen die Person angehört", en: "teams the person belongs to"),
    ])

    public static let secondments = RecordSchema(.secondments, [
        FieldSpec("person", .string, required: true, disclosure: .person, de: "Benutzerkennung", en: "account"),
        FieldSpec("traeger", .string, required: true, de: "Träger", en: "project provider"),
        FieldSpec("instrument", .string, de: "Rechtsinstrument (Abordnung, Dienstvereinbarung …)", en: "legal instrument"),
        FieldSpec("instrument_ref", .string, disclosure: .identifier, de: "Aktenzeichen des Instruments", en: "instrument reference"),
        FieldSpec("start", .timestamp, required: true, de: "Beginn", en: "start"),
        FieldSpec("end", .timestamp, de: "Ende", en: "end"),
        FieldSpec("roles", .list, de: "Rollen beim Träger", en: "roles at the provider"),
        FieldSpec("schedule", .string, de: "Einsatzplan (z. B. Mo-Fr 08:00-16:00)", en: "deployment schedule"),
    ])

    public static let agreements = RecordSchema(.agreements, [
        FieldSpec("id", .string, required: true, de: "Kennung", en: "id"),
        FieldSpec("traeger", .string, required: true, de: "Träger", en: "project provider"),
        FieldSpec("type", .string, de: "Art der Vereinbarung", en: "agreement type"),
        FieldSpec("approved_by_leitung", .bool, de: "Von der Jobcenter-Leitung gezeichnet", en: "approved by the Jobcenter management"),
        FieldSpec("valid_from", .timestamp, de: "Gültig ab", en: "valid from"),
        FieldSpec("valid_to", .timestamp, de: "Gültig bis", en: "valid to"),
        FieldSpec("permitted_flows", .list, de: "Erlaubte Flüsse (Richtung:Kategorie)", en: "permitted flows (direction:category)"),
        FieldSpec("legal_basis", .string, de: "Rechtsgrundlage", en: "legal basis"),
    ])

    public static let consents = RecordSchema(.consents, [
        FieldSpec("participant", .string, required: true, disclosure: .person, de: "Teilnehmerkennung", en: "participant id"),
        FieldSpec("categories", .list, required: true, de: "Datenkategorien", en: "data categories"),
        FieldSpec("direction", .string, de: "Richtung (traeger->jobcenter …)", en: "direction"),
        FieldSpec("given", .timestamp, required: true, de: "Erteilt am", en: "given"),
        FieldSpec("revoked", .timestamp, de: "Widerrufen am", en: "revoked"),
        FieldSpec("form", .string, de: "Form (schriftlich, elektronisch)", en: "form (written, electronic)"),
    ])

    public static let participants = RecordSchema(.participants, [
        FieldSpec("participant", .string, required: true, disclosure: .person, de: "Teilnehmerkennung", en: "participant id"),
        FieldSpec("customer_number", .string, disclosure: .person, de: "Kundennummer", en: "customer number"),
        FieldSpec("traeger", .string, de: "Träger", en: "project provider"),
        FieldSpec("counselors", .list, disclosure: .person, de: "Beratende", en: "counselors"),
        FieldSpec("start", .timestamp, de: "Eintritt", en: "entry"),
        FieldSpec("end", .timestamp, de: "Austritt", en: "exit"),
    ])

    public static let offers = RecordSchema(.offers, [
        FieldSpec("offer", .string, required: true, de: "Angebot", en: "offer"),
        FieldSpec("provider", .string, required: true, de: "Anbieter", en: "provider"),
    ])
}

/// One normalised record: values indexed by the slots of its kind's schema, plus where it came from.
public struct Record: Sendable {
    public let kind: RecordKind
    public var values: [Value]
    public var locator: Locator

    public init(kind: RecordKind, values: [Value], locator: Locator) {
        precondition(values.count == kind.fieldCount, "record values must match the schema")
        self.kind = kind
        self.values = values
        self.locator = locator
    }

    public init(kind: RecordKind, locator: Locator) {
        self.kind = kind
        self.values = Array(repeating: .missing, count: kind.fieldCount)
        self.locator = locator
    }

    public subscript(slot: Int) -> Value {
        get { values[slot] }
        set { values[slot] = newValue }
    }

    /// Lookup by canonical name: for tests and tools, never for hot paths.
    public subscript(name: String) -> Value {
        get { kind.schema.slot(name).map { values[$0] } ?? .missing }
        set { if let s = kind.schema.slot(name) { values[s] = newValue } }
    }
}
