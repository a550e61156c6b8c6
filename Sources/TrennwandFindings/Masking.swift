import TrennwandRecords

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

    /// The text with every control character that could steer a terminal, a viewer or an editor
    /// replaced by a visible stand-in: C0 controls except tab and line feed become their control
    /// pictures (ESC → `␛`, CR → `␍`), DEL `␡`; C1 controls (U+0080–U+009F) and the bidi controls
    /// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) become `<U+XXXX>`.
    ///
    /// Applied where the engine builds evidence and again by every writer and the state store for
    /// every string that comes from data (file names, record ids, details, rejection texts), also
    /// with `--reveal`.
    public static func neutralised(_ text: String) -> String {
        guard needsNeutralising(text.utf8) else { return text }
        return rewritten(text)
    }

    /// The scalar-by-scalar replacement behind `neutralised`, without the byte pre-check.
    static func rewritten(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let v = s.value
            if v < 0x20 && v != 0x09 && v != 0x0A {
                out.append(Unicode.Scalar(0x2400 + v)!)
            } else if v == 0x7F {
                out.append(Unicode.Scalar(0x2421)!)
            } else if isInvisibleControl(v) {
                let hex = String(v, radix: 16, uppercase: true)
                out.append(contentsOf: "<U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex)>".unicodeScalars)
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    /// `neutralised` of an optional.
    public static func neutralised(_ text: String?) -> String? { text.map { neutralised($0) } }

    /// Whether `neutralised` would change the UTF-8 text: exactly the byte sequences of the
    /// characters it replaces (C0 controls but tab and line feed, DEL, C2 80–9F, D8 9C, E2 80 8E/8F,
    /// E2 80 AA–AE, E2 81 A6–A9).
    ///
    /// Exact, not just the lead bytes: „ “ – … also start with E2, and German titles and
    /// remediation texts are full of them; every writer neutralises every finding's texts.
    public static func needsNeutralising(_ bytes: some Sequence<UInt8>) -> Bool {
        var p1: UInt8 = 0, p2: UInt8 = 0 // the previous byte and the one before it
        for b in bytes {
            if b < 0x80 {
                if (b < 0x20 && b != 0x09 && b != 0x0A) || b == 0x7F { return true }
            } else {
                switch p1 {
                case 0xC2: if b <= 0x9F { return true }
                case 0xD8: if b == 0x9C { return true }
                case 0x80: if p2 == 0xE2 && (b == 0x8E || b == 0x8F || (0xAA...0xAE).contains(b)) { return true }
                case 0x81: if p2 == 0xE2 && (0xA6...0xA9).contains(b) { return true }
                default: break
                }
            }
            p2 = p1
            p1 = b
        }
        return false
    }

    /// C1 controls and the bidi controls.
    static func isInvisibleControl(_ v: UInt32) -> Bool {
        (0x80...0x9F).contains(v) || v == 0x061C || v == 0x200E || v == 0x200F
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}

extension Localized {
    /// Both texts neutralised (`Masking.neutralised`).
    public var neutralised: Localized { Localized(de: Masking.neutralised(de), en: Masking.neutralised(en)) }
}

extension Locator {
    /// File name and record id neutralised.
    public var neutralised: Locator {
        var l = self
        l.file = Masking.neutralised(file)
        l.recordID = Masking.neutralised(recordID)
        return l
    }
}

extension Rejection {
    public var neutralised: Rejection {
        var r = self
        r.locator = locator.neutralised
        r.reason.message = reason.message.neutralised
        return r
    }
}

extension InputAccount {
    /// File name, profile and every rejection text neutralised.
    public var neutralised: InputAccount {
        var a = self
        a.file = Masking.neutralised(file)
        a.profile = Masking.neutralised(profile)
        a.rejections = rejections.map(\.neutralised)
        a.fileError = fileError?.neutralised
        return a
    }
}

extension Finding {
    /// Every string that may come from data neutralised (the output boundary of every writer).
    public var neutralised: Finding {
        var f = self
        f.locator = locator.neutralised
        f.evidence = evidence.map(\.neutralised)
        f.others = others.map { o in
            Occurrence(locator: o.locator.neutralised, time: o.time, evidence: o.evidence.map(\.neutralised))
        }
        f.persons = persons.mapValues { Masking.neutralised($0) }
        f.detail = detail?.neutralised
        return f
    }
}

extension Evidence {
    /// Field, detector and value neutralised.
    public var neutralised: Evidence {
        var e = self
        e.value = Masking.neutralised(value)
        e.field = Masking.neutralised(field)
        e.detector = Masking.neutralised(detector)
        return e
    }
}

extension RunInfo {
    /// Input names, rejection texts and skipped paths neutralised.
    public var neutralised: RunInfo {
        var r = self
        r.inputs = inputs.map(\.neutralised)
        r.state?.skipped = state?.skipped.map { SkippedFile(path: Masking.neutralised($0.path), scannedInRun: $0.scannedInRun, scannedAt: $0.scannedAt) } ?? []
        return r
    }
}
