import TrennwandRecords

/// A JSON Lines field path: object keys joined by `.`, e.g. `user.name` or `_source.event.action`.
///
/// A key that holds a dot or a backslash writes it escaped: `\.` and `\\` (`labels.app\.kubernetes\.io/name`
/// is the key `app.kubernetes.io/name` inside `labels`). No other escapes; keys are compared byte
/// for byte after JSON unescaping (no case folding). Arrays are not stepped into: a path ends at a
/// scalar or at an array of scalars (each element one value).
struct JSONPath: Sendable, Hashable {
    /// The keys from the top-level object down, as UTF-8 bytes.
    let keys: [[UInt8]]

    /// Parses `text`; nil for an empty path, an empty key, a dangling `\` or an unknown escape.
    init?(_ text: String) {
        var keys: [[UInt8]] = []
        var current: [UInt8] = []
        var escaped = false
        for b in text.utf8 {
            if escaped {
                guard b == UInt8(ascii: ".") || b == UInt8(ascii: "\\") else { return nil }
                current.append(b)
                escaped = false
            } else if b == UInt8(ascii: "\\") {
                escaped = true
            } else if b == UInt8(ascii: ".") {
                guard !current.isEmpty else { return nil }
                keys.append(current)
                current = []
            } else {
                current.append(b)
            }
        }
        guard !escaped, !current.isEmpty else { return nil }
        keys.append(current)
        self.keys = keys
    }

    /// `profile.jsonl-path`: the path as written and the syntax.
    static func invalid(_ text: String, at: SourcePosition) -> ConfigError {
        ConfigError(at, code: "profile.jsonl-path",
                    de: "ungültiger JSON-Pfad „\(text)“ (Schlüssel mit . getrennt, kein leerer Schlüssel; \\. und \\\\ für . und \\ im Schlüssel)",
                    en: "invalid JSON path '\(text)' (keys separated by ., no empty key; \\. and \\\\ for . and \\ inside a key)")
    }
}

/// The paths a parser looks for, as a tree of keys: each node lists the source indices whose path
/// ends there. Children are few (the profile's fields), so they are compared linearly, without
/// building a key per lookup.
struct JSONPathTree: Sendable {
    struct Node: Sendable {
        var children: [(key: [UInt8], node: Int)] = []
        var sources: [Int] = []
    }

    private(set) var nodes: [Node] = [Node()]
    /// Number of sources (highest index + 1).
    private(set) var sourceCount = 0
    /// The path text of each source index, for messages.
    private(set) var labels: [String] = []

    /// Source index `i` is `paths[i]`; a path that does not parse is left out (profiles are
    /// checked when they are loaded).
    init(paths: [String]) {
        for (i, text) in paths.enumerated() {
            labels.append(text)
            sourceCount = i + 1
            guard let path = JSONPath(text) else { continue }
            var n = 0
            for key in path.keys {
                if let c = child(n, key) {
                    n = c
                } else {
                    nodes.append(Node())
                    nodes[n].children.append((key, nodes.count - 1))
                    n = nodes.count - 1
                }
            }
            nodes[n].sources.append(i)
        }
    }

    private func child(_ n: Int, _ key: [UInt8]) -> Int? {
        nodes[n].children.first { $0.key == key }?.node
    }

    /// The child of `node` for the key bytes `key`, or -1.
    @inline(__always)
    func child(of node: Int, key: UnsafeRawBufferPointer) -> Int {
        guard node >= 0 else { return -1 }
        for c in nodes[node].children where c.key.count == key.count {
            let same = c.key.withUnsafeBytes { k in
                key.count == 0 || memcmpBytes(k.baseAddress!, key.baseAddress!, key.count)
            }
            if same { return c.node }
        }
        return -1
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
