/// The one escaper for XML and HTML text: the HTML report, the JUnit report and the trend chart's
/// SVG all go through it, so markup and control characters are handled one way everywhere.
///
/// It lives here, below both the outputs and the state layer, because the trend chart (state) is
/// embedded in the HTML report (outputs) and must escape exactly as the report does.
///
/// In every context:
/// - `&`, `<`, `>` become entities.
/// - Characters XML 1.0 does not allow or a browser flags as errors — C0 controls other than TAB,
///   LF, CR, and DEL, U+FFFE, U+FFFF — become U+FFFD, so scanned data can neither break the
///   document nor hide in it.
///
/// The contexts differ only in quotes and whitespace:
/// - `.xmlText` (element content): quotes stay as they are.
/// - `.xmlAttribute` (a quoted attribute value): `"` and `'` become references, and TAB, LF, CR
///   become `&#9;`, `&#10;`, `&#13;` so attribute-value normalisation keeps them.
/// - `.html` (HTML text and quoted attributes alike): `"` and `'` become references; whitespace
///   stays literal (HTML does not normalise attribute values).
public enum MarkupEscaper {
    public enum Context: Sendable {
        case xmlText, xmlAttribute, html
    }

    public static func escape(_ s: String, _ context: Context) -> String {
        // Most values (ids, dates, file names) need nothing: returned as they are, without a
        // scalar-by-scalar copy. 0xEF leads U+FFFE/U+FFFF (and other U+Fxxx: those take the slow
        // path, which keeps them).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || $0 == 0x7F || $0 == 0xEF }) {
            return s
        }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += context == .xmlText ? "\"" : "&quot;"
            case "'": out += context == .xmlText ? "'" : "&#39;"
            case "\t", "\n", "\r":
                if context == .xmlAttribute { out += "&#\(u.value);" } else { out.unicodeScalars.append(u) }
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0xFFFE || u.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }
}
