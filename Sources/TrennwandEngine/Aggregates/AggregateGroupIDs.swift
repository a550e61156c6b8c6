import TrennwandRecords

/// Group keys interned to dense ids on first sight, for an evaluator's run or a partial's unit.
///
/// Why: a record's group is found with one probe of an inline-word table (one key) instead of
/// SipHashing the key into a dictionary per record; keys of two or more values use a dictionary.
struct AggregateGroupIDs {
    private let singleKey = ByteKeyTable()
    private var multiKey: [AggregateGroupKey: Int32] = [:]
    private(set) var count: Int32 = 0

    /// The id of `key`, and whether it was seen for the first time (ids count up from 0).
    @inline(__always)
    mutating func id(_ key: AggregateGroupKey) -> (id: Int32, isNew: Bool) {
        if key.count == 1 { return id(single: key.first) }
        if let id = multiKey[key] { return (id, false) }
        let id = count
        count += 1
        multiKey[key] = id
        return (id, true)
    }

    /// `id(_:)` of the key of one value `value`, without making the key.
    @inline(__always)
    mutating func id(single value: ByteString) -> (id: Int32, isNew: Bool) {
        if let id = singleKey.value(for: value) { return (id, false) }
        let id = count
        count += 1
        singleKey.set(id, for: value)
        return (id, true)
    }

    mutating func removeAll() {
        singleKey.removeAll()
        multiKey.removeAll(keepingCapacity: true)
        count = 0
    }
}
