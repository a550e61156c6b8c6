/// Encodes `Encodable` values as compact JSON with sorted keys, escaping strings with `JSON.quote`.
///
/// SARIF is built from `Codable` structs; JSON Lines is built by hand. Before, SARIF went through
/// Foundation's `JSONEncoder`, whose string escaping differs from ours (U+2028/U+2029 and DEL
/// left raw), so the two JSON outputs escaped the same evidence two ways. This encoder keeps the
/// structs and routes every string through the one escaper. It supports what the SARIF model uses:
/// strings, integers, booleans, optionals (absent keys are omitted), arrays, nested objects.
struct JSONTreeEncoder {
    func encode<T: Encodable>(_ value: T) throws -> String {
        let root = Node.Box()
        try value.encode(to: TreeEncoder(box: root, codingPath: []))
        var out = ""
        root.node.write(to: &out)
        return out
    }

    /// One JSON value under construction. Objects and arrays live in reference boxes because
    /// containers hand out nested containers that are filled after they are attached.
    fileprivate enum Node {
        case null
        case literal(String)
        case object(Box)
        case array(Box)

        final class Box {
            var node: Node = .null
            var members: [(String, Box)] = []
            var elements: [Box] = []
        }

        func write(to out: inout String) {
            switch self {
            case .null: out += "null"
            case .literal(let s): out += s
            case .object(let box):
                out += "{"
                // Sorted by code units, as JSONEncoder's `.sortedKeys` does for ASCII keys.
                for (i, (key, value)) in box.members.sorted(by: { Array($0.0.utf8).lexicographicallyPrecedes($1.0.utf8) }).enumerated() {
                    if i > 0 { out += "," }
                    out += JSON.quote(key) + ":"
                    value.node.write(to: &out)
                }
                out += "}"
            case .array(let box):
                out += "["
                for (i, value) in box.elements.enumerated() {
                    if i > 0 { out += "," }
                    value.node.write(to: &out)
                }
                out += "]"
            }
        }
    }

    fileprivate struct TreeEncoder: Encoder {
        let box: Node.Box
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if case .object = box.node {} else { box.node = .object(box) }
            return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            if case .array = box.node {} else { box.node = .array(box) }
            return Unkeyed(box: box, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: box, codingPath: codingPath) }
    }

    fileprivate static func literal<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> Node.Box {
        let child = Node.Box()
        try value.encode(to: TreeEncoder(box: child, codingPath: path))
        return child
    }

    fileprivate struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: Node.Box
        let codingPath: [any CodingKey]

        private func set(_ key: Key, _ node: Node) {
            let child = Node.Box()
            child.node = node
            put(key, child)
        }

        private func put(_ key: Key, _ child: Node.Box) {
            if let i = box.members.firstIndex(where: { $0.0 == key.stringValue }) {
                box.members[i].1 = child
            } else {
                box.members.append((key.stringValue, child))
            }
        }

        mutating func encodeNil(forKey key: Key) throws { set(key, .null) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, .literal(value ? "true" : "false")) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(key, .literal(JSON.quote(value))) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(key, .literal(String(value))) }
        mutating func encode(_ value: Double, forKey key: Key) throws { throw Unsupported(codingPath: codingPath + [key]) }
        mutating func encode(_ value: Float, forKey key: Key) throws { throw Unsupported(codingPath: codingPath + [key]) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            put(key, try JSONTreeEncoder.literal(value, path: codingPath + [key]))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type,
                                                             forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = Node.Box()
            child.node = .object(child)
            put(key, child)
            return KeyedEncodingContainer(Keyed<NestedKey>(box: child, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Node.Box()
            child.node = .array(child)
            put(key, child)
            return Unkeyed(box: child, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = Node.Box()
            put(key, child)
            return TreeEncoder(box: child, codingPath: codingPath + [key])
        }
    }

    fileprivate struct Unkeyed: UnkeyedEncodingContainer {
        let box: Node.Box
        let codingPath: [any CodingKey]
        var count: Int { box.elements.count }

        private func append(_ node: Node) {
            let child = Node.Box()
            child.node = node
            box.elements.append(child)
        }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.literal(value ? "true" : "false")) }
        mutating func encode(_ value: String) throws { append(.literal(JSON.quote(value))) }
        mutating func encode(_ value: Int) throws { append(.literal(String(value))) }
        mutating func encode(_ value: Int8) throws { append(.literal(String(value))) }
        mutating func encode(_ value: Int16) throws { append(.literal(String(value))) }
        mutating func encode(_ value: Int32) throws { append(.literal(String(value))) }
        mutating func encode(_ value: Int64) throws { append(.literal(String(value))) }
        mutating func encode(_ value: UInt) throws { append(.literal(String(value))) }
        mutating func encode(_ value: UInt8) throws { append(.literal(String(value))) }
        mutating func encode(_ value: UInt16) throws { append(.literal(String(value))) }
        mutating func encode(_ value: UInt32) throws { append(.literal(String(value))) }
        mutating func encode(_ value: UInt64) throws { append(.literal(String(value))) }
        mutating func encode(_ value: Double) throws { throw Unsupported(codingPath: codingPath) }
        mutating func encode(_ value: Float) throws { throw Unsupported(codingPath: codingPath) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            box.elements.append(try JSONTreeEncoder.literal(value, path: codingPath))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = Node.Box()
            child.node = .object(child)
            box.elements.append(child)
            return KeyedEncodingContainer(Keyed<NestedKey>(box: child, codingPath: codingPath))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node.Box()
            child.node = .array(child)
            box.elements.append(child)
            return Unkeyed(box: child, codingPath: codingPath)
        }

        mutating func superEncoder() -> any Encoder {
            let child = Node.Box()
            box.elements.append(child)
            return TreeEncoder(box: child, codingPath: codingPath)
        }
    }

    fileprivate struct Single: SingleValueEncodingContainer {
        let box: Node.Box
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { box.node = .null }
        mutating func encode(_ value: Bool) throws { box.node = .literal(value ? "true" : "false") }
        mutating func encode(_ value: String) throws { box.node = .literal(JSON.quote(value)) }
        mutating func encode(_ value: Int) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: Int8) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: Int16) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: Int32) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: Int64) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: UInt) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: UInt8) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: UInt16) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: UInt32) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: UInt64) throws { box.node = .literal(String(value)) }
        mutating func encode(_ value: Double) throws { throw Unsupported(codingPath: codingPath) }
        mutating func encode(_ value: Float) throws { throw Unsupported(codingPath: codingPath) }
        mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: TreeEncoder(box: box, codingPath: codingPath)) }
    }

    /// Floating-point numbers are not part of the SARIF model; refusing them keeps the output
    /// from depending on a float formatter.
    struct Unsupported: Error {
        let codingPath: [any CodingKey]
    }
}
