import TrennwandReaders
import TrennwandRecords

/// One profile field of a source view as the columns of its levels (`DuckDBSourceView`): the fold
/// key (C), the map stage (D: `p_`, `um_`), the typed value (E: `val_`, timestamps `ts_` and E2:
/// `val_`) and the final value with its reject code (F: `fin_`, `r_`). The same steps as `ProfileNormaliser.compile`, in its order:
/// map stage (an unmapped value rejects first), typed conversion, default, required.
struct FieldSQL {
    let name: String
    let isTimestamp: Bool
    var keys: [String] = []
    var mapStage: [String] = []
    var typed: [String] = []
    var checked: [String] = []
    var final: [String] = []

    private static let syntax = DuckDBSyntax()

    init(_ m: FieldMapping, source: FieldSource, defaultText: String?, use: (String) throws -> String, input: SourceViewInput) throws {
        name = m.name
        isTimestamp = m.type == .timestamp
        let lit = Self.syntax.literal
        let n = m.name
        let required = m.required
        func constant(_ text: String) -> String { "tw_trim(\(lit(text)))" }

        let table = Self.mapTable(m)
        let keep = m.unmapped == .keep
        let rejectUnmapped = m.unmapped == .reject && !table.isEmpty
        /// The map stage over a string expression with its fold key: the kept, mapped or missing value.
        func mapped(_ x: String, key: String) -> String {
            guard !table.isEmpty else { return x }
            var s = "CASE \(key)"
            for (k, target) in table { s += " WHEN \(lit(k)) THEN \(target.map(lit) ?? "NULL")" }
            return s + " ELSE \(keep ? x : "NULL") END"
        }
        let keyList = table.map { lit($0.key) }.joined(separator: ", ")

        // Timestamp formats: strptime, then a check that the reader accepts the text too.
        func pattern(_ format: TimestampFormat?, _ what: String) throws -> (tokens: [TimestampFormat.Token], regex: String, strptime: String) {
            guard case .pattern(let tokens, _)? = format else {
                throw SourceViewIssue.unsupported(input.path, "the iso8601 format of \(what) (patterns only)")
            }
            let (regex, strptime) = Self.formats(tokens)
            return (tokens, regex, strptime)
        }
        /// Seconds of `ts` (strptime of `text`) if the reader parses `text` too.
        func seconds(_ ts: String, _ text: String, _ f: (tokens: [TimestampFormat.Token], regex: String, strptime: String)) -> String {
            Self.checkedSeconds(ts, text, tokens: f.tokens, regex: f.regex)
        }
        let endOfDay = SourceProfile.endOfDayFields.contains(n)

        if case .dateTime(let date, let time) = source {
            let d = try use(date), t = try use(time)
            let df = try pattern(m.timestampFormat, "\(n) (date)"), tf = try pattern(m.timeFormat, "\(n) (time)")
            let dateHasTime = df.tokens.contains(.hour)
            let eod = endOfDay && !dateHasTime ? " + 86399" : ""
            func parseDate(_ x: String) -> String { seconds("try_strptime(\(x), \(lit(df.strptime)))", x, df) }
            typed = [
                "try_strptime(\(d), \(lit(df.strptime))) AS dts_\(n)",
                "CASE WHEN regexp_full_match(\(t), \(lit(tf.regex))) THEN CAST(epoch(try_strptime('1970-01-01 ' || \(t), \(lit("%Y-%m-%d " + tf.strptime))))"
                    + " AS BIGINT) END AS tl_\(n)",
            ]
            checked = ["\(seconds("dts_\(n)", d, df)) AS dl_\(n)"]
            let value = "CASE WHEN \(d) IS NULL OR dl_\(n) IS NULL THEN NULL WHEN \(t) IS NULL THEN dl_\(n)\(eod) "
                + (dateHasTime ? "ELSE dl_\(n) END" : "ELSE dl_\(n) + tl_\(n) END")
            // A default is read with the date format, as the reader's `convert` does.
            let fallback = defaultText.map { "(\(parseDate(constant($0)))\(eod))" }
            let fin = fallback.map { "coalesce(\(value), \($0))" } ?? value
            let bad = "(\(d) IS NOT NULL AND (dl_\(n) IS NULL OR (\(t) IS NOT NULL AND tl_\(n) IS NULL)))"
            final = ["\(fin) AS fin_\(n)",
                     "CASE WHEN \(bad) THEN 'profile.invalid-timestamp'\(required ? " WHEN (\(fin)) IS NULL THEN 'profile.missing-value'" : "") END AS r_\(n)"]
            return
        }

        if m.type == .list {
            let sources: [String]
            switch source {
            case .single(let ref): sources = [try use(ref)]
            case .several(let refs): sources = try refs.map(use)
            case .constant(let text): sources = [constant(text)]
            case .dateTime: sources = []
            }
            func elements(_ x: String) -> String {
                if let split = m.split {
                    return "coalesce(list_filter(list_transform(string_split(\(x), \(lit(split))), lambda tw_e: tw_trim(tw_e)), lambda tw_e: tw_e IS NOT NULL), "
                        + "CAST([] AS VARCHAR[]))"
                }
                return "CASE WHEN \(x) IS NULL THEN CAST([] AS VARCHAR[]) ELSE [\(x)] END"
            }
            func all(_ xs: [String]) -> String { xs.map(elements).reduce("") { $0.isEmpty ? $1 : "list_concat(\($0), \($1))" } }
            func mapList(_ l: String) -> String {
                table.isEmpty ? l : "list_filter(list_transform(\(l), lambda tw_e: \(mapped("tw_e", key: "tw_fold(tw_e)"))), lambda tw_e: tw_e IS NOT NULL)"
            }
            func value(_ l: String) -> String { "CASE WHEN len(\(l)) = 0 THEN NULL ELSE \(l) END" }
            keys = ["\(all(sources)) AS l_\(n)"]
            mapStage = ["\(mapList("l_\(n)")) AS p_\(n)",
                        (rejectUnmapped ? "len(list_filter(l_\(n), lambda tw_e: tw_fold(tw_e) NOT IN (\(keyList)))) > 0" : "FALSE") + " AS um_\(n)"]
            typed = ["\(value("p_\(n)")) AS val_\(n)"]
            let fallback = defaultText.map { value(mapList(all([constant($0)]))) }
            let fin = fallback.map { "coalesce(val_\(n), \($0))" } ?? "val_\(n)"
            final = ["\(fin) AS fin_\(n)",
                     "CASE WHEN um_\(n) THEN 'profile.unmapped-value'\(required ? " WHEN (\(fin)) IS NULL THEN 'profile.missing-value'" : "") END AS r_\(n)"]
            return
        }

        // Scalar fields: string, symbol, bool, timestamp.
        let x: String
        switch source {
        case .single(let ref): x = try use(ref)
        case .constant(let text): x = constant(text)
        case .several, .dateTime: throw SourceViewIssue.unsupported(input.path, "the source of field \(n)")
        }
        var typedOf: (String) -> String = { $0 }
        var timestamp: (format: (tokens: [TimestampFormat.Token], regex: String, strptime: String), eod: String)?
        var invalid: String?
        switch m.type {
        case .string, .symbol:
            break
        case .bool:
            let yes = m.trueWords.map { lit(ByteString($0).caseFolded.string) }.joined(separator: ", ")
            let no = m.falseWords.map { lit(ByteString($0).caseFolded.string) }.joined(separator: ", ")
            typedOf = { p in
                "CASE WHEN tw_fold(\(p)) IN (\(yes.isEmpty ? "NULL" : yes)) THEN TRUE WHEN tw_fold(\(p)) IN (\(no.isEmpty ? "NULL" : no)) THEN FALSE END"
            }
            invalid = "profile.invalid-bool"
        case .timestamp:
            let f = try pattern(m.timestampFormat, n)
            let eod = endOfDay && !f.tokens.contains(.hour) ? " + 86399" : ""
            typedOf = { p in "(\(seconds("try_strptime(\(p), \(lit(f.strptime)))", p, f))\(eod))" }
            timestamp = (f, eod)
            invalid = "profile.invalid-timestamp"
        case .text, .list, .number:
            throw SourceViewIssue.unsupported(input.path, "field \(n)")
        }
        if !table.isEmpty { keys = ["tw_fold(\(x)) AS k_\(n)"] }
        mapStage = ["\(mapped(x, key: "k_\(n)")) AS p_\(n)",
                    (rejectUnmapped ? "(\(x) IS NOT NULL AND k_\(n) NOT IN (\(keyList)))" : "FALSE") + " AS um_\(n)"]
        if let timestamp {
            // strptime once (E), the reader's check on its result (E2).
            typed = ["try_strptime(p_\(n), \(lit(timestamp.format.strptime))) AS ts_\(n)"]
            checked = ["(\(seconds("ts_\(n)", "p_\(n)", timestamp.format))\(timestamp.eod)) AS val_\(n)"]
        } else {
            typed = ["\(typedOf("p_\(n)")) AS val_\(n)"]
        }
        let fallback = defaultText.map { t -> String in
            let c = constant(t)
            return typedOf("(\(mapped(c, key: "tw_fold(\(c))")))")
        }
        let fin = fallback.map { "coalesce(val_\(n), \($0))" } ?? "val_\(n)"
        var reason = "CASE WHEN um_\(n) THEN 'profile.unmapped-value'"
        if let invalid { reason += " WHEN p_\(n) IS NOT NULL AND val_\(n) IS NULL THEN \(lit(invalid))" }
        if required { reason += " WHEN (\(fin)) IS NULL THEN 'profile.missing-value'" }
        final = ["\(fin) AS fin_\(n)", reason + " END AS r_\(n)"]
    }

