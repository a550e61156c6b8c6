// TrennwandYAML: reading Trennwand's YAML data files (profiles, rules, policy, configuration)
// with positions. Every error is a `ConfigError` naming `file:line:column`. Sits beside the
// records layer; readers and the engine both use it.
import Foundation
import TrennwandRecords
import Yams

/// A YAML node together with the file it came from, with typed accessors that fail with a
/// `ConfigError` at the node's position.
public struct YAMLNode: @unchecked Sendable {
    public let node: Node
    public let file: String
    /// The text the node was parsed from (nil for nodes made elsewhere): positions inside a
    /// scalar (conditions) are mapped against it instead of reading the file again.
    public let source: YAMLSource?

    public init(node: Node, file: String, source: YAMLSource? = nil) {
        self.node = node
        self.file = file
        self.source = source
    }

    /// Parses a YAML file; an empty file is an error.
    public static func load(path: String) throws -> YAMLNode {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(SourcePosition(file: path, line: 1, column: 1), code: "yaml.unreadable",
                              de: "Datei kann nicht gelesen werden", en: "file cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// No implicit tag resolution: every accessor reads a scalar's text and decides its type itself
    /// (`int()`, `bool()`, `isNull`), so Yams' default resolver only cost time — it matches each
    /// mapping key against its regular expressions (NSRegularExpression) for the duplicate-key
    /// check, a third of a scan's start (docs/executor.md, eighth stop). Duplicate keys are still found:
    /// with the default resolver two keys were equal only when their texts were.
    static let resolver = Resolver.basic

    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        let source = YAMLSource(text: text)
        switch YAMLComposer.compose(source.bytes) {
        case .node(let node):
            return YAMLNode(node: node, file: file, source: source)
        case .empty:
            throw ConfigError(SourcePosition(file: file, line: 1, column: 1), code: "yaml.empty", de: "Datei ist leer", en: "file is empty")
        case .tooDeep(let line, let column):
            throw ConfigError(SourcePosition(file: file, line: line, column: column), code: "yaml.nesting",
                              de: "YAML zu tief verschachtelt (mehr als \(YAMLComposer.maxDepth) Ebenen)",
                              en: "YAML nested too deeply (more than \(YAMLComposer.maxDepth) levels)")
        case .undecided:
            // Errors and rare cases exactly as Yams composes them.
            return try composeWithYams(text, file: file, source: source)
        }
    }

    /// The text composed by `Yams.compose`: the reference `YAMLComposer` is tested against, and
    /// the path for what it leaves undecided.
    package static func composeWithYams(_ text: String, file: String, source: YAMLSource? = nil) throws -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text, Self.resolver) else {
                throw ConfigError(SourcePosition(file: file, line: 1, column: 1), code: "yaml.empty",
                                  de: "Datei ist leer", en: "file is empty")
            }
            return YAMLNode(node: node, file: file, source: source ?? YAMLSource(text: text))
        } catch let error as YamlError {
            var line = 1, column = 1
            var problem = "\(error)"
            switch error {
            case .scanner(_, let p, let mark, _), .parser(_, let p, let mark, _), .composer(_, let p, let mark, _):
                line = mark.line
                column = mark.column
                problem = p
            case .duplicatedKeysInMapping(let dups, _):
                problem = "duplicated keys: \(dups.joined(separator: ", "))"
            default:
                break
            }
            throw ConfigError(SourcePosition(file: file, line: line, column: column), code: "yaml.syntax",
                              de: "YAML-Syntaxfehler: \(problem)", en: "YAML syntax error: \(problem)")
        }
    }

    public var position: SourcePosition {
        let mark = node.mark
        return SourcePosition(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    public func error(_ code: String, de: String, en: String) -> ConfigError {
        ConfigError(position, code: code, de: de, en: en)
    }

    private func typeError(_ expected: String, _ expectedDE: String) -> ConfigError {
        error("yaml.type", de: "\(expectedDE) erwartet", en: "\(expected) expected")
    }

    /// An explicit `!!null` tag compares by name: `Tag(.null)` would build Yams' default resolver
    /// (regular expressions) and constructor (a dictionary) on every call, which was a tenth of
    /// loading the rules (issue 20, eleventh stop).
    public var isNull: Bool {
        if case .scalar(let s) = node {
            return s.tag.rawValue == Tag.Name.null.rawValue || (s.string == "" && s.style == .plain) || s.string == "~" || s.string == "null"
        }
        return false
    }

    /// The node as a mapping; keys not in `allowed` are an error at the key (nil: any key).
    public func mapping(allowed: Set<String>? = nil) throws -> YAMLMapping {
        guard case .mapping(let m) = node else { throw typeError("mapping", "Zuordnung (Mapping)") }
        var entries: [YAMLMapping.Entry] = []
        for (k, v) in m {
            let keyNode = YAMLNode(node: k, file: file, source: source)
            guard case .scalar(let ks) = k else { throw keyNode.typeError("string key", "Text-Schlüssel") }
            if let allowed, !allowed.contains(ks.string) {
                let list = allowed.sorted().joined(separator: ", ")
                throw keyNode.error("yaml.unknown-key",
                                    de: "unbekannter Schlüssel „\(ks.string)“ (erlaubt: \(list))",
                                    en: "unknown key '\(ks.string)' (allowed: \(list))")
            }
            entries.append(.init(key: ks.string, keyNode: keyNode, value: YAMLNode(node: v, file: file, source: source)))
        }
        return YAMLMapping(node: self, entries: entries)
    }

    public func sequence() throws -> [YAMLNode] {
        guard case .sequence(let s) = node else { throw typeError("list", "Liste") }
        return s.map { YAMLNode(node: $0, file: file, source: source) }
    }

    public func string() throws -> String {
        guard case .scalar(let s) = node else { throw typeError("text", "Text") }
        return s.string
    }

    /// A string or a list of strings.
    public func stringList() throws -> [String] {
        if case .scalar = node { return [try string()] }
        return try sequence().map { try $0.string() }
    }

    public func int() throws -> Int {
        guard let v = Int(try string()) else { throw typeError("whole number", "ganze Zahl") }
        return v
    }

    public func double() throws -> Double {
        guard let v = Double(try string()) else { throw typeError("number", "Zahl") }
        return v
    }

    public func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "ja", "on": return true
        case "false", "no", "nein", "off": return false
        default: throw typeError("true or false", "true oder false")
        }
    }

    /// `{de: …, en: …}`; both languages are required.
    public func localized() throws -> Localized {
        let m = try mapping(allowed: ["de", "en"])
        return Localized(de: try m.required("de").string(), en: try m.required("en").string())
    }

    /// The node written back as YAML text (for showing conditions and examples).
    public var text: String { (try? Yams.serialize(node: node)) ?? "" }
}

