import Foundation
import TrennwandRecords
import TrennwandYAML

/// The hierarchy of data categories (`sozial.leistung` lies within `sozial`), grounded in the
/// catalogue of SGB2§51bDatV.
///
/// Loaded from `Rules/taxonomy.yaml`, a flat list of categories with dotted ids and an optional
/// `parent:`. The dotted id *is* the path: `parent`, when written, must equal the id without its
/// last segment, and when omitted is derived from it. Duplicate ids, unknown parents, cycles and
/// inconsistent parents are `ConfigError`s naming `file:line:column`.
public struct Taxonomy: Sendable {
    /// One data category.
    public struct Category: Sendable, Hashable {
        /// Dotted path, e.g. `gesundheit.gutachten`.
        public var id: String
        public var title: Localized
        /// Where the category comes from: the SGB2§51bDatV group and/or the norm that protects it.
        public var basis: String
        /// The parent's id; nil for a top-level category.
        public var parent: String?
        /// Where the category is declared (nil when built in code).
        public var position: SourcePosition?
        /// The terms its title or basis names, as a user would write them (`terms:`); `rules lint`
        /// checks that the description names each and that a keyword list feeding the category
        /// detects it (`RuleChecks.taxonomyTermProblems`).
        public var terms: [Term]

        public init(id: String, title: Localized, basis: String, parent: String? = nil, position: SourcePosition? = nil,
                    terms: [Term] = []) {
            self.id = id
            self.title = title
            self.basis = basis
            self.parent = parent
            self.position = position
            self.terms = terms
        }
    }

    /// One entry of a category's `terms:`, with where it is written.
    public struct Term: Sendable, Hashable {
        public var text: String
        public var position: SourcePosition

        public init(text: String, position: SourcePosition) {
            self.text = text
            self.position = position
        }
    }

    public private(set) var categories: [String: Category]

    public init(categories: [String: Category]) {
        self.categories = categories
    }

    public func contains(_ id: String) -> Bool { categories[id] != nil }

    /// True when `category` equals `ancestor` or lies below it (`a.b.c` within `a.b`).
    public func isWithin(_ category: String, _ ancestor: String) -> Bool {
        category == ancestor || category.hasPrefix(ancestor + ".")
    }

    /// All category ids, sorted (parents before their children).
    public var ids: [String] { categories.keys.sorted() }

    /// The direct children of `id` (or the top-level categories for nil), sorted.
    public func children(of id: String?) -> [String] {
        categories.values.filter { $0.parent == id }.map(\.id).sorted()
    }

    /// `id` and its ancestors, innermost first (`gesundheit.gutachten`, `gesundheit`).
    public func lineage(_ id: String) -> [String] {
        var result: [String] = []
        var current: String? = id
        while let c = current, result.count <= categories.count {
            result.append(c)
            current = categories[c]?.parent
        }
        return result
    }

    /// The nearest category of the taxonomy that `id` lies within (the id itself when known):
    /// lets callers map a too-specific label such as `gesundheit.gutachten.psych` onto the taxonomy.
    public func nearestKnown(_ id: String) -> String? {
        var c = Substring(id)
        while true {
            if categories[String(c)] != nil { return String(c) }
            guard let dot = c.lastIndex(of: ".") else { return nil }
            c = c[..<dot]
        }
    }
}

// MARK: - Loading

extension Taxonomy {
    /// Loads and validates a taxonomy file (see the type's documentation for the format).
    public static func load(path: String) throws -> Taxonomy {
        try parse(YAMLNode.load(path: path))
    }

