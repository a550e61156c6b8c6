import XCTest
import TrennwandRecords
@testable import TrennwandReaders

/// Value maps by pattern (`patterns:`): each kind, precedence after the exact map and in file
/// order, the per-normaliser cache, and load errors for bad patterns.
final class ValuePatternTests: XCTestCase {
    /// A staff profile (`person`, `org` symbol, `unit` string) with the given `org` / `unit` mapping.
    private func profile(org: String, unit: String = "unit: Einheit") throws -> SourceProfile {
        try SourceProfile.parse(yaml: """
            id: muster-personal
            title: { de: Test, en: Test }
            kind: staff
            format: csv
            delimiter: ";"
            detect:
              header: [Kennung, Mail, Einheit]
            fields:
              person: Kennung
              org:
            \(org)
              \(unit)
            """, file: "muster.yaml")
    }

    private func normaliser(_ p: SourceProfile) throws -> ProfileNormaliser {
        try ProfileNormaliser(profile: p, header: ["Kennung", "Mail", "Einheit"], file: "muster.csv")
    }

    private func org(_ n: ProfileNormaliser, _ mail: String, unit: String = "") -> String {
        let locator = Locator(file: "muster.csv", line: 2, byteOffset: 0, index: 1)
        switch n.normalise(fields: [ByteString("P-1"), ByteString(mail), ByteString(unit)], locator: locator) {
        case .record(let r): return r["org"].stringValue?.string ?? "(empty)"
        case .rejected(let j): return "rejected: \(j.reason.code)"
        }
    }

    private let standard = """
            column: Mail
            map: { sonderkonto@beispiel.example: other }
            patterns:
              - { email_domain: jobcenter-beispiel.example, to: jobcenter }
              - { prefix: "TR-", to: traeger }
              - { suffix: ".traeger.example", to: traeger }
              - { regex: "ext-[0-9]{3}(a|b)?", to: other }
              - { prefix: "tr-leer", to: ~ }
        """

    func testEachPatternKind() throws {
        let n = try normaliser(profile(org: standard))
        XCTAssertEqual(org(n, "Anna.Muster@Jobcenter-Beispiel.example"), "jobcenter") // domain, any case
        XCTAssertEqual(org(n, "a@sub.jobcenter-beispiel.example"), "rejected: profile.unmapped-value") // no subdomains
        XCTAssertEqual(org(n, "tr-0815"), "traeger")                                   // prefix, case-folded
        XCTAssertEqual(org(n, "konto@nord.traeger.example"), "traeger")                // suffix
        XCTAssertEqual(org(n, "EXT-123"), "other")                                     // regex
        XCTAssertEqual(org(n, "ext-123b"), "other")
        XCTAssertEqual(org(n, "ext-1234"), "rejected: profile.unmapped-value")         // anchored: whole value
        XCTAssertEqual(org(n, "xext-123"), "rejected: profile.unmapped-value")
        XCTAssertEqual(org(n, "niemand@anderswo.example"), "rejected: profile.unmapped-value")
    }

    /// The exact map is tried first, then the patterns in file order; the first match wins.
    func testPrecedence() throws {
        let n = try normaliser(profile(org: standard))
        // Matches the e-mail domain pattern too, but the exact entry wins.
        XCTAssertEqual(org(n, "SonderKonto@beispiel.example"), "other")
        // A symbol's own value is an exact entry: "traeger" would match no pattern anyway.
        XCTAssertEqual(org(n, "Traeger"), "traeger")
        // "tr-leer…" matches the prefix "TR-" (earlier) and "tr-leer" (later): the earlier wins.
        XCTAssertEqual(org(n, "tr-leer-1"), "traeger")
        let reversed = try normaliser(profile(org: """
                column: Mail
                patterns:
                  - { prefix: "tr-leer", to: other }
                  - { prefix: "TR-", to: traeger }
            """))
        XCTAssertEqual(org(reversed, "tr-leer-1"), "other")
        XCTAssertEqual(org(reversed, "tr-1"), "traeger")
    }

    /// A null target makes the field empty: for the required `org` the record is rejected as missing.
    func testNullTargetIsEmpty() throws {
        let p = try profile(org: standard, unit: """
        unit:
                column: Einheit
                patterns: [{ regex: "(intern|test)-.*", to: ~ }]
        """)
        let n = try normaliser(p)
        let locator = Locator(file: "muster.csv", line: 2, byteOffset: 0, index: 1)
        guard case .record(let r) = n.normalise(fields: [ByteString("P-1"), ByteString("tr-1"), ByteString("Test-Team")], locator: locator) else {
            return XCTFail("rejected")
        }
        XCTAssertTrue(r["unit"].isMissing)
        guard case .record(let kept) = n.normalise(fields: [ByteString("P-1"), ByteString("tr-1"), ByteString("Team Nord")], locator: locator) else {
            return XCTFail("rejected")
        }
        XCTAssertEqual(kept["unit"].stringValue?.string, "Team Nord") // a string field keeps unmatched values
    }

    /// Seen twice, a value maps the same (from the cache); more distinct values than the cache
    /// holds still map correctly after it was emptied.
    func testCacheGivesTheSameResults() throws {
        let n = try normaliser(profile(org: standard))
        let values = (0..<(PatternCache.capacity + 500)).map { i in i % 3 == 0 ? "tr-\(i)" : i % 3 == 1 ? "p\(i)@jobcenter-beispiel.example" : "ext-\(i % 1000)" }
        let first = values.map { org(n, $0) }
        let second = values.map { org(n, $0) }
        XCTAssertEqual(first, second)
        for (v, o) in zip(values, first) {
            let expected = v.hasPrefix("tr-") ? "traeger" : v.contains("@") ? "jobcenter"
                : (v.count == 7 ? "other" : "rejected: profile.unmapped-value")
            XCTAssertEqual(o, expected, v)
        }
        // A fresh normaliser (another file or worker) agrees.
        let other = try normaliser(profile(org: standard))
        XCTAssertEqual(values.prefix(50).map { org(other, $0) }, Array(first.prefix(50)))
    }

