import TrennwandRecords

/// Encodes a `Record` as one JSON object on one line (JSON Lines), for `trennwand ingest`.
///
/// Keys: `_kind`, `_file`, `_line`, `_column` (XML only), `_offset`, `_index`, then the canonical
/// fields in schema order; missing fields are omitted. Timestamps are ISO 8601 UTC, lists and
/// text pieces arrays of strings. Strings keep UTF-8; quotes, backslashes, control characters
/// and U+2028/U+2029 are escaped.
public enum RecordJSON {
    /// The record as one JSON line without the trailing newline.
    public static func line(_ record: Record) -> String {
        var out: [UInt8] = []
        encode(record, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the record's JSON object to `out`.
    public static func encode(_ record: Record, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        key("_kind", &out, first: true)
        string(Array(record.kind.rawValue.utf8), &out)
        key("_file", &out)
        string(Array(record.locator.file.utf8), &out)
        key("_line", &out)
        out.append(contentsOf: String(record.locator.line).utf8)
        if let c = record.locator.column {
            key("_column", &out)
            out.append(contentsOf: String(c).utf8)
        }
        key("_offset", &out)
        out.append(contentsOf: String(record.locator.byteOffset).utf8)
        key("_index", &out)
        out.append(contentsOf: String(record.locator.index).utf8)
        let fields = record.kind.schema.fields
        for (slot, spec) in fields.enumerated() {
            let v = record.values[slot]
            if v.isMissing { continue }
            key(spec.name, &out)
            value(v, &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func key(_ k: String, _ out: inout [UInt8], first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        string(Array(k.utf8), &out)
        out.append(UInt8(ascii: ":"))
    }

    private static func value(_ v: Value, _ out: inout [UInt8]) {
        switch v {
        case .missing: out.append(contentsOf: "null".utf8)
        case .string(let s): string(s.bytes, &out)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .time(let t): string(Array(CivilTime.iso8601(t).utf8), &out)
        case .number(let n):
            if !n.isFinite {
                out.append(contentsOf: "null".utf8)
            } else if n == n.rounded(), abs(n) < 1e15 {
                out.append(contentsOf: String(Int64(n)).utf8)
            } else {
                out.append(contentsOf: String(n).utf8)
            }
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(item.bytes, &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string literal of UTF-8 bytes.
    static func string(_ bytes: [UInt8], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                out.append(contentsOf: Array((bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8))
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        out.append(UInt8(ascii: "\""))
    }
}
