import TrennwandRecords

/// One token of a condition; `offset` is the byte offset of its first byte in the source.
struct ExprToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case string(String)
        case number(Double)
        /// A duration literal such as `30d`, in seconds.
        case duration(Int64, String)
        /// `@name`: a named list.
        case listName(String)
        case op(String)
        case end
    }

    var kind: Kind
    var offset: Int
    var length: Int

    var text: String {
        switch kind {
        case .identifier(let s): return s
        case .string(let s): return "\"\(s)\""
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .duration(_, let s): return s
        case .listName(let s): return "@\(s)"
        case .op(let s): return s
        case .end: return "<end>"
        }
    }
}

/// Splits a condition into tokens. Strings are `"…"` or `'…'` with `\"`, `\'`, `\\` escapes and
/// may not span lines; `#` starts a comment up to the end of the line.
struct ExprLexer {
    let source: ConditionSource

    func tokens() throws -> [ExprToken] {
        let b = source.bytes
        var out: [ExprToken] = []
        var i = 0
        func isIdentStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F }
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        func isIdent(_ c: UInt8) -> Bool { isIdentStart(c) || isDigit(c) }
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                i += 1
                continue
            }
            if c == UInt8(ascii: "#") {
                while i < b.count, b[i] != 0x0A { i += 1 }
                continue
            }
            let start = i
            if isIdentStart(c) {
                while i < b.count, isIdent(b[i]) { i += 1 }
                out.append(ExprToken(kind: .identifier(String(decoding: b[start..<i], as: UTF8.self)), offset: start, length: i - start))
                continue
            }
            if c == UInt8(ascii: "@") {
                i += 1
                while i < b.count, isIdent(b[i]) || b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: ".") { i += 1 }
                if i == start + 1 {
                    throw ExprIssue.syntax(source.position(start), de: "Name der Liste fehlt nach „@“", en: "list name missing after '@'")
                }
                out.append(ExprToken(kind: .listName(String(decoding: b[(start + 1)..<i], as: UTF8.self)), offset: start, length: i - start))
                continue
            }
            if isDigit(c) {
                while i < b.count, isDigit(b[i]) { i += 1 }
                if i + 1 < b.count, b[i] == UInt8(ascii: "."), isDigit(b[i + 1]) {
                    i += 1
                    while i < b.count, isDigit(b[i]) { i += 1 }
                }
                let numText = String(decoding: b[start..<i], as: UTF8.self)
                if i < b.count, isIdentStart(b[i]) {
                    let unitStart = i
                    while i < b.count, isIdent(b[i]) { i += 1 }
                    let unit = String(decoding: b[unitStart..<i], as: UTF8.self)
                    let factor: Int64?
                    switch unit {
                    case "s": factor = 1
                    case "m": factor = 60
                    case "h": factor = 3600
                    case "d": factor = 86_400
                    case "w": factor = 604_800
                    default: factor = nil
                    }
                    // Overflow (e.g. 888888888888888888h, found by fuzz-expression) is a syntax error too.
                    guard let factor, let whole = Int64(numText),
                          !whole.multipliedReportingOverflow(by: factor).overflow else {
                        throw ExprIssue.syntax(
                            source.position(start),
                            de: "ungültige Dauer „\(numText)\(unit)“ (erlaubt: ganze Zahl mit s, m, h, d oder w, z. B. 30d)",
                            en: "invalid duration '\(numText)\(unit)' (allowed: whole number with s, m, h, d or w, e.g. 30d)")
                    }
                    out.append(ExprToken(kind: .duration(whole * factor, numText + unit), offset: start, length: i - start))
                } else {
                    out.append(ExprToken(kind: .number(Double(numText) ?? 0), offset: start, length: i - start))
                }
                continue
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                i += 1
                var value: [UInt8] = []
                var closed = false
                while i < b.count {
                    let d = b[i]
                    if d == 0x0A { break }
                    if d == c {
                        closed = true
                        i += 1
                        break
                    }
                    if d == UInt8(ascii: "\\"), i + 1 < b.count, b[i + 1] == c || b[i + 1] == UInt8(ascii: "\\") {
                        value.append(b[i + 1])
                        i += 2
                        continue
                    }
                    value.append(d)
                    i += 1
                }
                guard closed else {
                    throw ExprIssue.syntax(source.position(start), de: "Zeichenkette ohne schließendes Anführungszeichen",
                                                 en: "unterminated string literal")
                }
                out.append(ExprToken(kind: .string(String(decoding: value, as: UTF8.self)), offset: start, length: i - start))
                continue
            }
            // Operators by their bytes (literals: no string built or compared per token; the
            // lexer runs over every condition three times at a scan's start, issue 20).
            if i + 1 < b.count, let two = Self.twoByteOperator(c, b[i + 1]) {
                i += 2
                out.append(ExprToken(kind: .op(two), offset: start, length: 2))
                continue
            }
            if c == UInt8(ascii: "=") {
                // A single `=` is accepted as a typo only to give a precise message.
                throw ExprIssue.syntax(source.position(start), de: "„=“ ist kein Vergleich; „==“ verwenden",
                                             en: "'=' is not a comparison; use '=='")
            }
            if let one = Self.oneByteOperator(c) {
                i += 1
                out.append(ExprToken(kind: .op(one), offset: start, length: 1))
                continue
            }
            var end = i + 1
            while end < b.count, b[end] & 0xC0 == 0x80 { end += 1 }
            let ch = String(decoding: b[i..<end], as: UTF8.self)
            throw ExprIssue.syntax(source.position(start), de: "unerwartetes Zeichen „\(ch)“", en: "unexpected character '\(ch)'")
        }
        out.append(ExprToken(kind: .end, offset: b.count, length: 0))
        return out
    }

    /// `==`, `!=`, `<=`, `>=`, `->`.
    static func twoByteOperator(_ a: UInt8, _ b: UInt8) -> String? {
        switch (a, b) {
        case (UInt8(ascii: "="), UInt8(ascii: "=")): return "=="
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): return "!="
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): return "<="
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): return ">="
        case (UInt8(ascii: "-"), UInt8(ascii: ">")): return "->"
        default: return nil
        }
    }

    /// `( ) [ ] , . < > + -`.
    static func oneByteOperator(_ c: UInt8) -> String? {
        switch c {
        case UInt8(ascii: "("): return "("
        case UInt8(ascii: ")"): return ")"
        case UInt8(ascii: "["): return "["
        case UInt8(ascii: "]"): return "]"
        case UInt8(ascii: ","): return ","
        case UInt8(ascii: "."): return "."
        case UInt8(ascii: "<"): return "<"
        case UInt8(ascii: ">"): return ">"
        case UInt8(ascii: "+"): return "+"
        case UInt8(ascii: "-"): return "-"
        default: return nil
        }
    }
}
