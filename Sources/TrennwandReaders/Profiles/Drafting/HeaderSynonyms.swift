import TrennwandRecords

/// Header and value words the profile drafter recognises: German and English synonyms per
/// canonical field, and words that suggest a symbol target (`Lesen` → `read`).
///
/// Words are written normalised (`HeaderSynonyms.normalise`: lower case, umlauts as ae/oe/ue,
/// ß as ss, only letters and digits), so `Kunden-Nr.` is `kundennr`. A field name appears in
/// several kinds (`subject`, `traeger` …); only the fields of the kind being drafted count, so
/// `Kennung` is `actor` in an access log, `person` in a staff table and `id` for agreements.
package enum HeaderSynonyms {
    /// Canonical field → header words, most specific first.
    package static let fields: [String: [String]] = [
        // access
        "time": ["zeitpunkt", "zeitstempel", "datumzeit", "datumuhrzeit", "datum", "uhrzeit", "zeit", "erstelltam",
                 "timestamp", "datetime", "time", "date", "eventtime", "loggedat"],
        "actor": ["benutzerkennung", "nutzerkennung", "benutzer", "nutzer", "kennung", "benutzername", "anwender",
                  "sachbearbeiter", "bearbeiter", "mitarbeiter", "login", "userid", "user", "username", "account"],
        "actor_org": ["organisation", "benutzerorganisation", "org", "behoerde", "dienststelle", "organization"],
        "actor_role": ["rolle", "benutzerrolle", "funktion", "role", "userrole"],
        "system": ["verfahren", "fachverfahren", "system", "anwendung", "applikation", "software", "application"],
        "system_owner": ["betreiber", "systembetreiber", "owner", "systemowner"],
        "action": ["aktion", "zugriffsart", "vorgang", "aktivitaet", "taetigkeit", "operation", "ereignis",
                   "action", "event", "activity"],
        "decision_type": ["entscheidungsart", "bescheidart", "entscheidung", "decisiontype", "decision"],
        "subject": ["kundennr", "kundennummer", "kunde", "kundenid", "teilnehmernr", "teilnehmernummer", "teilnehmer",
                    "teilnehmerid", "betroffener", "betroffene", "fallnummer", "customer", "customerid", "subject",
                    "participant", "participantid"],
        "category": ["datenkategorie", "kategorie", "datenart", "modul", "bereich", "category", "datacategory", "module"],
        "workstation": ["arbeitsplatz", "arbeitsplatzrechner", "rechner", "rechnername", "client", "host", "hostname",
                        "workstation", "computer"],
        "network": ["netz", "netzwerk", "netzsegment", "network"],
        "channel": ["uebertragungsweg", "kanal", "uebermittlungsweg", "channel", "transport"],
        "destination": ["empfaenger", "ziel", "adressat", "recipient", "destination"],
        "destination_org": ["empfaengerorganisation", "zielorganisation", "recipientorganisation", "destinationorg"],
        "purpose": ["zweck", "anlass", "grund", "begruendung", "purpose", "reason"],
        "traeger": ["traeger", "massnahmetraeger", "bildungstraeger", "projekttraeger"],
        "offer": ["angebot", "massnahme", "offer"],
        "entry": ["eintrag", "eintragsnr", "eintragsid", "vermerkid", "vermerknr", "dokumentid", "entry", "entryid"],
        // documentation
        "record_id": ["id", "kennung", "eintragsnr", "eintragsid", "vermerkid", "vermerknr", "dokumentid", "recordid",
                      "entryid", "documentid"],
        "author": ["verfasser", "verfasserin", "autor", "erstelltvon", "author", "createdby"],
        "author_org": ["organisation", "verfasserorganisation", "org", "organization"],
        "doc_type": ["typ", "art", "dokumenttyp", "vermerkart", "eintragsart", "doctype", "type"],
        "text": ["text", "freitext", "inhalt", "notiz", "vermerk", "content", "note", "body"],
        "visibility": ["sichtbarkeit", "sichtbar", "freigabe", "visibility"],
        "team": ["team", "beratungsteam", "teamname"],
        "transmitted_to": ["uebermitteltan", "weitergegebenan", "uebermittlung", "transmittedto", "sentto"],
        "consent_ref": ["einwilligung", "einwilligungsnr", "einwilligungsid", "consent", "consentid"],
        "retention_until": ["aufbewahrenbis", "aufbewahrungbis", "loeschdatum", "loeschenam", "retentionuntil"],
        "deleted": ["geloescht", "loeschkennzeichen", "deleted"],
        "attachments": ["anhang", "anhaenge", "anlage", "anlagen", "attachment", "attachments"],
        // flow
        "flow_id": ["flussid", "fluss", "flussnr", "flowid"],
        "from_org": ["vonorganisation", "absenderorganisation", "absender", "fromorg", "sender"],
        "from_system": ["vonsystem", "quellsystem", "fromsystem", "sourcesystem"],
        "to_org": ["anorganisation", "empfaengerorganisation", "toorg"],
        "to_system": ["ansystem", "zielsystem", "tosystem", "targetsystem"],
        "categories": ["datenkategorien", "kategorien", "datenkategorie", "categories", "datacategories"],
        "legal_basis": ["rechtsgrundlage", "rechtsgrundlagen", "legalbasis"],
        "agreement_ref": ["vereinbarung", "vereinbarungsnr", "agreement", "agreementref"],
        "consent_mechanism": ["einwilligungsverfahren", "consentmechanism"],
        "encrypted": ["verschluesselt", "verschluesselung", "encrypted", "encryption"],
        // reference tables
        "person": ["benutzerkennung", "kennung", "benutzer", "personalnr", "mitarbeiter", "person", "userid", "account"],
        "org": ["organisation", "org", "organization"],
        "unit": ["organisationseinheit", "einheit", "team", "abteilung", "unit", "department"],
        "roles": ["rollen", "rolle", "roles", "role"],
        "teams": ["teams", "teamzugehoerigkeit", "teammitgliedschaft"],
        "instrument": ["instrument", "rechtsinstrument"],
        "instrument_ref": ["aktenzeichen", "az", "geschaeftszeichen", "reference"],
        "start": ["beginn", "eintritt", "start", "startdate", "von", "ab"],
        "end": ["ende", "austritt", "end", "enddate", "bis"],
        "schedule": ["einsatzplan", "zeitplan", "arbeitszeit", "schedule"],
        "id": ["kennung", "id", "nummer", "vereinbarungsnr"],
        "type": ["art", "typ", "vereinbarungsart", "type"],
        "approved_by_leitung": ["gezeichnetdurchleitung", "gezeichnet", "leitung", "approvedbyleitung", "approved"],
        "valid_from": ["gueltigvon", "gueltigab", "validfrom"],
        "valid_to": ["gueltigbis", "validto", "validuntil"],
        "permitted_flows": ["erlaubtefluesse", "erlaubteflusse", "permittedflows"],
        "participant": ["teilnehmernr", "teilnehmernummer", "teilnehmer", "teilnehmerid", "participant", "participantid"],
        "direction": ["richtung", "direction"],
        "given": ["erteiltam", "erteilt", "given", "givenat"],
        "revoked": ["widerrufenam", "widerrufen", "widerruf", "revoked", "revokedat"],
        "form": ["form", "einwilligungsform"],
        "customer_number": ["kundennr", "kundennummer", "customernumber"],
        "counselors": ["beratende", "berater", "beraterin", "betreuer", "ansprechpartner", "counselors", "counsellors"],
        "provider": ["anbieter", "provider", "traeger"],
    ]

    /// Fields that hold one value for a whole export (which system wrote the log, whose it is, for
    /// which Träger). A file without such a column gets a `value:` stub the user fills in once.
    package static let fileLevelFields: [RecordKind: [String]] = [
        .access: ["system", "system_owner", "traeger"],
    ]

    /// String fields whose values rules compare against a vocabulary (taxonomy categories,
    /// decision types): drafted with a value map like symbol fields.
    package static let vocabularyFields: Set<String> = ["category", "decision_type"]

    /// Symbol target → value words that suggest it (normalised). A value whose normalised form or
    /// one of its word parts is such a word gets that target as a best guess.
    package static let targets: [String: [String]] = [
        "jobcenter": ["jobcenter", "jc", "jobcenternetz"],
        "traeger": ["traeger", "tr", "traegerlan", "massnahmetraeger"],
        "other": ["sonstige", "sonstiges", "andere", "other"],
        "extern": ["extern", "externes", "internet", "vpn", "fremdnetz", "external"],
        "read": ["lesen", "anzeigen", "ansehen", "aufrufen", "einsehen", "oeffnen", "abrufen", "read", "view", "open", "show"],
        "search": ["suchen", "suche", "recherche", "search", "query"],
        "create": ["anlegen", "erstellen", "erfassen", "neuanlage", "create", "insert", "add"],
        "update": ["aendern", "bearbeiten", "aktualisieren", "aenderung", "update", "edit", "modify", "change"],
        "delete": ["loeschen", "entfernen", "loeschung", "delete", "remove"],
        "export": ["export", "exportieren"],
        "print": ["drucken", "druck", "print"],
        "download": ["download", "herunterladen"],
        "send": ["versand", "versenden", "senden", "uebermitteln", "send", "mail"],
        "login": ["anmeldung", "anmelden", "login", "logon", "einloggen", "signin"],
        "decide": ["bescheid", "entscheiden", "decide"],
        "refer": ["zuweisung", "zuweisen", "zugewiesen", "refer", "referral"],
        "team": ["team", "beratungsteam", "nurteam", "teamintern", "teamonly"],
        "all": ["alle", "allgemein", "oeffentlich", "all", "everyone", "public"],
        "restricted": ["eingeschraenkt", "vertraulich", "gesperrt", "restricted", "confidential"],
    ]

    /// `Kunden-Nr.` → `kundennr`: lower case, umlauts and ß spelled out, only letters and digits.
    package static func normalise(_ s: String) -> String {
        var out = ""
        for ch in s.lowercased() {
            switch ch {
            case "ä": out += "ae"
            case "ö": out += "oe"
            case "ü": out += "ue"
            case "ß": out += "ss"
            default: if ch.isLetter || ch.isNumber { out.append(ch) }
            }
        }
        return out
    }

    /// How well a header matches `field`: 2 exact, 1 when the header contains a synonym of at least
    /// five letters (`Datenkategorien` ⊃ `datenkategorie`), 0 otherwise.
    package static func score(header: String, field: String) -> Int {
        guard let words = fields[field] else { return 0 }
        let h = normalise(header)
        guard !h.isEmpty else { return 0 }
        if words.contains(h) { return 2 }
        if words.contains(where: { $0.count >= 5 && h.contains($0) }) { return 1 }
        return 0
    }

    /// The one symbol of `allowed` that a value suggests, or nil when none or several do.
    package static func guessTarget(value: String, allowed: [String]) -> String? {
        let v = normalise(value)
        let parts = Set(value.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { normalise(String($0)) })
        let hits = allowed.filter { target in
            if v == target { return true }
            let words = targets[target] ?? []
            return words.contains(v) || words.contains(where: { parts.contains($0) })
        }
        return hits.count == 1 ? hits[0] : nil
    }
}
