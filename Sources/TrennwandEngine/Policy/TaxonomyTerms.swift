import TrennwandRecords

/// The vocabulary check of `rules lint`: every term a taxonomy category names (`terms:`) is named
/// by its description and detected by a keyword list that feeds the category.
///
/// The lint does not parse prose: a category lists the terms its German title or its basis names,
/// in the form a user would write them. Each term must occur in that description (compared
/// case-insensitively, whitespace runs as one space) — `taxonomy.term-not-described` — and the
/// scan's own detectors, run over the term as if it were a note, must report a hit of a keyword list
/// feeding the category — `taxonomy.term-uncovered`. A list *feeds* a category when its category
/// lies within it (what `detects_category(text, c)` tests) or is one of its ancestors (the nearest
/// category the pack tells apart: a term of `intern.potenzialanalyse` found by the list of `intern`
/// reaches every rule asking for `intern`).
package enum TaxonomyTerms {
    /// All problems, in file order of the taxonomy.
    package static func problems(_ taxonomy: Taxonomy, detectors: DetectorSet) -> [ConfigError] {
        var problems: [ConfigError] = []
        let categories = taxonomy.categories.values.sorted {
            ($0.position?.line ?? 0, $0.id) < ($1.position?.line ?? 0, $1.id)
        }
        for category in categories where !category.terms.isEmpty {
            let description = normalised(category.title.de + " " + category.basis)
            let feeding = detectors.detectors.indices.filter { d in
                let info = detectors.detectors[d]
                return info.kind == .keywords
                    && (taxonomy.isWithin(info.category, category.id) || taxonomy.isWithin(category.id, info.category))
            }
            let names = feeding.map { detectors.detectors[$0].name }
            for term in category.terms {
                if !contains(description, normalised(term.text)) {
                    problems.append(notDescribed(term, category: category.id))
                }
                let hits = detectors.scan([ByteString(term.text)]).hits
                if !hits.contains(where: { feeding.contains($0.detector) }) {
                    problems.append(uncovered(term, category: category.id, lists: names))
                }
            }
        }
        return problems
    }

    /// Folded bytes (case, umlauts) with every whitespace run as one space.
    static func normalised(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for b in TextBytes.fold(Array(text.utf8)) {
            let space = b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
            if space { if out.last != 0x20 { out.append(0x20) } } else { out.append(b) }
        }
        return out
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    static func notDescribed(_ term: Taxonomy.Term, category: String) -> ConfigError {
        ConfigError(term.position, code: "taxonomy.term-not-described",
                    de: "Begriff „\(term.text)“ steht nicht in Titel oder Grundlage von „\(category)“; dort nennen oder aus terms streichen",
                    en: "term '\(term.text)' does not occur in the title or basis of '\(category)'; name it there or drop it from terms")
    }

    static func uncovered(_ term: Taxonomy.Term, category: String, lists: [String]) -> ConfigError {
        let de = lists.isEmpty ? "keine Stichwortliste speist „\(category)“"
            : "keine der Listen, die „\(category)“ speisen (\(lists.joined(separator: ", "))), erkennt ihn"
        let en = lists.isEmpty ? "no keyword list feeds '\(category)'"
            : "none of the lists feeding '\(category)' (\(lists.joined(separator: ", "))) detects it"
        return ConfigError(term.position, code: "taxonomy.term-uncovered",
                           de: "Begriff „\(term.text)“ der Kategorie „\(category)“ wird nicht erkannt: \(de)",
                           en: "term '\(term.text)' of category '\(category)' is not detected: \(en)")
    }
}