/// A YAML mapping with its entries in file order.
public struct YAMLMapping: @unchecked Sendable {
    public struct Entry: @unchecked Sendable {
        public let key: String
        public let keyNode: YAMLNode
        public let value: YAMLNode
    }

    public let node: YAMLNode
    public let entries: [Entry]

    public func optional(_ key: String) -> YAMLNode? {
        entries.first { $0.key == key }.flatMap { $0.value.isNull ? nil : $0.value }
    }

    public func required(_ key: String) throws -> YAMLNode {
        guard let v = optional(key) else {
            throw node.error("yaml.missing-key", de: "Pflichtschlüssel „\(key)“ fehlt", en: "required key '\(key)' is missing")
        }
        return v
    }

    public var keys: [String] { entries.map(\.key) }
}

extension YAMLNode {
    /// The scalar's text as written (conditions), else the node serialised as YAML.
    public var scalarText: String {
        if case .scalar(let s) = node { return s.string }
        return text
    }
}

/// The text of a parsed YAML file as UTF-8 with its line starts, shared by all nodes of the file.
///
/// Condition positions are mapped against the raw file text; before, every compiled condition
/// read its rule file again and split all of it into lines (7 % of a scan's start, several
/// compiles per rule: planner, record pack, each worker's batch pack).
public final class YAMLSource: Sendable {
    public let bytes: [UInt8]
    /// Byte offset of each line's first byte; a line ends at its LF (CR is left in the bytes).
    public let lineStarts: [Int]

    public init(text: String) {
        bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    /// The bytes of line `i` (0-based) without its LF.
    public func line(_ i: Int) -> ArraySlice<UInt8> {
        let start = lineStarts[i]
        let end = i + 1 < lineStarts.count ? lineStarts[i + 1] - 1 : bytes.count
        return bytes[start..<end]
    }
}
