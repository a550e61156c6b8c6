import Foundation
import TrennwandRecords

/// Appending one waiver to a waiver file as text, so reviewers see a clean diff.
///
/// The existing bytes are never rewritten: the new entry is appended (after a newline if the file
/// does not end with one). The result is parsed before anything is written, so a file that would
/// no longer load is never produced.
public enum WaiverFile {
    /// Default file name in the working directory.
    public static let defaultPath = "trennwand-waivers.yaml"

    /// Header comment of a newly created waiver file.
    public static let header = """
        # Trennwand – Ausnahmen (Waivers) / waivers
        # Jeder Eintrag braucht: rule, fingerprint oder match, decision, reason, approver, created, expires
        # (höchstens 12 Monate nach created); weite Ausnahmen zusätzlich scope: broad und second_approver.
        # decision: false_positive, accepted_risk, mitigated oder reported_art33 (dann auch reported_on
        # und authority_reference); owner: wer die Feststellung weiterverfolgt.
        # Each entry needs: rule, fingerprint or match, decision, reason, approver, created, expires (at
        # most 12 months after created); broad waivers also scope: broad and second_approver.
        # decision: false_positive, accepted_risk, mitigated or reported_art33 (then also reported_on
        # and authority_reference); owner: who follows the finding up.
        # Datum 31.01.2027 oder 2027-01-31 = bis Tagesende Europe/Berlin; Uhrzeit nur mit Zeitzone (Z, +02:00).
        # A date (31.01.2027 or 2027-01-31) means through the end of that day in Europe/Berlin;
        # date-times need a zone.
        # Änderungen nur per Review / changes by review only. See docs/waivers.md.

        """

    /// A waiver to append, as given on the command line.
    public struct Draft: Sendable, Hashable {
        public var rule: String
        public var fingerprint: String
        public var reason: String
        public var approver: String
        /// `--until` as written: a date or a date-time with zone; nil: the latest allowed expiry.
        public var until: String?
        public var ticket: String?
        /// The decision kind (`waive` always gives one; nil only for callers from before decisions).
        public var decision: WaiverDecision?
        public var owner: String?
        /// `reported_art33`: the report date as written (nil: today); the authority's reference.
        public var reportedOn: String?
        public var authorityReference: String?
        /// Comment lines written above the entry (rule title, masked evidence); neutralised on writing.
        public var comment: [String]

        public init(rule: String, fingerprint: String, reason: String, approver: String, until: String?, ticket: String? = nil,
                    decision: WaiverDecision? = nil, owner: String? = nil, reportedOn: String? = nil,
                    authorityReference: String? = nil, comment: [String] = []) {
            self.rule = rule
            self.fingerprint = fingerprint
            self.reason = reason
            self.approver = approver
            self.until = until
            self.ticket = ticket
            self.decision = decision
            self.owner = owner
            self.reportedOn = reportedOn
            self.authorityReference = authorityReference
            self.comment = comment
        }
    }

    /// Why a draft cannot become a waiver.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var code: String
        public var message: Localized

        public init(code: String, de: String, en: String) {
            self.code = code
            self.message = Localized(de: de, en: en)
        }

