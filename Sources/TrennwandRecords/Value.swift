/// A canonical field value.
///
/// Timestamps are seconds since 1970-01-01T00:00:00Z (UTC); profiles convert local export times
/// with their time zone. Lists hold strings (categories, roles, several free-text fields).
public enum Value: Sendable, Hashable {
    case missing
    case string(ByteString)
    case number(Double)
    case bool(Bool)
    case time(Int64)
    case list([ByteString])

    public var isMissing: Bool {
        if case .missing = self { return true }
        return false
    }

    public var stringValue: ByteString? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var timeValue: Int64? {
        if case .time(let t) = self { return t }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The strings of a list, or a one-element list for a string; empty otherwise.
    public var strings: [ByteString] {
        switch self {
        case .string(let s): return [s]
        case .list(let l): return l
        default: return []
        }
    }
}
