/// Fixed-length masks for identifiers found in evidence: the kind stays visible, the value does not.
public enum Masking {
    /// Keeps at most the first two characters and replaces the rest by a fixed-length mask, so the
    /// mask reveals neither the value nor its length: `DE89370400440532013000` → `DE******`.
    public static func identifier(_ bytes: some Collection<UInt8>) -> String {
        let head = bytes.prefix(2).filter { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
        return String(decoding: head, as: UTF8.self) + "******"
    }

    /// A free-text excerpt is never shown; only its length class.
    public static func text(_ bytes: some Collection<UInt8>) -> String {
        "[Text, \(bytes.count) Bytes]"
    }
}
