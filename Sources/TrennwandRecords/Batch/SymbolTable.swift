/// Symbol values interned to small integers, so that a batch column of symbols is an array of
/// `UInt32` and comparing a symbol with a rule's constant is an integer compare.
///
/// Why seeded: each scan worker has its own table (no lock on the hot path), yet a rule pack is
/// compiled once per scan. Every value the schema and the rule pack know (the closed sets of the
/// symbol fields, the constants and list entries of the rules) is interned up front in the same
/// order, so those ids are the same in every worker's table; a value first met in the data gets
/// an id above `seededCount`, which is only ever compared within the worker that made it (it can
/// never equal a constant). Ids leaving a worker (aggregate keys, evidence) are turned back into
/// bytes with `subscript(id)`.
///
/// Not thread-safe: one table per worker.
public final class SymbolTable {
    private let ids = ByteKeyTable(capacity: 1024)
    public private(set) var symbols: [ByteString] = []
    /// Ids below this are the seeded ones, equal in every table built from the same seed.
    public let seededCount: Int

    public init<S: Sequence>(seed: S) where S.Element == ByteString {
        for s in seed where ids.value(for: s) == nil {
            ids.set(Int32(symbols.count), for: s)
            symbols.append(s)
        }
        seededCount = symbols.count
    }

    /// The closed value sets of every symbol field of every record kind, in schema order.
    public static func schemaSeed() -> [ByteString] {
        var seed: [ByteString] = []
        for kind in RecordKind.allCases {
            for field in kind.schema.fields {
                if case .symbol(let values) = field.type { seed.append(contentsOf: values.map { ByteString($0) }) }
            }
        }
        return seed
    }

    public var count: Int { symbols.count }

    /// The id of `bytes`, interning it when new.
    @inline(__always)
    public func intern(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        intern(ByteString(bytes))
    }

    public func intern(_ value: ByteString) -> UInt32 {
        if let id = ids.value(for: value) { return UInt32(id) }
        let id = UInt32(symbols.count)
        ids.set(Int32(id), for: value)
        symbols.append(value)
        return id
    }

    /// The id of `value` when it has one (a rule constant the data never held has none).
    public func id(of value: ByteString) -> UInt32? { ids.value(for: value).map { UInt32($0) } }

    public subscript(id: UInt32) -> ByteString { symbols[Int(id)] }
}
