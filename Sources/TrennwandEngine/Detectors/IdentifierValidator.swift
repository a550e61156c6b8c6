// Check-digit and structure validation of German identifiers on raw bytes.
// Pure functions, no allocation beyond a small compacted copy; used after the Vectorscan pass.

/// Validators for the identifiers of domain.md §3. Every function takes the bytes of one
/// candidate (possibly with separators) and answers whether it is a valid identifier.
///
/// Semantics follow python-stdnum where a module exists (`stdnum.de.idnr`, `stdnum.iban`),
/// including its separator handling; the other checks follow the legal texts cited in
/// docs/detectors.md.
public enum IdentifierValidator {

    // MARK: - Separator handling (stdnum `clean` + `strip`)

    /// Removes `deleting` ASCII separators (after mapping the common Unicode spaces and dashes
    /// onto ASCII space and hyphen, as stdnum's `clean` does), then strips surrounding
    /// whitespace. Returns nil when a non-ASCII scalar remains (never a valid identifier).
    static func compact<C: Collection>(_ bytes: C, deleting: [UInt8]) -> [UInt8]? where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var it = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s):
                var v = s.value
                if v >= 0x80 {
                    switch v {
                    case 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: v = 0x20
                    case 0x2010...0x2015, 0x2212, 0xFE63, 0xFF0D, 0x058A, 0x05BE, 0x2011: v = 0x2D
                    default: return nil
                    }
                }
                let b = UInt8(v)
                if !deleting.contains(b) { out.append(b) }
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        // Python str.strip(): ASCII whitespace including the separators 0x1C–0x1F.
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F) }
        var lo = 0, hi = out.count
        while lo < hi, isSpace(out[lo]) { lo += 1 }
        while hi > lo, isSpace(out[hi - 1]) { hi -= 1 }
        if lo > 0 || hi < out.count { out = Array(out[lo..<hi]) }
        return out
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }

    // MARK: - ISO 7064

    /// ISO 7064 MOD 11,10 checksum of a digit string (1 means valid); nil for a non-digit.
    public static func mod11_10Checksum<C: Collection>(_ digits: C) -> Int? where C.Element == UInt8 {
        var c = 5
        for b in digits {
            guard isDigit(b) else { return nil }
            c = (((c == 0 ? 10 : c) * 2) % 11 + Int(b - 0x30)) % 10
        }
        return c
    }

    /// `stdnum.iso7064.mod_11_10.is_valid`.
    public static func isValidMod11_10<C: Collection>(_ digits: C) -> Bool where C.Element == UInt8 {
        mod11_10Checksum(digits) == 1
    }

    /// The MOD 11,10 check digit to append to `prefix`.
    public static func mod11_10CheckDigit<C: Collection>(_ prefix: C) -> UInt8? where C.Element == UInt8 {
        guard let c = mod11_10Checksum(prefix) else { return nil }
        return UInt8((1 - ((c == 0 ? 10 : c) * 2) % 11 + 10) % 10) + 0x30
    }

    /// ISO 7064 MOD 97-10 remainder of an alphanumeric string (letters A=10…Z=35); nil for
    /// another character or an empty string.
    public static func mod97<C: Collection>(_ chars: C) -> Int? where C.Element == UInt8 {
        if chars.isEmpty { return nil }
        var r = 0
        for b in chars {
            if isDigit(b) { r = (r * 10 + Int(b - 0x30)) % 97 }
            else if isUpper(b) { r = (r * 100 + Int(b - 0x41 + 10)) % 97 }
            else { return nil }
        }
        return r
    }

    // MARK: - Steuer-ID

    /// Steuerliche Identifikationsnummer, exactly `stdnum.de.idnr.is_valid`: separators
    /// ` - . / ,` removed, 11 digits, first digit not 0, in the first ten digits exactly one
    /// digit occurs two or three times and every other at most once, ISO 7064 MOD 11,10.
    public static func isValidSteuerID<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let n = compact(bytes, deleting: [0x20, 0x2D, 0x2E, 0x2F, 0x2C]), n.count == 11 else { return false }
        guard n.allSatisfy(isDigit), n[0] != 0x30 else { return false }
        var counts = [Int](repeating: 0, count: 10)
        for i in 0..<10 { counts[Int(n[i] - 0x30)] += 1 }
        var repeated = 0
        for c in counts where c > 1 {
            guard c <= 3 else { return false }
            repeated += 1
        }
        guard repeated == 1 else { return false }
        return isValidMod11_10(n)
    }

    // MARK: - IBAN

    /// BBAN structures from the SWIFT IBAN registry v101 as shipped in stdnum `iban.dat`.
    static let ibanStructures: [String: String] = {
        let table: [(String, String)] = [
            ("AD", "4!n4!n12!c"), ("AE", "3!n16!n"), ("AL", "8!n16!c"), ("AT", "5!n11!n"), ("AZ", "4!a20!c"), ("BA", 
            "3!n3!n8!n2!n"), ("BE", "3!n7!n2!n"), ("BG", "4!a4!n2!n8!c"), ("BH", "4!a14!c"), ("BI", "5!n5!n11!n2!n"), 
            ("BR", "8!n5!n10!n1!a1!c"), ("BY", "4!c4!n16!c"), ("CH", "5!n12!c"), ("CR", "4!n14!n"), ("CY", "3!n5!n16!c"), 
            ("CZ", "4!n16!n"), ("DE", "8!n10!n"), ("DJ", "5!n5!n11!n2!n"), ("DK", "4!n9!n1!n"), ("DO", "4!c20!n"), ("EE", 
            "2!n14!n"), ("EG", "4!n4!n17!n"), ("ES", "4!n4!n1!n1!n10!n"), ("FI", "3!n11!n"), ("FK", "2!a12!n"), ("FO", 
            "4!n9!n1!n"), ("FR", "5!n5!n11!c2!n"), ("GB", "4!a6!n8!n"), ("GE", "2!a16!n"), ("GI", "4!a15!c"), ("GL", 
            "4!n9!n1!n"), ("GR", "3!n4!n16!c"), ("GT", "4!c20!c"), ("HN", "4!a20!n"), ("HR", "7!n10!n"), ("HU", 
            "3!n4!n1!n15!n1!n"), ("IE", "4!a6!n8!n"), ("IL", "3!n3!n13!n"), ("IQ", "4!a3!n12!n"), ("IS", 
            "4!n2!n6!n10!n"), ("IT", "1!a5!n5!n12!c"), ("JO", "4!a4!n18!c"), ("KW", "4!a22!c"), ("KZ", "3!n13!c"), ("LB", 
            "4!n20!c"), ("LC", "4!a24!c"), ("LI", "5!n12!c"), ("LT", "5!n11!n"), ("LU", "3!n13!c"), ("LV", "4!a13!c"), 
            ("LY", "3!n3!n15!n"), ("MC", "5!n5!n11!c2!n"), ("MD", "2!c18!c"), ("ME", "3!n13!n2!n"), ("MK", "3!n10!c2!n"), 
            ("MN", "4!n12!n"), ("MR", "5!n5!n11!n2!n"), ("MT", "4!a5!n18!c"), ("MU", "4!a2!n2!n12!n3!n3!a"), ("NI", 
            "4!a20!n"), ("NL", "4!a10!n"), ("NO", "4!n6!n1!n"), ("OM", "3!n16!c"), ("PK", "4!a16!c"), ("PL", "8!n16!n"), 
            ("PS", "4!a21!c"), ("PT", "4!n4!n11!n2!n"), ("QA", "4!a21!c"), ("RO", "4!a16!c"), ("RS", "3!n13!n2!n"), 
            ("RU", "9!n5!n15!c"), ("SA", "2!n18!c"), ("SC", "4!a2!n2!n16!n3!a"), ("SD", "2!n12!n"), ("SE", "3!n16!n1!n"), 
            ("SI", "5!n8!n2!n"), ("SK", "4!n6!n10!n"), ("SM", "1!a5!n5!n12!c"), ("SO", "4!n3!n12!n"), ("ST", 
            "4!n4!n11!n2!n"), ("SV", "4!a20!n"), ("TL", "3!n14!n2!n"), ("TN", "2!n3!n13!n2!n"), ("TR", "5!n1!n16!c"), 
            ("UA", "6!n19!c"), ("VA", "3!n15!n"), ("VG", "4!a16!n"), ("XK", "4!n10!n2!n"), ("YE", "4!a4!n18!c"), 
        ]
        return Dictionary(uniqueKeysWithValues: table)
    }()

    /// Parsed BBAN structure: (count, class) with class n = digits, a = A–Z, c = alphanumeric.
    static let ibanPatterns: [UInt16: [(Int, UInt8)]] = {
        var result: [UInt16: [(Int, UInt8)]] = [:]
        for (cc, structure) in ibanStructures {
            var parts: [(Int, UInt8)] = []
            var number = 0
            for b in structure.utf8 {
                if isDigit(b) { number = number * 10 + Int(b - 0x30) }
                else if b == UInt8(ascii: "!") { continue }
                else { parts.append((number, b)); number = 0 }
            }
            let key = cc.utf8.reduce(UInt16(0)) { $0 << 8 | UInt16($1) }
            result[key] = parts
        }
        return result
    }()

    /// The total IBAN length for a country code (`DE` → 22), nil for an unknown country.
    public static func ibanLength(country: String) -> Int? {
        let key = country.utf8.reduce(UInt16(0)) { $0 << 8 | UInt16($1) }
        return ibanPatterns[key].map { 4 + $0.reduce(0) { $0 + $1.0 } }
    }

    /// IBAN, as `stdnum.iban.is_valid`: separators ` - .` removed, uppercased, MOD 97-10,
    /// known country, BBAN structure from the registry, plus the Montenegro national check.
    /// The national checks stdnum has for BE (bank registry), ES (CCC) and NO (kontonr) are not
    /// implemented: for those countries this answers as `check_country=False`.
    public static func isValidIBAN<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard var n = compact(bytes, deleting: [0x20, 0x2D, 0x2E]) else { return false }
        for i in n.indices where n[i] >= 0x61 && n[i] <= 0x7A { n[i] -= 0x20 }
        guard n.count >= 4 else {
            return false // mod97 of <4 chars may be 1, but no country can match then
        }
        guard mod97(n[4...] + n[..<4]) == 1 else { return false }
        let key = UInt16(n[0]) << 8 | UInt16(n[1])
        guard let parts = ibanPatterns[key] else { return false }
        var i = 4
        for (count, cls) in parts {
            guard i + count <= n.count else { return false }
            for b in n[i..<(i + count)] {
                switch cls {
                case UInt8(ascii: "n"): if !isDigit(b) { return false }
                case UInt8(ascii: "a"): if !isUpper(b) { return false }
                default: if !(isDigit(b) || isUpper(b)) { return false }
                }
            }
            i += count
        }
        guard i == n.count else { return false }
        if key == 0x4D45 { // ME: int(bban) % 97 == 1
            return mod97(n[4...]) == 1
        }
        return true
    }

    /// The two IBAN check digits for `country` and `bban` (`DE`, `370400440532013000` → `89`).
    public static func ibanCheckDigits(country: String, bban: String) -> String? {
        guard let r = mod97(Array(bban.utf8) + Array(country.utf8) + [0x30, 0x30]) else { return nil }
        let v = 98 - r
        return v < 10 ? "0\(v)" : "\(v)"
    }

    // MARK: - Rentenversicherungsnummer (VSNR)

    /// Bereichsnummern of VKVV Anlage: regional carriers, +40 for DRV Bund, KBS 38/39, ZfA 40, 80–82, 89.
    static let bereichsnummern: Set<Int> = {
        let regional = [2, 3, 4, 8, 9] + Array(10...21) + [23, 24, 25, 26, 28, 29]
        return Set(regional + regional.map { $0 + 40 } + [38, 39, 40, 80, 81, 82, 89])
    }()

    /// Versicherungsnummer (VKVV § 2): spaces ignored; 2 digits Bereichsnummer from the VKVV
    /// table, 6 digits birth date DDMMYY, an uppercase letter, 2 digits serial (00–99), check
    /// digit by weights 2,1,2,5,7,1,2,1,2,1,2,1 over the digit sums, mod 10.
    /// Date plausibility: month 01–12, day 01–31 (§ 2 Abs. 3 VKVV allows day 00 / month 00 when
    /// the birth date is partly unknown and raises the day by 32 when a number is exhausted, so
    /// day 00–31 and 32–63, month 00–12 are accepted; the day is not checked against the month).
    public static func isValidRVNummer<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var n: [UInt8] = []
        n.reserveCapacity(12)
        for b in bytes where b != 0x20 {
            n.append(b)
            if n.count > 12 { return false }
        }
        guard n.count == 12, isUpper(n[8]) else { return false }
        for i in 0..<12 where i != 8 { guard isDigit(n[i]) else { return false } }
        func num(_ i: Int) -> Int { Int(n[i] - 0x30) * 10 + Int(n[i + 1] - 0x30) }
        guard bereichsnummern.contains(num(0)) else { return false }
        let day = num(2), month = num(4)
        guard day <= 63, month <= 12 else { return false }
        let letter = Int(n[8] - 0x41 + 1)
        let digits = [n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]].map { Int($0 - 0x30) }
            + [letter / 10, letter % 10, Int(n[9] - 0x30), Int(n[10] - 0x30)]
        let weights = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1]
        var sum = 0
        for (d, w) in zip(digits, weights) { let p = d * w; sum += p / 10 + p % 10 }
        return sum % 10 == Int(n[11] - 0x30)
    }

    // MARK: - KVNR

    /// Krankenversichertennummer, unchangeable 10-character part: an uppercase letter, 8 digits,
    /// a check digit. The letter becomes two digits (A=01…Z=26), then weights 1,2,1,2,… from
    /// the left over the 10 digits, products > 9 minus 9, sum mod 10 (gematik `KVNR.java`).
    public static func isValidKVNR<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        let n = Array(bytes)
        guard n.count == 10, isUpper(n[0]), n[1...].allSatisfy(isDigit) else { return false }
        let letter = Int(n[0] - 0x41 + 1)
        let digits = [letter / 10, letter % 10] + n[1..<9].map { Int($0 - 0x30) }
        var sum = 0
        for (i, d) in digits.enumerated() {
            var p = d * (i % 2 == 0 ? 1 : 2)
            if p > 9 { p -= 9 }
            sum += p
        }
        return sum % 10 == Int(n[9] - 0x30)
    }

    // MARK: - Personalausweis

    /// ICAO 9303 check digit: 0–9 = value, A=10…Z=35, `<` = 0, weights 7,3,1, sum mod 10.
    public static func icaoCheckDigit<C: Collection>(_ chars: C) -> Int? where C.Element == UInt8 {
        let weights = [7, 3, 1]
        var sum = 0
        for (i, b) in chars.enumerated() {
            let v: Int
            if isDigit(b) { v = Int(b - 0x30) }
            else if isUpper(b) { v = Int(b - 0x41) + 10 }
            else if b == UInt8(ascii: "<") { v = 0 }
            else { return nil }
            sum += v * weights[i % 3]
        }
        return sum % 10
    }

    /// Characters of the ID-card serial number: PAuswV letters C F G H J K L M N P R T V W X Y Z
    /// and digits (0 is accepted as well: the four-digit Behördenkennzahl of older cards and the
    /// documented vectors contain it).
    static func isAusweisChar(_ b: UInt8) -> Bool {
        if isDigit(b) { return true }
        switch b {
        case UInt8(ascii: "C"), UInt8(ascii: "F"), UInt8(ascii: "G"), UInt8(ascii: "H"), UInt8(ascii: "J"),
             UInt8(ascii: "K"), UInt8(ascii: "L"), UInt8(ascii: "M"), UInt8(ascii: "N"), UInt8(ascii: "P"),
             UInt8(ascii: "R"), UInt8(ascii: "T"), UInt8(ascii: "V"), UInt8(ascii: "W"), UInt8(ascii: "X"),
             UInt8(ascii: "Y"), UInt8(ascii: "Z"): return true
        default: return false
        }
    }

    /// Personalausweis document number with check digit: 9 serial characters (see
    /// `isAusweisChar`) and an ICAO 7-3-1 check digit; also the pre-2010 all-numeric form
    /// (10 digits, the last the check digit).
    public static func isValidAusweis<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        let n = Array(bytes)
        guard n.count == 10, n[..<9].allSatisfy(isAusweisChar), isDigit(n[9]) else { return false }
        return icaoCheckDigit(n[..<9]) == Int(n[9] - 0x30)
    }
}
