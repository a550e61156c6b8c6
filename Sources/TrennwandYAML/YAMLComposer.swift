import CYaml
import Yams

/// Composes one YAML document into Yams nodes straight from libyaml's events: the same nodes
/// as `Yams.compose` (strings, tags, styles, marks, anchors resolved), for about a quarter less
/// time and fewer allocations (one tag object per node kind instead of one per node).
///
/// Why: the rule pack is ~0.9 MB of YAML (rules with their examples, norms, policy, profiles),
/// read at the start of every scan. `Yams.compose` spent more time around libyaml than libyaml
/// itself: a `Foundation` string conversion per scalar, and a duplicate-key check per mapping
/// that groups the keys in a dictionary of hashed nodes (docs/executor.md, thirteenth stop).
/// Here a mapping's scalar keys are compared by their texts (in a list, beyond 16 keys a set).
///
/// Only the common case is decided here. Whatever Yams might answer differently — any libyaml
/// error, an undefined alias, a second document, two keys with the same text (Yams tells them
/// apart by tag), a key that is not a scalar — is `undecided`, and the caller composes the text
/// with Yams, so errors and edge cases stay exactly Yams'.
package final class YAMLComposer {
    package enum Outcome {
        case node(Node)
        /// No document (an empty file or comments only).
        case empty
        /// Compose with Yams instead (see the type's comment).
        case undecided
        /// Nested deeper than `maxDepth` at this line and column (1-based): an error of ours.
        case tooDeep(line: Int, column: Int)
    }

    /// Deepest nesting of collections composed. Composing recurses once per level (Yams' too),
    /// and a scan parses its rule files on a dispatch thread (512 KiB of stack); libyaml's own
    /// limit (1,000) overflowed that stack in a debug build. The data files nest ~10 deep.
    package static let maxDepth = 128

    private var parser = yaml_parser_t()
    private var event = yaml_event_t()
    private var hasEvent = false
    private var depth = 0
    private var tooDeep: (line: Int, column: Int)?
    private var anchors: [String: Node] = [:]
    /// The tags of nodes without an explicit one, one object per kind and document instead of one
    /// per node (`Yams.compose` allocates one per node), already resolved: with the basic
    /// resolver (no implicit typing) a scalar always resolves to `!!str`, a mapping to `!!map`, a
    /// sequence to `!!seq`. Resolved, a shared tag is never changed again (Yams resolves an
    /// implicit tag in place when a node is compared, hashed or written), so nodes used on several
    /// threads never write to it; equality, hashing and serialisation see the same tags.
    private let str: Tag, map: Tag, seq: Tag

    private init() {
        str = Self.tag(.str)
        map = Self.tag(.map)
        seq = Self.tag(.seq)
    }

    /// A tag as `Yams.compose` makes it with the basic resolver and the default constructor.
    private static func tag(_ name: Tag.Name) -> Tag {
        Tag(name, .basic, .default)
    }

    /// Composes the single document of `bytes` (UTF-8, as `Yams.compose` parses a `String`)
    /// as `Yams.compose(yaml:_:)` does with `Resolver.basic` (no implicit typing: the data files'
    /// accessors decide a scalar's type themselves).
    package static func compose(_ bytes: [UInt8]) -> Outcome {
        guard markLayoutHolds else { return .undecided }
        let composer = YAMLComposer()
        return bytes.withUnsafeBufferPointer { composer.run($0) }
    }

    private func run(_ input: UnsafeBufferPointer<UInt8>) -> Outcome {
        // libyaml asserts a non-null input; an empty text holds no document.
        guard let base = input.baseAddress, !input.isEmpty else { return .empty }
        yaml_parser_initialize(&parser)
        defer {
            if hasEvent { yaml_event_delete(&event) }
            yaml_parser_delete(&parser)
        }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&parser, base, input.count)
        guard next(), event.type == YAML_STREAM_START_EVENT, next() else { return .undecided }
        if event.type == YAML_STREAM_END_EVENT { return .empty }
        guard event.type == YAML_DOCUMENT_START_EVENT, next(), let root = node(),
              next(), event.type == YAML_DOCUMENT_END_EVENT, next(), event.type == YAML_STREAM_END_EVENT else {
            if let tooDeep { return .tooDeep(line: tooDeep.line, column: tooDeep.column) }
            return .undecided
        }
        return .node(root)
    }

    /// The next event into `event` (the previous one freed); false on a libyaml error.
    private func next() -> Bool {
        if hasEvent {
            yaml_event_delete(&event)
            hasEvent = false
        }
        guard yaml_parser_parse(&parser, &event) == 1 else { return false }
        hasEvent = true
        return true
    }

    /// The node starting at the current event; nil: undecided.
    private func node() -> Node? {
        let mark = Self.mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            // As Yams: a quoted scalar without a tag is `!!str`, a plain one without a tag implicit (`!!str` resolved).
            let tag = s.quoted_implicit == 1 ? str : Self.string(s.tag).map { Self.tag(Tag.Name(rawValue: $0)) } ?? str
            guard let style = Node.Scalar.Style(rawValue: numericCast(s.style.rawValue)) else { return nil }
            let anchor = Self.string(s.anchor)
            let n = Node.scalar(.init(value, tag, style, mark))
            if let anchor { anchors[anchor] = n }
            return n
        case YAML_ALIAS_EVENT:
            guard let name = Self.string(event.data.alias.anchor) else { return nil }
            return anchors[name]
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            guard depth < Self.maxDepth else {
                tooDeep = (mark.line, mark.column)
                return nil
            }
            depth += 1
            defer { depth -= 1 }
            return event.type == YAML_SEQUENCE_START_EVENT ? sequence(at: mark) : mapping(at: mark)
        default:
            return nil
        }
    }

    /// The sequence starting at the current event (its start), up to its end event.
    private func sequence(at mark: Mark) -> Node? {
        let start = event.data.sequence_start
        let tag = start.implicit != 0 ? seq : Self.string(start.tag).map { Self.tag(Tag.Name(rawValue: $0)) } ?? seq
        let anchor = Self.string(start.anchor)
        var nodes: [Node] = []
        while true {
            guard next() else { return nil }
            if event.type == YAML_SEQUENCE_END_EVENT { break }
            guard let child = node() else { return nil }
            nodes.append(child)
        }
        // Style `.any` as Yams gives it (it reads the style from the end event, which has none).
        let n = Node.sequence(.init(nodes, tag, .any, mark))
        if let anchor { anchors[anchor] = n }
        return n
    }

    /// The mapping starting at the current event (its start), up to its end event.
    private func mapping(at mark: Mark) -> Node? {
        let start = event.data.mapping_start
        let tag = start.implicit != 0 ? map : Self.string(start.tag).map { Self.tag(Tag.Name(rawValue: $0)) } ?? map
        let anchor = Self.string(start.anchor)
        var pairs: [(Node, Node)] = []
        var keys: [String] = []
        var keySet: Set<String>?
        while true {
            guard next() else { return nil }
            if event.type == YAML_MAPPING_END_EVENT { break }
            guard let key = node(), case .scalar(let k) = key else { return nil }
            // Duplicate texts: compared in a list while the mapping is small (most are), in a set beyond.
            if keySet == nil && keys.count >= 16 { keySet = Set(keys) }
            if keySet != nil {
                guard keySet!.insert(k.string).inserted else { return nil }
            } else {
                guard !keys.contains(k.string) else { return nil }
                keys.append(k.string)
            }
            guard next(), let value = node() else { return nil }
            pairs.append((key, value))
        }
        let n = Node.mapping(.init(pairs, tag, .any, mark))
        if let anchor { anchors[anchor] = n }
        return n
    }

    /// Yams' `Mark` (line and column, two `Int`s) has no public initialiser; its value is made
    /// from the same two fields, and `markLayoutHolds` checks once that the layout matches (a
    /// Yams version where it does not leaves every document to Yams, only slower).
    private struct MarkFields {
        var line: Int
        var column: Int
    }

    private static func mark(line: Int, column: Int) -> Mark {
        unsafeBitCast(MarkFields(line: line, column: column), to: Mark.self)
    }

    private static let markLayoutHolds: Bool = {
        guard MemoryLayout<Mark>.size == MemoryLayout<MarkFields>.size,
              MemoryLayout<Mark>.alignment == MemoryLayout<MarkFields>.alignment else { return false }
        let m = mark(line: 7, column: 11)
        return m.line == 7 && m.column == 11
    }()

    /// A C string of the event (tag, anchor), decoded as Yams decodes it; nil for none.
    private static func string(_ pointer: UnsafeMutablePointer<UInt8>?) -> String? {
        guard let pointer else { return nil }
        return String.decodeCString(pointer, as: UTF8.self, repairingInvalidCodeUnits: true)?.result
    }
}
