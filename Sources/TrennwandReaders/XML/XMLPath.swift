import TrennwandRecords

/// A record or field path in an `XMLRecordSpec` that cannot be used: bad syntax, an undeclared
/// prefix, or a form the reader does not support. Thrown before any input is read.
public struct XMLPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path as written in the spec.
    public var path: String
    public var message: Localized

    init(_ path: String, de: String, en: String) {
        self.path = path
        self.message = Localized(
            de: "XML-Pfad „\(path)“: \(de)",
            en: "XML path '\(path)': \(en)")
    }

    public func text(_ language: Language) -> String { message.text(language) }
    public var description: String { message.de }
}

/// An expanded name as bytes, as the spec names it (before interning into a parser's dictionary).
struct SpecName: Hashable {
    var uri: [UInt8]?
    var local: [UInt8]
}

/// One node of the field trie: an element relative to the record (node 0 is the record itself).
struct FieldNode {
    var children: [(name: SpecName, node: Int)] = []
    /// Fields whose value is this element's text content.
    var textFields: [Int] = []
    /// Fields whose value is an attribute of this element.
    var attrFields: [(name: SpecName, field: Int)] = []
}

/// A field that reads an attribute of an ancestor of the record (`../@nr`).
struct AncestorField {
    var field: Int
    /// Index into the record path steps of the ancestor element.
    var step: Int
    var attr: SpecName
}

/// The spec compiled once: record path steps, a trie of field paths, ancestor attributes.
struct CompiledSpec {
    var recordSteps: [SpecName]
    var nodes: [FieldNode]
    var ancestorFields: [AncestorField]
    var fieldCount: Int

    init(_ spec: XMLRecordSpec) throws {
        let path = spec.recordPath
        guard path.hasPrefix("/"), path.count > 1 else {
            throw XMLPathError(path, de: "Der Datensatzpfad muss absolut sein (mit „/“ beginnen).",
                               en: "the record path must be absolute (start with '/').")
        }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        recordSteps = try parts.map { try Self.name(String($0), in: path, namespaces: spec.namespaces, attribute: false) }
        nodes = [FieldNode()]
        ancestorFields = []
        fieldCount = spec.fieldPaths.count
        for (field, fieldPath) in spec.fieldPaths.enumerated() {
            try add(field: field, path: fieldPath, namespaces: spec.namespaces)
        }
    }

    private mutating func add(field: Int, path: String, namespaces: [String: String]) throws {
        if path == "." {
            nodes[0].textFields.append(field)
            return
        }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw XMLPathError(path, de: "Leerer Pfadschritt.", en: "empty path step.")
        }
        var up = 0
        while parts.first == ".." {
            up += 1
            parts.removeFirst()
        }
        let attribute: SpecName?
        if let last = parts.last, last.hasPrefix("@") {
            attribute = try Self.name(String(last.dropFirst()), in: path, namespaces: namespaces, attribute: true)
            parts.removeLast()
        } else {
            attribute = nil
        }
        if up > 0 {
            guard let attribute, parts.isEmpty else {
                throw XMLPathError(path, de: "Nach „..“ ist nur ein Attribut erlaubt (z. B. „../@nr“).",
                                   en: "only an attribute may follow '..' (e.g. '../@nr').")
            }
            guard up < recordSteps.count else {
                throw XMLPathError(path, de: "Geht über das Wurzelelement hinaus.",
                                   en: "goes above the root element.")
            }
            ancestorFields.append(AncestorField(field: field, step: recordSteps.count - 1 - up, attr: attribute))
            return
        }
        var node = 0
        for part in parts {
            let name = try Self.name(part, in: path, namespaces: namespaces, attribute: false)
            if let child = nodes[node].children.first(where: { $0.name == name }) {
                node = child.node
            } else {
                nodes.append(FieldNode())
                nodes[node].children.append((name, nodes.count - 1))
                node = nodes.count - 1
            }
        }
        if let attribute {
            nodes[node].attrFields.append((attribute, field))
        } else {
            nodes[node].textFields.append(field)
        }
    }

    /// Parses `prefix:local` or `local`. An unprefixed element or attribute has no namespace.
    private static func name(_ step: String, in path: String, namespaces: [String: String], attribute: Bool) throws -> SpecName {
        let pieces = step.split(separator: ":", omittingEmptySubsequences: false)
        guard pieces.count <= 2, pieces.allSatisfy({ isNCName($0) }) else {
            throw XMLPathError(path, de: "Ungültiger Pfadschritt „\(step)“ (erlaubt: „präfix:name“, „name“, „@attr“, „.“, „..“).",
                               en: "invalid step '\(step)' (allowed: 'prefix:name', 'name', '@attr', '.', '..').")
        }
        if pieces.count == 1 { return SpecName(uri: nil, local: Array(step.utf8)) }
        let prefix = String(pieces[0])
        guard let uri = namespaces[prefix] ?? (prefix == "xml" ? "http://www.w3.org/XML/1998/namespace" : nil) else {
            throw XMLPathError(path, de: "Präfix „\(prefix)“ ist in „namespaces“ nicht deklariert.",
                               en: "prefix '\(prefix)' is not declared in 'namespaces'.")
        }
        guard !uri.isEmpty else {
            throw XMLPathError(path, de: "Präfix „\(prefix)“ hat eine leere Namensraum-URI.",
                               en: "prefix '\(prefix)' has an empty namespace URI.")
        }
        _ = attribute
        return SpecName(uri: Array(uri.utf8), local: Array(pieces[1].utf8))
    }

    private static func isNCName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        if first == "-" || first == "." || ("0"..."9").contains(first) { return false }
        return s.unicodeScalars.allSatisfy { c in
            c.value >= 0x80 || ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
                || c == "_" || c == "-" || c == "."
        }
    }
}