        public var description: String { message.de }
    }

    /// Checks a draft at `now` (UTC epoch seconds) against the limits and, if given, the rule ids
    /// of the loaded pack. Returns the expiry as it is written into the file (the `--until` text,
    /// or the latest allowed date when it was omitted).
    public static func validate(_ draft: Draft, now: Int64, limits: WaiverLimits = WaiverLimits(),
                                knownRules: Set<String>? = nil) throws -> String {
        let rule = draft.rule.uppercased()
        guard rule.hasPrefix("TW"), rule.count > 2, rule.dropFirst(2).allSatisfy(\.isNumber) else {
            throw Problem(code: "waive.rule", de: "Regel-ID der Form TWnnn erwartet, nicht „\(draft.rule)“",
                          en: "rule id of the form TWnnn expected, not '\(draft.rule)'")
        }
        if let knownRules, !knownRules.contains(where: { $0.uppercased() == rule }) {
            throw Problem(code: "waive.unknown-rule", de: "Regel \(rule) gibt es im geladenen Regelwerk nicht",
                          en: "rule \(rule) does not exist in the loaded rule pack")
        }
        guard WaiverSet.isFingerprint(draft.fingerprint.lowercased()) else {
            throw Problem(code: "waive.fingerprint", de: "Fingerabdruck muss hexadezimal sein (Feld „fingerprint“ in JSON Lines, partialFingerprints in SARIF)",
                          en: "fingerprint must be hexadecimal (field 'fingerprint' in JSON Lines, partialFingerprints in SARIF)")
        }
        for (value, de, en) in [(draft.reason, "Begründung (--reason)", "reason (--reason)"),
                                (draft.approver, "Genehmigende Person (--approver)", "approver (--approver)")]
        where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw Problem(code: "waive.empty", de: "\(de) ist leer", en: "\(en) is empty")
        }
        if let owner = draft.owner, owner.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw Problem(code: "waive.empty", de: "Verantwortliche Person (--owner) ist leer", en: "owner (--owner) is empty")
        }
        let zone = ZoneConverter(identifier: WaiverSet.dateZone)
        try validateArt33(draft, now: now, zone: zone)
        // `created` is written as today's date: 00:00 Berlin of today.
        let created: Int64
        switch WaiverTime.parse(WaiverTime.berlinDate(now), endOfDay: false, zone: zone) {
        case .success(let t): created = t
        case .failure(let p): throw Problem(code: "waive.until", de: p.de, en: p.en)
        }
        let latest = limits.latestExpiry(created: created)
        guard let until = draft.until else { return WaiverTime.berlinDate(latest - 1) }
        let expires: Int64
        switch WaiverTime.parse(until, endOfDay: true, zone: zone) {
        case .success(let t): expires = t
        case .failure(let p): throw Problem(code: "waive.until", de: "--until: \(p.de)", en: "--until: \(p.en)")
        }
        guard expires > now else {
            throw Problem(code: "waive.until-past", de: "--until \(until) liegt in der Vergangenheit",
                          en: "--until \(until) is in the past")
        }
        guard expires <= latest else {
            let last = WaiverTime.berlinDate(latest - 1)
            throw Problem(code: "waive.until-too-late",
                          de: "--until \(until) liegt mehr als \(limits.maxValidityMonths) Monate nach heute (spätestens \(last))",
                          en: "--until \(until) is more than \(limits.maxValidityMonths) months after today (at the latest \(last))")
        }
        return until
    }

    /// `reported_art33` needs the authority's reference and a report date not in the future; the
    /// two fields are refused with any other decision.
    static func validateArt33(_ draft: Draft, now: Int64, zone: ZoneConverter?) throws {
        guard draft.decision == .reportedArt33 else {
            if draft.reportedOn != nil || draft.authorityReference != nil {
                throw Problem(code: "waive.art33-only",
                              de: "--reported-on und --authority-reference nur mit --decision reported_art33",
                              en: "--reported-on and --authority-reference only with --decision reported_art33")
            }
            return
        }
        guard let reference = draft.authorityReference, !reference.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Problem(code: "waive.authority-reference",
                          de: "--decision reported_art33 braucht das Aktenzeichen der Aufsichtsbehörde (--authority-reference)",
                          en: "--decision reported_art33 needs the supervisory authority's reference (--authority-reference)")
        }
        if let text = draft.reportedOn {
            switch WaiverTime.parse(text, endOfDay: false, zone: zone) {
            case .success(let t) where t > now:
                throw Problem(code: "waive.reported-on", de: "--reported-on liegt in der Zukunft", en: "--reported-on lies in the future")
            case .success: break
            case .failure(let p): throw Problem(code: "waive.reported-on", de: "--reported-on: \(p.de)", en: "--reported-on: \(p.en)")
            }
        }
    }

    /// The YAML text of one entry (starting with a blank line, ending with a newline), for a draft
    /// that `validate` accepted; `expires` is what `validate` returned.
    public static func entryText(_ draft: Draft, now: Int64, expires: String) -> String {
        var t = "\n"
        for line in draft.comment { t += "# \(commentText(line))\n" }
        t += "- rule: \(draft.rule.uppercased())\n"
        t += "  fingerprint: \(draft.fingerprint.lowercased())\n"
        if let decision = draft.decision { t += "  decision: \(decision.rawValue)\n" }
        t += "  reason: \(quote(draft.reason))\n"
        t += "  approver: \(quote(draft.approver))\n"
        if let owner = draft.owner { t += "  owner: \(quote(owner))\n" }
        t += "  created: \(WaiverTime.berlinDate(now))\n"
        t += "  expires: \(expires)\n"  // validated date or date-time: safe as a plain scalar
        if draft.decision == .reportedArt33 {
            t += "  reported_on: \(draft.reportedOn ?? WaiverTime.berlinDate(now))\n"  // validated, as expires
            if let reference = draft.authorityReference { t += "  authority_reference: \(quote(reference))\n" }
        }
        if let ticket = draft.ticket { t += "  ticket: \(quote(ticket))\n" }
        return t
    }

    /// The new file text: `existing` (nil: a new file with the header) plus the entry. Validates the
    /// draft and that the result loads; throws `Problem` or the `ConfigError` of the existing file.
    public static func appending(_ draft: Draft, to existing: String?, file: String, now: Int64,
                                 limits: WaiverLimits = WaiverLimits(), knownRules: Set<String>? = nil) throws -> String {
        let expires = try validate(draft, now: now, limits: limits, knownRules: knownRules)
        if let existing { _ = try WaiverSet.parse(existing, file: file, limits: limits) }
        var text = existing ?? header
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += entryText(draft, now: now, expires: expires)
        let set = try WaiverSet.parse(text, file: file, limits: limits, clock: now)
        guard let last = set.waivers.last, last.fingerprint == draft.fingerprint.lowercased() else {
            throw Problem(code: "waive.append", de: "Eintrag konnte nicht angehängt werden (Dateiende ist keine Liste)",
                          en: "entry could not be appended (the file does not end in a list)")
        }
        return text
    }

    /// Appends a waiver to the file at `path` (created with a header if missing). Only the new bytes
    /// are written, with `O_APPEND`; returns the text that was appended.
    @discardableResult
    public static func append(_ draft: Draft, path: String, now: Int64, limits: WaiverLimits = WaiverLimits(),
                              knownRules: Set<String>? = nil) throws -> String {
        let data = FileManager.default.contents(atPath: path)
        let existing = data.map { String(decoding: $0, as: UTF8.self) }
        if let data, let existing, existing.utf8.count != data.count {
            throw Problem(code: "waive.encoding", de: "\(path) ist kein gültiges UTF-8", en: "\(path) is not valid UTF-8")
        }
        let full = try appending(draft, to: existing, file: path, now: now, limits: limits, knownRules: knownRules)
        let added = Array(full.utf8.dropFirst(data?.count ?? 0))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw Problem(code: "waive.write", de: "\(path) nicht schreibbar: \(SystemErrorText.describe(errno).de)",
                          en: "cannot write \(path): \(SystemErrorText.describe(errno).en)")
        }
        defer { close(fd) }
        var offset = 0
        while offset < added.count {
            let n = added.withUnsafeBytes { write(fd, $0.baseAddress! + offset, added.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Problem(code: "waive.write", de: "\(path) nicht schreibbar: \(SystemErrorText.describe(errno).de)",
                              en: "cannot write \(path): \(SystemErrorText.describe(errno).en)")
            }
            offset += n
        }
        return String(decoding: added, as: UTF8.self)
    }

    /// One comment line: neutralised, and every character YAML may read as a line break (LF, CR,
    /// NEL, LS, PS) or a tab shown as a space, so the comment cannot end early.
    static func commentText(_ s: String) -> String {
        String(String.UnicodeScalarView(Masking.neutralised(s).unicodeScalars.map { u in
            [0x0A, 0x0D, 0x09, 0x85, 0x2028, 0x2029].contains(u.value) ? " " : u
        }))
    }

    /// A YAML double-quoted scalar.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: 2 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
