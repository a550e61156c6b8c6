// Loading the detector configuration: keyword list files (`Rules/lists/*.yaml`) and the
// identifier configuration (`Rules/detectors.yaml`). Every error is a ConfigError at file:line:column.
import Foundation
import TrennwandRecords
import TrennwandYAML

/// One keyword term of a list, parsed from the term syntax (see docs/detectors.md):
/// `wort` whole word, `wort*` word prefix, `*wort` compound suffix, `*wort*` anywhere.
/// A space inside a term matches any run of whitespace (phrases).
struct KeywordTerm: Sendable {
    var text: String
    /// The term without `*`, as UTF-8 bytes.
    var core: [UInt8]
    /// A word boundary is required before the match (no leading `*`).
    var leftBoundary: Bool
    /// A word boundary is required after the match (no trailing `*`).
    var rightBoundary: Bool
    var position: SourcePosition

    /// Parses one term; throws at `node` for an empty term, a `*` inside, or other characters
    /// than letters, digits, space, `-`, `.`, `'`, `/`, `§`, `&`.
    init(_ node: YAMLNode, allowLeadingStar: Bool = true) throws {
        let raw = try node.string().trimmingCharacters(in: .whitespaces)
        text = raw
        position = node.position
        var s = Substring(raw)
        leftBoundary = true
        rightBoundary = true
        if s.hasPrefix("*") {
            guard allowLeadingStar else {
                throw node.error("detectors.term", de: "„*“ am Anfang ist bei Ausnahmen nicht erlaubt: „\(raw)“",
                                 en: "a leading '*' is not allowed in exclude entries: '\(raw)'")
            }
            leftBoundary = false; s = s.dropFirst()
        }
        if s.hasSuffix("*") { rightBoundary = false; s = s.dropLast() }
        var letters = 0
        var lastWasSpace = true
        for ch in s.unicodeScalars {
            if ch.properties.isAlphabetic || ("0"..."9").contains(ch) {
                letters += 1; lastWasSpace = false
            } else if ch == " " {
                if lastWasSpace {
                    throw node.error("detectors.term", de: "doppeltes oder führendes Leerzeichen im Begriff „\(raw)“",
                                     en: "double or leading space in term '\(raw)'")
                }
                lastWasSpace = true
            } else if "-.'/§&".unicodeScalars.contains(ch) {
                lastWasSpace = false
            } else {
                let what = ch == "*" ? "„*“ nur am Anfang oder Ende" : "Zeichen „\(ch)“ nicht erlaubt"
                let whatEN = ch == "*" ? "'*' only at the start or end" : "character '\(ch)' not allowed"
                throw node.error("detectors.term", de: "ungültiger Begriff „\(raw)“: \(what)",
                                 en: "invalid term '\(raw)': \(whatEN)")
            }
        }
        guard letters >= 3 else {
            throw node.error("detectors.term", de: "Begriff „\(raw)“ braucht mindestens drei Buchstaben oder Ziffern",
                             en: "term '\(raw)' needs at least three letters or digits")
        }
        core = Array(s.utf8)
    }

    /// The number of bytes every match of `expression` spans, nil when it varies (a space matches
    /// `\s+`, `ß` also `ẞ`): every other byte of the term stands for exactly one byte (an umlaut's
    /// two bytes for two). Such a term's start is its end minus this length.
    var fixedLength: Int? {
        atoms.contains { $0 == .space || $0 == .eszett } ? nil : core.count
    }

    /// The term unit by unit, as Vectorscan matches it: the one reading behind `expression` and
    /// `KeywordAtom.start(of:in:end:)`, which finds where a match reported by its end alone starts.
    var atoms: [KeywordAtom] {
        var out: [KeywordAtom] = []
        var i = 0
        while i < core.count {
            let b = core[i]
            if b == 0x20 { out.append(.space) }
            else if b | 0x20 >= 0x61 && b | 0x20 <= 0x7A { out.append(.letter(b)) }
            else if b < 0x80 { out.append(.byte(b)) }
            else if b == 0xC3, i + 1 < core.count, core[i + 1] >= 0x80, core[i + 1] <= 0xBE,
                    core[i + 1] != 0x97, core[i + 1] != 0xB7, core[i + 1] != 0x9F {
                out.append(.umlaut(core[i + 1] | 0x20, core[i + 1] & ~0x20))
                i += 1
            } else if b == 0xC3, i + 1 < core.count, core[i + 1] == 0x9F {
                out.append(.eszett)
                i += 1
            } else { out.append(.byte(b)) }
            i += 1
        }
        return out
    }