    /// The value map as the reader builds it (`makeMapStage`): a symbol's own values, then `map:`
    /// (keys case-folded, nil targets meaning "empty"), sorted by key.
    static func mapTable(_ m: FieldMapping) -> [(key: String, target: String?)] {
        var table: [String: String?] = [:]
        if case .symbol(let allowed) = m.type {
            for s in allowed { table[ByteString(s).caseFolded.string] = .some(s) }
        }
        for (k, v) in m.valueMap { table[k] = .some(v) }
        return table.keys.sorted().map { ($0, table[$0]!) }
    }

    /// The seconds of `ts` (a `try_strptime` of `text`) when the reader parses `text` too, else NULL.
    ///
    /// `strptime` accepts more than `TimestampFormat`: a year of fewer than four digits and, where
    /// the format has a space, any whitespace (and runs of spaces for two spaces in a row, which
    /// the reader never matches). Measured with a fuzzer against the reader's rules (about 80,000
    /// mutated values of four formats): with a year of 1000 or later and no whitespace but spaces,
    /// the two agree; everything else goes through the exact pattern (`regexp_full_match`, about
    /// 100 ns a value, so only for those rows).
    static func checkedSeconds(_ ts: String, _ text: String, tokens: [TimestampFormat.Token], regex: String) -> String {
        for (a, b) in zip(tokens, tokens.dropFirst()) where a == .literal(0x20) && b == .literal(0x20) {
            return "CAST(NULL AS BIGINT)"  // the reader's first space takes all spaces: never parses
        }
        let seconds = "CAST(epoch(\(ts)) AS BIGINT)"
        var fast: [String] = []
        if tokens.contains(.year) { fast.append("year(\(ts)) >= 1000") }
        if tokens.contains(.literal(0x20)) {
            fast.append("NOT (" + (9...13).map { "contains(\(text), chr(\($0)))" }.joined(separator: " OR ") + ")")
        }
        let exact = "WHEN regexp_full_match(\(text), \(syntax.literal(regex))) THEN \(seconds)"
        guard tokens.contains(.year) else { return "CASE WHEN \(ts) IS NULL THEN NULL \(exact) END" }
        return "CASE WHEN \(ts) IS NULL THEN NULL WHEN \(fast.joined(separator: " AND ")) THEN \(seconds) \(exact) END"
    }

