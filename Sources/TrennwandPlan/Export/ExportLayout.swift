import TrennwandRecords

/// Where `trennwand export` puts each file below its output directory, and where `trennwand sql`
/// puts its scripts and the engines their result rows (docs/scale-out.md, "Directory layout").
/// All paths are relative to the export directory: the scripts name them so and run there, so the
/// directory can be moved or mounted elsewhere.
///
/// ```
/// manifests/<input>.json                      one per input file (written last)
/// manifests/policy.json                       the policy tables
/// records/<kind>/<YYYY-MM>/<input>.jsonl      access, documentation, flow by UTC month of `time`
/// records/<kind>/undated/<input>.jsonl        … records without a time
/// reference/<kind>/<input>.jsonl              staff, secondments, agreements, … (not partitioned)
/// reference/tw_schedules/<input>.jsonl        schedules of a secondments file (and intervals)
/// policy/<table>.jsonl                        matrix, taxonomy, named lists, rule schedules
/// sql/<dialect>/…                             `trennwand sql`
/// results/<dialect>/<rule>.jsonl              finding rows written by run-all.sql
/// ```
///
/// `<input>` is the input's file name reduced to `[A-Za-z0-9._-]` (anything else becomes `_`, at
/// most 80 bytes) plus `-` and 16 hex digits of a hash of the whole input path: names are safe in
/// every SQL client (no quote, no line break can reach a `\copy` line), and two inputs with the
/// same name in different folders (`jc1/access.csv`, `jc2/access.csv`) never collide, whichever
/// machine exports them.
package enum ExportLayout {
    /// Version of the directory layout and table schema; `trennwand sql` refuses other versions.
    package static let schemaVersion = 1
    package static let manifestDirectory = "manifests"
    package static let policyManifest = "policy"

    /// The file name stem of an input (see above).
    package static func name(ofInput path: String) -> String {
        let base = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? "input"
        var stem = ""
        for b in base.utf8 {
            guard stem.utf8.count < 80 else { break }
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                stem.append(Character(Unicode.Scalar(b)))
            default:
                stem.append("_")
            }
        }
        while stem.hasPrefix(".") { stem.removeFirst() }
        if stem.isEmpty { stem = "input" }
        return stem + "-" + hexHash(path)
    }

    /// FNV-1a, 64 bit, as 16 hex digits: stable across machines and runs (not a security hash;
    /// it only keeps names of different inputs apart).
    static func hexHash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        let digits = String(h, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The partition of a record: `YYYY-MM` (UTC) of its `time`, or `undated`.
    package static func month(of record: Record) -> String {
        guard let slot = record.kind.schema.slot("time"), let t = record[slot].timeValue else { return "undated" }
        let days = Int((t >= 0 ? t : t - 86_399) / 86_400)
        let (y, m, _) = CivilTime.civilFromDays(days)
        func padded(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return padded(y, 4) + "-" + padded(m, 2)
    }

    /// The file of `record`'s rows for the input named `name`.
    package static func recordFile(kind: RecordKind, month: String, name: String) -> String {
        kind.isEvaluated ? "records/\(kind.rawValue)/\(month)/\(name).jsonl" : "reference/\(kind.rawValue)/\(name).jsonl"
    }

    package static func referenceScheduleFile(_ table: ExportTable, name: String) -> String { "reference/\(table.name)/\(name).jsonl" }
    package static func policyFile(_ table: ExportTable) -> String { "policy/\(table.name).jsonl" }
    package static func manifestFile(name: String) -> String { "\(manifestDirectory)/\(name).json" }
    package static func sqlDirectory(dialect: String) -> String { "sql/\(dialect)" }
    package static func resultFile(dialect: String, rule: String) -> String { "results/\(dialect)/\(rule).jsonl" }
}