    /// The Vectorscan expression: literal bytes, umlauts and other Latin-1 letters as
    /// `\xC3[\xLL\xUU]` (CASELESS only folds ASCII), spaces as `\s+`.
    var expression: String {
        func hex(_ b: UInt8) -> String { "\\x" + String(b, radix: 16, uppercase: true).leftPad(2) }
        var out = ""
        for atom in atoms {
            switch atom {
            case .space: out += "\\s+"
            case .letter(let b): out.append(Character(Unicode.Scalar(b)))
            case .byte(let b) where b >= 0x30 && b <= 0x39: out.append(Character(Unicode.Scalar(b)))
            case .byte(let b) where b < 0x80: out += "\\" + String(Character(Unicode.Scalar(b)))
            case .byte(let b): out += hex(b)
            case .umlaut(let lower, let upper): out += "\\xC3[" + hex(lower) + hex(upper) + "]"
            case .eszett: out += "(?:\\xC3\\x9F|\\xE1\\xBA\\x9E)" // ß or ẞ
            }
        }
        return out
    }
}

/// One unit of a keyword term's expression (`KeywordTerm.atoms`), as Vectorscan matches it.
enum KeywordAtom: Sendable, Equatable {
    /// This byte.
    case byte(UInt8)
    /// This ASCII letter (as written) in either case (`HS_FLAG_CASELESS`).
    case letter(UInt8)
    /// 0xC3 and then one of the two bytes (an umlaut in either case).
    case umlaut(UInt8, UInt8)
    /// `ß` (C3 9F) or `ẞ` (E1 BA 9E).
    case eszett
    /// One or more of tab, LF, VT, FF, CR and space (`\s+`).
    case space

    /// Where the match of `atoms` that ends at `end` in `b` starts, nil when none ends there.
    /// Unique: a term's letters are never white space, so a space takes all the white space
    /// before the next letter — the leftmost start, as Vectorscan's `HS_FLAG_SOM_LEFTMOST` gives.
    static func start(of atoms: [KeywordAtom], in b: UnsafeBufferPointer<UInt8>, end: Int) -> Int? {
        func isSpace(_ x: UInt8) -> Bool { x == 0x20 || (x >= 0x09 && x <= 0x0D) }
        var i = end
        for atom in atoms.reversed() {
            switch atom {
            case .byte(let x):
                guard i > 0, b[i - 1] == x else { return nil }
                i -= 1
            case .letter(let x):
                guard i > 0, b[i - 1] | 0x20 == x | 0x20 else { return nil }
                i -= 1
            case .umlaut(let lower, let upper):
                guard i > 1, b[i - 2] == 0xC3, b[i - 1] == lower || b[i - 1] == upper else { return nil }
                i -= 2
            case .eszett:
                if i > 1, b[i - 2] == 0xC3, b[i - 1] == 0x9F {
                    i -= 2
                } else if i > 2, b[i - 3] == 0xE1, b[i - 2] == 0xBA, b[i - 1] == 0x9E {
                    i -= 3
                } else {
                    return nil
                }
            case .space:
                guard i > 0, isSpace(b[i - 1]) else { return nil }
                while i > 0, isSpace(b[i - 1]) { i -= 1 }
            }
        }
        return i
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// An exclude entry of a list: a whole word (or `wort*`, a word prefix) in which hits are suppressed.
struct ExcludeEntry: Sendable {
    var folded: [UInt8]
    var prefix: Bool
}

/// One keyword list file.
struct KeywordList: Sendable {
    var name: String
    var category: String
    var title: Localized
    var terms: [KeywordTerm]
    var excludes: [ExcludeEntry]

    static func load(path: String) throws -> KeywordList {
        let root = try YAMLNode.load(path: path)
        let m = try root.mapping(allowed: ["category", "title", "description", "terms", "exclude"])
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let categoryNode = try m.required("category")
        let category = try categoryNode.string()
        guard isCategoryName(category) else {
            throw categoryNode.error("detectors.category",
                                     de: "ungültige Kategorie „\(category)“ (klein, mit Punkten, z. B. sozial.leistung)",
                                     en: "invalid category '\(category)' (lower case, dotted, e.g. sozial.leistung)")
        }
        let title = try m.required("title").localized()
        var terms: [KeywordTerm] = []
        var seen: Set<[UInt8]> = []
        let termNodes = try m.required("terms").sequence()
        guard !termNodes.isEmpty else {
            throw m.node.error("detectors.terms-empty", de: "„terms“ ist leer", en: "'terms' is empty")
        }
        for node in termNodes {
            let term = try KeywordTerm(node)
            let key = TextBytes.fold(Array(term.text.utf8))
            guard seen.insert(key).inserted else {
                throw node.error("detectors.duplicate", de: "Begriff „\(term.text)“ kommt doppelt vor",
                                 en: "duplicate term '\(term.text)'")
            }
            terms.append(term)
        }
        var excludes: [ExcludeEntry] = []
        for node in try m.optional("exclude")?.sequence() ?? [] {
            let term = try KeywordTerm(node, allowLeadingStar: false)
            excludes.append(ExcludeEntry(folded: TextBytes.fold(term.core), prefix: !term.rightBoundary))
        }
        return KeywordList(name: name, category: category, title: title, terms: terms, excludes: excludes)
    }

    static func isCategoryName(_ s: String) -> Bool {
        guard !s.isEmpty, !s.hasPrefix("."), !s.hasSuffix("."), !s.contains("..") else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) }
    }
}