    func testCacheIsBounded() {
        let cache = PatternCache()
        var computed = 0
        for i in 0..<(PatternCache.capacity * 2 + 1) {
            _ = cache.lookup(ByteString("v\(i)")) { computed += 1; return i }
            XCTAssertLessThanOrEqual(cache.count, PatternCache.capacity)
        }
        XCTAssertEqual(computed, PatternCache.capacity * 2 + 1)
        XCTAssertEqual(cache.lookup(ByteString("v\(PatternCache.capacity * 2)")) { computed += 1; return -5 }, PatternCache.capacity * 2)
        XCTAssertEqual(computed, PatternCache.capacity * 2 + 1) // the last value came from the cache
    }

    private func loadError(_ org: String) -> ConfigError? {
        do { _ = try profile(org: org) } catch let e as ConfigError { return e } catch { XCTFail("\(error)") }
        return nil
    }

    func testInvalidPatternsAreLoadErrors() throws {
        let bad = try XCTUnwrap(loadError("""
                column: Mail
                patterns:
                  - { regex: "ab(c|d", to: other }
            """))
        XCTAssertEqual(bad.code, "profile.regex")
        XCTAssertEqual(bad.position.line, 13)
        XCTAssertTrue(bad.message.en.contains("regex 'ab(c|d', character 3: '(' without ')'"), bad.message.en)
        XCTAssertTrue(bad.message.de.contains("„(“ ohne „)“"), bad.message.de)

        for (pattern, fragment) in [("(?i)abc", "not supported"), ("a**", "double quantifier"), ("a{3,1}", "n < m"),
                                    ("\\bword", "escape"), ("a^b", "only at the start"), ("[ä-ü]", "ranges only between ASCII"),
                                    ("a{500}", "at most 100"), ("*a", "without a character")] {
            let e = loadError("""
                    column: Mail
                    patterns: [{ regex: '\(pattern)', to: other }]
                """)
            XCTAssertEqual(e?.code, "profile.regex", pattern)
            XCTAssertTrue(e?.message.en.contains(fragment) == true, "\(pattern): \(e?.message.en ?? "no error")")
        }

        let two = try XCTUnwrap(loadError("""
                column: Mail
                patterns: [{ prefix: a, suffix: b, to: other }]
            """))
        XCTAssertEqual(two.code, "profile.pattern")
        let noTarget = try XCTUnwrap(loadError("""
                column: Mail
                patterns: [{ prefix: a }]
            """))
        XCTAssertTrue(noTarget.message.en.contains("'to:'"), noTarget.message.en)
        let notSymbol = try XCTUnwrap(loadError("""
                column: Mail
                patterns: [{ prefix: a, to: jobcentre }]
            """))
        XCTAssertEqual(notSymbol.code, "profile.map-target")
    }
}

/// The regular-expression subset on its own.
final class ByteRegexTests: XCTestCase {
    private func re(_ p: String) throws -> ByteRegex { try ByteRegex(p) }

    func testSubset() throws {
        let cases: [(String, [String], [String])] = [
            ("abc", ["abc", "ABC"], ["ab", "abcd", "xabc"]),
            ("^a.c$", ["abc", "aäc", "a-c"], ["ac", "abbc"]),
            ("[a-c]+[0-9]?", ["abcabc", "c7", "B"], ["", "d", "a77"]),
            ("[^0-9]{2}", ["ab", "äö", "-_"], ["a1", "abc"]),
            ("\\d{2,3}-\\w+", ["12-ab_9", "123-x"], ["1-x", "1234-x", "12-"]),
            ("(jc|jobcenter)-(nord|süd)", ["jc-nord", "JOBCENTER-SÜD"], ["jc-west", "jc-nordsüd"]),
            ("m[äa]ier|meyer", ["Mäier", "maier", "meyer"], ["mayer"]),
            ("a(b|)*c", ["ac", "abbbc"], ["abd"]),
            ("x{3}", ["xxx"], ["xx", "xxxx"]),
            ("x{2,}", ["xx", "xxxxx"], ["x"]),
            ("a\\.b\\s\\(c\\)", ["a.b (c)", "a.b\t(c)"], ["axb (c)"]),
            ("", [""], ["a"]),
        ]
        for (pattern, yes, no) in cases {
            let r = try re(pattern)
            for s in yes { XCTAssertTrue(r.matches(s), "\(pattern) should match \(s)") }
            for s in no { XCTAssertFalse(r.matches(s), "\(pattern) should not match \(s)") }
        }
    }

    /// Nested repetitions that make backtracking engines explode run in linear time here.
    func testNoCatastrophicBacktracking() throws {
        let r = try re("(a*)*b")
        let long = String(repeating: "a", count: 5_000)
        let start = Date()
        XCTAssertFalse(r.matches(long))
        XCTAssertTrue(r.matches(long + "b"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testErrorOffsets() {
        for (p, offset) in [("ab)", 3), ("[abc", 1), ("a{2", 2), ("ab\\", 3)] {
            XCTAssertThrowsError(try re(p), p) { XCTAssertEqual(($0 as? ByteRegex.SyntaxError)?.offset, offset, p) }
        }
    }
}