    /// A pattern as an RE2 regex accepting exactly what `TimestampFormat` parses (`yyyy` four
    /// digits, the others one or two, a space one or more spaces) and as a `strptime` format.
    static func formats(_ tokens: [TimestampFormat.Token]) -> (regex: String, strptime: String) {
        var regex = "", format = ""
        var literal: [UInt8] = []
        func flush() {
            guard !literal.isEmpty else { return }
            for scalar in String(decoding: literal, as: UTF8.self).unicodeScalars {
                switch scalar {
                case " ": regex += " +"
                case "a"..."z", "A"..."Z", "0"..."9": regex.unicodeScalars.append(scalar)
                default:
                    if scalar.isASCII { regex += "\\" }
                    regex.unicodeScalars.append(scalar)
                }
                format += scalar == "%" ? "%%" : String(scalar)
            }
            literal = []
        }
        for t in tokens {
            switch t {
            case .literal(let b): literal.append(b); continue
            default: flush()
            }
            switch t {
            case .year: regex += "[0-9]{4}"; format += "%Y"
            case .month: regex += "[0-9]{1,2}"; format += "%m"
            case .day: regex += "[0-9]{1,2}"; format += "%d"
            case .hour: regex += "[0-9]{1,2}"; format += "%H"
            case .minute: regex += "[0-9]{1,2}"; format += "%M"
            case .second: regex += "[0-9]{1,2}"; format += "%S"
            case .literal: break
            }
        }
        flush()
        return (regex, format)
    }
}