/// Built-in check of an identifier detector.
enum IdentifierCheck: String, Sendable, CaseIterable {
    case steuer_id, iban, rv_nummer, kvnr, ausweis
    /// No check digit: the configured pattern plus (required) context words.
    case none

    /// Candidate expression of the built-in checks (case-sensitive, spaces where documents put them).
    var builtinPattern: String? {
        switch self {
        case .steuer_id: return "[1-9](?: ?[0-9]){10}"
        case .iban: return "[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?"
        case .rv_nummer: return "[0-9](?: ?[0-9]){7} ?[A-Z](?: ?[0-9]){3}"
        case .kvnr: return "[A-Z][0-9]{9}"
        case .ausweis: return "[CFGHJKLMNPRTVWXYZ0-9]{9}[0-9]"
        case .none: return nil
        }
    }

    func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch self {
        case .steuer_id: return IdentifierValidator.isValidSteuerID(bytes)
        case .iban: return IdentifierValidator.isValidIBAN(bytes)
        case .rv_nummer: return IdentifierValidator.isValidRVNummer(bytes)
        case .kvnr: return IdentifierValidator.isValidKVNR(bytes)
        case .ausweis: return IdentifierValidator.isValidAusweis(bytes)
        case .none: return true
        }
    }
}

/// One identifier detector of `Rules/detectors.yaml`.
struct IdentifierConfig: Sendable {
    var name: String
    var title: Localized
    var check: IdentifierCheck
    var pattern: String
    var patternPosition: SourcePosition
    var context: [KeywordTerm]
    var contextRequired: Bool
    var windowBefore: Int
    var windowAfter: Int

    static func loadAll(path: String) throws -> [IdentifierConfig] {
        let root = try YAMLNode.load(path: path)
        let top = try root.mapping(allowed: ["identifiers"])
        var result: [IdentifierConfig] = []
        var names: Set<String> = []
        for entry in try top.required("identifiers").mapping().entries {
            let name = entry.key
            guard KeywordList.isCategoryName(name), !name.contains("."), names.insert(name).inserted else {
                throw entry.keyNode.error("detectors.name", de: "ungültiger oder doppelter Name „\(name)“",
                                          en: "invalid or duplicate name '\(name)'")
            }
            let m = try entry.value.mapping(allowed: ["title", "check", "pattern", "context", "context_required",
                                                      "window_before", "window_after", "description"])
            let title = try m.required("title").localized()
            let checkNode = try m.required("check")
            guard let check = IdentifierCheck(rawValue: try checkNode.string()) else {
                let allowed = IdentifierCheck.allCases.map(\.rawValue).joined(separator: ", ")
                throw checkNode.error("detectors.check", de: "unbekannte Prüfung (erlaubt: \(allowed))",
                                      en: "unknown check (allowed: \(allowed))")
            }
            var pattern = check.builtinPattern ?? ""
            var patternPosition = checkNode.position
            if let p = m.optional("pattern") {
                guard check == .none else {
                    throw p.error("detectors.pattern", de: "„pattern“ nur mit „check: none“; eingebaute Prüfungen haben ein festes Muster",
                                  en: "'pattern' only with 'check: none'; built-in checks have a fixed pattern")
                }
                pattern = try p.string()
                patternPosition = p.position
            } else if check == .none {
                throw m.node.error("detectors.pattern", de: "„check: none“ braucht ein „pattern“",
                                   en: "'check: none' needs a 'pattern'")
            }
            let context = try (m.optional("context")?.sequence() ?? []).map { try KeywordTerm($0) }
            let required = try m.optional("context_required")?.bool() ?? (check == .none)
            if (required || check == .none) && context.isEmpty {
                throw m.node.error("detectors.context", de: "Kontextwörter („context“) fehlen; ohne Prüfziffer sind sie Pflicht",
                                   en: "context words ('context') missing; they are required without a check digit")
            }
            if check == .none && !required {
                throw m.optional("context_required")!.error(
                    "detectors.context", de: "ohne Prüfziffer muss „context_required“ true sein",
                    en: "without a check digit 'context_required' must be true")
            }
            func window(_ key: String, _ def: Int) throws -> Int {
                guard let n = m.optional(key) else { return def }
                let v = try n.int()
                guard (0...1000).contains(v) else {
                    throw n.error("detectors.window", de: "Fenster 0–1000 Bytes", en: "window must be 0–1000 bytes")
                }
                return v
            }
            result.append(IdentifierConfig(
                name: name, title: title, check: check, pattern: pattern, patternPosition: patternPosition,
                context: context, contextRequired: required,
                windowBefore: try window("window_before", 40), windowAfter: try window("window_after", 0)))
        }
        return result
    }
}
