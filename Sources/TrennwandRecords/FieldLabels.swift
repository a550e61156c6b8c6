/// Display labels of the canonical fields and of their closed values, in German and English.
///
/// Reports show evidence under these labels instead of the internal field names
/// (`approved_by_leitung` → `Zustimmung der Leitung`). A field name means the same in every
/// record kind, so one label per name serves all kinds (`FieldSpec.label` reads it).
/// `FieldLabelTests` checks that every schema field and every symbol value has both labels.
public enum FieldLabels {
    public static let field: [String: Localized] = [
        "time": Localized(de: "Zeitpunkt", en: "Time"),
        "actor": Localized(de: "Benutzer", en: "User"),
        "actor_org": Localized(de: "Organisation des Benutzers", en: "User's organisation"),
        "actor_role": Localized(de: "Rolle des Benutzers", en: "User's role"),
        "system": Localized(de: "System", en: "System"),
        "system_owner": Localized(de: "Betreiber des Systems", en: "System owner"),
        "action": Localized(de: "Aktion", en: "Action"),
        "decision_type": Localized(de: "Art der Entscheidung", en: "Decision type"),
        "subject": Localized(de: "Betroffene Person", en: "Data subject"),
        "category": Localized(de: "Datenkategorie", en: "Data category"),
        "workstation": Localized(de: "Arbeitsplatz", en: "Workstation"),
        "network": Localized(de: "Netz", en: "Network"),
        "channel": Localized(de: "Übertragungsweg", en: "Channel"),
        "destination": Localized(de: "Empfänger", en: "Recipient"),
        "destination_org": Localized(de: "Empfänger-Organisation", en: "Recipient organisation"),
        "purpose": Localized(de: "Zweck", en: "Purpose"),
        "traeger": Localized(de: "Träger", en: "Provider"),
        "offer": Localized(de: "Angebot", en: "Offer"),
        "entry": Localized(de: "Gelesener Eintrag", en: "Entry accessed"),
        "team": Localized(de: "Team des Eintrags", en: "Entry's team"),
        "teams": Localized(de: "Teams", en: "Teams"),
        "record_id": Localized(de: "Eintrag", en: "Entry"),
        "author": Localized(de: "Verfasser/in", en: "Author"),
        "author_org": Localized(de: "Organisation des Verfassers", en: "Author's organisation"),
        "doc_type": Localized(de: "Art des Eintrags", en: "Entry type"),
        "text": Localized(de: "Freitext", en: "Free text"),
        "visibility": Localized(de: "Sichtbarkeit", en: "Visibility"),
        "transmitted_to": Localized(de: "Übermittelt an", en: "Transmitted to"),
        "consent_ref": Localized(de: "Einwilligung", en: "Consent"),
        "retention_until": Localized(de: "Aufbewahren bis", en: "Retain until"),
        "deleted": Localized(de: "Gelöscht", en: "Deleted"),
        "attachments": Localized(de: "Anhänge", en: "Attachments"),
        "flow_id": Localized(de: "Datenfluss", en: "Data flow"),
        "from_org": Localized(de: "Von Organisation", en: "From organisation"),
        "from_system": Localized(de: "Von System", en: "From system"),
        "to_org": Localized(de: "An Organisation", en: "To organisation"),
        "to_system": Localized(de: "An System", en: "To system"),
        "categories": Localized(de: "Datenkategorien", en: "Data categories"),
        "legal_basis": Localized(de: "Rechtsgrundlage", en: "Legal basis"),
        "agreement_ref": Localized(de: "Vereinbarung", en: "Agreement"),
        "consent_mechanism": Localized(de: "Einwilligungsverfahren", en: "Consent mechanism"),
        "encrypted": Localized(de: "Verschlüsselt", en: "Encrypted"),
        "person": Localized(de: "Person", en: "Person"),
        "org": Localized(de: "Organisation", en: "Organisation"),
        "unit": Localized(de: "Organisationseinheit", en: "Unit"),
        "roles": Localized(de: "Rollen", en: "Roles"),
        "instrument": Localized(de: "Rechtsinstrument", en: "Legal instrument"),
        "instrument_ref": Localized(de: "Aktenzeichen", en: "Instrument reference"),
        "start": Localized(de: "Beginn", en: "Start"),
        "end": Localized(de: "Ende", en: "End"),
        "schedule": Localized(de: "Einsatzplan", en: "Schedule"),
        "id": Localized(de: "Kennung", en: "Id"),
        "type": Localized(de: "Art", en: "Type"),
        "approved_by_leitung": Localized(de: "Zustimmung der Leitung", en: "Approved by management"),
        "valid_from": Localized(de: "Gültig ab", en: "Valid from"),
        "valid_to": Localized(de: "Gültig bis", en: "Valid to"),
        "permitted_flows": Localized(de: "Erlaubte Flüsse", en: "Permitted flows"),
        "participant": Localized(de: "Teilnehmer/in", en: "Participant"),
        "direction": Localized(de: "Richtung", en: "Direction"),
        "given": Localized(de: "Erteilt am", en: "Given"),
        "revoked": Localized(de: "Widerrufen am", en: "Revoked"),
        "form": Localized(de: "Form", en: "Form"),
        "customer_number": Localized(de: "Kundennummer", en: "Customer number"),
        "counselors": Localized(de: "Beratende", en: "Counselors"),
        "provider": Localized(de: "Anbieter", en: "Provider"),
        // Derived by checks, not a record field.
        "measure": Localized(de: "Messwert", en: "Measure"),
    ]

    /// Labels of the closed values (symbols and booleans) as they appear in evidence.
    public static let value: [String: Localized] = [
        "jobcenter": Localized(de: "Jobcenter", en: "Jobcenter"),
        "traeger": Localized(de: "Träger", en: "Provider"),
        "other": Localized(de: "andere", en: "other"),
        "extern": Localized(de: "extern", en: "external"),
        "read": Localized(de: "Lesen", en: "read"),
        "search": Localized(de: "Suchen", en: "search"),
        "create": Localized(de: "Anlegen", en: "create"),
        "update": Localized(de: "Ändern", en: "update"),
        "delete": Localized(de: "Löschen", en: "delete"),
        "export": Localized(de: "Export", en: "export"),
        "print": Localized(de: "Drucken", en: "print"),
        "download": Localized(de: "Herunterladen", en: "download"),
        "send": Localized(de: "Senden", en: "send"),
        "login": Localized(de: "Anmeldung", en: "login"),
        "decide": Localized(de: "Entscheiden", en: "decide"),
        "refer": Localized(de: "Zuweisen", en: "refer"),
        "team": Localized(de: "nur das Team", en: "team only"),
        "all": Localized(de: "alle", en: "everyone"),
        "restricted": Localized(de: "eingeschränkt", en: "restricted"),
        "true": Localized(de: "ja", en: "yes"),
        "false": Localized(de: "nein", en: "no"),
    ]

    /// The label of a field (its name when the schema does not know it).
    public static func label(field name: String) -> Localized {
        field[name] ?? Localized(de: name, en: name)
    }

    /// The display label of a value of `field`: symbol and boolean values get their label, every
    /// other value stays as it is.
    public static func label(value: String, field name: String) -> Localized? {
        guard let type = RecordKind.allCases.lazy.compactMap({ $0.schema.field(name)?.type }).first else { return nil }
        switch type {
        case .symbol(let values) where values.contains(value): return self.value[value]
        case .bool: return self.value[value]
        default: return nil
        }
    }
}
