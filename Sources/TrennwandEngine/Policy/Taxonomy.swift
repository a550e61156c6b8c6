import TrennwandRecords

// STUB — API contract; the policy work package loads it from Rules/taxonomy.yaml.

/// The hierarchy of data categories (`sozial.leistung` lies within `sozial`), grounded in the
/// catalogue of SGB2§51bDatV.
public struct Taxonomy: Sendable {
    public struct Category: Sendable, Hashable {
        public var id: String
        public var title: Localized
        public var basis: String
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
}