    /// Validates a parsed taxonomy document.
    public static func parse(_ root: YAMLNode) throws -> Taxonomy {
        let top = try root.mapping(allowed: ["taxonomy_version", "categories"])
        struct Entry {
            var id: String
            var idNode: YAMLNode
            var parent: String?
            var parentNode: YAMLNode?
            var category: Category
        }
        var entries: [Entry] = []
        var seen: [String: SourcePosition] = [:]
        for item in try top.required("categories").sequence() {
            let m = try item.mapping(allowed: ["id", "parent", "title", "basis", "terms"])
            let idNode = try m.required("id")
            let id = try idNode.string()
            guard isValidID(id) else {
                throw idNode.error(
                    "taxonomy.bad-id",
                    de: "ungültige Kategorie-Kennung „\(id)“ (erlaubt: a–z, 0–9, _ in Segmenten mit Punkt getrennt)",
                    en: "invalid category id '\(id)' (allowed: a–z, 0–9, _ in dot-separated segments)")
            }
            if let first = seen[id] {
                throw idNode.error(
                    "taxonomy.duplicate-id",
                    de: "Kategorie „\(id)“ ist doppelt (zuerst in \(first))",
                    en: "category '\(id)' is declared twice (first at \(first))")
            }
            seen[id] = idNode.position
            let parentNode = m.optional("parent")
            let parent: String?
            if let parentNode {
                parent = try parentNode.string()
            } else if let dot = id.lastIndex(of: ".") {
                parent = String(id[..<dot])
            } else {
                parent = nil
            }
            let basis = try m.required("basis").string()
            if basis.allSatisfy(\.isWhitespace) {
                throw try m.required("basis").error(
                    "taxonomy.empty-basis", de: "Grundlage der Kategorie „\(id)“ ist leer",
                    en: "basis of category '\(id)' is empty")
            }
            var terms: [Term] = []
            for node in try m.optional("terms")?.sequence() ?? [] {
                let text = try node.string().trimmingCharacters(in: .whitespaces)
                if text.isEmpty || terms.contains(where: { $0.text.lowercased() == text.lowercased() }) {
                    throw node.error("taxonomy.bad-term",
                                     de: "Begriff „\(text)“ von „\(id)“ ist leer oder doppelt",
                                     en: "term '\(text)' of '\(id)' is empty or listed twice")
                }
                terms.append(Term(text: text, position: node.position))
            }
            let category = Category(id: id, title: try m.required("title").localized(), basis: basis,
                                    parent: parent, position: idNode.position, terms: terms)
            entries.append(Entry(id: id, idNode: idNode, parent: parent, parentNode: parentNode, category: category))
        }
        if entries.isEmpty {
            throw try top.required("categories").error(
                "taxonomy.empty", de: "Taxonomie ohne Kategorien", en: "taxonomy has no categories")
        }
        // Unknown parents.
        for e in entries {
            if let p = e.parent, seen[p] == nil {
                throw (e.parentNode ?? e.idNode).error(
                    "taxonomy.unknown-parent",
                    de: "Oberkategorie „\(p)“ von „\(e.id)“ ist nicht deklariert",
                    en: "parent '\(p)' of '\(e.id)' is not declared")
            }
        }
        // Cycles: follow parents from each entry in file order; report at the first entry on a cycle.
        let parentOf = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0.parent) })
        for e in entries {
            var path = [e.id]
            var current = parentOf[e.id] ?? nil
            while let c = current, path.count <= entries.count {
                if c == e.id {
                    let cycle = (path + [c]).joined(separator: " → ")
                    throw (e.parentNode ?? e.idNode).error(
                        "taxonomy.cycle", de: "Zyklus in der Taxonomie: \(cycle)", en: "cycle in the taxonomy: \(cycle)")
                }
                path.append(c)
                current = parentOf[c] ?? nil
            }
        }
        // The dotted id is the path: an explicit parent must agree with it.
        for e in entries {
            let expected = e.id.lastIndex(of: ".").map { String(e.id[..<$0]) }
            if e.parent != expected {
                throw (e.parentNode ?? e.idNode).error(
                    "taxonomy.parent-mismatch",
                    de: "Oberkategorie „\(e.parent ?? "-")“ passt nicht zur Kennung „\(e.id)“ (erwartet: „\(expected ?? "-")“)",
                    en: "parent '\(e.parent ?? "-")' does not match id '\(e.id)' (expected '\(expected ?? "-")')")
            }
        }
        return Taxonomy(categories: Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0.category) }))
    }

    static func isValidID(_ id: String) -> Bool {
        let segments = id.split(separator: ".", omittingEmptySubsequences: false)
        return !segments.isEmpty && segments.allSatisfy { seg in
            !seg.isEmpty && seg.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
        }
    }
}
